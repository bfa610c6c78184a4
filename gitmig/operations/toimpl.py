"""How each built-in op runs: op object -> calls on the dialect implementation.

Registered with :meth:`Operations.implementation_for`; ``operations.impl`` is the dialect's
``DefaultImpl`` or, inside ``batch_alter_table``, the batch collector, which accepts the same
calls.  Importing :mod:`gitmig.operations` registers these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, PrimaryKeyConstraint
from sqlalchemy.types import to_instance

from gitmig.operations import ops
from gitmig.operations.base import Operations

if TYPE_CHECKING:
    from sqlalchemy import Constraint, Table

    from gitmig.operations.base import AbstractOperations

__all__: list[str] = []


@Operations.implementation_for(ops.CreateTableOp)
def create_table(operations: AbstractOperations, operation: ops.CreateTableOp) -> Table:
    table = operation.to_table(operations.migration_context)
    operations.impl.create_table(table, if_not_exists=operation.if_not_exists)
    return table


@Operations.implementation_for(ops.DropTableOp)
def drop_table(operations: AbstractOperations, operation: ops.DropTableOp) -> None:
    operations.impl.drop_table(
        operation.to_table(operations.migration_context), if_exists=operation.if_exists
    )


@Operations.implementation_for(ops.RenameTableOp)
def rename_table(operations: AbstractOperations, operation: ops.RenameTableOp) -> None:
    operations.impl.rename_table(
        operation.table_name, operation.new_table_name, schema=operation.schema
    )


@Operations.implementation_for(ops.CreateTableCommentOp)
def create_table_comment(
    operations: AbstractOperations, operation: ops.CreateTableCommentOp
) -> None:
    operations.impl.create_table_comment(operation.to_table(operations.migration_context))


@Operations.implementation_for(ops.DropTableCommentOp)
def drop_table_comment(operations: AbstractOperations, operation: ops.DropTableCommentOp) -> None:
    operations.impl.drop_table_comment(operation.to_table(operations.migration_context))


@Operations.implementation_for(ops.AddColumnOp)
def add_column(operations: AbstractOperations, operation: ops.AddColumnOp) -> None:
    column = operation.column
    if column.table is not None:
        # a column of some other table (e.g. from target metadata): never re-parent it
        column = column._copy()
    # the stub table gives the column's unique/index/ForeignKey flags their constraints,
    # named by the target metadata's naming convention
    operations.schema_obj.table(operation.table_name, column, schema=operation.schema)
    operations.impl.add_column(
        operation.table_name,
        column,
        schema=operation.schema,
        if_not_exists=operation.if_not_exists,
        inline_references=operation.inline_references,
        inline_primary_key=operation.inline_primary_key,
        **operation.kw,
    )


@Operations.implementation_for(ops.DropColumnOp)
def drop_column(operations: AbstractOperations, operation: ops.DropColumnOp) -> None:
    operations.impl.drop_column(
        operation.table_name,
        operation.to_column(operations.migration_context),
        schema=operation.schema,
        if_exists=operation.if_exists,
        **operation.kw,
    )


@Operations.implementation_for(ops.AlterColumnOp)
def alter_column(operations: AbstractOperations, operation: ops.AlterColumnOp) -> None:
    existing_default: Any = operation.existing_server_default
    new_type, old_type = operation.modify_type, operation.existing_type
    if new_type is not None and old_type is not None:
        # the old type's own named CHECK (Boolean, a non-native Enum) goes before the change
        for constraint in _type_constraints(operations, operation, old_type):
            if constraint.name:
                operations.impl.drop_constraint(constraint)
    operations.impl.alter_column(
        operation.table_name,
        operation.column_name,
        nullable=operation.modify_nullable,
        server_default=operation.modify_server_default,
        name=operation.modify_name,
        type_=operation.modify_type,
        schema=operation.schema,
        comment=operation.modify_comment,
        existing_type=operation.existing_type,
        existing_server_default=None if existing_default is False else existing_default,
        existing_nullable=operation.existing_nullable,
        existing_comment=operation.existing_comment,
        **operation.kw,
    )
    if new_type is not None:
        # and the new type's CHECK comes after it, where the dialect has no native type
        for constraint in _type_constraints(operations, operation, new_type):
            operations.impl.add_constraint(constraint)


def _type_constraints(
    operations: AbstractOperations, operation: ops.AlterColumnOp, type_: Any
) -> list[Constraint]:
    """The CHECKs a column of ``type_`` brings on this dialect (none for a native type)."""
    stub = operations.schema_obj.table(
        operation.table_name,
        # a copy: attaching a type to a column binds it (an Enum takes the metadata)
        Column(operation.column_name, to_instance(type_).copy()),
        schema=operation.schema,
    )
    dialect_impl = operations.migration_context.impl
    return [
        c
        for c in stub.constraints
        if not isinstance(c, PrimaryKeyConstraint) and dialect_impl._wants(c)
    ]


@Operations.implementation_for(ops.CreateIndexOp)
def create_index(operations: AbstractOperations, operation: ops.CreateIndexOp) -> None:
    operations.impl.create_index(
        operation.to_index(operations.migration_context),
        if_not_exists=operation.if_not_exists,
    )


@Operations.implementation_for(ops.DropIndexOp)
def drop_index(operations: AbstractOperations, operation: ops.DropIndexOp) -> None:
    operations.impl.drop_index(
        operation.to_index(operations.migration_context), if_exists=operation.if_exists
    )


@Operations.implementation_for(ops.AddConstraintOp)
def create_constraint(operations: AbstractOperations, operation: ops.AddConstraintOp) -> None:
    operations.impl.add_constraint(operation.to_constraint(operations.migration_context))


@Operations.implementation_for(ops.DropConstraintOp)
def drop_constraint(operations: AbstractOperations, operation: ops.DropConstraintOp) -> None:
    constraint = operation.to_constraint(operations.migration_context)
    if operation.if_exists is None:
        operations.impl.drop_constraint(constraint)
    else:
        operations.impl.drop_constraint(constraint, if_exists=operation.if_exists)


@Operations.implementation_for(ops.BulkInsertOp)
def bulk_insert(operations: AbstractOperations, operation: ops.BulkInsertOp) -> None:
    operations.impl.bulk_insert(operation.table, operation.rows, multiinsert=operation.multiinsert)


@Operations.implementation_for(ops.ExecuteSQLOp)
def execute_sql(operations: AbstractOperations, operation: ops.ExecuteSQLOp) -> None:
    # SQL runs at once, even inside a batch block: it is not a change to the batch's table
    operations.migration_context.impl.execute(
        operation.sqltext, execution_options=operation.execution_options
    )
