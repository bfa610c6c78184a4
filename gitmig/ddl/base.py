"""The ALTER constructs: SQLAlchemy DDL elements that SQLAlchemy itself lacks.

Each construct names its table (and schema) by string, so no ``Table`` needs declaring, and
compiles per dialect: the defaults here follow the SQL standard, and the modules
``gitmig.ddl.postgresql``/``mysql``/``sqlite``/``mssql``/``oracle`` register the dialect
forms with ``@compiles``.  Any SQLAlchemy application can execute them::

    from sqlalchemy import Column, Integer, create_engine
    from gitmig.ddl import AddColumn, ColumnNullable

    with create_engine("postgresql+psycopg://...").begin() as conn:
        conn.execute(AddColumn("account", Column("age", Integer)))
        conn.execute(ColumnNullable("account", "age", False))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Computed, Identity, Integer, MetaData, String, Table
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import ExecutableDDLElement
from sqlalchemy.types import to_instance

from gitmig.exc import UnsupportedOperationError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import ForeignKey
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.types import TypeEngine

__all__ = [
    "AddColumn",
    "AlterColumn",
    "AlterTable",
    "ColumnComment",
    "ColumnComputed",
    "ColumnDefault",
    "ColumnIdentity",
    "ColumnName",
    "ColumnNullable",
    "ColumnType",
    "DropColumn",
    "RenameTable",
    "UnsupportedAlterError",
    "alter_column",
    "alter_table",
    "format_column_name",
    "format_identity",
    "format_server_default",
    "format_table_name",
    "format_type",
    "is_computed_change",
    "is_identity_change",
    "render_alter_column",
]


class UnsupportedAlterError(UnsupportedOperationError, CompileError):
    """An ALTER the dialect cannot write; raised while compiling, so it is also SQLAlchemy's
    ``CompileError``."""


class AlterTable(ExecutableDDLElement):
    """Base of every ``ALTER TABLE <table> ...`` construct."""

    def __init__(self, table_name: str, schema: str | None = None) -> None:
        self.table_name = table_name
        self.schema = schema


class RenameTable(AlterTable):
    """``ALTER TABLE old RENAME TO new`` (the table stays in ``schema``).

    Example: ``conn.execute(RenameTable("account", "customer"))``
    """

    def __init__(self, old_table_name: str, new_table_name: str, schema: str | None = None) -> None:
        super().__init__(old_table_name, schema=schema)
        self.new_table_name = new_table_name


class AlterColumn(AlterTable):
    """Base of the single-column changes.

    The ``existing_*`` values describe the column as it is; dialects that restate the whole
    column (MySQL ``MODIFY``, SQL Server ``ALTER COLUMN``) need them.
    """

    def __init__(
        self,
        name: str,
        column_name: str,
        schema: str | None = None,
        existing_type: TypeEngine[Any] | type[TypeEngine[Any]] | None = None,
        existing_nullable: bool | None = None,
        existing_server_default: Any = None,
        existing_comment: str | None = None,
    ) -> None:
        super().__init__(name, schema=schema)
        self.column_name = column_name
        self.existing_type: TypeEngine[Any] | None = (
            to_instance(existing_type) if existing_type is not None else None
        )
        self.existing_nullable = existing_nullable
        self.existing_server_default = existing_server_default
        self.existing_comment = existing_comment


class ColumnNullable(AlterColumn):
    """Make a column ``NULL`` or ``NOT NULL``.

    Example: ``conn.execute(ColumnNullable("account", "email", False, existing_type=String(200)))``
    """

    def __init__(self, name: str, column_name: str, nullable: bool, **kw: Any) -> None:
        super().__init__(name, column_name, **kw)
        self.nullable = nullable


class ColumnType(AlterColumn):
    """Change a column's type; ``using`` is PostgreSQL's ``USING`` expression (SQL text).

    Example: ``conn.execute(ColumnType("account", "age", BigInteger()))``
    """

    def __init__(
        self,
        name: str,
        column_name: str,
        type_: TypeEngine[Any] | type[TypeEngine[Any]],
        using: str | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(name, column_name, **kw)
        self.type_: TypeEngine[Any] = to_instance(type_)
        self.using = using


class ColumnName(AlterColumn):
    """Rename a column.

    Example: ``conn.execute(ColumnName("account", "mail", "email"))``
    """

    def __init__(self, name: str, column_name: str, newname: str, **kw: Any) -> None:
        super().__init__(name, column_name, **kw)
        self.newname = newname


class ColumnDefault(AlterColumn):
    """Set (or, with ``None``, drop) a column's server default.

    ``default`` is a string (rendered as a quoted literal), ``sqlalchemy.text()`` (rendered
    as is) or a ``DefaultClause``.
    Example: ``conn.execute(ColumnDefault("account", "status", "new"))``
    """

    def __init__(self, name: str, column_name: str, default: Any, **kw: Any) -> None:
        super().__init__(name, column_name, **kw)
        self.default = default


class ColumnIdentity(AlterColumn):
    """Add, change or (with ``None``) drop a column's ``GENERATED ... AS IDENTITY``.

    ``identity`` is the new ``sqlalchemy.Identity`` (or ``None``); ``existing_server_default``
    the column's current one, if any.  PostgreSQL and Oracle only.
    Example: ``conn.execute(ColumnIdentity("account", "id", None))``
    """

    def __init__(self, name: str, column_name: str, identity: Identity | None, **kw: Any) -> None:
        super().__init__(name, column_name, **kw)
        self.identity = identity


class ColumnComputed(AlterColumn):
    """Add, change or drop a column's ``GENERATED ALWAYS AS (...)``: no database alters that
    in place, so compiling it raises :class:`UnsupportedAlterError` (drop and re-add the
    column instead)."""

    def __init__(self, name: str, column_name: str, computed: Computed | None, **kw: Any) -> None:
        super().__init__(name, column_name, **kw)
        self.computed = computed


def is_computed_change(server_default: Any, existing_server_default: Any) -> bool:
    """Whether an ``alter_column`` default change adds, alters or drops a computed column."""
    return isinstance(server_default, Computed) or isinstance(existing_server_default, Computed)


def is_identity_change(server_default: Any, existing_server_default: Any) -> bool:
    """Whether an ``alter_column`` default change adds, alters or drops an identity."""
    return isinstance(server_default, Identity) or isinstance(existing_server_default, Identity)


class ColumnComment(AlterColumn):
    """Set (or, with ``None``, remove) a column's comment.

    Example: ``conn.execute(ColumnComment("account", "email", "login address"))``
    """

    def __init__(self, name: str, column_name: str, comment: str | None, **kw: Any) -> None:
        super().__init__(name, column_name, **kw)
        self.comment = comment


class AddColumn(AlterTable):
    """Add a column, rendered from a SQLAlchemy ``Column`` (type, nullability, default...).

    Example: ``conn.execute(AddColumn("account", Column("age", Integer)))``
    """

    def __init__(
        self,
        name: str,
        column: Column[Any],
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        super().__init__(name, schema=schema)
        if column.table is None:
            # some dialects (SQL Server, MySQL's AUTO_INCREMENT) render a column from its table
            Table(name, MetaData(), column, schema=schema)
        self.column = column
        self.if_not_exists = if_not_exists
        #: write the column's one ForeignKey as ``REFERENCES t (c)`` in the column itself
        self.inline_references = inline_references
        #: write ``PRIMARY KEY`` in the column itself when it has ``primary_key=True``
        self.inline_primary_key = inline_primary_key


class DropColumn(AlterTable):
    """Drop a column, given by name or as a ``Column``.

    Example: ``conn.execute(DropColumn("account", "age"))``
    """

    def __init__(
        self,
        name: str,
        column: Column[Any] | str,
        schema: str | None = None,
        if_exists: bool | None = None,
    ) -> None:
        super().__init__(name, schema=schema)
        self.column = column
        self.if_exists = if_exists

    @property
    def column_name(self) -> str:
        return self.column if isinstance(self.column, str) else self.column.name


# -- rendering helpers shared by the dialect modules ------------------------------------------


def format_table_name(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    """``name`` (and ``schema``) quoted as the dialect needs (reserved words, mixed case)."""
    quoted = compiler.preparer.quote(name)
    if schema:
        return f"{compiler.preparer.quote_schema(schema)}.{quoted}"
    return quoted


def format_column_name(compiler: DDLCompiler, name: str) -> str:
    return compiler.preparer.quote(name)


def format_type(compiler: DDLCompiler, type_: TypeEngine[Any]) -> str:
    return compiler.dialect.type_compiler_instance.process(type_)


def format_server_default(compiler: DDLCompiler, default: Any) -> str:
    """The SQL of a server default, as ``CREATE TABLE`` would render it."""
    text = compiler.get_column_default_string(Column("x", Integer, server_default=default))
    assert text is not None
    return text


def format_identity(compiler: DDLCompiler, identity: Identity) -> str:
    """``GENERATED {ALWAYS|BY DEFAULT} AS IDENTITY (...)``, as ``CREATE TABLE`` writes it."""
    text: str = compiler.visit_identity_column(identity)  # type: ignore[no-untyped-call]
    return text


def format_literal(compiler: DDLCompiler, value: str) -> str:
    """A string literal escaped for the dialect (comments, names given to procedures)."""
    return compiler.sql_compiler.render_literal_value(value, String())


def alter_table(compiler: DDLCompiler, name: str, schema: str | None) -> str:
    return f"ALTER TABLE {format_table_name(compiler, name, schema)}"


def alter_column(compiler: DDLCompiler, name: str) -> str:
    return f"ALTER COLUMN {format_column_name(compiler, name)}"


def render_alter_column(element: AlterColumn, compiler: DDLCompiler, action: str) -> str:
    """``ALTER TABLE t ALTER COLUMN c <action>``."""
    return (
        f"{alter_table(compiler, element.table_name, element.schema)} "
        f"{alter_column(compiler, element.column_name)} {action}"
    )


def column_spec(compiler: DDLCompiler, column: Column[Any]) -> str:
    """A column's definition with its column-level constraints (``CHECK``, ...)."""
    text = compiler.get_column_specification(column)
    extra = [compiler.process(c) for c in column.constraints]
    return " ".join([text, *[e for e in extra if e]])


