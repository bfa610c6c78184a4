"""Every op on every dialect: the exact SQL it writes, without a database (offline mode)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from gitmig.exc import UnsupportedOperationError
from gitmig.operations import Operations
from tests.operations.helpers import OFFLINE_DIALECTS, offline_ops, render, statements

Unsupported = UnsupportedOperationError
Expected = list[str] | type[Exception]


def _all(sql: str | list[str], **overrides: Expected) -> dict[str, Expected]:
    """The same statement(s) on every dialect, except where overridden."""
    base: list[str] = [sql] if isinstance(sql, str) else sql
    return {d: overrides.get(d, base) for d in OFFLINE_DIALECTS}


def _mysqls(value: Expected) -> dict[str, Expected]:
    return {"mysql": value, "mariadb": value}


def _mssql_drop_default(table: str, column: str) -> str:
    return (
        "declare @const_name varchar(256) select @const_name = QUOTENAME([name]) from "
        f"sys.default_constraints where parent_object_id = object_id('{table}') and "
        f"col_name(parent_object_id, parent_column_id) = '{column}' "
        f"exec('alter table {table} drop constraint ' + @const_name)"
    )


CASES: dict[str, tuple[Callable[[Operations], Any], dict[str, Expected]]] = {
    "add_column": (
        lambda op: op.add_column(
            "account", sa.Column("age", sa.Integer, nullable=False, server_default="0")
        ),
        _all(
            "ALTER TABLE account ADD COLUMN age INTEGER DEFAULT '0' NOT NULL",
            **_mysqls(["ALTER TABLE account ADD COLUMN age INTEGER NOT NULL DEFAULT '0'"]),
            mssql=["ALTER TABLE account ADD age INTEGER NOT NULL DEFAULT '0'"],
            oracle=["ALTER TABLE account ADD age INTEGER DEFAULT '0' NOT NULL"],
        ),
    ),
    "add_column_quoted_in_schema": (
        lambda op: op.add_column("Order", sa.Column("select", sa.String(20)), schema="Sales"),
        _all(
            'ALTER TABLE "Sales"."Order" ADD COLUMN "select" VARCHAR(20)',
            **_mysqls(["ALTER TABLE `Sales`.`Order` ADD COLUMN `select` VARCHAR(20)"]),
            mssql=["ALTER TABLE [Sales].[Order] ADD [select] VARCHAR(20) NULL"],
            oracle=['ALTER TABLE "Sales"."Order" ADD "select" VARCHAR2(20 CHAR)'],
        ),
    ),
    "add_column_with_fk": (
        lambda op: op.add_column(
            "order", sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"))
        ),
        _all(
            [
                'ALTER TABLE "order" ADD COLUMN account_id INTEGER',
                'ALTER TABLE "order" ADD FOREIGN KEY(account_id) REFERENCES account (id)',
            ],
            **_mysqls(
                [
                    "ALTER TABLE `order` ADD COLUMN account_id INTEGER",
                    "ALTER TABLE `order` ADD FOREIGN KEY(account_id) REFERENCES account (id)",
                ]
            ),
            sqlite=['ALTER TABLE "order" ADD COLUMN account_id INTEGER REFERENCES account (id)'],
            mssql=[
                "ALTER TABLE [order] ADD account_id INTEGER NULL",
                "ALTER TABLE [order] ADD FOREIGN KEY(account_id) REFERENCES account (id)",
            ],
            oracle=[
                'ALTER TABLE "order" ADD account_id INTEGER',
                'ALTER TABLE "order" ADD FOREIGN KEY(account_id) REFERENCES account (id)',
            ],
        ),
    ),
    "add_column_with_comment_and_index": (
        lambda op: op.add_column(
            "account", sa.Column("note", sa.String(20), comment="free text", index=True)
        ),
        _all(
            [
                "ALTER TABLE account ADD COLUMN note VARCHAR(20)",
                "COMMENT ON COLUMN account.note IS 'free text'",
                "CREATE INDEX ix_account_note ON account (note)",
            ],
            **_mysqls(
                [
                    "ALTER TABLE account ADD COLUMN note VARCHAR(20) COMMENT 'free text'",
                    "CREATE INDEX ix_account_note ON account (note)",
                ]
            ),
            sqlite=[
                "ALTER TABLE account ADD COLUMN note VARCHAR(20)",
                "CREATE INDEX ix_account_note ON account (note)",
            ],
            mssql=[
                "ALTER TABLE account ADD note VARCHAR(20) NULL",
                "execute sp_addextendedproperty 'MS_Description', N'free text', 'schema', dbo, "
                "'table', account, 'column', note",
                "CREATE INDEX ix_account_note ON account (note)",
            ],
            oracle=[
                "ALTER TABLE account ADD note VARCHAR2(20 CHAR)",
                "COMMENT ON COLUMN account.note IS 'free text'",
                "CREATE INDEX ix_account_note ON account (note)",
            ],
        ),
    ),
    "add_column_if_not_exists": (
        lambda op: op.add_column("account", sa.Column("age", sa.Integer), if_not_exists=True),
        _all(
            Unsupported,
            postgresql=["ALTER TABLE account ADD COLUMN IF NOT EXISTS age INTEGER"],
            **_mysqls(["ALTER TABLE account ADD COLUMN IF NOT EXISTS age INTEGER"]),
        ),
    ),
    "drop_column": (
        lambda op: op.drop_column("account", "age"),
        _all(
            "ALTER TABLE account DROP COLUMN age",
            mssql=[
                _mssql_drop_default("account", "age"),
                "ALTER TABLE account DROP COLUMN age",
            ],
        ),
    ),
    "drop_column_if_exists": (
        lambda op: op.drop_column("account", "age", if_exists=True, mssql_drop_default=False),
        _all(
            Unsupported,
            postgresql=["ALTER TABLE account DROP COLUMN IF EXISTS age"],
            **_mysqls(["ALTER TABLE account DROP COLUMN IF EXISTS age"]),
            mssql=["ALTER TABLE account DROP COLUMN IF EXISTS age"],
        ),
    ),
    "alter_nullable": (
        lambda op: op.alter_column(
            "account", "email", nullable=False, existing_type=sa.String(200)
        ),
        _all(
            "ALTER TABLE account ALTER COLUMN email SET NOT NULL",
            **_mysqls(["ALTER TABLE account MODIFY email VARCHAR(200) NOT NULL"]),
            sqlite=Unsupported,
            mssql=["ALTER TABLE account ALTER COLUMN email VARCHAR(200) NOT NULL"],
            oracle=["ALTER TABLE account MODIFY email NOT NULL"],
        ),
    ),
    "alter_type": (
        lambda op: op.alter_column(
            "account",
            "age",
            type_=sa.BigInteger,
            existing_type=sa.Integer,
            existing_nullable=True,
            postgresql_using="age::bigint",
        ),
        _all(
            "ALTER TABLE account ALTER COLUMN age TYPE BIGINT USING age::bigint",
            **_mysqls(["ALTER TABLE account MODIFY age BIGINT NULL"]),
            sqlite=Unsupported,
            mssql=["ALTER TABLE account ALTER COLUMN age BIGINT NULL"],
            oracle=["ALTER TABLE account MODIFY age NUMBER(19)"],
        ),
    ),
    "alter_several_at_once": (
        lambda op: op.alter_column(
            "account",
            "age",
            type_=sa.BigInteger,
            nullable=False,
            server_default="1",
            new_column_name="years",
            existing_type=sa.Integer,
        ),
        _all(
            [
                "ALTER TABLE account ALTER COLUMN age TYPE BIGINT",
                "ALTER TABLE account ALTER COLUMN age SET NOT NULL",
                "ALTER TABLE account ALTER COLUMN age SET DEFAULT '1'",
                "ALTER TABLE account RENAME age TO years",
            ],
            **_mysqls(["ALTER TABLE account CHANGE age years BIGINT NOT NULL DEFAULT '1'"]),
            sqlite=Unsupported,
            mssql=[
                "ALTER TABLE account ALTER COLUMN age BIGINT NOT NULL",
                "ALTER TABLE account ADD DEFAULT '1' FOR age",
                "EXEC sp_rename 'account.age', years, 'COLUMN'",
            ],
            oracle=[
                "ALTER TABLE account MODIFY age NOT NULL",
                "ALTER TABLE account MODIFY age DEFAULT '1'",
                "ALTER TABLE account MODIFY age NUMBER(19)",
                "ALTER TABLE account RENAME COLUMN age TO years",
            ],
        ),
    ),
    "set_default": (
        lambda op: op.alter_column(
            "account", "status", server_default="new", existing_type=sa.String(10)
        ),
        _all(
            "ALTER TABLE account ALTER COLUMN status SET DEFAULT 'new'",
            sqlite=Unsupported,
            mssql=["ALTER TABLE account ADD DEFAULT 'new' FOR status"],
            oracle=["ALTER TABLE account MODIFY status DEFAULT 'new'"],
        ),
    ),
    "set_default_expression": (
        lambda op: op.alter_column("account", "created", server_default=sa.text("now()")),
        _all(
            "ALTER TABLE account ALTER COLUMN created SET DEFAULT now()",
            sqlite=Unsupported,
            mssql=["ALTER TABLE account ADD DEFAULT now() FOR created"],
            oracle=["ALTER TABLE account MODIFY created DEFAULT now()"],
        ),
    ),
    "drop_default": (
        lambda op: op.alter_column(
            "account", "status", server_default=None, existing_type=sa.String(10)
        ),
        _all(
            "ALTER TABLE account ALTER COLUMN status DROP DEFAULT",
            sqlite=Unsupported,
            mssql=[_mssql_drop_default("account", "status")],
            oracle=["ALTER TABLE account MODIFY status DEFAULT NULL"],
        ),
    ),
    "rename_column": (
        lambda op: op.alter_column(
            "account",
            "mail",
            new_column_name="email",
            existing_type=sa.String(200),
            existing_nullable=False,
        ),
        _all(
            "ALTER TABLE account RENAME mail TO email",
            sqlite=["ALTER TABLE account RENAME COLUMN mail TO email"],
            oracle=["ALTER TABLE account RENAME COLUMN mail TO email"],
            **_mysqls(["ALTER TABLE account CHANGE mail email VARCHAR(200) NOT NULL"]),
            mssql=["EXEC sp_rename 'account.mail', email, 'COLUMN'"],
        ),
    ),
    "rename_column_without_existing_type": (
        lambda op: op.alter_column("User", "Mail", new_column_name="e-mail"),
        _all(
            'ALTER TABLE "User" RENAME "Mail" TO "e-mail"',
            sqlite=['ALTER TABLE "User" RENAME COLUMN "Mail" TO "e-mail"'],
            oracle=['ALTER TABLE "User" RENAME COLUMN "Mail" TO "e-mail"'],
            **_mysqls(["ALTER TABLE `User` RENAME COLUMN `Mail` TO `e-mail`"]),
            mssql=["EXEC sp_rename '[User].[Mail]', [e-mail], 'COLUMN'"],
        ),
    ),
    "alter_comment": (
        lambda op: op.alter_column(
            "account",
            "email",
            comment="it's the login",
            existing_type=sa.String(200),
            existing_nullable=False,
        ),
        _all(
            "COMMENT ON COLUMN account.email IS 'it''s the login'",
            **_mysqls(
                ["ALTER TABLE account MODIFY email VARCHAR(200) NOT NULL COMMENT 'it''s the login'"]
            ),
            sqlite=[],
            mssql=[
                "exec sp_addextendedproperty 'MS_Description', N'it''s the login', 'schema', "
                "dbo, 'table', account, 'column', email"
            ],
        ),
    ),
    "create_table": (
        lambda op: op.create_table(
            "account",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
            sa.UniqueConstraint("name", name="uq_account_name"),
        ),
        _all(
            "CREATE TABLE account ( id INTEGER NOT NULL, name VARCHAR(50) NOT NULL, "
            "PRIMARY KEY (id), CONSTRAINT uq_account_name UNIQUE (name) )",
            postgresql=[
                "CREATE TABLE account ( id SERIAL NOT NULL, name VARCHAR(50) NOT NULL, "
                "PRIMARY KEY (id), CONSTRAINT uq_account_name UNIQUE (name) )"
            ],
            **_mysqls(
                [
                    "CREATE TABLE account ( id INTEGER NOT NULL AUTO_INCREMENT, "
                    "name VARCHAR(50) NOT NULL, PRIMARY KEY (id), "
                    "CONSTRAINT uq_account_name UNIQUE (name) )"
                ]
            ),
            mssql=[
                "CREATE TABLE account ( id INTEGER NOT NULL IDENTITY, name VARCHAR(50) NOT NULL, "
                "PRIMARY KEY (id), CONSTRAINT uq_account_name UNIQUE (name) )"
            ],
            oracle=[
                "CREATE TABLE account ( id INTEGER NOT NULL, name VARCHAR2(50 CHAR) NOT NULL, "
                "PRIMARY KEY (id), CONSTRAINT uq_account_name UNIQUE (name) )"
            ],
        ),
    ),
    "create_table_with_comment_and_index": (
        lambda op: op.create_table(
            "tag",
            sa.Column("label", sa.String(20), index=True),
            schema="app",
            comment="tags",
        ),
        _all(
            [
                "CREATE TABLE app.tag ( label VARCHAR(20) )",
                "COMMENT ON TABLE app.tag IS 'tags'",
                "CREATE INDEX ix_app_tag_label ON app.tag (label)",
            ],
            **_mysqls(
                [
                    "CREATE TABLE app.tag ( label VARCHAR(20) )COMMENT='tags'",
                    "CREATE INDEX ix_app_tag_label ON app.tag (label)",
                ]
            ),
            sqlite=[
                "CREATE TABLE app.tag ( label VARCHAR(20) )",
                "CREATE INDEX app.ix_app_tag_label ON tag (label)",
            ],
            mssql=[
                "CREATE TABLE app.tag ( label VARCHAR(20) NULL )",
                "execute sp_addextendedproperty 'MS_Description', N'tags', 'schema', app, "
                "'table', tag",
                "CREATE INDEX ix_app_tag_label ON app.tag (label)",
            ],
            oracle=[
                "CREATE TABLE app.tag ( label VARCHAR2(20 CHAR) )",
                "COMMENT ON TABLE app.tag IS 'tags'",
                "CREATE INDEX app.ix_app_tag_label ON app.tag (label)",
            ],
        ),
    ),
    "drop_table": (lambda op: op.drop_table("account"), _all("DROP TABLE account")),
    "drop_table_if_exists": (
        lambda op: op.drop_table("account", if_exists=True),
        _all("DROP TABLE IF EXISTS account"),
    ),
    "rename_table": (
        lambda op: op.rename_table("account", "customer", schema="app"),
        _all(
            "ALTER TABLE app.account RENAME TO customer",
            **_mysqls(["ALTER TABLE app.account RENAME TO app.customer"]),
            mssql=["EXEC sp_rename 'app.account', customer"],
        ),
    ),
    "create_table_comment": (
        lambda op: op.create_table_comment("account", "customers"),
        _all(
            "COMMENT ON TABLE account IS 'customers'",
            **_mysqls(["ALTER TABLE account COMMENT 'customers'"]),
            sqlite=[],
            mssql=[
                "execute sp_addextendedproperty 'MS_Description', N'customers', 'schema', dbo, "
                "'table', account"
            ],
        ),
    ),
    "drop_table_comment": (
        lambda op: op.drop_table_comment("account", existing_comment="customers"),
        _all(
            "COMMENT ON TABLE account IS NULL",
            **_mysqls(["ALTER TABLE account COMMENT ''"]),
            sqlite=[],
            mssql=[
                "execute sp_dropextendedproperty 'MS_Description', 'schema', dbo, 'table', account"
            ],
            oracle=["COMMENT ON TABLE account IS ''"],
        ),
    ),
    "create_index": (
        lambda op: op.create_index("ix_account_name", "account", ["name", "Email"], unique=True),
        _all(
            'CREATE UNIQUE INDEX ix_account_name ON account (name, "Email")',
            **_mysqls(["CREATE UNIQUE INDEX ix_account_name ON account (name, `Email`)"]),
            mssql=["CREATE UNIQUE INDEX ix_account_name ON account (name, [Email])"],
        ),
    ),
    "create_index_functional_if_not_exists": (
        lambda op: op.create_index(
            "ix_lower", "account", [sa.text("lower(name)")], if_not_exists=True
        ),
        _all(
            "CREATE INDEX IF NOT EXISTS ix_lower ON account (lower(name))",
            # SQLAlchemy leaves the clause out where the dialect lacks it
            mssql=["CREATE INDEX ix_lower ON account (lower(name))"],
            oracle=["CREATE INDEX ix_lower ON account (lower(name))"],
        ),
    ),
    "create_index_dialect_kwargs": (
        lambda op: op.create_index(
            "ix_partial",
            "account",
            ["name"],
            postgresql_where=sa.text("active"),
            postgresql_concurrently=True,
            mysql_length=10,
        ),
        _all(
            "CREATE INDEX ix_partial ON account (name)",
            postgresql=["CREATE INDEX CONCURRENTLY ix_partial ON account (name) WHERE active"],
            mysql=["CREATE INDEX ix_partial ON account (name(10))"],
        ),
    ),
    "drop_index": (
        lambda op: op.drop_index("ix_account_name", table_name="account", if_exists=True),
        _all(
            "DROP INDEX IF EXISTS ix_account_name",
            **_mysqls(["DROP INDEX IF EXISTS ix_account_name ON account"]),
            mssql=["DROP INDEX IF EXISTS ix_account_name ON account"],
        ),
    ),
    "create_primary_key": (
        lambda op: op.create_primary_key("pk_account", "account", ["id"]),
        _all("ALTER TABLE account ADD CONSTRAINT pk_account PRIMARY KEY (id)", sqlite=Unsupported),
    ),
    "create_unique_constraint": (
        lambda op: op.create_unique_constraint(
            "uq_account_email", "account", ["email"], schema="app"
        ),
        _all(
            "ALTER TABLE app.account ADD CONSTRAINT uq_account_email UNIQUE (email)",
            sqlite=Unsupported,
        ),
    ),
    "create_foreign_key": (
        lambda op: op.create_foreign_key(
            "fk_order_account",
            "order",
            "account",
            ["account_id"],
            ["id"],
            ondelete="CASCADE",
            source_schema="shop",
            referent_schema="crm",
        ),
        _all(
            'ALTER TABLE shop."order" ADD CONSTRAINT fk_order_account FOREIGN KEY(account_id) '
            "REFERENCES crm.account (id) ON DELETE CASCADE",
            **_mysqls(
                [
                    "ALTER TABLE shop.`order` ADD CONSTRAINT fk_order_account "
                    "FOREIGN KEY(account_id) REFERENCES crm.account (id) ON DELETE CASCADE"
                ]
            ),
            sqlite=Unsupported,
            mssql=[
                "ALTER TABLE shop.[order] ADD CONSTRAINT fk_order_account "
                "FOREIGN KEY(account_id) REFERENCES crm.account (id) ON DELETE CASCADE"
            ],
        ),
    ),
    "create_foreign_key_deferrable": (
        lambda op: op.create_foreign_key(
            "fk_a_b",
            "a",
            "b",
            ["b_id"],
            ["id"],
            onupdate="SET NULL",
            deferrable=True,
            initially="DEFERRED",
        ),
        {
            "postgresql": [
                "ALTER TABLE a ADD CONSTRAINT fk_a_b FOREIGN KEY(b_id) REFERENCES b (id) "
                "ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED"
            ]
        },
    ),
    "create_check_constraint": (
        lambda op: op.create_check_constraint("ck_account_age", "account", "age >= 0"),
        _all(
            "ALTER TABLE account ADD CONSTRAINT ck_account_age CHECK (age >= 0)", sqlite=Unsupported
        ),
    ),
    "drop_foreign_key": (
        lambda op: op.drop_constraint("fk_order_account", "order", type_="foreignkey"),
        _all(
            'ALTER TABLE "order" DROP CONSTRAINT fk_order_account',
            **_mysqls(["ALTER TABLE `order` DROP FOREIGN KEY fk_order_account"]),
            sqlite=Unsupported,
            mssql=["ALTER TABLE [order] DROP CONSTRAINT fk_order_account"],
        ),
    ),
    "drop_unique": (
        lambda op: op.drop_constraint("uq_account_email", "account", type_="unique"),
        _all(
            "ALTER TABLE account DROP CONSTRAINT uq_account_email",
            **_mysqls(["ALTER TABLE account DROP INDEX uq_account_email"]),
            sqlite=Unsupported,
        ),
    ),
    "drop_check": (
        lambda op: op.drop_constraint("ck_account_age", "account", type_="check"),
        _all(
            "ALTER TABLE account DROP CONSTRAINT ck_account_age",
            mysql=["ALTER TABLE account DROP CHECK ck_account_age"],
            sqlite=Unsupported,
        ),
    ),
    "drop_primary_key": (
        lambda op: op.drop_constraint("pk_account", "account", type_="primary"),
        _all(
            "ALTER TABLE account DROP CONSTRAINT pk_account",
            **_mysqls(["ALTER TABLE account DROP PRIMARY KEY"]),
            sqlite=Unsupported,
        ),
    ),
    "drop_constraint_untyped": (
        lambda op: op.drop_constraint("some_constraint", "account"),
        _all(
            "ALTER TABLE account DROP CONSTRAINT some_constraint",
            **_mysqls(Unsupported),
            sqlite=Unsupported,
        ),
    ),
    "execute": (
        lambda op: op.execute("UPDATE account SET age = 0"),
        _all("UPDATE account SET age = 0"),
    ),
}


@pytest.mark.parametrize(
    ("case", "dialect"),
    [(case, dialect) for case, (_, expected) in CASES.items() for dialect in expected],
)
def test_op_sql(case: str, dialect: str) -> None:
    fn, expected = CASES[case]
    want = expected[dialect]
    if isinstance(want, list):
        assert render(dialect, fn) == want
    else:
        with pytest.raises(want):
            render(dialect, fn)


def test_sqlite_error_names_batch_mode() -> None:
    with pytest.raises(UnsupportedOperationError, match=r"batch_alter_table\('account'\)"):
        render("sqlite", lambda op: op.alter_column("account", "age", type_=sa.BigInteger))


def test_mysql_restating_needs_existing_type() -> None:
    with pytest.raises(UnsupportedOperationError, match="existing_type"):
        render("mysql", lambda op: op.alter_column("account", "age", nullable=False))


def test_mssql_nullability_needs_existing_type() -> None:
    with pytest.raises(UnsupportedOperationError, match="existing_type"):
        render("mssql", lambda op: op.alter_column("account", "age", nullable=False))


def test_mssql_type_change_without_nullability_warns() -> None:
    with pytest.warns(UserWarning, match="implicit conversion of NOT NULL columns to NULL"):
        render("mssql", lambda op: op.alter_column("account", "age", type_=sa.BigInteger))


def test_mssql_drop_column_can_drop_checks_and_foreign_keys() -> None:
    sql = render(
        "mssql",
        lambda op: op.drop_column(
            "t", "c", mssql_drop_default=False, mssql_drop_check=True, mssql_drop_foreign_key=True
        ),
    )
    assert len(sql) == 3
    assert "sys.check_constraints" in sql[0]
    assert "sys.foreign_keys" in sql[1]
    assert sql[2] == "ALTER TABLE t DROP COLUMN c"


def test_postgresql_using_needs_type() -> None:
    with pytest.raises(UnsupportedOperationError, match="postgresql_using needs type_"):
        render("postgresql", lambda op: op.alter_column("t", "c", postgresql_using="c::int"))

    def in_batch(op: Operations) -> None:
        with op.batch_alter_table("t") as batch_op:
            batch_op.alter_column("c", postgresql_using="c::int")

    with pytest.raises(UnsupportedOperationError, match="postgresql_using needs type_"):
        render("postgresql", in_batch)


def test_terminators_and_batch_separators() -> None:
    def fn(op: Operations) -> None:
        op.drop_table("a")

    assert offline_text("postgresql", fn) == "DROP TABLE a;\n\n"
    assert offline_text("mssql", fn) == "DROP TABLE a;\n\nGO\n\n"
    assert offline_text("oracle", fn) == "DROP TABLE a\n\n/\n\n"


def offline_text(dialect: str, fn: Callable[[Operations], Any]) -> str:
    op, buf = offline_ops(dialect)
    fn(op)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("dialect", "begin", "commit"),
    [
        ("postgresql", ["BEGIN"], ["COMMIT"]),
        ("mssql", ["BEGIN TRANSACTION"], ["COMMIT"]),
        ("oracle", ["SET TRANSACTION READ WRITE"], ["COMMIT"]),
    ],
)
def test_emit_begin_commit(dialect: str, begin: list[str], commit: list[str]) -> None:
    op, buf = offline_ops(dialect)
    op.impl.emit_begin()
    assert statements(buf.getvalue()) == begin
    buf.truncate(0)
    buf.seek(0)
    op.impl.emit_commit()
    assert statements(buf.getvalue()) == commit


def test_naming_convention_of_target_metadata_names_constraints() -> None:
    metadata = sa.MetaData(naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"})
    sql = render(
        "postgresql",
        lambda op: op.create_unique_constraint(None, "account", ["email"]),
        target_metadata=metadata,
    )
    assert sql == ["ALTER TABLE account ADD CONSTRAINT uq_account_email UNIQUE (email)"]


def test_f_keeps_a_name_from_the_naming_convention() -> None:
    metadata = sa.MetaData(naming_convention={"ck": "ck_%(table_name)s_%(constraint_name)s"})
    sql = render(
        "postgresql",
        lambda op: (
            op.create_check_constraint("positive", "t", "x > 0"),
            op.create_check_constraint(op.f("ck_exact"), "t", "x > 0"),
        ),
        target_metadata=metadata,
    )
    assert sql == [
        "ALTER TABLE t ADD CONSTRAINT ck_t_positive CHECK (x > 0)",
        "ALTER TABLE t ADD CONSTRAINT ck_exact CHECK (x > 0)",
    ]
