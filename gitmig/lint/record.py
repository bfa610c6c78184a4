"""Run a revision's ``upgrade()`` offline and record every op it invokes.

The ops run for real against an offline :class:`~gitmig.runtime.migration.MigrationContext`
(their SQL goes to a buffer nobody reads), so a revision sees the same ``op`` API as in
``upgrade --sql``; an ``operation_observer`` records each op object before it runs, with the
line of the revision file that invoked it and whether it ran inside ``autocommit_block()``.
"""

from __future__ import annotations

import ast
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gitmig.operations import Operations
from gitmig.runtime.migration import MigrationContext

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

    from gitmig.operations.base import AbstractOperations, BatchOperations
    from gitmig.operations.ops import MigrateOperation
    from gitmig.script.base import Script
    from gitmig.script.revision import Revision

__all__ = ["RecordedOp", "Recording", "record", "record_source"]


@dataclass(frozen=True)
class RecordedOp:
    """One op a revision invoked, and where."""

    op: MigrateOperation
    #: the statement of the revision file that invoked it: (first line, last line)
    span: tuple[int, int] | None
    #: inside ``op.get_context().autocommit_block()``
    autocommit: bool
    #: the op's table was created earlier in the same revision (so it holds no data yet)
    new_table: bool

    @property
    def line(self) -> int | None:
        return self.span[0] if self.span else None


@dataclass
class Recording:
    """What running one revision's ``upgrade()`` offline showed."""

    #: the revision (a :class:`~gitmig.script.base.Script` for a file on disk)
    script: Revision
    dialect: str
    ops: list[RecordedOp] = field(default_factory=list)
    #: why upgrade() could not run offline (its ops up to there are still recorded)
    failure: str | None = None
    #: the statement of the revision file that was running when it failed
    failure_span: tuple[int, int] | None = None
    #: the span of ``def downgrade``'s first line, when its body does nothing
    empty_downgrade: tuple[int, int] | None = None
    #: the source of the revision file
    source: str = ""


class _LintContext(MigrationContext):
    """An offline context that knows when it is inside ``autocommit_block()``."""

    autocommit_depth = 0
    _announce = False  # recording is not running: `sync -q` printed its "Context impl"

    @contextmanager
    def autocommit_block(self) -> Iterator[None]:
        self.autocommit_depth += 1
        try:
            with super().autocommit_block():
                yield
        finally:
            self.autocommit_depth -= 1


class _LintOperations(Operations):
    """``op`` for linting: a batch block's ops are recorded, never applied.

    Applying them could need a table rebuild, which offline needs ``copy_from``; the lint
    needs only the ops, which are recorded as the block invokes them.
    """

    @contextmanager
    def batch_alter_table(self, *args: Any, **kw: Any) -> Iterator[BatchOperations]:
        with super().batch_alter_table(*args, **kw) as batch_op:
            setattr(batch_op.impl, "flush", lambda: None)  # noqa: B010 - shadows the method
            yield batch_op


def _table_key(op: Any) -> tuple[str | None, str] | None:
    name = getattr(op, "table_name", None)
    if not isinstance(name, str):
        table = getattr(op, "table", None)  # bulk_insert
        name = getattr(table, "name", None)
        if not isinstance(name, str):
            return None
        return (getattr(table, "schema", None), name)
    return (getattr(op, "schema", None), name)


class _Statements:
    """Maps a line of the revision file to the innermost statement containing it."""

    def __init__(self, tree: ast.Module | None) -> None:
        self.spans: list[tuple[int, int]] = []
        if tree is not None:
            for node in ast.walk(tree):
                if isinstance(node, ast.stmt) and not isinstance(
                    node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
                ):
                    self.spans.append((node.lineno, node.end_lineno or node.lineno))

    def span(self, line: int) -> tuple[int, int]:
        inside = [s for s in self.spans if s[0] <= line <= s[1]]
        if not inside:
            return (line, line)
        return min(inside, key=lambda s: (s[1] - s[0], -s[0]))


