"""Data an Alembic project's migrations must leave exactly as Alembic leaves it.

Each test is a case where gitmig once differed from Alembic 1.20.1 (wrong rows, refused
scripts, SQL the database rejects); the expected results are what Alembic does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from gitmig.operations import Operations, ops
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
    assert copy == (
        "INSERT INTO _alembic_tmp_t (a, b) SELECT t.a, CAST(t.b AS INTEGER) AS b FROM t"
    )


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


def test_identity_dropped_and_added_on_postgresql(postgresql_url: str) -> None:
    run = _run_on(postgresql_url)
    run(
        lambda op: op.create_table(
            "t", sa.Column("id", sa.Integer, sa.Identity(), primary_key=True)
        )
    )
    run(
        lambda op: op.alter_column(
            "t", "id", server_default=None, existing_server_default=sa.Identity()
        )
    )

    def identity(op: Operations) -> object:
        (col,) = sa.inspect(op.get_bind()).get_columns("t")
        return col.get("identity")

    assert run(identity) is None
    run(lambda op: op.execute("INSERT INTO t (id) VALUES (5)"))  # a plain column now
    run(lambda op: op.alter_column("t", "id", server_default=sa.Identity(always=True, start=10)))
    assert run(identity)["always"] is True  # type: ignore[index]
    run(lambda op: op.execute("INSERT INTO t DEFAULT VALUES"))
    assert _rows(run, "SELECT id FROM t ORDER BY id") == [(5,), (10,)]


def test_identity_changes_compile_as_alembic_writes_them() -> None:
    def drop(op: Operations) -> None:
        op.alter_column("t", "id", server_default=None, existing_server_default=sa.Identity())

    def add(op: Operations) -> None:
        op.alter_column("t", "id", server_default=sa.Identity(always=True, start=5))

    def change(op: Operations) -> None:
        op.alter_column(
            "t",
            "id",
            server_default=sa.Identity(always=True, increment=2),
            existing_server_default=sa.Identity(),
        )

    assert render("postgresql", drop) == ["ALTER TABLE t ALTER COLUMN id DROP IDENTITY"]
    assert render("postgresql", add) == [
        "ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (START WITH 5)"
    ]
    assert render("postgresql", change) == [
        "ALTER TABLE t ALTER COLUMN id SET GENERATED ALWAYS SET INCREMENT BY 2"
    ]
    assert render("oracle", drop) == ["ALTER TABLE t MODIFY id DROP IDENTITY"]
    assert render("oracle", add) == [
        "ALTER TABLE t MODIFY id GENERATED ALWAYS AS IDENTITY (START WITH 5)"
    ]


def test_index_include_columns_online_and_in_batch(postgresql_url: str) -> None:
    run = _run_on(postgresql_url)
    run(
        lambda op: op.create_table(
            "t", *(sa.Column(n, sa.Integer) for n in ("a", "b", "c")), sa.Column("id", sa.Integer)
        )
    )
    run(lambda op: op.create_index("ix_t_a", "t", ["a"], postgresql_include=["b"]))

    def in_batch(op: Operations) -> None:
        with op.batch_alter_table("t") as batch_op:
            batch_op.create_index("ix_t_c", ["c"], postgresql_include=["a", "b"])

    run(in_batch)
    found = run(
        lambda op: {
            ix["name"]: ix.get("dialect_options", {}).get("postgresql_include")
            for ix in sa.inspect(op.get_bind()).get_indexes("t")
        }
    )
    assert found == {"ix_t_a": ["b"], "ix_t_c": ["a", "b"]}


def test_index_include_columns_offline() -> None:
    assert render(
        "postgresql", lambda op: op.create_index("ix", "t", ["a"], postgresql_include=["b"])
    ) == ["CREATE INDEX ix ON t (a) INCLUDE (b)"]
    assert render("mssql", lambda op: op.create_index("ix", "t", ["a"], mssql_include=["b"])) == [
        "CREATE INDEX ix ON t (a) INCLUDE (b)"
    ]


def test_sqlite_batch_add_boolean_column_writes_its_check_once(sqlite_url: str) -> None:
    run = _run_on(sqlite_url)
    run(lambda op: op.create_table("t", sa.Column("id", sa.Integer, primary_key=True)))

    def migrate(op: Operations) -> None:
        with op.batch_alter_table("t", recreate="always") as batch_op:
            batch_op.add_column(
                sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag"))
            )

    run(migrate)
    sql = _rows(run, "SELECT sql FROM sqlite_master WHERE name = 't'")[0][0]
    assert str(sql).count("CONSTRAINT ck_flag CHECK") == 1
    run(lambda op: op.execute("INSERT INTO t (id, flag) VALUES (1, 1)"))


_CONVENTION = {
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "ix": "ix_%(column_0_label)s",
}


def _sqlite_table_sql(run: Run, table: str) -> str:
    return str(_rows(run, f"SELECT sql FROM sqlite_master WHERE name = '{table}'")[0][0])


def test_sqlite_batch_add_column_keeps_foreign_key_name_and_ondelete(sqlite_url: str) -> None:
    run = _run_on(sqlite_url)
    run(lambda op: op.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)"))
    run(lambda op: op.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER)"))
    run(lambda op: op.execute("CREATE TABLE u (id INTEGER PRIMARY KEY, a INTEGER)"))
    fk = sa.ForeignKey

    def migrate(op: Operations) -> None:
        with op.batch_alter_table("t") as batch_op:  # the column alone
            batch_op.add_column(
                sa.Column("user_id", sa.Integer, fk("users.id", ondelete="SET NULL"))
            )
        with op.batch_alter_table("u") as batch_op:  # with a change that rebuilds anyway
            batch_op.add_column(
                sa.Column("user_id", sa.Integer, fk("users.id", ondelete="CASCADE"))
            )
            batch_op.alter_column("a", nullable=False)

    run(migrate, target_metadata=sa.MetaData(naming_convention=_CONVENTION))
    found = run(
        lambda op: {
            name: [
                (k["name"], k["options"]) for k in sa.inspect(op.get_bind()).get_foreign_keys(name)
            ]
            for name in ("t", "u")
        }
    )
    assert found == {
        "t": [("fk_t_user_id_users", {"ondelete": "SET NULL"})],
        "u": [("fk_u_user_id_users", {"ondelete": "CASCADE"})],
    }


def test_sqlite_batch_drop_index_after_dropping_its_column(sqlite_url: str) -> None:
    run = _run_on(sqlite_url)
    run(lambda op: op.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)"))
    run(lambda op: op.execute("CREATE INDEX ix_t_a_b ON t (a, b)"))
    run(lambda op: op.execute("INSERT INTO t VALUES (1, 2, 3)"))

    def migrate(op: Operations) -> None:
        with op.batch_alter_table("t") as batch_op:
            batch_op.drop_column("b")
            batch_op.drop_index("ix_t_a_b")

    run(migrate)
    assert _rows(run, "SELECT * FROM t") == [(1, 2)]
    assert run(lambda op: sa.inspect(op.get_bind()).get_indexes("t")) == []


def test_sqlite_batch_rebuild_keeps_parentheses_of_multiline_defaults(sqlite_url: str) -> None:
    run = _run_on(sqlite_url)
    run(
        lambda op: op.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER DEFAULT ((\n  1 +\n  2\n)), "
            "y INTEGER DEFAULT ((1 + 2)), s TEXT DEFAULT 'k', w INTEGER)"
        )
    )

    def migrate(op: Operations) -> None:
        with op.batch_alter_table("t") as batch_op:
            batch_op.alter_column("w", nullable=False)

    run(migrate)
    sql = _sqlite_table_sql(run, "t")
    # Alembic 1.20.1 writes exactly these defaults for this table
    assert "x INTEGER DEFAULT ((\n  1 +\n  2\n))," in sql
    assert "y INTEGER DEFAULT (1 + 2)," in sql
    assert "s TEXT DEFAULT 'k'," in sql
    run(lambda op: op.execute("INSERT INTO t (id, w) VALUES (1, 0)"))
    assert _rows(run, "SELECT x, y, s FROM t") == [(3, 3, "k")]


def test_create_table_from_a_table_writes_a_named_type_check_once(mariadb_url: str) -> None:
    table = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_flag")),
    )
    assert render("mysql", lambda op: op.invoke(ops.CreateTableOp.from_table(table))) == [
        "CREATE TABLE t ( id INTEGER NOT NULL AUTO_INCREMENT, flag BOOL, PRIMARY KEY (id), "
        "CONSTRAINT ck_flag CHECK (flag IN (0, 1)) )"
    ]
    run = _run_on(mariadb_url)  # MariaDB refuses a second constraint of the same name
    run(lambda op: op.invoke(ops.CreateTableOp.from_table(table)))
    checks = run(lambda op: sa.inspect(op.get_bind()).get_check_constraints("t"))
    assert [c["name"] for c in checks] == ["ck_flag"]
