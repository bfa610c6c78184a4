"""bulk_insert and inline_literal with awkward values, online and in offline SQL.

The offline SQL is checked the strictest way: it is run on the real server and the values
read back must be the ones given.
"""

from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa

from gitmig.operations import Operations
from tests.operations.conftest import Run
from tests.operations.helpers import offline_ops

AWKWARD = [
    {"id": 1, "name": "O'Brien", "born": datetime.date(1970, 1, 2)},
    {"id": 2, "name": "back\\slash \\' \\n", "born": None},
    {"id": 3, "name": "unicodé ☃ 日本", "born": datetime.date(2000, 2, 29)},
    {"id": 4, "name": None, "born": datetime.date(1999, 12, 31)},
    {"id": 5, "name": 'double "quote" ; -- not a comment', "born": None},
]

PEOPLE = sa.table(
    "people",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("born", sa.Date),
)


def _create(op: Operations) -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.Unicode(100)),
        sa.Column("born", sa.Date),
    )


def _read(run: Run) -> list[dict[str, object]]:
    return run(
        lambda op: [
            dict(r._mapping) for r in op.get_bind().execute(sa.select(PEOPLE).order_by(PEOPLE.c.id))
        ]
    )


@pytest.mark.parametrize("multiinsert", [True, False])
def test_online(run: Run, multiinsert: bool) -> None:
    run(_create)
    run(lambda op: op.bulk_insert(PEOPLE, AWKWARD, multiinsert=multiinsert))
    assert _read(run) == AWKWARD


def test_offline_sql_runs_on_the_server(run: Run, engine: sa.Engine) -> None:
    run(_create)
    op, buf = offline_ops(engine.dialect.name)
    op.bulk_insert(PEOPLE, AWKWARD)
    script = buf.getvalue()
    assert script.count("INSERT INTO people") == len(AWKWARD)
    with engine.begin() as conn:
        for stmt in script.split(";\n\n"):
            if stmt.strip():
                conn.exec_driver_sql(stmt)
    assert _read(run) == AWKWARD


def test_mysql_offline_escapes_backslashes() -> None:
    op, buf = offline_ops("mysql")
    op.bulk_insert(PEOPLE, [{"id": 1, "name": "a\\b'c"}])
    assert "'a\\\\b''c'" in buf.getvalue()
    op, buf = offline_ops("postgresql")
    op.bulk_insert(PEOPLE, [{"id": 1, "name": "a\\b'c"}])
    assert "'a\\b''c'" in buf.getvalue()


def test_inline_literal_online_and_offline(run: Run, engine: sa.Engine) -> None:
    run(_create)
    run(lambda op: op.bulk_insert(PEOPLE, AWKWARD[:2]))

    def update(op: Operations) -> None:
        op.execute(
            PEOPLE.update()
            .where(PEOPLE.c.name == op.inline_literal("O'Brien"))
            .values(name=op.inline_literal("back\\slash ☃ 'q'"))
        )

    run(update)
    assert _read(run)[0]["name"] == "back\\slash ☃ 'q'"
    op, buf = offline_ops(engine.dialect.name)
    update_back = (
        PEOPLE.update()
        .where(PEOPLE.c.name == op.inline_literal("back\\slash ☃ 'q'"))
        .values(name=op.inline_literal("O'Brien"), born=op.inline_literal(None))
    )
    op.execute(update_back)
    with engine.begin() as conn:
        conn.exec_driver_sql(buf.getvalue().strip().removesuffix(";"))
    assert _read(run)[0] == {"id": 1, "name": "O'Brien", "born": None}


def test_rows_may_hold_sql_expressions(run: Run) -> None:
    run(_create)
    run(
        lambda op: op.bulk_insert(
            PEOPLE, [{"id": 1, "name": op.inline_literal("x")}, {"id": 2, "name": "y"}]
        )
    )
    assert [r["name"] for r in _read(run)] == ["x", "y"]


def test_row_with_unknown_column_is_an_error() -> None:
    op, _ = offline_ops("sqlite")
    with pytest.raises(ValueError, match="nickname"):
        op.bulk_insert(PEOPLE, [{"id": 1, "nickname": "x"}])


def test_rows_must_be_a_list() -> None:
    op, _ = offline_ops("sqlite")
    with pytest.raises(TypeError, match="list of dictionaries"):
        op.bulk_insert(PEOPLE, "not rows")  # type: ignore[arg-type]
