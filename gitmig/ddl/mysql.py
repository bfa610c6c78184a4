"""MySQL and MariaDB: ``MODIFY``/``CHANGE`` restate the whole column, so they need ``existing_*``.

MySQL has no ``ALTER COLUMN ... TYPE`` or ``SET NOT NULL``: a column's type, nullability,
default, auto-increment and comment change together in one ``MODIFY`` (or ``CHANGE`` when it
is also renamed), and whatever the statement does not restate is lost.  So an
``alter_column`` that changes anything but the default needs ``existing_type`` (and should
pass ``existing_nullable``, ``existing_server_default``, ``existing_comment``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import CheckConstraint, Constraint, ForeignKeyConstraint, PrimaryKeyConstraint
from sqlalchemy import types as sqltypes
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import DropConstraint
from sqlalchemy.types import to_instance

from gitmig.ddl import base
from gitmig.ddl.impl import DefaultImpl
from gitmig.exc import UnsupportedOperationError

if TYPE_CHECKING:
    from sqlalchemy import Column, Table
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.types import TypeEngine

__all__ = [
    "MariaDBImpl",
    "MySQLChangeColumn",
    "MySQLImpl",
    "MySQLModifyColumn",
    "NoGenericDropError",
]

_DIALECTS = ("mysql", "mariadb")


class MySQLModifyColumn(base.AlterColumn):
    """``ALTER TABLE t MODIFY col <full definition>`` (``CHANGE old new ...`` if renamed)."""

    def __init__(
        self,
        name: str,
        column_name: str,
        schema: str | None = None,
        newname: str | None = None,
        type_: TypeEngine[Any] | type[TypeEngine[Any]] | None = None,
        nullable: bool | None = None,
        default: Any = None,
        autoincrement: bool | None = None,
        comment: str | None = None,
    ) -> None:
        super().__init__(name, column_name, schema=schema)
        if type_ is None:
            raise UnsupportedOperationError(
                "MySQL CHANGE/MODIFY COLUMN operations require the existing type: "
                f"{name}.{column_name} is restated whole, so pass existing_type= (and "
                "existing_nullable=, existing_server_default=, existing_comment= to keep them)"
            )
        self.newname = newname
        self.type_: TypeEngine[Any] = to_instance(type_)
        self.nullable = nullable
        self.default = default
        self.autoincrement = autoincrement
        self.comment = comment


class MySQLChangeColumn(MySQLModifyColumn):
    """``ALTER TABLE t CHANGE old new <full definition>``: rename plus restatement."""


class MySQLImpl(DefaultImpl):
    """MySQL commits DDL implicitly, so its DDL is not transactional."""

    __dialect__ = "mysql"
    transactional_ddl = False

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
        if server_default is not False:
            special = self._default_change(
                table_name,
                column_name,
                server_default,
                {"schema": schema, "existing_server_default": existing_server_default},
            )
            if special is not None:
                self._exec(special)  # no MySQL ALTER changes these: compiling it raises
                return
        functional_default = (
            server_default is not False
            and server_default is not None
            and _is_datetime(type_ if type_ is not None else existing_type)
        )
        restated = (
            type_ is not None
            or nullable is not None
            or autoincrement is not None
            or comment is not False
            or (name is not None and (existing_type is not None or server_default is not False))
            # a DATETIME/TIMESTAMP default may be a function (CURRENT_TIMESTAMP ON UPDATE
            # ...), which ALTER COLUMN ... SET DEFAULT refuses: restate the column instead
            or functional_default
        )
        if restated:
            stmt = (
                MySQLChangeColumn if name is not None or functional_default else MySQLModifyColumn
            )
            self._exec(
                stmt(
                    table_name,
                    column_name,
                    schema=schema,
                    newname=name,
                    type_=type_ if type_ is not None else existing_type,
                    nullable=nullable if nullable is not None else existing_nullable,
                    default=(
                        server_default if server_default is not False else existing_server_default
                    ),
                    autoincrement=(
                        autoincrement if autoincrement is not None else existing_autoincrement
                    ),
                    comment=comment if comment is not False else existing_comment,  # type: ignore[arg-type]
                )
            )
            return
        # only the default and/or the name change: neither needs the column restated
        if server_default is not False:
            self._exec(base.ColumnDefault(table_name, column_name, server_default, schema=schema))
        if name is not None:
            self._exec(base.ColumnName(table_name, column_name, name, schema=schema))

    def compare_server_default(
        self,
        inspector_column: Column[Any] | None,
        metadata_column: Column[Any] | None,
        rendered_metadata_default: str | None,
        rendered_inspector_default: str | None,
    ) -> bool:
        """As the default rules, with the ``ON UPDATE ...`` that MySQL reflects as part of a
        TIMESTAMP/DATETIME default compared on its own."""
        if rendered_metadata_default is not None and rendered_inspector_default is not None:
            reflected, reflected_update = _split_on_update(rendered_inspector_default)
            model, model_update = _split_on_update(rendered_metadata_default)
            if reflected_update != model_update:
                return True
            rendered_inspector_default, rendered_metadata_default = reflected, model
        return super().compare_server_default(
            inspector_column, metadata_column, rendered_metadata_default, rendered_inspector_default
        )

    def drop_constraint(self, const: Constraint, if_exists: bool | None = None) -> None:
        if isinstance(const, CheckConstraint) and const._type_bound:
            # a type's own CHECK (alter_column away from Boolean/Enum) is left alone, as
            # under Alembic: MySQL before 8.0.16 never stored one, so there may be none
            return
        if type(const) is Constraint:
            raise NoGenericDropError(
                "No generic 'DROP CONSTRAINT' in MySQL - please specify constraint type: "
                f"pass type_= ('foreignkey', 'primary', 'unique' or 'check') to "
                f"drop_constraint({const.name!r}, ...)"
            )
        super().drop_constraint(const, if_exists=if_exists)

    def prep_table_for_batch(self, batch_impl: Any, table: Table) -> None:
        # InnoDB foreign key names are unique per database: free them for the copy
        for constraint in table.constraints:
            if isinstance(constraint, ForeignKeyConstraint) and constraint.name is not None:
                self.drop_constraint(constraint)


class NoGenericDropError(UnsupportedOperationError, NotImplementedError):
    """``drop_constraint`` without ``type_``: MySQL drops each kind with its own syntax."""


_ON_UPDATE = re.compile(r"^(.*?)\s+(on\s+update\s+.*?)(?:\(\))?$", re.I | re.S)


def _split_on_update(sql: str) -> tuple[str, str | None]:
    """``CURRENT_TIMESTAMP ON UPDATE current_timestamp()`` -> the default, the ON UPDATE."""
    match = _ON_UPDATE.match(sql.strip())
    if match is None:
        return sql, None
    return match.group(1), " ".join(match.group(2).lower().split())


def _is_datetime(type_: Any) -> bool:
    return type_ is not None and to_instance(type_)._type_affinity is sqltypes.DateTime


class MariaDBImpl(MySQLImpl):
    """MariaDB, reached through a ``mariadb://`` URL (``mysql://`` URLs use MySQLImpl)."""

    __dialect__ = "mariadb"


