"""Types with their own DDL (PostgreSQL ENUM and DOMAIN) follow the tables that use them.

``create_table`` runs the table's DDL events, as ``Table.create()`` does, so an ENUM column
gets its ``CREATE TYPE`` first, online and in offline scripts; dropping a table whose columns
are known drops the types it created.  ``add_column`` creates no type, as in Alembic.
MariaDB and SQLite keep their inline ENUM / CHECK.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

from gitmig.operations import Operations, ops
from tests.operations.conftest import Run
from tests.operations.helpers import offline_ops, render, statements

Inspect = Callable[[], sa.Inspector]

#: runs the test (and the ``run``/``inspect`` fixtures) on PostgreSQL only
on_postgresql = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


def _ticket(op: Operations) -> sa.Table:
    return op.create_table(
        "ticket",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.Enum("open", "closed", name="status"), nullable=False),
    )


# -- the SQL, without a database ------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        (
            "postgresql",
            [
                "CREATE TYPE status AS ENUM ('open', 'closed')",
                "CREATE TABLE ticket ( id SERIAL NOT NULL, status status NOT NULL, "
                "PRIMARY KEY (id) )",
            ],
        ),
        (
            "mariadb",
            [
                "CREATE TABLE ticket ( id INTEGER NOT NULL AUTO_INCREMENT, "
                "status ENUM('open','closed') NOT NULL, PRIMARY KEY (id) )"
            ],
        ),
        (
            "sqlite",
            [
                "CREATE TABLE ticket ( id INTEGER NOT NULL, status VARCHAR(6) NOT NULL, "
                "PRIMARY KEY (id) )"
            ],
        ),
    ],
)
def test_create_table_creates_its_enum_type_first(dialect: str, expected: list[str]) -> None:
    assert render(dialect, _ticket) == expected


def test_tables_sharing_a_type_create_it_once_and_create_type_false_never() -> None:
    def fn(op: Operations) -> None:
        _ticket(op)
        op.create_table("archive", sa.Column("status", sa.Enum("open", "closed", name="status")))
        op.create_table(
            "legacy",
            sa.Column("kind", postgresql.ENUM("x", "y", name="kind", create_type=False)),
        )

    assert [s for s in render("postgresql", fn) if not s.startswith("CREATE TABLE")] == [
        "CREATE TYPE status AS ENUM ('open', 'closed')"
    ]


def test_domain_types_are_created_too() -> None:
    def fn(op: Operations) -> None:
        op.create_table(
            "stock",
            sa.Column("qty", postgresql.DOMAIN("positive", sa.Integer, check="VALUE > 0")),
        )

    assert render("postgresql", fn) == [
        "CREATE DOMAIN positive AS INTEGER CHECK (VALUE > 0)",
        "CREATE TABLE stock ( qty positive )",
    ]


def test_dropping_the_table_drops_the_types_it_created() -> None:
    def fn(op: Operations) -> None:
        create = ops.CreateTableOp.from_table(_ticket(op))
        op.invoke(create.reverse())
        # gone with the table: creating the table again creates the type again
        op.invoke(create)

    assert render("postgresql", fn) == [
        "CREATE TYPE status AS ENUM ('open', 'closed')",
        "CREATE TABLE ticket ( id SERIAL NOT NULL, status status NOT NULL, PRIMARY KEY (id) )",
        "DROP TABLE ticket",
        "DROP TYPE status",
        "CREATE TYPE status AS ENUM ('open', 'closed')",
        "CREATE TABLE ticket ( id SERIAL NOT NULL, status status NOT NULL, PRIMARY KEY (id) )",
    ]


def test_drop_keeps_types_the_table_did_not_create() -> None:
    table = sa.Table(
        "legacy",
        sa.MetaData(),
        sa.Column("kind", postgresql.ENUM("x", "y", name="kind", create_type=False)),
    )
    assert render("postgresql", lambda op: op.invoke(ops.DropTableOp.from_table(table))) == [
        "DROP TABLE legacy"
    ]
    # by name alone the columns are unknown: only the table goes, as in Alembic
    assert render("postgresql", lambda op: op.drop_table("ticket")) == ["DROP TABLE ticket"]


def test_add_column_does_not_create_the_type() -> None:
    # as in Alembic: the type may already exist (or be created by the script just before)
    assert render(
        "postgresql",
        lambda op: op.add_column("ticket", sa.Column("kind", sa.Enum("x", "y", name="kind"))),
    ) == ["ALTER TABLE ticket ADD COLUMN kind kind"]


# -- on the servers -------------------------------------------------------------------------


def _enums(inspect: Inspect) -> dict[str, list[str]]:
    return {e["name"]: e["labels"] for e in inspect().get_enums()}  # type: ignore[attr-defined]


@on_postgresql
def test_postgresql_create_and_drop_table_with_enum(run: Run, inspect: Inspect) -> None:
    table = run(_ticket)
    assert _enums(inspect) == {"status": ["open", "closed"]}
    run(lambda op: op.bulk_insert(table, [{"id": 1, "status": "open"}]))
    run(lambda op: op.invoke(ops.DropTableOp.from_table(table)))
    assert inspect().get_table_names() == []
    assert _enums(inspect) == {}
    run(_ticket)  # the name is free again
    assert _enums(inspect) == {"status": ["open", "closed"]}


@on_postgresql
def test_postgresql_if_not_exists_and_if_exists_check_the_types(run: Run, inspect: Inspect) -> None:
    create = ops.CreateTableOp.from_table(run(_ticket))
    create.if_not_exists = True
    run(lambda op: op.invoke(create))  # table and type exist: nothing to do
    drop = create.reverse()
    drop.if_exists = True
    run(lambda op: op.invoke(drop))
    assert _enums(inspect) == {}
    run(lambda op: op.invoke(drop))  # neither exists any more: nothing to do


@on_postgresql
def test_postgresql_add_column_after_creating_the_type(run: Run, inspect: Inspect) -> None:
    """The Alembic way to add an ENUM column: create the type, then add the column."""
    run(_ticket)

    def add(op: Operations) -> None:
        kind = sa.Enum("bug", "task", name="kind")
        kind.create(op.get_bind())
        op.add_column("ticket", sa.Column("kind", kind))

    run(add)
    assert _enums(inspect) == {"kind": ["bug", "task"], "status": ["open", "closed"]}
    assert "kind" in [c["name"] for c in inspect().get_columns("ticket")]


@on_postgresql
def test_postgresql_batch_rebuild_keeps_the_enum_type(run: Run, inspect: Inspect) -> None:
    table = run(_ticket)
    run(lambda op: op.bulk_insert(table, [{"id": 1, "status": "closed"}]))

    def rebuild(op: Operations) -> None:
        with op.batch_alter_table("ticket", recreate="always") as batch:
            batch.add_column(sa.Column("note", sa.String(20)))

    run(rebuild)
    assert _enums(inspect) == {"status": ["open", "closed"]}
    assert run(lambda op: list(op.get_bind().execute(sa.text("SELECT * FROM ticket")))) == [
        (1, "closed", None)
    ]


def _psql(url: str, script: str) -> None:
    parsed = make_url(url)
    if shutil.which("psql") is None:
        pytest.skip("psql (PostgreSQL's command-line client) is not installed")
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", parsed.host or "127.0.0.1"]
    cmd += ["-p", str(parsed.port or 5432), "-U", parsed.username or "postgres"]
    cmd += ["-d", parsed.database or ""]
    done = subprocess.run(cmd, input=script, text=True, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr + script


@on_postgresql
def test_postgresql_offline_script_runs_in_psql(inspect: Inspect, db_url: str) -> None:
    op, buf = offline_ops("postgresql")
    table = _ticket(op)
    op.bulk_insert(table, [{"id": 1, "status": "open"}])
    _psql(db_url, buf.getvalue())
    assert _enums(inspect) == {"status": ["open", "closed"]}
    assert inspect().get_table_names() == ["ticket"]

    op, buf = offline_ops("postgresql")
    kind = sa.Enum("bug", "task", name="kind")
    op.execute(postgresql.CreateEnumType(kind))  # the way docs/operations.md shows
    op.add_column("ticket", sa.Column("kind", kind))
    _psql(db_url, buf.getvalue())
    assert _enums(inspect) == {"kind": ["bug", "task"], "status": ["open", "closed"]}

    op, buf = offline_ops("postgresql")
    op.drop_column("ticket", "kind")
    op.execute(postgresql.DropEnumType(kind))
    op.invoke(ops.DropTableOp.from_table(table))
    assert statements(buf.getvalue())[-2:] == ["DROP TABLE ticket", "DROP TYPE status"]
    _psql(db_url, buf.getvalue())
    assert inspect().get_table_names() == []
    assert _enums(inspect) == {}


def test_enum_tables_everywhere(run: Run, inspect: Inspect, db_url: str) -> None:
    """MariaDB keeps its inline ENUM, SQLite a VARCHAR with a CHECK; both refuse bad values."""
    table = run(
        lambda op: op.create_table(
            "ticket",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("status", sa.Enum("open", "closed", name="status", create_constraint=True)),
        )
    )
    run(lambda op: op.bulk_insert(table, [{"id": 1, "status": "open"}]))
    with pytest.raises(sa.exc.DBAPIError):
        run(
            lambda op: op.execute(
                sa.text("INSERT INTO ticket (id, status) VALUES (2, 'lost')"),
            )
        )
    status = next(c for c in inspect().get_columns("ticket") if c["name"] == "status")
    if make_url(db_url).get_backend_name() == "sqlite":
        assert isinstance(status["type"], sa.String)
    else:
        assert list(status["type"].enums) == ["open", "closed"]  # type: ignore[attr-defined]
