"""Comparison rules autogenerate shares with Alembic: expression indexes, sort order, final
names, unique constraints a database cannot report, placeholder tables, diff tuples, order."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gitmig.autogenerate import compare_metadata
from gitmig.autogenerate.dialects import index_expression_key
from gitmig.exc import DuplicateTableError
from gitmig.operations import ops
from gitmig.runtime.migration import MigrationContext

from .helpers import detect, difference, flat, metadata_of


def _kinds(found: list[ops.MigrateOperation]) -> list[str]:
    return [type(op).__name__ for op in found]


def _exp_table(m: sa.MetaData, *items: sa.SchemaItem) -> sa.Table:
    return sa.Table(
        "exp",
        m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.String(50)),
        sa.Column("y", sa.Integer),
        *items,
    )


@pytest.fixture
def pg_engine(postgresql_url):
    engine = sa.create_engine(postgresql_url)
    yield engine
    engine.dispose()


def test_postgresql_expression_index_unchanged_is_no_difference(pg_engine):
    def schema(m):
        t = _exp_table(m)
        sa.Index("ix_exp", t.c.y, sa.func.lower(t.c.x).desc())

    assert difference(pg_engine, schema, schema) == []


def test_postgresql_expression_index_changed_is_dropped_and_created(pg_engine):
    def old(m):
        t = _exp_table(m)
        sa.Index("ix_exp", sa.func.lower(t.c.x))

    def new(m):
        t = _exp_table(m)
        sa.Index("ix_exp", sa.func.upper(t.c.x))

    assert _kinds(difference(pg_engine, old, new)) == ["DropIndexOp", "CreateIndexOp"]


def test_postgresql_sort_order_change_is_detected(pg_engine):
    def old(m):
        t = _exp_table(m)
        sa.Index("ix_y", t.c.y.desc())

    def new(m):
        t = _exp_table(m)
        sa.Index("ix_y", t.c.y.asc())

    assert _kinds(difference(pg_engine, old, new, heal=False)) == ["DropIndexOp", "CreateIndexOp"]


def test_postgresql_nulls_not_distinct_change_is_detected(pg_engine):
    def old(m):
        _exp_table(m, sa.UniqueConstraint("x", name="uq_x"))

    def new(m):
        _exp_table(m, sa.UniqueConstraint("x", name="uq_x", postgresql_nulls_not_distinct=True))

    found = difference(pg_engine, old, new)
    assert _kinds(found) == ["DropConstraintOp", "CreateUniqueConstraintOp"]


def test_index_expression_key_sees_through_postgresql_spelling():
    assert index_expression_key("lower((x)::text) DESC", "t") == index_expression_key(
        "lower(t.x) DESC NULLS FIRST", "t"
    )
    assert index_expression_key("y ASC NULLS LAST") == index_expression_key("y")
    assert index_expression_key("y NULLS FIRST") != index_expression_key("y")
    assert index_expression_key("CAST(y AS INTEGER)") == index_expression_key("(y)::integer")


def test_sqlite_skips_expression_index_it_cannot_reflect(sqlite_url):
    engine = sa.create_engine(sqlite_url)
    try:

        def new(m):
            t = _exp_table(m)
            sa.Index("ix_exp", sa.func.lower(t.c.x))

        with pytest.warns(UserWarning, match="skipping metadata-specified expression-based"):
            found = difference(engine, _exp_table, new, heal=False)
        assert found == []
    finally:
        engine.dispose()


def test_truncated_index_name_matches(engine):
    """A naming convention's long name is compared as the database truncated it."""

    def model() -> sa.MetaData:
        m = sa.MetaData(naming_convention={"ix": "ix_" + "long_" * 14 + "%(column_0_name)s"})
        sa.Index(None, _exp_table(m).c.y)
        return m

    model().create_all(engine)
    assert flat(detect(engine, model())) == []


def test_no_unique_reports_without_unique_reflection(sqlite_url, monkeypatch):
    engine = sa.create_engine(sqlite_url)
    try:
        metadata_of(_exp_table).create_all(engine)

        def unimplemented(*args, **kw):
            raise NotImplementedError

        monkeypatch.setattr(engine.dialect, "get_unique_constraints", unimplemented)
        model = metadata_of(lambda m: _exp_table(m, sa.UniqueConstraint("x", name="uq_x")))
        assert flat(detect(engine, model)) == []
    finally:
        engine.dispose()


