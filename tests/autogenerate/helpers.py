"""Compare a "before" schema (created in the database) with an "after" model, and heal it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from gitmig.autogenerate import produce_migrations, render_python_code
from gitmig.autogenerate.api import _flatten
from gitmig.operations import Operations
from gitmig.operations import ops as ops_
from gitmig.runtime.migration import MigrationContext

Schema = Callable[[sa.MetaData], None]


def metadata_of(build: Schema) -> sa.MetaData:
    metadata = sa.MetaData()
    build(metadata)
    return metadata


def detect(engine: sa.Engine, after: sa.MetaData, **opts: Any) -> ops_.MigrationScript:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=opts)
        return produce_migrations(context, after)


def flat(script: ops_.MigrationScript) -> list[ops_.MigrateOperation]:
    return list(_flatten(script.upgrade_ops.ops))


#: operations SQLite runs without batch mode
_SQLITE_NATIVE = (
    ops_.CreateTableOp,
    ops_.DropTableOp,
    ops_.AddColumnOp,
    ops_.DropColumnOp,
    ops_.CreateIndexOp,
    ops_.DropIndexOp,
)


def apply(engine: sa.Engine, container: ops_.OpContainer) -> str:
    """Run ``container`` through its rendered code; return the code.

    SQLite gets batch mode when an operation needs it (ALTER COLUMN, constraints).
    """
    batch = engine.dialect.name == "sqlite" and not all(
        isinstance(op, _SQLITE_NATIVE) for op in _flatten(container.ops)
    )
    code = render_python_code(container, render_as_batch=batch)
    from sqlalchemy.dialects import mysql, postgresql, sqlite

    with engine.begin() as conn:
        namespace = {
            "sa": sa,
            "op": Operations(MigrationContext.configure(conn)),
            "mysql": mysql,
            "postgresql": postgresql,
            "sqlite": sqlite,
        }
        exec(compile(f"def run():\n    {code}\n", "<rendered>", "exec"), namespace)
        namespace["run"]()
    return code


def difference(
    engine: sa.Engine,
    before: Schema,
    after: Schema,
    *,
    heal: bool = True,
    ignore_after_downgrade: tuple[type[ops_.MigrateOperation], ...] = (),
    **opts: Any,
) -> list[ops_.MigrateOperation]:
    """The operations from ``before`` (created in an empty database) to ``after`` (the model).

    With ``heal``, the rendered upgrade is run and must leave nothing to detect; then the
    rendered downgrade is run and must bring back ``before`` (but for operations of the
    ``ignore_after_downgrade`` types).
    """
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == [], "the database must start empty"
    start = metadata_of(before)
    start.create_all(engine)
    target = metadata_of(after)
    script = detect(engine, target, **opts)
    found = flat(script)
    if heal and found:
        apply(engine, script.upgrade_ops)
        assert flat(detect(engine, target, **opts)) == [], "the upgrade left differences"
        apply(engine, script.downgrade_ops)
        left = flat(detect(engine, metadata_of(before), **opts))
        assert [op for op in left if not isinstance(op, ignore_after_downgrade)] == [], (
            "downgrade incomplete"
        )
    return found


def reset(engine: sa.Engine) -> None:
    """Drop every table, for a test that checks several differences in turn."""
    metadata = sa.MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
