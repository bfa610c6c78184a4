"""Each difference autogenerate detects, on its own, on SQLite, PostgreSQL and MariaDB.

Every test also runs the rendered upgrade (it must leave nothing to detect) and the rendered
downgrade (it must bring the starting schema back), see helpers.difference().
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gitmig.operations import ops
from tests.autogenerate.helpers import detect, difference, flat, metadata_of, reset


def _users(metadata: sa.MetaData, *extra: sa.schema.SchemaItem, **kw) -> sa.Table:
    return sa.Table(
        "users",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        *extra,
        **kw,
    )


def _kinds(found):
    return [type(op).__name__ for op in found]


def test_nothing_to_do(engine):
    assert difference(engine, _users, _users) == []


def test_table_added(engine):
    found = difference(
        engine,
        lambda m: None,
        lambda m: _users(m, sa.Index("ix_users_name", "name")),
    )
    assert _kinds(found) == ["CreateTableOp", "CreateIndexOp"]


def test_table_dropped(engine):
    found = difference(engine, _users, lambda m: None)
    assert _kinds(found) == ["DropTableOp"]
    assert found[0].table_name == "users"


def test_column_added(engine):
    found = difference(engine, _users, lambda m: _users(m, sa.Column("email", sa.String(200))))
    assert _kinds(found) == ["AddColumnOp"]
    assert found[0].column.name == "email"


def test_column_dropped(engine):
    found = difference(engine, lambda m: _users(m, sa.Column("email", sa.String(200))), _users)
    assert _kinds(found) == ["DropColumnOp"]
    assert found[0].column_name == "email"


def test_nullable_changed(engine):
    found = difference(
        engine,
        lambda m: _users(m, sa.Column("email", sa.String(200), nullable=True)),
        lambda m: _users(m, sa.Column("email", sa.String(200), nullable=False)),
    )
    assert _kinds(found) == ["AlterColumnOp"]
    assert (found[0].existing_nullable, found[0].modify_nullable) == (True, False)
    assert found[0].modify_type is None


def _email(length):
    return lambda m: _users(m, sa.Column("email", sa.String(length)))


def test_type_changed(engine):
    found = difference(engine, _email(50), _email(100))
    assert _kinds(found) == ["AlterColumnOp"]
    assert found[0].modify_type.length == 100


def test_type_family_changed(engine):
    found = difference(
        engine,
        lambda m: _users(m, sa.Column("score", sa.Integer)),
        lambda m: _users(m, sa.Column("score", sa.Numeric(10, 2))),
    )
    assert _kinds(found) == ["AlterColumnOp"]


def test_compare_type_off(engine):
    assert difference(engine, _email(50), _email(100), compare_type=False) == []


def test_compare_type_callable(engine):
    seen = []

    def never(context, inspected_column, metadata_column, inspected_type, metadata_type):
        seen.append((inspected_column.name, metadata_column.name))
        return False

    assert difference(engine, _email(50), _email(100), compare_type=never) == []
    assert ("email", "email") in seen
    reset(engine)
    # None means "use the default comparison"
    found = difference(engine, _email(100), _email(200), compare_type=lambda *a: None)
    assert _kinds(found) == ["AlterColumnOp"]


def _status(default):
    return lambda m: _users(m, sa.Column("status", sa.String(20), server_default=default))


def test_server_default_changes_need_the_option(engine):
    assert difference(engine, _status("new"), _status("old")) == []


def test_server_default_changed(engine):
    found = difference(engine, _status("new"), _status("old"), compare_server_default=True)
    assert _kinds(found) == ["AlterColumnOp"]
    assert found[0].modify_server_default.arg == "old"


def test_server_default_added_and_removed(engine):
    found = difference(engine, _status(None), _status("new"), compare_server_default=True)
    assert _kinds(found) == ["AlterColumnOp"]


def test_server_default_spellings_are_equal(engine):
    def model(m):
        _users(
            m,
            sa.Column("n", sa.Integer, server_default="0"),
            sa.Column("d", sa.Numeric(8, 2), server_default=sa.text("1.50")),
            sa.Column("flag", sa.Boolean, server_default=sa.true()),
            sa.Column("at", sa.DateTime, server_default=sa.func.now()),
            sa.Column("s", sa.String(10), server_default="it's"),
        )

    assert difference(engine, model, model, compare_server_default=True) == []


def test_server_default_callable(engine):
    calls = []

    def verdict(context, inspected_column, metadata_column, inspected, metadata, rendered):
        if metadata_column.name != "status":
            return None
        calls.append(rendered)
        return True

    found = difference(
        engine, _status("same"), _status("same"), heal=False, compare_server_default=verdict
    )
    assert _kinds(found) == ["AlterColumnOp"]
    assert calls == ["'same'"]


def _indexed(*items):
    """users with email and age, plus ``items`` (each a function making a schema item)."""

    def build(m):
        _users(
            m,
            sa.Column("email", sa.String(200)),
            sa.Column("age", sa.Integer),
            *(item() for item in items),
        )

    return build


def test_index_added(engine):
    found = difference(
        engine, _indexed(), _indexed(lambda: sa.Index("ix_email_age", "email", "age"))
    )
    assert _kinds(found) == ["CreateIndexOp"]
    assert found[0].columns == ["email", "age"]


def test_index_dropped(engine):
    found = difference(engine, _indexed(lambda: sa.Index("ix_email", "email")), _indexed())
    assert _kinds(found) == ["DropIndexOp"]


def test_index_changed(engine):
    found = difference(
        engine,
        _indexed(lambda: sa.Index("ix_email", "email")),
        _indexed(lambda: sa.Index("ix_email", "email", "age")),
    )
    assert _kinds(found) == ["DropIndexOp", "CreateIndexOp"]
    reset(engine)
    found = difference(
        engine,
        _indexed(lambda: sa.Index("ix_age", "age")),
        _indexed(lambda: sa.Index("ix_age", "age", unique=True)),
    )
    assert _kinds(found) == ["DropIndexOp", "CreateIndexOp"]


def test_unique_constraint_added(engine):
    found = difference(
        engine, _indexed(), _indexed(lambda: sa.UniqueConstraint("email", name="uq_email"))
    )
    assert _kinds(found) == ["CreateUniqueConstraintOp"]


def test_unique_constraint_dropped(engine):
    found = difference(
        engine, _indexed(lambda: sa.UniqueConstraint("email", name="uq_email")), _indexed()
    )
    if engine.dialect.name == "mysql":
        # MySQL's unique constraint is a unique index: dropped as one, as Alembic does
        assert _kinds(found) == ["DropIndexOp"]
        return
    assert _kinds(found) == ["DropConstraintOp"]
    assert found[0].constraint_type == "unique"


def test_unique_constraint_changed(engine):
    found = difference(
        engine,
        _indexed(lambda: sa.UniqueConstraint("email", name="uq_email")),
        _indexed(lambda: sa.UniqueConstraint("email", "age", name="uq_email")),
    )
    assert _kinds(found) == ["DropConstraintOp", "CreateUniqueConstraintOp"]


def test_unnamed_unique_constraint_matches_by_columns(engine):
    both = _indexed(lambda: sa.UniqueConstraint("email"))
    assert difference(engine, both, both) == []


def _mysql_keeps_fk_index(engine):
    # MySQL/MariaDB keep the index they made for a foreign key after the key is dropped
    # (a documented limit): the downgrade of an added foreign key leaves it behind.
    return (ops.DropIndexOp,) if engine.dialect.name == "mysql" else ()


def _with_groups(*items):
    """groups, and users with group_id plus ``items`` (functions making schema items)."""

    def build(m):
        sa.Table("groups", m, sa.Column("id", sa.Integer, primary_key=True))
        _users(m, sa.Column("group_id", sa.Integer), *(item() for item in items))

    return build


def test_foreign_key_added(engine):
    found = difference(
        engine,
        _with_groups(),
        _with_groups(lambda: sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name="fk_group")),
        ignore_after_downgrade=_mysql_keeps_fk_index(engine),
    )
    assert _kinds(found) == ["CreateForeignKeyOp"]
    assert (found[0].referent_table, found[0].local_cols) == ("groups", ["group_id"])


def test_foreign_key_dropped(engine):
    found = difference(
        engine,
        _with_groups(lambda: sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name="fk_group")),
        _with_groups(),
    )
    # on MySQL the index it made for the key goes too
    extra = ["DropIndexOp"] if engine.dialect.name == "mysql" else []
    assert _kinds(found) == ["DropConstraintOp", *extra]
    assert found[0].constraint_type == "foreignkey"


def test_foreign_key_action_changed(engine):
    found = difference(
        engine,
        _with_groups(lambda: sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name="fk_group")),
        _with_groups(
            lambda: sa.ForeignKeyConstraint(
                ["group_id"], ["groups.id"], name="fk_group", ondelete="CASCADE"
            )
        ),
    )
    assert _kinds(found) == ["DropConstraintOp", "CreateForeignKeyOp"]


def test_check_constraint_added_and_dropped(engine):
    check = sa.CheckConstraint("length(name) > 1", name="ck_name_long")
    found = difference(engine, _users, lambda m: _users(m, check), heal=False)
    assert _kinds(found) == ["CreateCheckConstraintOp"]
    assert found[0].constraint_name == "ck_name_long"
    engine_ = engine
    reset(engine_)
    found = difference(
        engine,
        lambda m: _users(m, sa.CheckConstraint("length(name) > 1", name="ck_name_long")),
        _users,
    )
    assert _kinds(found) == ["DropConstraintOp"]
    assert found[0].constraint_type == "check"


def test_check_constraint_added_is_applied(engine):
    found = difference(
        engine,
        _users,
        lambda m: _users(m, sa.CheckConstraint("length(name) > 1", name="ck_name_long")),
    )
    assert _kinds(found) == ["CreateCheckConstraintOp"]


def _commented(table=None, column=None):
    return lambda m: _users(m, sa.Column("email", sa.String(200), comment=column), comment=table)


def test_table_comment(engine):
    if engine.dialect.name == "sqlite":
        assert difference(engine, _commented(), _commented(table="People")) == []
        return
    assert _kinds(difference(engine, _commented(), _commented(table="People"))) == [
        "CreateTableCommentOp"
    ]
    reset(engine)
    assert _kinds(difference(engine, _commented(table="A"), _commented(table="B"))) == [
        "CreateTableCommentOp"
    ]
    reset(engine)
    assert _kinds(difference(engine, _commented(table="A"), _commented())) == ["DropTableCommentOp"]


def test_column_comment(engine):
    if engine.dialect.name == "sqlite":
        assert difference(engine, _commented(), _commented(column="Mail")) == []
        return
    found = difference(engine, _commented(), _commented(column="Mail"))
    assert _kinds(found) == ["AlterColumnOp"]
    assert found[0].modify_comment == "Mail"


def test_version_table_is_not_a_difference(engine):
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE gitmig_version (version_num VARCHAR(32))"))
    assert flat(detect(engine, sa.MetaData())) == []
    assert _kinds(flat(detect(engine, sa.MetaData(), version_table="other"))) == ["DropTableOp"]


def test_operations_are_ordered_safely(engine):
    """Index and foreign key drops go before the column drop, additions after the add, in
    Alembic's order: new columns, indexes and keys, dropped columns."""
    found = difference(
        engine,
        lambda m: _with_groups(
            lambda: sa.Column("old", sa.Integer),
            lambda: sa.Index("ix_old", "old"),
        )(m),
        lambda m: _with_groups(
            lambda: sa.Column("new", sa.Integer),
            lambda: sa.Index("ix_new", "new"),
            lambda: sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name="fk_group"),
        )(m),
        ignore_after_downgrade=_mysql_keeps_fk_index(engine),
    )
    assert _kinds(found) == [
        "AddColumnOp",
        "DropIndexOp",
        "CreateIndexOp",
        "CreateForeignKeyOp",
        "DropColumnOp",
    ]


