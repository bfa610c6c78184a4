"""Dialect-specific operations and orderings, run on the real servers where there is one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gitmig.ddl.base import UnsupportedAlterError
from gitmig.operations import Operations
from tests.operations.helpers import render
from tests.operations.test_alembic_data import _run_on


def test_exclude_constraint_refuses_overlapping_rows_on_postgresql(postgresql_url: str) -> None:
    run = _run_on(postgresql_url)
    run(
        lambda op: op.create_table(
            "booking",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("room", sa.Integer),
            sa.Column("during", sa.dialects.postgresql.INT4RANGE),
        )
    )
    run(lambda op: op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist"))
    run(
        lambda op: op.create_exclude_constraint(
            "no_overlap", "booking", ("room", "="), ("during", "&&"), using="gist"
        )
    )
    run(lambda op: op.execute("INSERT INTO booking VALUES (1, 7, '[1,5)')"))
    with pytest.raises(sa.exc.IntegrityError, match="no_overlap"):
        run(lambda op: op.execute("INSERT INTO booking VALUES (2, 7, '[3,9)')"))

    def in_batch(op: Operations) -> None:
        op.drop_constraint("no_overlap", "booking")
        with op.batch_alter_table("booking") as batch_op:
            batch_op.create_exclude_constraint("no_overlap_b", ("during", "&&"), using="gist")

    run(in_batch)
    with pytest.raises(sa.exc.IntegrityError, match="no_overlap_b"):
        run(lambda op: op.execute("INSERT INTO booking VALUES (3, 8, '[2,3)')"))


def test_exclude_constraint_sql_offline() -> None:
    sql = render(
        "postgresql",
        lambda op: op.create_exclude_constraint(
            "ex1", "SomeTable", (sa.column("SomeColumn"), ">"), where="x > 5", using="gist"
        ),
    )
    assert sql == [
        'ALTER TABLE "SomeTable" ADD CONSTRAINT ex1 EXCLUDE USING gist ("SomeColumn" WITH >) '
        "WHERE (x > 5)"
    ]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "mssql", "oracle"])
def test_computed_columns_cannot_be_altered(dialect: str) -> None:
    with pytest.raises(UnsupportedAlterError, match=r"\"computed\" construct.*t\.c"):
        render(dialect, lambda op: op.alter_column("t", "c", server_default=sa.Computed("a * 2")))


def test_sql_server_replaces_a_default_only_when_one_exists() -> None:
    add = render("mssql", lambda op: op.alter_column("t", "c", server_default="5"))
    assert add == ["ALTER TABLE t ADD DEFAULT '5' FOR c"]
    replace = render(
        "mssql",
        lambda op: op.alter_column("t", "c", server_default="5", existing_server_default="6"),
    )
    assert replace[0].startswith("declare @const_name varchar(256)")
    assert replace[1:] == ["ALTER TABLE t ADD DEFAULT '5' FOR c"]


def test_sql_server_offline_bulk_insert_allows_identity_values() -> None:
    table = sa.table("t", sa.column("id", sa.Integer), sa.column("v", sa.String))
    sql = render("mssql", lambda op: op.bulk_insert(table, [{"id": 1, "v": "a"}]))
    assert [s for s in sql if s != "GO"] == [
        "SET IDENTITY_INSERT t ON",
        "INSERT INTO t (id, v) VALUES (1, 'a')",
        "SET IDENTITY_INSERT t OFF",
    ]


def test_oracle_removes_a_comment_with_an_empty_string() -> None:
    sql = render("oracle", lambda op: op.alter_column("t", "c", comment=None))
    assert [s for s in sql if s != "/"] == ["COMMENT ON COLUMN t.c IS ''"]


def test_mariadb_datetime_default_with_on_update_is_restated(mariadb_url: str) -> None:
    run = _run_on(mariadb_url)
    run(
        lambda op: op.create_table(
            "t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("ts", sa.DateTime)
        )
    )
    run(
        lambda op: op.alter_column(
            "t",
            "ts",
            existing_type=sa.DateTime(),
            server_default=sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"),
        )
    )
    columns = run(lambda op: sa.inspect(op.get_bind()).get_columns("t"))
    default = next(c["default"] for c in columns if c["name"] == "ts")
    assert "on update current_timestamp" in default.lower()


def test_mysql_drop_constraint_needs_its_type() -> None:
    with pytest.raises(NotImplementedError, match="No generic 'DROP CONSTRAINT' in MySQL"):
        render("mysql", lambda op: op.drop_constraint("f1", "t1"))


def test_postgresql_identity_change_sets_only_given_options(postgresql_url: str) -> None:
    run = _run_on(postgresql_url)
    run(
        lambda op: op.create_table(
            "t", sa.Column("id", sa.Integer, sa.Identity(start=3, maxvalue=999), primary_key=True)
        )
    )
    run(
        lambda op: op.alter_column(
            "t",
            "id",
            server_default=sa.Identity(start=3, cache=2, cycle=True),
            existing_server_default=sa.Identity(start=3, maxvalue=999),
        )
    )
    seq = run(
        lambda op: (
            op.get_bind()
            .execute(
                sa.text(
                    "SELECT seqcache, seqcycle, seqmax FROM pg_sequence "
                    "WHERE seqrelid = pg_get_serial_sequence('t', 'id')::regclass"
                )
            )
            .one()
        )
    )
    assert tuple(seq) == (2, True, 999)


def test_type_change_to_boolean_adds_its_check_where_boolean_is_not_native(
    mariadb_url: str,
) -> None:
    run = _run_on(mariadb_url)
    run(
        lambda op: op.create_table(
            "t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("flag", sa.Integer)
        )
    )
    run(
        lambda op: op.alter_column(
            "t",
            "flag",
            type_=sa.Boolean(create_constraint=True, name="ck_t_flag"),
            existing_type=sa.Integer,
            existing_nullable=True,
        )
    )
    with pytest.raises(sa.exc.OperationalError, match="ck_t_flag"):
        run(lambda op: op.execute("INSERT INTO t VALUES (1, 5)"))
    # and back: as in Alembic, MySQL keeps a type's CHECK (old MySQL never made it)
    sql = render(
        "mysql",
        lambda op: op.alter_column(
            "t",
            "flag",
            type_=sa.Integer,
            existing_type=sa.Boolean(create_constraint=True, name="ck_t_flag"),
            existing_nullable=True,
        ),
    )
    assert sql == ["ALTER TABLE t MODIFY flag INTEGER NULL"]


def test_type_change_from_a_non_native_enum_drops_its_check_on_sql_server() -> None:
    sql = render(
        "mssql",
        lambda op: op.alter_column(
            "t",
            "c",
            type_=sa.String(10),
            existing_type=sa.Enum("a", "b", name="xyz", create_constraint=True, native_enum=False),
            existing_nullable=False,
        ),
    )
    assert [s for s in sql if s != "GO"] == [
        "ALTER TABLE t DROP CONSTRAINT xyz",
        "ALTER TABLE t ALTER COLUMN c VARCHAR(10) NOT NULL",
    ]


def test_type_change_to_boolean_adds_no_check_on_postgresql(postgresql_url: str) -> None:
    run = _run_on(postgresql_url)
    run(lambda op: op.create_table("t", sa.Column("flag", sa.Integer)))
    run(
        lambda op: op.alter_column(
            "t",
            "flag",
            type_=sa.Boolean(create_constraint=True),
            existing_type=sa.Integer,
            postgresql_using="flag::boolean",
        )
    )
    checks = run(lambda op: sa.inspect(op.get_bind()).get_check_constraints("t"))
    assert checks == []


def test_exclude_constraints_render_for_autogenerate() -> None:
    from sqlalchemy.dialects.postgresql import ExcludeConstraint

    from gitmig.autogenerate.context import AutogenContext
    from gitmig.autogenerate.render import render_op_text
    from gitmig.operations import ops

    ctx = AutogenContext(None, opts={}, autogenerate=False)
    table = sa.Table(
        "booking",
        sa.MetaData(),
        sa.Column("Room", sa.Integer),
        ExcludeConstraint((sa.column("Room"), "="), using="gist", where="x > 1", name="ex"),
    )
    created = render_op_text(ctx, ops.CreateTableOp.from_table(table))
    assert (
        "postgresql.ExcludeConstraint((sa.column('Room'), '='), where=sa.text('x > 1'), "
        "using='gist', name='ex')"
    ) in created
    assert "from sqlalchemy.dialects import postgresql" in ctx.imports
    constraint = next(c for c in table.constraints if isinstance(c, ExcludeConstraint))
    added = render_op_text(ctx, ops.DropConstraintOp.from_constraint(constraint).reverse())
    assert added == (
        "op.create_exclude_constraint('ex', 'booking', (sa.column('Room'), '='), "
        "where=sa.text('x > 1'), using='gist')"
    )
