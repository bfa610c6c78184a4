"""The context.configure() hooks autogenerate honours."""

from __future__ import annotations

import sqlalchemy as sa

from gitmig.autogenerate import Rewriter, render_python_code
from gitmig.operations import ops
from tests.autogenerate.helpers import detect, flat, metadata_of


def _two_tables(m):
    sa.Table("keep", m, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("skip", m, sa.Column("id", sa.Integer, primary_key=True))


def _kinds(found):
    return [(type(op).__name__, op.table_name) for op in found]


def test_include_object_filters_model_and_reflected_objects(engine):
    metadata_of(lambda m: sa.Table("legacy", m, sa.Column("id", sa.Integer))).create_all(engine)
    seen = []

    def include_object(obj, name, type_, reflected, compare_to):
        seen.append((type_, name, reflected))
        return name not in ("skip", "legacy")

    found = flat(detect(engine, metadata_of(_two_tables), include_object=include_object))
    assert _kinds(found) == [("CreateTableOp", "keep")]
    assert ("table", "legacy", True) in seen
    assert ("table", "skip", False) in seen


def test_include_object_on_columns(engine):
    def model(m):
        sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", sa.Integer))

    metadata_of(
        lambda m: sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True))
    ).create_all(engine)
    found = flat(
        detect(
            engine,
            metadata_of(model),
            include_object=lambda obj, name, type_, r, c: not (type_ == "column" and name == "x"),
        )
    )
    assert found == []


def test_include_name_filters_reflected_names(engine):
    metadata_of(_two_tables).create_all(engine)
    names = []

    def include_name(name, type_, parent_names):
        names.append((type_, name, parent_names.get("table_name")))
        return name != "skip"

    found = flat(detect(engine, sa.MetaData(), include_name=include_name))
    assert _kinds(found) == [("DropTableOp", "keep")]
    assert ("table", "skip", None) in names


