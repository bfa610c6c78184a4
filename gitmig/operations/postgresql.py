"""PostgreSQL's own operation: ``op.create_exclude_constraint`` (an ``EXCLUDE`` constraint).

Registered on :class:`Operations` and :class:`BatchOperations` when :mod:`gitmig.operations`
is imported, as Alembic registers it; ``AddConstraintOp.from_constraint`` builds it for a
SQLAlchemy ``ExcludeConstraint`` (autogenerate, ``DropConstraintOp.reverse``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Table
from sqlalchemy.types import NULLTYPE

from gitmig.operations import ops
from gitmig.operations.base import BatchOperations, Operations
from gitmig.operations.schemaobj import SchemaObjects

if TYPE_CHECKING:
    from sqlalchemy import Constraint
    from sqlalchemy.dialects.postgresql import ExcludeConstraint
    from sqlalchemy.sql.elements import ColumnElement

    from gitmig.operations.base import AbstractOperations
    from gitmig.runtime.migration import MigrationContext

__all__ = ["CreateExcludeConstraintOp"]


@Operations.register_operation("create_exclude_constraint")
@BatchOperations.register_operation("create_exclude_constraint", "batch_create_exclude_constraint")
# by name: SQLAlchemy's PostgreSQL dialect costs ~25 ms to import, which no other database
# should pay; whoever has an ExcludeConstraint has imported it already
@ops.AddConstraintOp.register_add_constraint("sqlalchemy.dialects.postgresql.ext.ExcludeConstraint")
class CreateExcludeConstraintOp(ops.AddConstraintOp):
    """Create a PostgreSQL ``EXCLUDE`` constraint on existing columns.

    ``elements`` are ``(expression, operator)`` pairs, as ``ExcludeConstraint`` takes them:
    a plain string is SQL (quote it yourself), ``sqlalchemy.column("c")`` a quoted column.
    ``where``, ``using``, ``deferrable`` and ``initially`` go to the constraint.
    """

    constraint_type = "exclude"

    def __init__(
        self,
        constraint_name: str | None,
        table_name: str,
        elements: Sequence[tuple[Any, str]],
        where: ColumnElement[bool] | str | None = None,
        schema: str | None = None,
        _orig_constraint: ExcludeConstraint | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.elements = list(elements)
        self.where = where
        self.schema = schema
        self._orig_constraint = _orig_constraint
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreateExcludeConstraintOp:
        from sqlalchemy.dialects.postgresql import ExcludeConstraint

        assert isinstance(constraint, ExcludeConstraint)
        table = constraint.table
        if not isinstance(table, Table):
            raise ValueError(f"constraint {constraint.name!r} is not attached to a table")
        return cls(
            ops._name_of(constraint),
            table.name,
            [(expr, operator) for expr, _, operator in constraint._render_exprs],
            where=constraint.where,  # type: ignore[arg-type]
            schema=table.schema,
            _orig_constraint=constraint,
            deferrable=constraint.deferrable,
            initially=constraint.initially,
            using=constraint.using,
        )

    def to_constraint(self, migration_context: MigrationContext | None = None) -> ExcludeConstraint:
        if self._orig_constraint is not None:
            return self._orig_constraint
        from sqlalchemy.dialects.postgresql import ExcludeConstraint

        table = SchemaObjects(migration_context).table(self.table_name, schema=self.schema)
        constraint = ExcludeConstraint(
            *self.elements, name=self.constraint_name, where=self.where, **self.kw
        )
        # the stub table needs the columns the constraint names
        for _, name, _ in constraint._render_exprs:
            if name is not None and name not in table.c:
                table.append_column(Column(name, NULLTYPE))
        table.append_constraint(constraint)
        return constraint

    @classmethod
    def create_exclude_constraint(
        cls,
        operations: AbstractOperations,
        constraint_name: str | None,
        table_name: str,
        *elements: Any,
        **kw: Any,
    ) -> None:
        """Create an ``EXCLUDE`` constraint (PostgreSQL only).

        Example::

            op.create_exclude_constraint(
                "no_overlap", "booking", ("room", "="), ("during", "&&"), using="gist",
                where="not cancelled",
            )
        """
        operations.invoke(cls(constraint_name, table_name, elements, **kw))

    @classmethod
    def batch_create_exclude_constraint(
        cls,
        operations: AbstractOperations,
        constraint_name: str | None,
        *elements: Any,
        **kw: Any,
    ) -> None:
        """Create an ``EXCLUDE`` constraint on the batch's table (PostgreSQL only).

        Example: ``batch_op.create_exclude_constraint("no_overlap", ("during", "&&"))``
        """
        impl: Any = operations.impl
        kw["schema"] = impl.schema
        operations.invoke(cls(constraint_name, impl.table_name, elements, **kw))