def if_exists_clause(compiler: DDLCompiler, flag: bool | None, words: str, supported: bool) -> str:
    """``"IF EXISTS "``-like text when asked for, or an error naming the dialect."""
    if not flag:
        return ""
    if not supported:
        raise UnsupportedOperationError(
            f"{compiler.dialect.name} has no {words} for this statement; "
            f"drop the {words.lower().replace(' ', '_')} argument"
        )
    return f"{words} "


# -- standard (default) forms ----------------------------------------------------------------


def render_rename_table(
    element: RenameTable, compiler: DDLCompiler, qualify_new_name: bool = True
) -> str:
    """``ALTER TABLE [s.]old RENAME TO [s.]new``; dialects that take a bare new name
    (PostgreSQL, SQLite, Oracle) pass ``qualify_new_name=False``."""
    schema = element.schema if qualify_new_name else None
    return (
        f"{alter_table(compiler, element.table_name, element.schema)} "
        f"RENAME TO {format_table_name(compiler, element.new_table_name, schema)}"
    )


@compiles(RenameTable)
def visit_rename_table(element: RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    return render_rename_table(element, compiler)


def inline_foreign_key(column: Column[Any]) -> ForeignKey | None:
    """The ForeignKey ``inline_references=True`` writes into the column: its only one (with
    several, which one comes first is not defined, so each gets its own constraint)."""
    fks = list(column.foreign_keys)
    return fks[0] if len(fks) == 1 else None


def references_clause(compiler: DDLCompiler, fk: ForeignKey, qualify: bool = True) -> str:
    """`` REFERENCES [s.]t (c)`` with the key's MATCH, ON DELETE/UPDATE and DEFERRABLE;
    ``qualify=False`` leaves the schema out (SQLite allows none there)."""
    schema, table, column = fk._column_tokens
    referent = format_table_name(compiler, table or "", schema if qualify else None)
    text = f" REFERENCES {referent} ({format_column_name(compiler, column or '')})"
    constraint = fk.constraint
    if constraint is not None:
        text += compiler.define_constraint_match(constraint)
        text += compiler.define_constraint_cascades(constraint)
        text += compiler.define_constraint_deferrability(constraint)
    return text


def render_add_column(
    element: AddColumn,
    compiler: DDLCompiler,
    keyword: str = "ADD COLUMN",
    if_not_exists: bool = False,
    references: Sequence[ForeignKey] | None = None,
    qualify_references: bool = True,
) -> str:
    """``ALTER TABLE t <keyword> [IF NOT EXISTS] <column> [PRIMARY KEY] [REFERENCES ...]``.

    ``if_not_exists`` says whether the dialect has the clause; ``references`` are the foreign
    keys to write inline (by default the one ``element.inline_references`` asks for).
    """
    clause = if_exists_clause(compiler, element.if_not_exists, "IF NOT EXISTS", if_not_exists)
    column = element.column
    text = (
        f"{alter_table(compiler, element.table_name, element.schema)} "
        f"{keyword} {clause}{column_spec(compiler, column)}"
    )
    if element.inline_primary_key and column.primary_key:
        text += " PRIMARY KEY"
    if references is None:
        fk = inline_foreign_key(column) if element.inline_references else None
        references = [fk] if fk is not None else []
    for fk in references:
        text += references_clause(compiler, fk, qualify=qualify_references)
    return text


def render_drop_column(element: DropColumn, compiler: DDLCompiler, if_exists: bool = False) -> str:
    """``ALTER TABLE t DROP COLUMN [IF EXISTS] c``; ``if_exists`` says whether the dialect
    has the clause."""
    clause = if_exists_clause(compiler, element.if_exists, "IF EXISTS", if_exists)
    return (
        f"{alter_table(compiler, element.table_name, element.schema)} "
        f"DROP COLUMN {clause}{format_column_name(compiler, element.column_name)}"
    )


@compiles(AddColumn)
def visit_add_column(element: AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    # the standard form writes IF [NOT] EXISTS when asked, as Alembic does: a dialect
    # without it has its own form that refuses the flag
    return render_add_column(element, compiler, if_not_exists=True)


@compiles(DropColumn)
def visit_drop_column(element: DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return render_drop_column(element, compiler, if_exists=True)


@compiles(ColumnNullable)
def visit_column_nullable(element: ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    return render_alter_column(
        element, compiler, f"{'DROP' if element.nullable else 'SET'} NOT NULL"
    )


@compiles(ColumnType)
def visit_column_type(element: ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    return render_alter_column(element, compiler, f"TYPE {format_type(compiler, element.type_)}")


def render_column_name(element: ColumnName, compiler: DDLCompiler, keyword: str = "RENAME") -> str:
    """``ALTER TABLE t RENAME old TO new``; SQLite and Oracle need ``RENAME COLUMN``."""
    return (
        f"{alter_table(compiler, element.table_name, element.schema)} "
        f"{keyword} {format_column_name(compiler, element.column_name)} "
        f"TO {format_column_name(compiler, element.newname)}"
    )


@compiles(ColumnName)
def visit_column_name(element: ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    return render_column_name(element, compiler)


@compiles(ColumnDefault)
def visit_column_default(element: ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    action = (
        "DROP DEFAULT"
        if element.default is None
        else f"SET DEFAULT {format_server_default(compiler, element.default)}"
    )
    return render_alter_column(element, compiler, action)


@compiles(ColumnIdentity)
def visit_column_identity(element: ColumnIdentity, compiler: DDLCompiler, **kw: Any) -> str:
    raise UnsupportedAlterError(
        'Adding, removing or modifying an "identity" construct, e.g. GENERATED AS IDENTITY, '
        "to or from an existing column is not supported in this dialect "
        f"({compiler.dialect.name}: column {element.table_name}.{element.column_name})"
    )


@compiles(ColumnComputed)
def visit_column_computed(element: ColumnComputed, compiler: DDLCompiler, **kw: Any) -> str:
    raise UnsupportedAlterError(
        'Adding or removing a "computed" construct, e.g. GENERATED ALWAYS AS, to or from an '
        "existing column is not supported (column "
        f"{element.table_name}.{element.column_name}: drop and re-add it)"
    )


@compiles(ColumnComment)
def visit_column_comment(element: ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    comment = "NULL" if element.comment is None else format_literal(compiler, element.comment)
    table = format_table_name(compiler, element.table_name, element.schema)
    return (
        f"COMMENT ON COLUMN {table}.{format_column_name(compiler, element.column_name)} "
        f"IS {comment}"
    )
