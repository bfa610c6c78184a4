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


def test_implementation_for_replace(sequence_ops) -> None:
    with pytest.raises(ValueError, match="CreateSequenceOp has an implementation already"):
        Operations.implementation_for(CreateSequenceOp)
    previous = Operations._to_impl[CreateSequenceOp]

    @Operations.implementation_for(CreateSequenceOp, replace=True)
    def create_and_log(operations: Operations, operation: CreateSequenceOp) -> str:
        name = previous(operations, operation)
        operations.execute(f"COMMENT ON SEQUENCE {name} IS 'made'")
        return name

    ops_, buf = offline_ops("postgresql")
    ops_.create_sequence("s")  # type: ignore[attr-defined]
    assert statements(buf.getvalue()) == ["CREATE SEQUENCE s", "COMMENT ON SEQUENCE s IS 'made'"]


def test_run_async_shares_the_migration_connection(postgresql_url: str) -> None:
    from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

    from gitmig.runtime.migration import MigrationContext

    async def count(conn: AsyncConnection, table: str) -> int:
        return (await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar_one()

    async_url = postgresql_url.replace("+psycopg:", "+psycopg_async:")
    engine = create_async_engine(async_url)

    def migrate(sync_conn: sa.Connection) -> int:
        ops_ = Operations(MigrationContext.configure(connection=sync_conn))
        ops_.execute("CREATE TABLE t (x integer)")
        ops_.execute("INSERT INTO t VALUES (1), (2)")  # not committed: same transaction
        return ops_.run_async(count, "t")

    async def main() -> int:
        async with engine.connect() as conn:
            result = await conn.run_sync(migrate)
            await conn.rollback()
        await engine.dispose()
        return result

    import asyncio

    assert asyncio.run(main()) == 2


def test_run_async_needs_an_async_driver(sqlite_url: str) -> None:
    from gitmig.runtime.migration import MigrationContext

    async def nothing(conn: object) -> None:
        return None

    with pytest.raises(UnsupportedOperationError, match="cannot run offline"):
        offline_ops("postgresql")[0].run_async(nothing)
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        ops_ = Operations(MigrationContext.configure(connection=conn))
        with pytest.raises(UnsupportedOperationError, match=r"needs an async driver.*sqlite"):
            ops_.run_async(nothing)
    engine.dispose()
