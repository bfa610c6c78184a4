"""Rendering operations as Python: layout, names, types, imports, every op kind."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from gitmig.autogenerate import render_python_code
from gitmig.autogenerate.context import AutogenContext
from gitmig.autogenerate.render import (
    LINE_LENGTH,
    Call,
    ListOf,
    describe_operation,
    layout,
    quote,
    render_type,
)
from gitmig.operations import ops
from tests.autogenerate.conftest import ruff_check


def _code(*operations, **kw):
    return render_python_code(ops.UpgradeOps(list(operations)), **kw)


def test_layout_fits_or_breaks_one_argument_per_line():
    short = Call("f", ['"a"'], [("b", "1")])
    assert layout(short, 4, 4) == 'f("a", b=1)'
    long = Call("op.something", [quote("x" * 30), ListOf([quote("y" * 30), quote("z" * 30)])])
    text = layout(long, 4, 4)
    assert text.splitlines()[0] == "op.something("
    assert all(len(line) + 4 <= LINE_LENGTH for line in text.splitlines())
    assert text.splitlines()[-1] == "    )"
    # the trailing comma counts: a call that just fits alone breaks as an argument
    exact = Call("g", ['"' + "w" * (LINE_LENGTH - 4 - 5) + '"'])
    assert "\n" not in layout(exact, 4, 4)
    assert "\n" in layout(exact, 4, 4, trailing=1)


def test_quote_prefers_double_quotes():
    assert quote("plain") == '"plain"'
    assert quote('say "hi"') == "'say \"hi\"'"
    assert quote("it's") == '"it\'s"'
    assert eval(quote("back\\slash")) == "back\\slash"


def test_naming_convention_names_use_op_f():
    metadata = sa.MetaData(naming_convention={"ix": "ix_%(column_0_label)s"})
    table = sa.Table("t", metadata, sa.Column("a", sa.Integer, index=True))
    (index,) = table.indexes
    code = _code(ops.CreateIndexOp.from_index(index))
    assert 'op.create_index(op.f("ix_t_a"), "t", ["a"], unique=False)' in code


def test_dialect_types_bring_their_import():
    context = AutogenContext(None, opts={}, autogenerate=False)
    assert render_type(context, postgresql.JSONB()) == "postgresql.JSONB()"
    assert render_type(context, postgresql.ARRAY(sa.Integer)) == "postgresql.ARRAY(sa.Integer())"
    assert (
        render_type(context, sa.String(20).with_variant(sa.Text(), "mysql"))
        == 'sa.String(length=20).with_variant(sa.Text(), "mysql")'
    )
    assert context.imports == {"from sqlalchemy.dialects import postgresql"}


def test_every_operation_kind_renders():
    fk = ops.CreateForeignKeyOp(
        "fk_a_b",
        "a",
        "b",
        ["b_id"],
        ["id"],
        ondelete="CASCADE",
        source_schema="s",
        referent_schema="r",
    )
    code = _code(
        ops.CreateTableCommentOp("t", "new", existing_comment="old", schema="s"),
        ops.DropTableCommentOp("t", existing_comment="old"),
        ops.AlterColumnOp(
            "t",
            "c",
            existing_type=sa.String(10),
            modify_type=sa.String(20),
            existing_nullable=True,
            modify_nullable=False,
            modify_server_default=sa.schema.DefaultClause(sa.text("now()")),
            existing_server_default=None,
            modify_comment="why",
            existing_comment=None,
        ),
        fk,
        ops.CreateCheckConstraintOp("ck_pos", "t", "n > 0"),
        ops.CreateUniqueConstraintOp("uq_t_a", "t", ["a", "b"]),
        ops.DropConstraintOp("uq_t_a", "t", type_="unique", schema="s"),
        ops.DropIndexOp("ix_t", table_name="t"),
        ops.ExecuteSQLOp("SELECT 1"),
        ops.RenameTableOp("a", "b"),
    )
    for expected in [
        'op.create_table_comment("t", "new", existing_comment="old", schema="s")',
        'op.drop_table_comment("t", existing_comment="old")',
        "type_=sa.String(length=20)",
        "nullable=False",
        'server_default=sa.text("now()")',
        'comment="why"',
        '"fk_a_b",',
        'referent_schema="r"',
        'op.create_check_constraint("ck_pos", "t", "n > 0")',
        'op.create_unique_constraint("uq_t_a", "t", ["a", "b"])',
        'op.drop_constraint("uq_t_a", "t", type_="unique", schema="s")',
        'op.drop_index("ix_t", table_name="t")',
        'op.execute("SELECT 1")',
        'op.rename_table("a", "b")',
    ]:
        assert expected in code, expected
    assert all(len(line) <= LINE_LENGTH for line in code.splitlines())


def test_describe_operation():
    assert describe_operation(ops.DropTableOp("t", schema="s")) == "remove table s.t"
    alter = ops.AlterColumnOp("t", "c", existing_nullable=True, modify_nullable=False)
    assert describe_operation(alter) == "modify column t.c: nullable True -> False"
    assert describe_operation(ops.ExecuteSQLOp("SELECT 1")) == 'op.execute("SELECT 1")'


def test_revision_with_dialect_types_passes_ruff(postgresql_url, make_project):
    engine = sa.create_engine(postgresql_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE legacy (id SERIAL PRIMARY KEY, data JSONB, tags TEXT[], "
                "at TIMESTAMP WITH TIME ZONE DEFAULT now(), "
                "a_rather_long_column_name_to_force_wrapping DOUBLE PRECISION NOT NULL)"
            )
        )
    engine.dispose()
    project = make_project(postgresql_url)
    path = project.autogenerate(sa.MetaData(), "drop legacy")
    source = path.read_text(encoding="utf-8")
    assert "from sqlalchemy.dialects import postgresql\n" in source
    assert "postgresql.JSONB()" in source and "postgresql.ARRAY(sa.TEXT())" in source
    assert "nextval" not in source  # the SERIAL's own default is not a user default
    result = ruff_check(path)
    assert result.returncode == 0, result.stdout


def test_render_op_text_is_one_operation_unindented():
    from gitmig.autogenerate import render_op_text

    context = AutogenContext(None, opts={}, autogenerate=False)
    assert render_op_text(context, ops.DropTableOp("account")) == 'op.drop_table("account")'
    text = render_op_text(
        context, ops.AddColumnOp("account", sa.Column("name", sa.String(50), nullable=False))
    )
    assert text.startswith('op.add_column("account", sa.Column("name", sa.String(length=50)')
    assert not text.startswith(" ")
