"""The semantic-conflict rules on op objects, without git (gitmig.lint.conflicts)."""

from __future__ import annotations

import sqlalchemy as sa

from gitmig.lint.conflicts import SemanticCheck, SideRevision, describe, find_conflicts
from gitmig.lint.record import RecordedOp, Recording
from gitmig.operations import ops
from gitmig.script.revision import Revision


def _side(rev: str, *operations: ops.MigrateOperation, dialect: str = "postgresql") -> SideRevision:
    recording = Recording(Revision(rev, "r0"), dialect)
    recording.ops = [
        RecordedOp(o, (line, line), False, False) for line, o in enumerate(operations, 10)
    ]
    return SideRevision(rev, f"versions/{rev}.py", recording)


def _check(
    ours: list[SideRevision], theirs: list[SideRevision], engine: str | None = None
) -> SemanticCheck:
    check = SemanticCheck("here", "there")
    find_conflicts(ours, theirs, check, engine)
    return check


def test_each_engine_is_named_in_its_conflicts() -> None:
    add = ops.AddColumnOp("users", sa.Column("x", sa.Integer()))
    check = _check([_side("a1", add)], [_side("m1", add)], engine="accounts")
    (conflict,) = check.conflicts
    assert conflict.engine == "accounts"
    assert (conflict.ours.line, conflict.theirs.path) == (10, "versions/m1.py")


def test_one_conflict_per_object_the_most_certain_first_op() -> None:
    ours = _side(
        "a1",
        ops.AlterColumnOp("users", "email", modify_nullable=False),
        ops.DropColumnOp("users", "email"),
    )
    theirs = _side("m1", ops.AlterColumnOp("users", "email", modify_type=sa.String(10)))
    (conflict,) = _check([ours], [theirs]).conflicts
    assert conflict.certainty == "certain"
    assert conflict.ours.op == "drop_column('users', 'email')"
    assert conflict.theirs.op == "alter_column('users', 'email', type_=VARCHAR(10))"


def test_schemas_keep_tables_apart() -> None:
    ours = _side("a1", ops.DropTableOp("users", schema="billing"))
    theirs = _side("m1", ops.AddColumnOp("users", sa.Column("x", sa.Integer())))
    assert _check([ours], [theirs]).conflicts == []


def test_a_rename_to_a_name_the_other_side_creates() -> None:
    ours = _side("a1", ops.RenameTableOp("people", "users_archive"))
    theirs = _side("m1", ops.CreateTableOp("users_archive", [sa.Column("id", sa.Integer())]))
    (conflict,) = _check([ours], [theirs]).conflicts
    assert (conflict.subject, conflict.reason) == ("table users_archive", "both create it")


def test_a_type_change_against_a_new_foreign_key_is_likely() -> None:
    ours = _side("a1", ops.AlterColumnOp("users", "id", modify_type=sa.BigInteger()))
    theirs = _side("m1", ops.CreateForeignKeyOp("fk", "orders", "users", ["user_id"], ["id"]))
    (conflict,) = _check([ours], [theirs]).conflicts
    assert (conflict.certainty, conflict.subject) == ("likely", "column users.id")


def test_describe_names_the_call() -> None:
    assert describe(ops.DropIndexOp("ix_a", "users")) == "drop_index('ix_a')"
    assert describe(ops.CreateTableCommentOp("users", "people")) == "create_table_comment('users')"
