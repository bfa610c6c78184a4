"""gitmig.ddl used standalone: constructs compiled per dialect, and executed on real servers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gitmig.ddl import (
    AddColumn,
    ColumnComment,
    ColumnDefault,
    ColumnName,
    ColumnNullable,
    ColumnType,
    DropColumn,
    MSSQLDropColumnConstraints,
    MySQLModifyColumn,
    RenameTable,
    impl_for_dialect,
)
from gitmig.ddl.impl import DefaultImpl
from gitmig.exc import UnsupportedOperationError

DIALECTS = ("postgresql", "mysql", "mariadb", "sqlite", "mssql", "oracle")


def compile_(construct: sa.sql.ClauseElement, dialect: str) -> str:
    return " ".join(
        str(construct.compile(dialect=make_url(f"{dialect}://").get_dialect()())).split()
    )


CASES = [
    (
        lambda: ColumnNullable("t", "c", True, existing_type=sa.String(5), schema="s"),
        {
            "postgresql": "ALTER TABLE s.t ALTER COLUMN c DROP NOT NULL",
            "mysql": "ALTER TABLE s.t MODIFY c VARCHAR(5) NULL",
            "sqlite": UnsupportedOperationError,
            "mssql": "ALTER TABLE s.t ALTER COLUMN c VARCHAR(5) NULL",
            "oracle": "ALTER TABLE s.t MODIFY c NULL",
        },
    ),
    (
        lambda: ColumnType("t", "c", sa.Numeric(10, 2), using="c::numeric"),
        {
            "postgresql": "ALTER TABLE t ALTER COLUMN c TYPE NUMERIC(10, 2) USING c::numeric",
            "mysql": "ALTER TABLE t MODIFY c NUMERIC(10, 2) NULL",
            "sqlite": UnsupportedOperationError,
            "mssql": "ALTER TABLE t ALTER COLUMN c NUMERIC(10, 2)",
            "oracle": "ALTER TABLE t MODIFY c NUMERIC(10, 2)",
        },
    ),
    (
        lambda: ColumnName("user", "Group", "group"),
        {
            "postgresql": 'ALTER TABLE "user" RENAME "Group" TO "group"',
            "mysql": "ALTER TABLE user RENAME COLUMN `Group` TO `group`",
            "sqlite": 'ALTER TABLE user RENAME COLUMN "Group" TO "group"',
            "mssql": "EXEC sp_rename '[user].[Group]', [group], 'COLUMN'",
            "oracle": 'ALTER TABLE "user" RENAME COLUMN "Group" TO "group"',
        },
    ),
    (
        lambda: ColumnDefault("t", "c", sa.text("CURRENT_TIMESTAMP")),
        {
            "postgresql": "ALTER TABLE t ALTER COLUMN c SET DEFAULT CURRENT_TIMESTAMP",
            "mysql": "ALTER TABLE t ALTER COLUMN c SET DEFAULT CURRENT_TIMESTAMP",
            "sqlite": UnsupportedOperationError,
            "mssql": "ALTER TABLE t ADD DEFAULT CURRENT_TIMESTAMP FOR c",
            "oracle": "ALTER TABLE t MODIFY c DEFAULT CURRENT_TIMESTAMP",
        },
    ),
    (
        lambda: ColumnComment("t", "c", "x", existing_comment="old", existing_type=sa.Integer),
        {
            "postgresql": "COMMENT ON COLUMN t.c IS 'x'",
            "mysql": "ALTER TABLE t MODIFY c INTEGER NULL COMMENT 'x'",
            "sqlite": UnsupportedOperationError,
            "mssql": "exec sp_updateextendedproperty 'MS_Description', N'x', 'schema', dbo, "
            "'table', t, 'column', c",
            "oracle": "COMMENT ON COLUMN t.c IS 'x'",
        },
    ),
    (
        lambda: ColumnComment("t", "c", None),
        {
            "postgresql": "COMMENT ON COLUMN t.c IS NULL",
            "mssql": "exec sp_dropextendedproperty 'MS_Description', 'schema', dbo, "
            "'table', t, 'column', c",
            "oracle": "COMMENT ON COLUMN t.c IS ''",
        },
    ),
    (
        lambda: RenameTable("account", "customer"),
        {
            "postgresql": "ALTER TABLE account RENAME TO customer",
            "mysql": "ALTER TABLE account RENAME TO customer",
            "sqlite": "ALTER TABLE account RENAME TO customer",
            "mssql": "EXEC sp_rename 'account', customer",
            "oracle": "ALTER TABLE account RENAME TO customer",
        },
    ),
    (
        lambda: DropColumn("t", sa.Column("c", sa.Integer)),
        dict.fromkeys(DIALECTS, "ALTER TABLE t DROP COLUMN c"),
    ),
    (
        lambda: MySQLModifyColumn(
            "t", "c", type_=sa.Integer, nullable=False, autoincrement=True, default="1"
        ),
        {"mysql": "ALTER TABLE t MODIFY c INTEGER NOT NULL DEFAULT '1' AUTO_INCREMENT"},
    ),
    (
        lambda: MSSQLDropColumnConstraints("t", "c", "check", schema="dbo"),
        {
            "mssql": "declare @const_name varchar(256) select @const_name = QUOTENAME([name]) "
            "from sys.check_constraints where parent_object_id = object_id('dbo.t') "
            "and col_name(parent_object_id, parent_column_id) = 'c' "
            "exec('alter table dbo.t drop constraint ' + @const_name)"
        },
    ),
]


@pytest.mark.parametrize(
    ("index", "dialect"), [(i, d) for i, (_, exp) in enumerate(CASES) for d in exp]
)
def test_compiles(index: int, dialect: str) -> None:
    make, expected = CASES[index]
    want = expected[dialect]
    if isinstance(want, str):
        assert compile_(make(), dialect) == want
    else:
        with pytest.raises(want):
            compile_(make(), dialect)


def test_add_column_binds_a_loose_column_for_sql_server() -> None:
    column = sa.Column("c", sa.Integer, nullable=False)
    assert compile_(AddColumn("t", column), "mssql") == "ALTER TABLE t ADD c INTEGER NOT NULL"
    assert column.table is not None


def test_mysql_modify_without_type_explains() -> None:
    with pytest.raises(UnsupportedOperationError, match="existing_type"):
        compile_(ColumnNullable("t", "c", False), "mysql")


def test_mssql_drop_constraints_kind_is_checked() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        MSSQLDropColumnConstraints("t", "c", "index")


def test_registry_by_dialect_name() -> None:
    assert impl_for_dialect("postgresql").__name__ == "PostgresqlImpl"
    assert impl_for_dialect("mariadb").__name__ == "MariaDBImpl"
    assert impl_for_dialect("sqlite").transactional_ddl is True
    assert impl_for_dialect("mysql").transactional_ddl is False
    assert impl_for_dialect("nosuchdb") is DefaultImpl

    class FirebirdImpl(DefaultImpl):
        __dialect__ = "firebird_test"

    assert impl_for_dialect("firebird_test") is FirebirdImpl


def test_constructs_run_on_server(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    is_sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.begin() as conn:
            sa.Table("Order", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True)).create(
                conn
            )
            conn.execute(AddColumn("Order", sa.Column("select", sa.String(10), server_default="x")))
            conn.execute(ColumnName("Order", "select", "where"))
            if not is_sqlite:
                conn.execute(
                    ColumnType(
                        "Order",
                        "where",
                        sa.String(30),
                        existing_type=sa.String(10),
                        existing_server_default="x",
                    )
                )
                conn.execute(
                    ColumnNullable(
                        "Order",
                        "where",
                        False,
                        existing_type=sa.String(30),
                        existing_server_default="x",
                    )
                )
                conn.execute(ColumnDefault("Order", "where", None))
            conn.execute(AddColumn("Order", sa.Column("gone", sa.Integer)))
            conn.execute(DropColumn("Order", "gone"))
            conn.execute(RenameTable("Order", "Purchase"))
        insp = sa.inspect(engine)
        assert insp.get_table_names() == ["Purchase"]
        cols = {c["name"]: c for c in insp.get_columns("Purchase")}
        assert list(cols) == ["id", "where"]
        if not is_sqlite:
            assert cols["where"]["type"].length == 30
            assert cols["where"]["nullable"] is False
            assert cols["where"]["default"] is None
    finally:
        engine.dispose()


def test_impl_compare_type_and_server_default() -> None:
    import sqlalchemy as sa
    from sqlalchemy.dialects import mysql, postgresql

    from gitmig.ddl.impl import impl_for_dialect

    def impl(dialect: sa.Dialect):  # type: ignore[no-untyped-def]
        return impl_for_dialect(dialect.name)(dialect, None, True, None, None, {})

    pg = impl(postgresql.dialect())
    col = sa.Column
    assert pg.compare_type(col("x", sa.String(20)), col("x", sa.String(30))) is True
    assert pg.compare_type(col("x", sa.Integer()), col("x", sa.Integer())) is False
    assert pg.compare_type(col("x", sa.Integer()), col("x", sa.BigInteger())) is True
    my = impl(mysql.dialect())
    assert my.compare_type(col("x", mysql.TINYINT(1)), col("x", sa.Boolean())) is False
    assert pg.compare_server_default(None, None, "'a'", "'a'::character varying") is False
    assert pg.compare_server_default(None, None, "'a'", "'b'::character varying") is True
    assert pg.compare_server_default(None, None, None, None) is False
    assert pg.compare_server_default(None, None, "1", None) is True