def test_foreign_key_to_a_filtered_table_is_dropped(pg_engine):
    def before(m):
        sa.Table("parent", m, sa.Column("id", sa.BigInteger, primary_key=True))
        sa.Table(
            "child",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.BigInteger, sa.ForeignKey("parent.id", name="fk_parent")),
        )

    def after(m):
        sa.Table(
            "child",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.BigInteger),
        )

    referred: list[sa.Table] = []

    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == "foreign_key_constraint" and reflected:
            referred.append(obj.referred_table)
        return True

    found = difference(
        pg_engine,
        before,
        after,
        heal=False,
        include_name=lambda name, type_, parents: not (type_ == "table" and name == "parent"),
        include_object=include_object,
    )
    assert _kinds(found) == ["DropConstraintOp"]
    assert [c.type._type_affinity for c in referred[0].c] == [sa.Integer]


def test_diffs_give_one_list_per_altered_column(engine):
    def before(m):
        sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True), sa.Column("a", sa.Integer))

    def after(m):
        sa.Table(
            "t",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("a", sa.Integer, nullable=False),
        )

    metadata_of(before).create_all(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata_of(after))
    assert isinstance(diffs[0], list)
    assert [d[0] for d in diffs[0]] == ["modify_nullable"]


def test_bare_migration_context_needs_no_target_metadata(engine):
    from gitmig.autogenerate.context import AutogenContext

    with engine.connect() as conn:
        context = AutogenContext(MigrationContext.configure(conn))
    assert context.metadata is None


def test_duplicate_tables_across_metadata_are_one_value_error(engine):
    a, b = sa.MetaData(), sa.MetaData()
    for m in (a, b):
        sa.Table("x", m, sa.Column("id", sa.Integer, primary_key=True))
        sa.Table("y", m, sa.Column("id", sa.Integer, primary_key=True))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        with pytest.raises(ValueError, match='"x", "y"') as err:
            compare_metadata(context, [a, b])  # type: ignore[arg-type]
    assert isinstance(err.value, DuplicateTableError)


def test_dropped_tables_come_before_changes(engine):
    def before(m):
        sa.Table("gone", m, sa.Column("id", sa.Integer, primary_key=True))
        sa.Table("kept", m, sa.Column("id", sa.Integer, primary_key=True))

    def after(m):
        sa.Table(
            "kept",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("new", sa.Integer),
        )

    assert _kinds(difference(engine, before, after)) == ["DropTableOp", "AddColumnOp"]


def test_dropped_table_still_referenced_by_a_dropped_key_goes_last(engine):
    def before(m):
        sa.Table("gone", m, sa.Column("id", sa.Integer, primary_key=True))
        sa.Table(
            "kept",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("gone_id", sa.Integer, sa.ForeignKey("gone.id", name="fk_gone")),
        )

    def after(m):
        sa.Table(
            "kept",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("gone_id", sa.Integer),
        )

    found = difference(engine, before, after, heal=engine.dialect.name != "sqlite")
    kinds = _kinds(found)
    assert kinds.index("DropConstraintOp") < kinds.index("DropTableOp")


def test_system_columns_are_not_added(pg_engine):
    def before(m):
        sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True))

    def after(m):
        sa.Table(
            "t",
            m,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("xmin", sa.Integer, system=True),
        )

    assert difference(pg_engine, before, after) == []


def test_postgresql_keyword_function_default_matches_its_spelling():
    from gitmig.autogenerate.dialects import rules_for

    rules = rules_for("postgresql")
    reflected = rules.normalize_default("\"substring\"('name'::text, 1, 3)")
    assert reflected == rules.normalize_default("substring('name',1,3)")
    assert rules.normalize_default("'a , b'") != rules.normalize_default("'a,b'")


def test_version_table_in_the_models_is_not_compared(engine):
    model = metadata_of(
        lambda m: sa.Table("my_version", m, sa.Column("version_num", sa.String(32)))
    )
    assert flat(detect(engine, model, version_table="my_version")) == []


def test_execute_sql_has_a_diff_form():
    upgrade = ops.UpgradeOps([ops.ExecuteSQLOp("SELECT 1")])
    assert upgrade.as_diffs() == [("execute", "SELECT 1")]
