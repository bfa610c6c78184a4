"""Alembic's op options and batch internals: inline REFERENCES / PRIMARY KEY on an added
column, ``drop_constraint(if_exists=)``, the CHECKs a schema type brings to
``alter_column``, and ``ApplyBatchImpl``'s rebuild; offline and on the real databases."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.sql.base import _NONE_NAME

from gitmig.ddl.impl import impl_for_dialect
from gitmig.exc import UnsupportedOperationError
from gitmig.operations import Operations
from gitmig.operations.batch import ApplyBatchImpl
from gitmig.runtime.migration import MigrationContext
from tests.operations.conftest import Run
from tests.operations.helpers import offline_ops, render, statements

Inspect = Callable[[], sa.Inspector]


def _parent_and_child(op: Operations) -> None:
    op.create_table("parent", sa.Column("id", sa.Integer, primary_key=True))
    op.create_table("child", sa.Column("id", sa.Integer, primary_key=True))


# -- add_column(inline_references=, inline_primary_key=) -----------------------------------


def test_inline_references_offline() -> None:
    def add(op: Operations) -> None:
        op.add_column(
            "child",
            sa.Column("pid", sa.Integer, sa.ForeignKey("parent.id", ondelete="CASCADE")),
            inline_references=True,
        )

    assert render("postgresql", add) == [
        "ALTER TABLE child ADD COLUMN pid INTEGER REFERENCES parent (id) ON DELETE CASCADE"
    ]
    # without the flag the key is its own statement
    assert render(
        "postgresql",
        lambda op: op.add_column("child", sa.Column("pid", sa.Integer, sa.ForeignKey("parent.id"))),
    ) == [
        "ALTER TABLE child ADD COLUMN pid INTEGER",
        "ALTER TABLE child ADD FOREIGN KEY(pid) REFERENCES parent (id)",
    ]


def test_inline_references_needs_exactly_one_foreign_key() -> None:
    def add(op: Operations) -> None:
        col = sa.Column("pid", sa.Integer, sa.ForeignKey("a.id"), sa.ForeignKey("b.id"))
        op.add_column("child", col, inline_references=True)

    sql = render("postgresql", add)
    assert sql[0] == "ALTER TABLE child ADD COLUMN pid INTEGER"
    assert sorted(sql[1:]) == [
        "ALTER TABLE child ADD FOREIGN KEY(pid) REFERENCES a (id)",
        "ALTER TABLE child ADD FOREIGN KEY(pid) REFERENCES b (id)",
    ]


def test_inline_references_online(run: Run, inspect: Inspect, engine: sa.Engine) -> None:
    run(_parent_and_child)
    run(
        lambda op: op.add_column(
            "child",
            sa.Column("pid", sa.Integer, sa.ForeignKey("parent.id", ondelete="SET NULL")),
            inline_references=True,
        )
    )
    (fk,) = inspect().get_foreign_keys("child")
    assert fk["constrained_columns"] == ["pid"]
    assert fk["referred_table"] == "parent"
    if engine.dialect.name != "sqlite":  # SQLite's reflection misses a column's actions
        assert fk["options"].get("ondelete") == "SET NULL"


def test_inline_primary_key_offline() -> None:
    def add(op: Operations, inline: bool, pk: bool = True) -> None:
        col = sa.Column("code", sa.String(5), primary_key=pk)
        op.add_column("t", col, inline_primary_key=inline)

    assert render("postgresql", lambda op: add(op, True)) == [
        "ALTER TABLE t ADD COLUMN code VARCHAR(5) NOT NULL PRIMARY KEY"
    ]
    assert render("postgresql", lambda op: add(op, False)) == [
        "ALTER TABLE t ADD COLUMN code VARCHAR(5) NOT NULL"
    ]
    # the flag alone makes no primary key
    assert render("postgresql", lambda op: add(op, True, pk=False)) == [
        "ALTER TABLE t ADD COLUMN code VARCHAR(5)"
    ]


def test_inline_primary_key_online(run: Run, inspect: Inspect, engine: sa.Engine) -> None:
    run(lambda op: op.create_table("t", sa.Column("x", sa.Integer)))

    def add(op: Operations) -> None:
        col = sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)
        if engine.dialect.name == "sqlite":
            # SQLite adds no primary key column with ALTER: batch mode rebuilds the table
            with op.batch_alter_table("t") as batch_op:
                batch_op.add_column(col, inline_primary_key=True)
        else:
            op.add_column("t", col, inline_primary_key=True)

    run(add)
    assert inspect().get_pk_constraint("t")["constrained_columns"] == ["id"]


# -- drop_constraint(if_exists=) --------------------------------------------------------


def test_drop_constraint_if_exists_offline() -> None:
    def drop(op: Operations) -> None:
        op.drop_constraint("uq_t_x", "t", type_="unique", if_exists=True)

    assert render("postgresql", drop) == ["ALTER TABLE t DROP CONSTRAINT IF EXISTS uq_t_x"]
    assert render("mariadb", drop) == ["ALTER TABLE t DROP INDEX IF EXISTS uq_t_x"]
    with pytest.raises(UnsupportedOperationError, match="mysql has no IF EXISTS"):
        render("mysql", drop)
    assert render("postgresql", lambda op: op.drop_constraint("uq_t_x", "t")) == [
        "ALTER TABLE t DROP CONSTRAINT uq_t_x"
    ]


def test_drop_constraint_if_exists_online(run: Run, inspect: Inspect, engine: sa.Engine) -> None:
    run(
        lambda op: op.create_table(
            "t",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("x", sa.Integer),
            sa.UniqueConstraint("x", name="uq_t_x"),
        )
    )

    def drop_twice(op: Operations) -> None:
        op.drop_constraint("uq_t_x", "t", type_="unique", if_exists=True)
        op.drop_constraint("uq_t_x", "t", type_="unique", if_exists=True)

    if engine.dialect.name == "sqlite":
        with pytest.raises(UnsupportedOperationError, match="batch"):
            run(drop_twice)
        return
    run(drop_twice)
    assert inspect().get_unique_constraints("t") == []


# -- alter_column to and from a schema type ---------------------------------------------


def test_alter_column_schema_type_checks_offline() -> None:
    def to_bool(op: Operations) -> None:
        op.alter_column(
            "t",
            "c",
            type_=sa.Boolean(create_constraint=True, name="ck_t_c"),
            existing_type=sa.Integer,
            existing_nullable=True,
        )

    def from_bool(op: Operations) -> None:
        op.alter_column(
            "t",
            "c",
            type_=sa.String(5),
            existing_type=sa.Boolean(create_constraint=True, name="ck_t_c"),
            existing_nullable=True,
        )

    assert render("mariadb", to_bool) == [
        "ALTER TABLE t MODIFY c BOOL NULL",
        "ALTER TABLE t ADD CONSTRAINT ck_t_c CHECK (c IN (0, 1))",
    ]
    op, buf = offline_ops("mssql")
    dialect = op.get_context().dialect  # SQL Server without a native boolean type
    dialect.supports_native_boolean = False
    dialect.non_native_boolean_check_constraint = True
    from_bool(op)
    assert statements(buf.getvalue()) == [
        "ALTER TABLE t DROP CONSTRAINT ck_t_c",
        "ALTER TABLE t ALTER COLUMN c VARCHAR(5) NULL",
    ]
    # MySQL/MariaDB leave the old type's CHECK alone, as Alembic does
    assert render("mariadb", from_bool) == ["ALTER TABLE t MODIFY c VARCHAR(5) NULL"]
    # a native boolean has no CHECK to add or drop
    assert render("postgresql", to_bool) == [
        "ALTER TABLE t ALTER COLUMN c TYPE BOOLEAN",
    ]


def test_alter_column_to_checked_boolean_online(
    run: Run, inspect: Inspect, engine: sa.Engine
) -> None:
    run(
        lambda op: op.create_table(
            "t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("c", sa.Integer)
        )
    )

    def change(op: Operations) -> None:
        with op.batch_alter_table("t") as batch_op:
            batch_op.alter_column(
                "c",
                type_=sa.Boolean(create_constraint=True, name="ck_t_c"),
                existing_type=sa.Integer,
                postgresql_using="c::boolean",
            )

    run(change)
    names = [c["name"] for c in inspect().get_check_constraints("t")]
    assert names == ([] if engine.dialect.name == "postgresql" else ["ck_t_c"])


# -- the default dialect writes Alembic's standard forms --------------------------------


def _render_default(fn: Callable[[Operations], object]) -> list[str]:
    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect=DefaultDialect(), opts={"as_sql": True, "output_buffer": buf}
    )
    fn(Operations(ctx))
    return statements(buf.getvalue())


def test_standard_dialect_forms() -> None:
    assert _render_default(lambda op: op.rename_table("t1", "t2", schema="s")) == [
        "ALTER TABLE s.t1 RENAME TO s.t2"
    ]
    assert render("postgresql", lambda op: op.rename_table("t1", "t2", schema="s")) == [
        "ALTER TABLE s.t1 RENAME TO t2"
    ]
    assert _render_default(lambda op: op.alter_column("t", "a", new_column_name="b")) == [
        "ALTER TABLE t RENAME a TO b"
    ]
    assert render("sqlite", lambda op: op.alter_column("t", "a", new_column_name="b")) == [
        "ALTER TABLE t RENAME COLUMN a TO b"
    ]
    assert _render_default(lambda op: op.create_table_comment("t", "hello")) == [
        "COMMENT ON TABLE t IS 'hello'"
    ]
    assert render("sqlite", lambda op: op.create_table_comment("t", "hello")) == []
    assert _render_default(lambda op: op.drop_column("t", "a", if_exists=True)) == [
        "ALTER TABLE t DROP COLUMN IF EXISTS a"
    ]
    with pytest.raises(UnsupportedOperationError, match="sqlite has no IF EXISTS"):
        render("sqlite", lambda op: op.drop_column("t", "a", if_exists=True))


# -- ApplyBatchImpl, as Alembic's batch tests drive it ---------------------------------


def _apply(table: sa.Table, **kw: object) -> ApplyBatchImpl:
    op, _ = offline_ops("sqlite")
    return ApplyBatchImpl(op.impl, table, (), {}, False, **kw)  # type: ignore[arg-type]


def test_apply_batch_impl_create_keeps_old_keys_for_renamed_columns() -> None:
    table = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.String(10)),
        sa.CheckConstraint(sa.column("x") != "", name="ck_t_x"),
    )
    apply = _apply(table)
    apply.alter_column("t", "x", name="q")
    op, buf = offline_ops("sqlite")
    apply._create(op.impl)
    new_table = apply.new_table
    assert new_table is not None
    assert new_table.name == "_alembic_tmp_t" == ApplyBatchImpl._calc_temp_name("t")
    assert new_table.c.keys() == ["id", "x"]
    assert new_table.c.x.name == "q"
    assert "INSERT INTO _alembic_tmp_t (id, q) SELECT t.id, t.x FROM t" in statements(
        buf.getvalue()
    )
    with pytest.raises(UnsupportedOperationError, match="has run already"):
        apply._create(op.impl)


def test_apply_batch_impl_unnamed_and_column_level_checks() -> None:
    table = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("y", sa.Integer, sa.CheckConstraint("y > 5", name="ck_y")),
    )
    apply = _apply(table)
    op, buf = offline_ops("sqlite")
    apply.drop_constraint(op.schema_obj.check_constraint("ck_y", "t", "y > 5"))
    apply.add_constraint(op.schema_obj.check_constraint(_NONE_NAME, "t", "y < 100"))
    apply._create(op.impl)
    create = buf.getvalue().split(";")[0]
    assert "ck_y" not in create
    assert "CHECK (y < 100)" in create


def test_apply_batch_impl_type_change_drops_the_old_types_check() -> None:
    table = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("flag", sa.Boolean(create_constraint=True)),
    )
    apply = _apply(table)
    apply.alter_column("t", "flag", type_=sa.Integer)
    op, buf = offline_ops("sqlite")
    apply._create(op.impl)
    assert "CHECK" not in buf.getvalue()


def test_failed_copy_leaves_the_table_as_it_was(run: Run, inspect: Inspect) -> None:
    def setup(op: Operations) -> None:
        op.create_table(
            "t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", sa.Integer)
        )
        op.execute("INSERT INTO t (id, x) VALUES (1, NULL)")

    run(setup)

    def rebuild(op: Operations) -> None:
        with op.batch_alter_table("t", recreate="always") as batch_op:
            batch_op.alter_column("x", nullable=False, existing_type=sa.Integer)

    # the copy fails on the NULL: the new table goes (dropped on MariaDB, whose DDL is not
    # transactional; rolled back elsewhere) and the old one keeps its row
    with pytest.raises(sa.exc.DBAPIError):
        run(rebuild)
    assert inspect().get_table_names() == ["t"]
    assert run(lambda op: list(op.get_bind().execute(sa.text("SELECT id, x FROM t")))) == [
        (1, None)
    ]


def test_impl_registry_serves_the_default_dialect() -> None:
    assert impl_for_dialect("default").__dialect__ == "default"


def test_sqlite_constraint_alter_is_a_not_implemented_error() -> None:
    # Alembic raises NotImplementedError here; scripts that catch it keep working
    with pytest.raises(NotImplementedError, match="No support for ALTER of constraints"):
        render("sqlite", lambda op: op.create_check_constraint("ck", "t", "x > 5"))
    with pytest.raises(UnsupportedOperationError, match="batch_alter_table"):
        render("sqlite", lambda op: op.drop_constraint("ck", "t"))
