"""Every Python example in the operations, batch and ddl docs runs (offline, no database)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gitmig.operations import Operations
from tests.operations.helpers import offline_ops

DOCS = Path(__file__).resolve().parents[2] / "docs"
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _examples(name: str) -> list[tuple[str, str]]:
    text = (DOCS / name).read_text(encoding="utf-8")
    return [(f"{name}#{i}", block) for i, block in enumerate(_BLOCK.findall(text))]


EXAMPLES = _examples("operations.md") + _examples("batch.md")


@pytest.fixture
def restore_registries():
    methods = set(vars(Operations))
    impls = dict(Operations._to_impl)
    yield
    for name in set(vars(Operations)) - methods:
        delattr(Operations, name)
    Operations._to_impl.clear()
    Operations._to_impl.update(impls)


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
@pytest.mark.parametrize(("where", "code"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_example_runs_offline(where: str, code: str, dialect: str, restore_registries) -> None:
    if dialect != "postgresql" and "create_exclude_constraint" in code:
        pytest.skip("EXCLUDE constraints are PostgreSQL's")
    ops, buf = offline_ops(dialect)
    namespace: dict[str, object] = {"__name__": where}
    with Operations.context(ops):
        exec(compile(code, where, "exec"), namespace)
        for fn in ("upgrade", "downgrade"):
            if callable(namespace.get(fn)):
                namespace[fn]()  # type: ignore[operator]
    if "create_sequence" in code:
        ops.create_sequence("order_seq")  # type: ignore[attr-defined]
        ops.drop_sequence("order_seq")  # type: ignore[attr-defined]
        assert "CREATE SEQUENCE order_seq" in buf.getvalue()
        assert "DROP SEQUENCE order_seq" in buf.getvalue()