def test_new_tables_come_in_foreign_key_order(engine):
    def model(m):
        sa.Table(
            "c",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("b_id", sa.ForeignKey("b.id")),
        )
        sa.Table(
            "b",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("a_id", sa.ForeignKey("a.id")),
        )
        sa.Table("a", m, sa.Column("id", sa.Integer, primary_key=True))

    found = difference(engine, lambda m: None, model)
    assert [op.table_name for op in found] == ["a", "b", "c"]


def test_foreign_key_cycle_is_added_after_the_tables(engine):
    def model(m):
        sa.Table(
            "a",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("b_id", sa.Integer),
            sa.ForeignKeyConstraint(["b_id"], ["b.id"], name="fk_a_b", use_alter=True),
        )
        sa.Table(
            "b",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("a_id", sa.ForeignKey("a.id", name="fk_b_a")),
        )

    if engine.dialect.name == "sqlite":
        found = difference(engine, lambda m: None, model, heal=False)
    else:
        found = difference(engine, lambda m: None, model)
    assert _kinds(found) == ["CreateTableOp", "CreateTableOp", "CreateForeignKeyOp"]


@pytest.mark.parametrize("option", [False, True])
def test_other_schemas_need_include_schemas(postgresql_url, option):
    engine = sa.create_engine(postgresql_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE SCHEMA extra"))
        found = difference(
            engine,
            lambda m: sa.Table(
                "old", m, sa.Column("id", sa.Integer, primary_key=True), schema="extra"
            ),
            lambda m: _users(m, schema="extra"),
            include_schemas=option,
        )
        if option:
            assert sorted(_kinds(found)) == ["CreateTableOp", "DropTableOp"]
            assert {op.schema for op in found} == {"extra"}
        else:
            assert found == []
    finally:
        engine.dispose()


def test_diffs_in_alembic_form(engine):
    from gitmig.autogenerate import compare_metadata
    from gitmig.runtime.migration import MigrationContext

    metadata_of(_users).create_all(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(
            MigrationContext.configure(conn),
            metadata_of(lambda m: _users(m, sa.Column("email", sa.String(20)))),
        )
    assert [d[0] for d in diffs] == ["add_column"]
    assert diffs[0][2:3] == ("users",)


def test_alter_column_reverse_restores(engine):
    found = difference(engine, _email(50), _email(100))
    assert isinstance(found[0], ops.AlterColumnOp)
    assert found[0].reverse().modify_type.length == 50
