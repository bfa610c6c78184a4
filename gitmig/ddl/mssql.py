"""SQL Server: ``GO`` between offline batches, defaults dropped before their column.

SQL Server names a column's default (and check) constraints itself, and refuses to drop a
column that still has one; ``drop_column`` therefore drops the column's default first (turn
off with ``mssql_drop_default=False``; ``mssql_drop_check=True`` and
``mssql_drop_foreign_key=True`` do the same for check and foreign key constraints).
``ALTER COLUMN`` restates type and nullability together, so nullability changes need
``existing_type`` and type changes should pass ``existing_nullable``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import NVARCHAR
from sqlalchemy.ext.compiler import compiles

from gitmig.ddl import base
from gitmig.ddl.impl import DefaultImpl
from gitmig.exc import UnsupportedOperationError
from gitmig.util.messaging import warn

if TYPE_CHECKING:
    from sqlalchemy import Column
    from sqlalchemy.engine import Dialect
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.sql.expression import TableClause
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


#: the catalog view holding each kind of constraint, with the alias its columns go by
_CATALOGS = {
    "default": "sys.default_constraints",
    "check": "sys.check_constraints",
    "foreignkey": (
        "sys.foreign_keys fk join sys.foreign_key_columns fkc\n"
        "on fk.object_id=fkc.constraint_object_id"
    ),
}


class MSSQLImpl(DefaultImpl):
    """SQL Server runs DDL in transactions; offline scripts separate batches with ``GO``."""

    __dialect__ = "mssql"
    transactional_ddl = True
    batch_separator = "GO"

    def __init__(self, dialect: Dialect, *args: Any, **kw: Any) -> None:
        super().__init__(dialect, *args, **kw)
        self.batch_separator = self.context_opts.get(  # type: ignore[misc]
            "mssql_batch_separator", self.batch_separator
        )
        # offline there is no server to ask; comments and sp_rename need a schema name
        if self.dialect.default_schema_name is None:
            self.dialect.default_schema_name = "dbo"

    def emit_begin(self) -> None:
        self.static_output("BEGIN TRANSACTION" + self.command_terminator)

    def bulk_insert(
        self,
        table: TableClause,
        rows: Sequence[Mapping[str, Any]],
        multiinsert: bool = True,
    ) -> None:
        """Offline, the inserts sit between ``SET IDENTITY_INSERT t ON`` and ``OFF``: a
        script's rows carry their own keys, which an IDENTITY column refuses otherwise."""
        if not self.as_sql:
            super().bulk_insert(table, rows, multiinsert=multiinsert)
            return
        name = self.dialect.identifier_preparer.format_table(table)
        self._exec(f"SET IDENTITY_INSERT {name} ON")
        super().bulk_insert(table, rows, multiinsert=multiinsert)
        self._exec(f"SET IDENTITY_INSERT {name} OFF")

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
        """Type and nullability in one ``ALTER COLUMN``, then the default, comment, name.

        A changed default first drops the old one (a system-named constraint) when there is
        one: when ``existing_server_default`` is given, or the default is being removed.
        """
        common: dict[str, Any] = {
            "schema": schema,
            "existing_comment": existing_comment,
            "existing_server_default": existing_server_default,
        }
        # ALTER COLUMN states type and nullability together: fold them into one statement
        if nullable is None and type_ is not None and existing_nullable is not None:
            nullable = existing_nullable
        if nullable is not None:
            column_type = type_ if type_ is not None else existing_type
            if column_type is None:
                raise UnsupportedOperationError(
                    "MS-SQL ALTER COLUMN operations with NULL or NOT NULL require the "
                    f"existing_type or a new type_ be passed (column {table_name}.{column_name})"
                )
            self._exec(
                base.ColumnNullable(
                    table_name, column_name, nullable, existing_type=column_type, **common
                )
            )
        elif type_ is not None:
            warn(
                "MS-SQL ALTER COLUMN operations that specify type_= should also specify a "
                "nullable= or existing_nullable= argument to avoid implicit conversion of NOT "
                f"NULL columns to NULL (column {table_name}.{column_name})",
                stacklevel=1,
            )
            self._exec(base.ColumnType(table_name, column_name, type_, **common))
        if server_default is not False:
            special = self._default_change(table_name, column_name, server_default, common)
            if special is not None:
                self._exec(special)
            else:
                if existing_server_default is not None or server_default is None:
                    self._exec(
                        MSSQLDropColumnConstraints(
                            table_name, column_name, "default", schema=schema
                        )
                    )
                if server_default is not None:
                    self._exec(
                        base.ColumnDefault(table_name, column_name, server_default, schema=schema)
                    )
        if comment is not False:
            self._exec(base.ColumnComment(table_name, column_name, comment, **common))  # type: ignore[arg-type]
        if name is not None:
            self._exec(base.ColumnName(table_name, column_name, name, schema=schema))


def _drop_constraints_sql(
    compiler: DDLCompiler, element: base.AlterTable, column_name: str, kind: str
) -> str:
    table = base.format_table_name(compiler, element.table_name, element.schema)
    alias, sep = ("fkc.", "\n") if kind == "foreignkey" else ("", " ")
    drop = base.format_literal(compiler, f"alter table {table} drop constraint ")
    # EXEC of a NULL string (no such constraint) does nothing
    return (
        "declare @const_name varchar(256)\n"
        f"select @const_name = QUOTENAME([name]) from{sep}{_CATALOGS[kind]}\n"
        f"where {alias}parent_object_id = object_id({base.format_literal(compiler, table)})\n"
        f"and col_name({alias}parent_object_id, {alias}parent_column_id) = "
        f"{base.format_literal(compiler, column_name)}\n"
        f"exec({drop} + @const_name)"
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
        f"{base.format_column_name(compiler, element.newname)}, 'COLUMN'"
    )


@compiles(base.RenameTable, "mssql")
def _rename_table(element: base.RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    table = base.format_table_name(compiler, element.table_name, element.schema)
    return (
        f"EXEC sp_rename {base.format_literal(compiler, table)}, "
        f"{base.format_table_name(compiler, element.new_table_name, None)}"
    )


@compiles(base.ColumnComment, "mssql")
def _column_comment(element: base.ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    preparer = compiler.preparer
    schema = element.schema or compiler.dialect.default_schema_name or "dbo"
    target = (
        f"'schema', {preparer.quote_schema(schema)}, "
        f"'table', {preparer.quote(element.table_name)}, "
        f"'column', {preparer.quote(element.column_name)}"
    )
    if element.comment is None:
        return f"exec sp_dropextendedproperty 'MS_Description', {target}"
    procedure = (
        "sp_addextendedproperty"
        if element.existing_comment is None
        else "sp_updateextendedproperty"
    )
    # the comment is Unicode text: an N'' literal
    comment = compiler.sql_compiler.render_literal_value(element.comment, NVARCHAR())
    return f"exec {procedure} 'MS_Description', {comment}, {target}"
