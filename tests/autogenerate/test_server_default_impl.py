"""Alembic's ``_dialect_impl_compare_server_default``: a reflected column's default against
a model column's, judged by the dialect impl, on the three databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gitmig.autogenerate.compare.server_defaults import _dialect_impl_compare_server_default
from gitmig.autogenerate.context import AutogenContext
from gitmig.operations import ops
from gitmig.runtime.migration import MigrationContext


def _compare(engine: sa.Engine, ddl_default: str, model: sa.Column[int]) -> ops.AlterColumnOp:
    metadata = sa.MetaData()
    sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True), model)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE t (id INTEGER PRIMARY KEY, c INTEGER DEFAULT {ddl_default})"
        )
        try:
            reflected = next(c for c in sa.inspect(conn).get_columns("t") if c["name"] == "c")
            conn_col = sa.Column(
                "c", reflected["type"], server_default=sa.text(reflected["default"])
            )
            context = AutogenContext(MigrationContext.configure(conn), metadata)
            alter = ops.AlterColumnOp("t", "c")
            _dialect_impl_compare_server_default(context, alter, None, "t", "c", conn_col, model)
            return alter
        finally:
            conn.exec_driver_sql("DROP TABLE t")


@pytest.mark.parametrize(("model_default", "differs"), [("5", False), ("7", True)])
def test_the_impl_judges_the_defaults(engine: sa.Engine, model_default: str, differs: bool) -> None:
    model = sa.Column("c", sa.Integer, server_default=sa.text(model_default))
    alter = _compare(engine, "5", model)
    assert alter.existing_server_default is not None  # the reflected default, recorded
    assert (alter.modify_server_default is not False) is differs
    assert bool(alter.to_diff_tuple()) is differs


def test_generated_values_are_not_compared(engine: sa.Engine) -> None:
    model = sa.Column("c", sa.Integer, server_default=sa.FetchedValue())
    alter = _compare(engine, "5", model)
    assert alter.modify_server_default is False and alter.to_diff_tuple() == []
