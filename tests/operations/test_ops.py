"""The op data classes: reverse(), to_*/from_*, diff tuples, containers. No database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gitmig.operations import ops


def test_add_column_reverses_to_drop_and_back() -> None:
    col = sa.Column("age", sa.Integer, nullable=False)
    add = ops.AddColumnOp("account", col, schema="app")
    drop = add.reverse()
    assert isinstance(drop, ops.DropColumnOp)
    assert (drop.table_name, drop.column_name, drop.schema) == ("account", "age", "app")
    again = drop.reverse()
    assert isinstance(again, ops.AddColumnOp)
    assert again.column is col
    assert add.to_diff_tuple() == ("add_column", "app", "account", col)
    assert drop.to_diff_tuple() == ("remove_column", "app", "account", col)


def test_drop_without_original_cannot_reverse() -> None:
    for op_ in (
        ops.DropColumnOp("t", "c"),
        ops.DropTableOp("t"),
        ops.DropIndexOp("ix"),
        ops.DropConstraintOp("uq", "t", "unique"),
    ):
        with pytest.raises(ValueError, match="cannot be reversed"):
            op_.reverse()


def test_add_column_from_column() -> None:
    table = sa.Table("t", sa.MetaData(), sa.Column("c", sa.Integer), schema="s")
    op_ = ops.AddColumnOp.from_column(table.c.c)
    assert (op_.table_name, op_.schema, op_.to_column()) == ("t", "s", table.c.c)


def test_create_table_round_trip_through_drop() -> None:
    metadata = sa.MetaData()
    table = sa.Table(
        "account",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(100), unique=True),
        sa.CheckConstraint("id > 0", name="ck_id"),
        comment="people",
        schema="app",
    )
    create = ops.CreateTableOp.from_table(table)
    drop = create.reverse()
    assert isinstance(drop, ops.DropTableOp)
    assert (drop.table_name, drop.schema, drop.comment) == ("account", "app", "people")
    rebuilt = drop.reverse().to_table()
    assert [c.name for c in rebuilt.c] == ["id", "email"]
    assert rebuilt.comment == "people"
    kinds = sorted(type(c).__name__ for c in rebuilt.constraints)
    # the unique=True flag made one UniqueConstraint; rebuilding must not make a second
    assert kinds == ["CheckConstraint", "PrimaryKeyConstraint", "UniqueConstraint"]
    assert create.to_diff_tuple()[0] == "add_table"
    assert drop.to_diff_tuple()[0] == "remove_table"


def test_create_table_resolves_foreign_keys_to_unknown_tables() -> None:
    table = ops.CreateTableOp(
        "order",
        [sa.Column("account_id", sa.Integer, sa.ForeignKey("crm.account.id"))],
    ).to_table()
    (fk,) = table.foreign_keys
    assert fk.column.table.name == "account"
    assert fk.column.table.schema == "crm"


@pytest.mark.parametrize(
    "op_",
    [
        ops.CreatePrimaryKeyOp("pk", "t", ["a", "b"], schema="s"),
        ops.CreateUniqueConstraintOp("uq", "t", ["a"], deferrable=True, initially="DEFERRED"),
        ops.CreateCheckConstraintOp("ck", "t", "a > 0"),
        ops.CreateForeignKeyOp(
            "fk", "t", "r", ["a"], ["id"], ondelete="CASCADE", referent_schema="rs"
        ),
    ],
    ids=["primary", "unique", "check", "foreignkey"],
)
def test_constraint_ops_reverse_to_drop_and_back(op_: ops.AddConstraintOp) -> None:
    drop = op_.reverse()
    assert isinstance(drop, ops.DropConstraintOp)
    assert drop.constraint_name == op_.constraint_name
    assert drop.table_name == "t"
    again = drop.reverse()
    assert type(again) is type(op_)
    assert vars(again).keys() == vars(op_).keys()
    for key in ("columns", "local_cols", "remote_cols", "referent_table", "kw"):
        if hasattr(op_, key):
            assert getattr(again, key) == getattr(op_, key)


def test_drop_constraint_types() -> None:
    assert ops.DropConstraintOp("fk", "t", "foreignkey").to_diff_tuple()[0] == "remove_fk"
    assert ops.DropConstraintOp("uq", "t", "unique").to_diff_tuple()[0] == "remove_constraint"
    with pytest.raises(ValueError, match="is not one of"):
        ops.DropConstraintOp("x", "t", "bogus").to_constraint()


def test_index_ops() -> None:
    create = ops.CreateIndexOp("ix", "t", ["a", sa.text("lower(b)")], unique=True, schema="s")
    drop = create.reverse()
    assert (drop.index_name, drop.table_name, drop.schema) == ("ix", "t", "s")
    back = drop.reverse()
    assert back.unique is True
    assert back.columns[0] == "a"
    index = back.to_index()
    assert index.table is not None and index.table.name == "t"


def test_alter_column_reverse_swaps_every_change() -> None:
    op_ = ops.AlterColumnOp(
        "t",
        "old",
        existing_type=sa.Integer(),
        existing_nullable=True,
        existing_server_default="1",
        existing_comment="before",
        modify_type=sa.BigInteger(),
        modify_nullable=False,
        modify_server_default="2",
        modify_comment="after",
        modify_name="new",
        postgresql_using="old::bigint",
    )
    rev = op_.reverse()
    assert rev.column_name == "new"
    assert rev.modify_name == "old"
    assert isinstance(rev.modify_type, sa.Integer) and isinstance(rev.existing_type, sa.BigInteger)
    assert (rev.modify_nullable, rev.existing_nullable) == (True, False)
    assert (rev.modify_server_default, rev.existing_server_default) == ("1", "2")
    assert (rev.modify_comment, rev.existing_comment) == ("before", "after")
    assert "postgresql_using" not in rev.kw
    assert rev.reverse().column_name == "old"
    kinds = [d[0] for d in op_.to_diff_tuple()]
    assert kinds == ["modify_type", "modify_nullable", "modify_default", "modify_comment"]


def test_alter_column_reverse_of_untouched_fields_leaves_them() -> None:
    rev = ops.AlterColumnOp("t", "c", existing_nullable=True, modify_nullable=False).reverse()
    assert rev.modify_type is None
    assert rev.modify_server_default is False
    assert rev.modify_comment is False
    assert rev.modify_name is None
    assert rev.has_changes()
    assert not ops.AlterColumnOp("t", "c").has_changes()


def test_table_comment_ops_reverse() -> None:
    set_ = ops.CreateTableCommentOp("t", "new", existing_comment="old")
    assert set_.reverse().comment == "old"  # type: ignore[union-attr]
    first = ops.CreateTableCommentOp("t", "new")
    assert isinstance(first.reverse(), ops.DropTableCommentOp)
    assert ops.DropTableCommentOp("t", existing_comment="was").reverse().comment == "was"


def test_rename_table_reverse() -> None:
    rev = ops.RenameTableOp("a", "b", schema="s").reverse()
    assert (rev.table_name, rev.new_table_name, rev.schema) == ("b", "a", "s")


def test_containers_reverse_in_reverse_order() -> None:
    add = ops.AddColumnOp("t", sa.Column("c", sa.Integer))
    idx = ops.CreateIndexOp("ix", "t", ["c"])
    upgrade = ops.UpgradeOps([ops.ModifyTableOps("t", [add, idx]), ops.CreateTableOp("u", [])])
    downgrade = upgrade.reverse()
    assert isinstance(downgrade, ops.DowngradeOps)
    first, second = downgrade.ops
    assert isinstance(first, ops.DropTableOp)
    assert isinstance(second, ops.ModifyTableOps)
    assert [type(o).__name__ for o in second.ops] == ["DropIndexOp", "DropColumnOp"]
    assert isinstance(downgrade.reverse(), ops.UpgradeOps)
    assert [d[0] for d in upgrade.as_diffs()] == ["add_column", "add_index", "add_table"]
    assert ops.UpgradeOps().is_empty()


def test_migration_script_holds_one_or_several_op_lists() -> None:
    up, down = ops.UpgradeOps(), ops.DowngradeOps()
    script = ops.MigrationScript("abc", up, down, message="m")
    assert script.upgrade_ops is up and script.downgrade_ops is down
    multi = ops.MigrationScript("abc", [up, ops.UpgradeOps()], [down, ops.DowngradeOps()])
    assert len(multi.upgrade_ops_list) == 2
    with pytest.raises(ValueError, match=r"multiple-entry list for UpgradeOps.*upgrade_ops_list"):
        multi.upgrade_ops  # noqa: B018
    with pytest.raises(ValueError, match="multiple-entry list for DowngradeOps"):
        multi.downgrade_ops  # noqa: B018
    with pytest.raises(ValueError, match="an empty list for UpgradeOps"):
        ops.MigrationScript("abc", [], []).upgrade_ops  # noqa: B018


def test_bulk_insert_and_execute_ops() -> None:
    t = sa.table("t", sa.column("a"))
    assert ops.BulkInsertOp(t, ({"a": 1},), multiinsert=False).rows == [{"a": 1}]
    assert ops.ExecuteSQLOp("SELECT 1").sqltext == "SELECT 1"


def test_info_and_repr() -> None:
    op_ = ops.RenameTableOp("a", "b")
    op_.info["seen"] = True
    assert op_.info == {"seen": True}
    assert repr(op_) == "RenameTableOp(table_name='a', schema=None, new_table_name='b')"
