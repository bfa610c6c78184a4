"""Oracle: ``MODIFY`` for column changes; offline scripts end each statement with ``/``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.compiler import compiles

from gitmig.ddl import base
from gitmig.ddl.impl import DefaultImpl

if TYPE_CHECKING:
    from sqlalchemy.sql.compiler import DDLCompiler

__all__ = ["OracleImpl"]


class OracleImpl(DefaultImpl):
    """Oracle commits DDL implicitly; SQL*Plus scripts separate statements with ``/``."""

    __dialect__ = "oracle"
    transactional_ddl = False
    command_terminator = ""
    batch_separator = "/"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.batch_separator = self.context_opts.get(  # type: ignore[misc]
            "oracle_batch_separator", self.batch_separator
        )

    def emit_begin(self) -> None:
        # Oracle opens transactions implicitly; there is no BEGIN statement
        self._exec("SET TRANSACTION READ WRITE")

    def emit_commit(self) -> None:
        self._exec("COMMIT")


def _modify(element: base.AlterColumn, compiler: DDLCompiler, what: str) -> str:
    return (
        f"{base.alter_table(compiler, element.table_name, element.schema)} "
        f"MODIFY {base.format_column_name(compiler, element.column_name)} {what}"
    )


@compiles(base.AddColumn, "oracle")
def _add_column(element: base.AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_add_column(element, compiler, keyword="ADD")


@compiles(base.ColumnNullable, "oracle")
def _column_nullable(element: base.ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    return _modify(element, compiler, "NULL" if element.nullable else "NOT NULL")


@compiles(base.ColumnType, "oracle")
def _column_type(element: base.ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    return _modify(element, compiler, base.format_type(compiler, element.type_))


@compiles(base.ColumnDefault, "oracle")
def _column_default(element: base.ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    # Oracle has no DROP DEFAULT: a NULL default is the same thing
    default = (
        "NULL" if element.default is None else base.format_server_default(compiler, element.default)
    )
    return _modify(element, compiler, f"DEFAULT {default}")


@compiles(base.ColumnIdentity, "oracle")
def _column_identity(element: base.ColumnIdentity, compiler: DDLCompiler, **kw: Any) -> str:
    if element.identity is None:
        return _modify(element, compiler, "DROP IDENTITY")
    return _modify(element, compiler, base.format_identity(compiler, element.identity))


@compiles(base.ColumnComment, "oracle")
def _column_comment(element: base.ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    # Oracle has no COMMENT ... IS NULL: an empty comment removes it
    table = base.format_table_name(compiler, element.table_name, element.schema)
    comment = base.format_literal(compiler, element.comment or "")
    return (
        f"COMMENT ON COLUMN {table}.{base.format_column_name(compiler, element.column_name)} "
        f"IS {comment}"
    )


@compiles(base.RenameTable, "oracle")
def _rename_table(element: base.RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_rename_table(element, compiler, qualify_new_name=False)


@compiles(base.ColumnName, "oracle")
def _column_name(element: base.ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_column_name(element, compiler, "RENAME COLUMN")


@compiles(base.DropColumn, "oracle")
def _drop_column(element: base.DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_drop_column(element, compiler)  # Oracle has no IF EXISTS here
