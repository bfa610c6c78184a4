"""What autogenerate cannot see, as documented in docs/autogenerate.md."""

from __future__ import annotations

import sqlalchemy as sa

from tests.autogenerate.helpers import difference, metadata_of


def _kinds(found):
    return [type(op).__name__ for op in found]


def test_renamed_column_is_a_drop_and_an_add(engine):
    found = difference(
        engine,
        lambda m: sa.Table(
            "t", m, sa.Column("id", sa.Integer, primary_key=True), sa.Column("old", sa.Integer)
        ),
        lambda m: sa.Table(
            "t", m, sa.Column("id", sa.Integer, primary_key=True), sa.Column("new", sa.Integer)
        ),
    )
    assert _kinds(found) == ["AddColumnOp", "DropColumnOp"]


def test_renamed_table_is_a_drop_and_a_create(engine):
    found = difference(
        engine,
        lambda m: sa.Table("old", m, sa.Column("id", sa.Integer, primary_key=True)),
        lambda m: sa.Table("new", m, sa.Column("id", sa.Integer, primary_key=True)),
    )
    assert sorted(_kinds(found)) == ["CreateTableOp", "DropTableOp"]


def test_changed_check_condition_is_not_detected(engine):
    def check(condition):
        return lambda m: sa.Table(
            "t",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("n", sa.Integer),
            sa.CheckConstraint(condition, name="ck_n"),
        )

    assert difference(engine, check("n > 0"), check("n > 10")) == []


def test_unnamed_check_constraints_are_ignored(engine):
    found = difference(
        engine,
        lambda m: sa.Table(
            "t", m, sa.Column("id", sa.Integer, primary_key=True), sa.Column("n", sa.Integer)
        ),
        lambda m: sa.Table(
            "t",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("n", sa.Integer),
            sa.CheckConstraint("n > 0"),
        ),
    )
    assert found == []


def test_unnamed_unique_constraint_in_sqlite_cannot_be_dropped(sqlite_url, caplog):
    engine = sa.create_engine(sqlite_url)
    found = difference(
        engine,
        lambda m: sa.Table(
            "t",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("u", sa.Integer, unique=True),
        ),
        lambda m: sa.Table(
            "t", m, sa.Column("id", sa.Integer, primary_key=True), sa.Column("u", sa.Integer)
        ),
    )
    assert found == []
    assert "has no name in the database" in caplog.text
    engine.dispose()


def test_postgresql_enum_values_are_not_compared(postgresql_url):
    engine = sa.create_engine(postgresql_url)

    def status(*values):
        return lambda m: sa.Table(
            "t",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("s", sa.Enum(*values, name="status")),
        )

    assert difference(engine, status("a", "b"), status("a", "b", "c")) == []
    engine.dispose()


def test_mysql_enum_values_are_compared(mariadb_url):
    engine = sa.create_engine(mariadb_url)

    def status(*values):
        return lambda m: sa.Table(
            "t",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("s", sa.Enum(*values, name="status")),
        )

    assert _kinds(difference(engine, status("a", "b"), status("a", "b", "c"))) == ["AlterColumnOp"]
    engine.dispose()


def test_primary_key_changes_are_not_detected(engine):
    found = difference(
        engine,
        lambda m: sa.Table(
            "t",
            m,
            sa.Column("a", sa.Integer, primary_key=True),
            sa.Column("b", sa.Integer, nullable=False),
        ),
        lambda m: sa.Table(
            "t",
            m,
            sa.Column("a", sa.Integer, primary_key=True),
            sa.Column("b", sa.Integer, primary_key=True),
        ),
    )
    assert found == []


def test_tables_in_other_schemas_need_include_schemas(engine):
    # without include_schemas only the default schema is compared
    metadata = metadata_of(
        lambda m: sa.Table("t", m, sa.Column("id", sa.Integer), schema="elsewhere")
    )
    from tests.autogenerate.helpers import detect, flat

    assert flat(detect(engine, metadata)) == []
