"""SQL Server: ``GO`` between offline batches, defaults dropped before their column.

SQL Server names a column's default (and check) constraints itself, and refuses to drop a
column that still has one; ``drop_column`` therefore drops the column's default first (turn
off with ``mssql_drop_default=False``; ``mssql_drop_check=True`` and
``mssql_drop_foreign_key=True`` do the same for check and foreign key constraints).
``ALTER COLUMN`` restates type and nullability together, so nullability changes need
``existing_type`` and type changes should pass ``existing_nullable``.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.compiler import compiles

from gitmig.ddl import base
from gitmig.ddl.impl import DefaultImpl
from gitmig.exc import UnsupportedOperationError

if TYPE_CHECKING:
    from sqlalchemy import Column
    from sqlalchemy.engine import Dialect
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.types import TypeEngine

__all__ = ["MSSQLDropColumnConstraints", "MSSQLImpl"]


class MSSQLDropColumnConstraints(base.AlterTable):
    """Drop the system-named constraints of one kind that sit on a column.

    ``kind`` is ``"default"``, ``"check"`` or ``"foreignkey"``.  Nothing happens if the
    column has none.
    """

    def __init__(
        self, table_name: str, column_name: str, kind: str, schema: str | None = None
    ) -> None:
        super().__init__(table_name, schema=schema)
        if kind not in _CATALOGS:
            raise ValueError(f"kind must be one of {', '.join(_CATALOGS)}, not {kind!r}")
        self.column_name = column_name
        self.kind = kind


_CATALOGS = {
    "default": (
        "sys.default_constraints",
        "parent_object_id = OBJECT_ID({table}) "
        "AND COL_NAME(parent_object_id, parent_column_id) = {column}",
    ),
    "check": (
        "sys.check_constraints",
        "parent_object_id = OBJECT_ID({table}) "
        "AND COL_NAME(parent_object_id, parent_column_id) = {column}",
    ),
    "foreignkey": (
        "sys.foreign_keys",
        "object_id IN (SELECT constraint_object_id FROM sys.foreign_key_columns "
        "WHERE parent_object_id = OBJECT_ID({table}) "
        "AND COL_NAME(parent_object_id, parent_column_id) = {column})",
    ),
}


class MSSQLImpl(DefaultImpl):
    """SQL Server runs DDL in transactions; offline scripts separate batches with ``GO``."""

    __dialect__ = "mssql"
    transactional_ddl = True
    batch_separator = "GO"

    def __init__(self, dialect: Dialect, *args: Any, **kw: Any) -> None:
        super().__init__(dialect, *args, **kw)
        # offline there is no server to ask; comments and sp_rename need a schema name
        if self.dialect.default_schema_name is None:
            self.dialect.default_schema_name = "dbo"

    def emit_begin(self) -> None:
        self.static_output("BEGIN TRANSACTION" + self.command_terminator)

    def drop_column(
        self,
        table_name: str,
        column: Column[Any] | str,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        name = column if isinstance(column, str) else column.name
        flags = {
            "default": kw.pop("mssql_drop_default", True),
            "check": kw.pop("mssql_drop_check", False),
            "foreignkey": kw.pop("mssql_drop_foreign_key", False),
        }
        for kind, wanted in flags.items():
            if wanted:
                self._exec(MSSQLDropColumnConstraints(table_name, name, kind, schema=schema))
        super().drop_column(table_name, column, schema=schema, if_exists=if_exists, **kw)

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: Any = None,
        schema: str | None = None,
        autoincrement: bool | None = None,
        comment: str | bool | None = False,
        existing_comment: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        **kw: Any,
    ) -> None:
        common: dict[str, Any] = {"schema": schema, "existing_comment": existing_comment}
        # ALTER COLUMN states type and nullability together: fold them into one statement
        if nullable is not None:
            column_type = type_ if type_ is not None else existing_type
            if column_type is None:
                raise UnsupportedOperationError(
                    f"SQL Server restates the type to change nullability of "
                    f"{table_name}.{column_name}: pass existing_type= (or type_=)"
                )
            self._exec(
                base.ColumnNullable(
                    table_name, column_name, nullable, existing_type=column_type, **common
                )
            )
        elif type_ is not None:
            if existing_nullable is None:
                warnings.warn(
                    f"alter_column({table_name!r}, {column_name!r}, type_=...) on SQL Server "
                    "without nullable= or existing_nullable= makes a NOT NULL column NULL",
                    stacklevel=2,
                )
            self._exec(
                base.ColumnType(
                    table_name, column_name, type_, existing_nullable=existing_nullable, **common
                )
            )
        if server_default is not False:
            # the old default is a named constraint that must go before a new one is added
            self._exec(base.ColumnDefault(table_name, column_name, None, schema=schema))
            if server_default is not None:
                self._exec(
                    base.ColumnDefault(table_name, column_name, server_default, schema=schema)
                )
        if comment is not False:
            self._exec(base.ColumnComment(table_name, column_name, comment, **common))  # type: ignore[arg-type]
        if name is not None:
            self._exec(base.ColumnName(table_name, column_name, name, schema=schema))


def _table_literal(compiler: DDLCompiler, element: base.AlterTable) -> str:
    return base.format_literal(
        compiler, base.format_table_name(compiler, element.table_name, element.schema)
    )


def _drop_constraints_sql(
    compiler: DDLCompiler, element: base.AlterTable, column_name: str, kind: str
) -> str:
    catalog, where = _CATALOGS[kind]
    table = base.format_table_name(compiler, element.table_name, element.schema)
    condition = where.format(
        table=_table_literal(compiler, element),
        column=base.format_literal(compiler, column_name),
    )
    # EXEC of a NULL string (no such constraint) does nothing
    return (
        "DECLARE @const_name VARCHAR(256)\n"
        f"SELECT @const_name = QUOTENAME([name]) FROM {catalog}\n"
        f"WHERE {condition}\n"
        f"EXEC({base.format_literal(compiler, f'ALTER TABLE {table} DROP CONSTRAINT ')}"
        " + @const_name)"
    )


@compiles(MSSQLDropColumnConstraints, "mssql")
def _drop_column_constraints(
    element: MSSQLDropColumnConstraints, compiler: DDLCompiler, **kw: Any
) -> str:
    return _drop_constraints_sql(compiler, element, element.column_name, element.kind)


@compiles(base.AddColumn, "mssql")
def _add_column(element: base.AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_add_column(element, compiler, keyword="ADD")


@compiles(base.DropColumn, "mssql")
def _drop_column(element: base.DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_drop_column(element, compiler, if_exists=True)


def _restate_column(
    compiler: DDLCompiler,
    element: base.AlterColumn,
    type_: TypeEngine[Any],
    nullable: bool | None,
) -> str:
    """``ALTER COLUMN c <type> [NULL|NOT NULL]``: the one statement for type and nullability."""
    nullability = "" if nullable is None else " NULL" if nullable else " NOT NULL"
    return base.render_alter_column(
        element, compiler, f"{base.format_type(compiler, type_)}{nullability}"
    )


@compiles(base.ColumnNullable, "mssql")
def _column_nullable(element: base.ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    if element.existing_type is None:
        raise UnsupportedOperationError(
            f"SQL Server restates the type to change nullability of "
            f"{element.table_name}.{element.column_name}: pass existing_type="
        )
    return _restate_column(compiler, element, element.existing_type, element.nullable)


@compiles(base.ColumnType, "mssql")
def _column_type(element: base.ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    return _restate_column(compiler, element, element.type_, element.existing_nullable)


@compiles(base.ColumnDefault, "mssql")
def _column_default(element: base.ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    if element.default is None:
        return _drop_constraints_sql(compiler, element, element.column_name, "default")
    return (
        f"{base.alter_table(compiler, element.table_name, element.schema)} "
        f"ADD DEFAULT {base.format_server_default(compiler, element.default)} "
        f"FOR {base.format_column_name(compiler, element.column_name)}"
    )


@compiles(base.ColumnName, "mssql")
def _column_name(element: base.ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    table = base.format_table_name(compiler, element.table_name, element.schema)
    old = f"{table}.{base.format_column_name(compiler, element.column_name)}"
    return (
        f"EXEC sp_rename {base.format_literal(compiler, old)}, "
        f"{base.format_literal(compiler, element.newname)}, 'COLUMN'"
    )


@compiles(base.RenameTable, "mssql")
def _rename_table(element: base.RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    return (
        f"EXEC sp_rename {_table_literal(compiler, element)}, "
        f"{base.format_literal(compiler, element.new_table_name)}"
    )


@compiles(base.ColumnComment, "mssql")
def _column_comment(element: base.ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    schema = element.schema or compiler.dialect.default_schema_name or "dbo"
    target = (
        f"N'SCHEMA', {base.format_literal(compiler, schema)}, "
        f"N'TABLE', {base.format_literal(compiler, element.table_name)}, "
        f"N'COLUMN', {base.format_literal(compiler, element.column_name)}"
    )
    if element.comment is None:
        return f"EXEC sp_dropextendedproperty N'MS_Description', {target}"
    procedure = (
        "sp_addextendedproperty"
        if element.existing_comment is None
        else "sp_updateextendedproperty"
    )
    return (
        f"EXEC {procedure} N'MS_Description', "
        f"{base.format_literal(compiler, element.comment)}, {target}"
    )