def _does_nothing(body: list[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring or `...`
        return False
    return True


def _empty_downgrade(tree: ast.Module | None, engine: str | None) -> tuple[int, int] | None:
    if tree is None:
        return None
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    # The multidb template's downgrade(engine_name) dispatches to downgrade_<engine>().
    node = functions.get(f"downgrade_{engine}") if engine else None
    node = node or functions.get("downgrade")
    if node is None:
        return (1, 1)  # no downgrade() at all
    return (node.lineno, node.lineno) if _does_nothing(node.body) else None


def record(script: Script, dialect: str, engine: str | None = None) -> Recording:
    """Run ``script``'s ``upgrade()`` offline for ``dialect`` and record its ops.

    ``engine`` names the database of a multi-database environment: ``upgrade()`` is then
    called with ``engine_name=engine``, as the multidb template's env.py calls it.
    """
    assert script.path is not None
    path = os.path.abspath(script.path)
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    return _record(script, source, path, True, lambda: script.module, dialect, engine)


def record_source(
    revision: Revision, source: str, filename: str, dialect: str, engine: str | None = None
) -> Recording:
    """As :func:`record`, for a revision file that is not on disk (a blob read from git).

    The module is built from ``source`` in memory; ``filename`` (``main:path/to/file.py``)
    is what tracebacks and the recorded lines refer to.
    """
    from gitmig.util.files import load_python_source

    name = f"gitmig_source_{abs(hash((filename, source))):x}"
    return _record(
        revision,
        source,
        filename,
        False,
        lambda: load_python_source(source, filename, name),
        dialect,
        engine,
    )


def _record(
    revision: Revision,
    source: str,
    path: str,
    on_disk: bool,
    load: Callable[[], ModuleType],
    dialect: str,
    engine: str | None,
) -> Recording:
    try:
        tree: ast.Module | None = ast.parse(source, path)
    except SyntaxError:
        tree = None  # importing it below reports the error
    statements = _Statements(tree)

    def ours(code_filename: str) -> bool:
        # A file on disk may have been imported by a relative path; a blob by its name.
        return (os.path.abspath(code_filename) if on_disk else code_filename) == path

    recording = Recording(
        revision, dialect, source=source, empty_downgrade=_empty_downgrade(tree, engine)
    )
    created: set[tuple[str | None, str]] = set()

    def observe(operations: AbstractOperations, operation: MigrateOperation) -> None:
        from gitmig.operations import ops

        frame = sys._getframe(1)
        while frame is not None and not ours(frame.f_code.co_filename):
            frame = frame.f_back  # type: ignore[assignment]
        span = statements.span(frame.f_lineno) if frame is not None else None
        key = _table_key(operation)
        context = operations.migration_context
        depth = context.autocommit_depth if isinstance(context, _LintContext) else 0
        recording.ops.append(
            RecordedOp(operation, span, depth > 0, key is not None and key in created)
        )
        if isinstance(operation, ops.CreateTableOp) and key is not None:
            created.add(key)
        elif isinstance(operation, ops.RenameTableOp) and key in created:
            created.add((operation.schema, operation.new_table_name))

    context = _LintContext.configure(
        dialect_name=dialect,
        opts={
            "as_sql": True,
            "output_buffer": io.StringIO(),
            "literal_binds": True,
            "operation_observer": observe,
        },
    )
    try:
        upgrade = getattr(load(), "upgrade", None)
        if not callable(upgrade):
            recording.failure = "it has no upgrade() function"
            return recording
        with Operations.context(_LintOperations(context)):
            upgrade(**({"engine_name": engine} if engine else {}))
    except Exception as err:  # reported as a finding: the other revisions are still linted
        recording.failure = f"{type(err).__name__}: {err}".splitlines()[0]
        tb = err.__traceback__
        while tb is not None:
            if ours(tb.tb_frame.f_code.co_filename):
                recording.failure_span = statements.span(tb.tb_lineno)
            tb = tb.tb_next
    return recording
