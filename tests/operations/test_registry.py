"""Operations' extension points, the op proxy, and the helpers around ops."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gitmig import op
from gitmig.exc import GitmigError, UnsupportedOperationError
from gitmig.operations import MigrateOperation, Operations
from gitmig.operations.base import _installed_stack
from tests.operations.helpers import offline_ops, statements


class CreateSequenceOp(MigrateOperation):
    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def create_sequence(cls, operations: Operations, name: str) -> str:
        """Create a sequence."""
        return operations.invoke(cls(name))

    def reverse(self) -> MigrateOperation:
        return DropSequenceOp(self.name)


class DropSequenceOp(CreateSequenceOp):
    pass


@pytest.fixture
def sequence_ops():
    Operations.register_operation("create_sequence")(CreateSequenceOp)

    @Operations.implementation_for(CreateSequenceOp)
    def create_sequence(operations: Operations, operation: CreateSequenceOp) -> str:
        operations.execute(f"CREATE SEQUENCE {operation.name}")
        return operation.name

    yield
    delattr(Operations, "create_sequence")
    del Operations._to_impl[CreateSequenceOp]


def test_user_operation(sequence_ops) -> None:
    ops_, buf = offline_ops("postgresql")
    assert ops_.create_sequence("seq_a") == "seq_a"  # type: ignore[attr-defined]
    assert Operations.create_sequence.__doc__ == "Create a sequence."  # type: ignore[attr-defined]
    # subclasses inherit implementations through their MRO
    ops_.invoke(DropSequenceOp("seq_b"))
    assert statements(buf.getvalue()) == ["CREATE SEQUENCE seq_a", "CREATE SEQUENCE seq_b"]


def test_invoke_without_implementation() -> None:
    ops_, _ = offline_ops("postgresql")
    with pytest.raises(UnsupportedOperationError, match="CreateSequenceOp"):
        ops_.invoke(CreateSequenceOp("x"))


def test_op_proxy_forwards_to_installed_operations() -> None:
    ops_, buf = offline_ops("postgresql")
    with Operations.context(ops_):
        op.drop_table("a")
        assert op.get_context() is ops_.migration_context
        inner, inner_buf = offline_ops("mysql")
        with Operations.context(inner):
            op.drop_table("b")
        op.drop_table("c")
    assert statements(buf.getvalue()) == ["DROP TABLE a", "DROP TABLE c"]
    assert statements(inner_buf.getvalue()) == ["DROP TABLE b"]
    assert _installed_stack.items == []


def test_op_proxy_outside_a_migration() -> None:
    with pytest.raises(GitmigError, match="only be used while a migration runs"):
        op.add_column  # noqa: B018
    with pytest.raises(AttributeError):
        op.__wrapped__  # noqa: B018


def test_get_bind_offline_writes_to_the_script() -> None:
    # Alembic scripts branch on op.get_bind().dialect and execute through it offline too
    ops_, buf = offline_ops("postgresql")
    bind = ops_.get_bind()
    assert bind.dialect.name == "postgresql"
    bind.execute(sa.text("UPDATE account SET name = 'x'"))
    assert statements(buf.getvalue()) == ["UPDATE account SET name = 'x'"]


def test_get_bind_online(sqlite_url: str) -> None:
    from gitmig.runtime.migration import MigrationContext

    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        ops_ = Operations(MigrationContext.configure(connection=conn))
        assert ops_.get_bind() is conn
    engine.dispose()


def test_f_marks_names_final() -> None:
    name = Operations.f("uq_x")
    assert isinstance(name, sa.sql.elements.conv)
    assert name == "uq_x"


def test_execute_sqlalchemy_construct_and_execution_options() -> None:
    ops_, buf = offline_ops("sqlite")
    t = sa.table("t", sa.column("a"))
    ops_.execute(t.delete().where(t.c.a == ops_.inline_literal(5)))
    ops_.execute(sa.text("VACUUM"), execution_options={"no_parameters": True})
    assert statements(buf.getvalue()) == ["DELETE FROM t WHERE t.a = 5", "VACUUM"]
