"""Data an Alembic project's migrations must leave exactly as Alembic leaves it.

Each test is a case where gitmig once differed from Alembic 1.20.1 (wrong rows, refused
scripts, SQL the database rejects); the expected results are what Alembic does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from gitmig.operations import Operations
from gitmig.runtime.migration import MigrationContext
from tests.operations.conftest import Run
from tests.operations.helpers import render, transactional_sqlite

Inspect = Callable[[], sa.Inspector]


def _rows(run: Run, sql: str) -> list[tuple[object, ...]]:
    return run(lambda op: [tuple(r) for r in op.get_bind().execute(sa.text(sql))])


def test_inline_literals_are_not_reused_between_statements(run: Run) -> None:
    # The statements differ only in their literals: a cached compilation would repeat the first.
    def migrate(op: Operations) -> None:
        t = op.create_table(
            "t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.String(20))
        )
        for i, value in enumerate(["first", "second", "third"], start=1):
            op.execute(t.insert().values(id=op.inline_literal(i), v=op.inline_literal(value)))
        op.execute(
            t.update().where(t.c.id == op.inline_literal(3)).values(v=op.inline_literal("3rd"))
        )

    run(migrate)
    assert _rows(run, "SELECT id, v FROM t ORDER BY id") == [
        (1, "first"),
        (2, "second"),
        (3, "3rd"),
    ]


def _run_on(url: str) -> Run:
    """Like the ``run`` fixture, on one given database."""

    def _run(fn: Callable[[Operations], Any], **opts: Any) -> Any:
        engine = sa.create_engine(url)
        if url.startswith("sqlite"):
            transactional_sqlite(engine)
        try:
            with engine.begin() as conn:
                return fn(Operations(MigrationContext.configure(connection=conn, opts=opts)))
        finally:
            engine.dispose()

    return _run


def test_sqlite_batch_to_json_copies_the_text_unchanged(sqlite_url: str) -> None:
    run = _run_on(sqlite_url)
    run(lambda op: op.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data TEXT, n VARCHAR(5))"))
    run(lambda op: op.execute("""INSERT INTO t VALUES (1, '{"a": 1}', '42')"""))

    def migrate(op: Operations) -> None:
        with op.batch_alter_table("t") as batch_op:
            batch_op.alter_column("data", type_=sa.JSON)
            batch_op.alter_column("n", type_=sa.Integer)  # another affinity: still a CAST

    run(migrate)
    assert _rows(run, "SELECT data, n, typeof(n) FROM t") == [('{"a": 1}', 42, "integer")]


def test_batch_casts_only_across_type_affinities() -> None:
    old = sa.Table("t", sa.MetaData(), sa.Column("a", sa.String(5)), sa.Column("b", sa.String(5)))

    def migrate(op: Operations) -> None:
        with op.batch_alter_table("t", copy_from=old) as batch_op:
            batch_op.alter_column("a", type_=sa.Text)
            batch_op.alter_column("b", type_=sa.Integer)

    copy = next(s for s in render("sqlite", migrate) if s.startswith("INSERT"))
    assert copy == ("INSERT INTO _gitmig_tmp_t (a, b) SELECT t.a, CAST(t.b AS INTEGER) AS b FROM t")


def test_add_boolean_column_with_constraint(postgresql_url: str, mariadb_url: str) -> None:
    # PostgreSQL's boolean is native: no CHECK (it would compare a boolean with 0 and 1).
    # MariaDB stores it as an integer, so there the CHECK is added, as Alembic does.
    for url in (postgresql_url, mariadb_url):
        run = _run_on(url)
        run(lambda op: op.create_table("t", sa.Column("id", sa.Integer, primary_key=True)))
        run(lambda op: op.execute("INSERT INTO t (id) VALUES (1)"))
        run(
            lambda op: op.add_column(
                "t", sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_t_flag"))
            )
        )
        run(lambda op: op.execute("UPDATE t SET flag = true"))
        assert _rows(run, "SELECT flag FROM t") == [(True,) if "postgresql" in url else (1,)]
        checks = run(
            lambda op: {c["name"] for c in sa.inspect(op.get_bind()).get_check_constraints("t")}
        )
        assert checks == (set() if "postgresql" in url else {"ck_t_flag"})


def test_boolean_check_is_written_only_where_boolean_is_not_native() -> None:
    def migrate(op: Operations) -> None:
        op.add_column("t", sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_t_flag")))

    assert render("postgresql", migrate) == ["ALTER TABLE t ADD COLUMN flag BOOLEAN"]
    assert render("mysql", migrate) == [
        "ALTER TABLE t ADD COLUMN flag BOOL",
        "ALTER TABLE t ADD CONSTRAINT ck_t_flag CHECK (flag IN (0, 1))",
    ]
