"""PostgreSQL: transactional DDL, ``USING`` for type changes, ``IF [NOT] EXISTS`` on columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.compiler import compiles

from gitmig.ddl import base
from gitmig.ddl.impl import DefaultImpl

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.sql.compiler import DDLCompiler

__all__ = ["PostgresqlImpl"]


class PostgresqlImpl(DefaultImpl):
    """PostgreSQL runs DDL inside transactions, so a failed migration leaves no trace."""

    __dialect__ = "postgresql"
    transactional_ddl = True

    def _column_type(
        self,
        table_name: str,
        column_name: str,
        type_: Any,
        kw: Mapping[str, Any],
        common: Mapping[str, Any],
    ) -> base.ColumnType:
        using = kw.get("postgresql_using")
        return base.ColumnType(table_name, column_name, type_, using=using, **common)

    def prep_table_for_batch(self, batch_impl: Any, table: Table) -> None:
        # constraint names (and the indexes behind unique/primary keys) are unique per
        # schema here, so the copy cannot take them while the old table still holds them
        for constraint in table.constraints:
            if constraint.name is not None:
                self.drop_constraint(constraint)


@compiles(base.AddColumn, "postgresql")
def _add_column(element: base.AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_add_column(element, compiler, if_not_exists=True)


@compiles(base.DropColumn, "postgresql")
def _drop_column(element: base.DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_drop_column(element, compiler, if_exists=True)


@compiles(base.ColumnType, "postgresql")
def _column_type(element: base.ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    using = f" USING {element.using}" if element.using else ""
    return (
        f"{base.alter_table(compiler, element.table_name, element.schema)} "
        f"{base.alter_column(compiler, element.column_name)} "
        f"TYPE {base.format_type(compiler, element.type_)}{using}"
    )