def _colspec(compiler: DDLCompiler, element: MySQLModifyColumn) -> str:
    parts = [
        base.format_type(compiler, element.type_),
        "NOT NULL" if element.nullable is False else "NULL",
    ]
    if element.default is not None and element.default is not False:
        parts.append(f"DEFAULT {base.format_server_default(compiler, element.default)}")
    if element.autoincrement:
        parts.append("AUTO_INCREMENT")
    if element.comment is not None:
        parts.append(f"COMMENT {base.format_literal(compiler, element.comment)}")
    return " ".join(parts)


@compiles(MySQLModifyColumn, *_DIALECTS)
def _modify_column(element: MySQLModifyColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return (
        f"{base.alter_table(compiler, element.table_name, element.schema)} "
        f"MODIFY {base.format_column_name(compiler, element.column_name)} "
        f"{_colspec(compiler, element)}"
    )


@compiles(MySQLChangeColumn, *_DIALECTS)
def _change_column(element: MySQLChangeColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return (
        f"{base.alter_table(compiler, element.table_name, element.schema)} "
        f"CHANGE {base.format_column_name(compiler, element.column_name)} "
        f"{base.format_column_name(compiler, element.newname or element.column_name)} "
        f"{_colspec(compiler, element)}"
    )


_M = TypeVar("_M", bound=MySQLModifyColumn)


def _restate(element: base.AlterColumn, stmt: type[_M], **changes: Any) -> _M:
    """``element``'s column restated from its ``existing_*`` values, with ``changes``."""
    values: dict[str, Any] = {
        "type_": element.existing_type,
        "nullable": element.existing_nullable,
        "default": element.existing_server_default,
        "comment": element.existing_comment,
    }
    values.update(changes)
    return stmt(element.table_name, element.column_name, schema=element.schema, **values)


@compiles(base.ColumnNullable, *_DIALECTS)
def _column_nullable(element: base.ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    return _modify_column(_restate(element, MySQLModifyColumn, nullable=element.nullable), compiler)


@compiles(base.ColumnType, *_DIALECTS)
def _column_type(element: base.ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    return _modify_column(_restate(element, MySQLModifyColumn, type_=element.type_), compiler)


@compiles(base.ColumnComment, *_DIALECTS)
def _column_comment(element: base.ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    return _modify_column(_restate(element, MySQLModifyColumn, comment=element.comment), compiler)


@compiles(base.ColumnName, *_DIALECTS)
def _column_name(element: base.ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    if element.existing_type is None:
        # MySQL 8 and MariaDB 10.5 rename without restating the column
        return base.render_column_name(element, compiler, "RENAME COLUMN")
    return _change_column(_restate(element, MySQLChangeColumn, newname=element.newname), compiler)


@compiles(base.RenameTable, *_DIALECTS)
def _rename_table(element: base.RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    # an unqualified new name would move the table to the connection's default database
    return (
        f"{base.alter_table(compiler, element.table_name, element.schema)} RENAME TO "
        f"{base.format_table_name(compiler, element.new_table_name, element.schema)}"
    )


# IF [NOT] EXISTS on columns is MariaDB's; written for either, as Alembic does (an offline
# script for MariaDB is often made with the mysql dialect), and MySQL itself refuses it
@compiles(base.AddColumn, *_DIALECTS)
def _add_column(element: base.AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_add_column(element, compiler, if_not_exists=True)


@compiles(base.DropColumn, *_DIALECTS)
def _drop_column(element: base.DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_drop_column(element, compiler, if_exists=True)


def _is_mariadb(compiler: DDLCompiler) -> bool:
    return bool(getattr(compiler.dialect, "is_mariadb", False))


@compiles(DropConstraint, *_DIALECTS)
def _drop_constraint(element: DropConstraint, compiler: DDLCompiler, **kw: Any) -> str:
    text: str = compiler.visit_drop_constraint(element, **kw)  # type: ignore[no-untyped-call]
    if not element.if_exists:
        return text
    constraint = element.element
    # MariaDB has DROP {FOREIGN KEY|INDEX|CONSTRAINT} IF EXISTS; MySQL and a primary key none
    if not _is_mariadb(compiler) or isinstance(constraint, PrimaryKeyConstraint):
        raise UnsupportedOperationError(
            f"{compiler.dialect.name} has no IF EXISTS for dropping constraint "
            f"{constraint.name!r}; drop the if_exists argument"
        )
    name = str(compiler.preparer.format_constraint(constraint))
    head, _, tail = text.rpartition(name)
    return f"{head}IF EXISTS {name}{tail}"