def test_include_name_sees_schemas(postgresql_url):
    engine = sa.create_engine(postgresql_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE SCHEMA a"))
            conn.execute(sa.text("CREATE SCHEMA b"))
            conn.execute(sa.text("CREATE TABLE a.t (id INTEGER)"))
            conn.execute(sa.text("CREATE TABLE b.t (id INTEGER)"))
        found = flat(
            detect(
                engine,
                sa.MetaData(),
                include_schemas=True,
                include_name=lambda name, type_, parents: type_ != "schema" or name == "b",
            )
        )
        assert [(type(op).__name__, op.schema) for op in found] == [("DropTableOp", "b")]
    finally:
        engine.dispose()


def _added_column_script(engine):
    metadata_of(
        lambda m: sa.Table("t", m, sa.Column("id", sa.Integer, primary_key=True))
    ).create_all(engine)
    return detect(
        engine,
        metadata_of(
            lambda m: sa.Table(
                "t",
                m,
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("x", sa.String(10), nullable=False),
                sa.Index("ix_t_x", "x"),
            )
        ),
    )


def test_render_as_batch(sqlite_url):
    engine = sa.create_engine(sqlite_url)
    script = _added_column_script(engine)
    code = render_python_code(script.upgrade_ops, render_as_batch=True)
    assert "with op.batch_alter_table('t', schema=None) as batch_op:" in code
    assert "batch_op.add_column(sa.Column('x', sa.String(length=10), nullable=False))" in code
    assert "batch_op.create_index('ix_t_x', ['x'], unique=False)" in code
    engine.dispose()


def test_render_item_and_user_module_prefix(sqlite_url):
    engine = sa.create_engine(sqlite_url)
    script = _added_column_script(engine)

    def render_item(type_, obj, autogen_context):
        if type_ == "type" and isinstance(obj, sa.String):
            autogen_context.imports.add("import myapp.types")
            return "myapp.types.Name()"
        return False

    code = render_python_code(script.upgrade_ops, render_item=render_item)
    assert "sa.Column('x', myapp.types.Name(), nullable=False)" in code

    class Money(sa.types.TypeDecorator):
        impl = sa.Numeric
        cache_ok = True

    container = ops.UpgradeOps([ops.AddColumnOp("t", sa.Column("m", Money()))])
    assert "mytypes.Money()" in render_python_code(container, user_module_prefix="mytypes.")
    assert f"{__name__}.Money()" in render_python_code(container)
    engine.dispose()


def test_rewriter(sqlite_url):
    engine = sa.create_engine(sqlite_url)
    script = _added_column_script(engine)
    writer = Rewriter()

    @writer.rewrites(ops.AddColumnOp)
    def nullable_first(context, revision, op):
        op.column.nullable = True
        return [op, ops.ExecuteSQLOp("UPDATE t SET x = ''")]

    dropper = Rewriter()

    @dropper.rewrites(ops.CreateIndexOp)
    def no_indexes(context, revision, op):
        return []

    writer.chain(dropper)(None, None, [script])
    code = render_python_code(script.upgrade_ops)
    assert "nullable=True" in code
    assert "UPDATE t SET x" in code
    assert "create_index" not in code
    engine.dispose()


def _script(*table_ops: ops.MigrateOperation) -> ops.MigrationScript:
    return ops.MigrationScript("r1", ops.UpgradeOps(list(table_ops)), ops.DowngradeOps([]))


def test_rewriter_offers_every_directive_outermost_first() -> None:
    seen: list[object] = []
    writer = Rewriter()

    @writer.rewrites(ops.MigrateOperation)
    def everything(context: object, revision: object, op: ops.MigrateOperation) -> object:
        seen.append(op)
        return op

    add = ops.AddColumnOp("t1", sa.Column("x", sa.Integer()))
    directives = [_script(ops.ModifyTableOps("t1", [add]))]
    writer(None, None, directives)
    script = directives[0]
    assert seen == [
        script,
        script.upgrade_ops,
        script.upgrade_ops.ops[0],
        add,
        script.downgrade_ops,
    ]


def test_rewriter_rewrites_inside_what_it_returned_and_only_once() -> None:
    writer = Rewriter()

    @writer.rewrites(ops.ModifyTableOps)
    def second_table(context: object, revision: object, op: ops.ModifyTableOps) -> object:
        return [op, ops.ModifyTableOps("t2", [ops.AddColumnOp("t2", sa.Column("y", sa.Integer()))])]

    @writer.rewrites(ops.AddColumnOp)
    def with_index(context: object, revision: object, op: ops.AddColumnOp) -> object:
        return [op, ops.CreateIndexOp(f"ix_{op.table_name}", op.table_name, [op.column.name])]

    directives = [
        _script(ops.ModifyTableOps("t1", [ops.AddColumnOp("t1", sa.Column("x", sa.Integer()))]))
    ]
    writer(None, None, directives)
    writer(None, None, directives)  # a second pass changes nothing already rewritten
    tables = directives[0].upgrade_ops.ops
    assert [t.table_name for t in tables] == ["t1", "t2"]  # type: ignore[attr-defined]
    assert [type(o).__name__ for t in tables for o in t.ops] == [  # type: ignore[attr-defined]
        "AddColumnOp",
        "CreateIndexOp",
        "AddColumnOp",
        "CreateIndexOp",
    ]


def test_rewriter_chains_any_directives_hook() -> None:
    writer = Rewriter()
    calls: list[str] = []

    @writer.rewrites(ops.AddColumnOp)
    def first(context: object, revision: object, op: ops.AddColumnOp) -> object:
        calls.append("rewriter")
        return op

    def hook(context: object, revision: object, directives: list[ops.MigrationScript]) -> None:
        calls.append(f"hook {len(directives)}")

    directives = [
        _script(ops.ModifyTableOps("t1", [ops.AddColumnOp("t1", sa.Column("x", sa.Integer()))]))
    ]
    writer.chain(hook)(None, None, directives)
    assert calls == ["rewriter", "hook 1"]
