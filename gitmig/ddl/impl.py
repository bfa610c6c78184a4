"""Per-dialect implementation of migration operations.

:class:`DefaultImpl` runs (online) or writes (offline) the statements an operation needs;
dialect modules subclass it and register themselves by dialect name through ``__dialect__``.
Every DDL method takes plain names or SQLAlchemy schema objects and never builds an op;
the operations layer (``gitmig.operations``) translates ops into these calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, cast, literal, text
from sqlalchemy.engine.mock import MockConnection
from sqlalchemy.exc import CompileError, UnsupportedCompilationError
from sqlalchemy.schema import (
    AddConstraint,
    CreateIndex,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropTable,
    DropTableComment,
    SetColumnComment,
    SetTableComment,
)
from sqlalchemy.sql.elements import ClauseElement

from gitmig.ddl import base

if TYPE_CHECKING:
    from sqlalchemy import Constraint, Index
    from sqlalchemy.engine import Connection, CursorResult, Dialect
    from sqlalchemy.sql.base import Executable
    from sqlalchemy.sql.elements import ColumnElement
    from sqlalchemy.sql.expression import TableClause
    from sqlalchemy.types import TypeEngine

__all__ = ["VERSION_NUM_LENGTH", "DefaultImpl", "impl_for_dialect"]

_REGISTRY: dict[str, type[DefaultImpl]] = {}

#: the length of the version table's ``version_num`` column (Alembic's): the longest id
VERSION_NUM_LENGTH = 32


class DefaultImpl:
    """Operation implementation for a dialect with no specific support.

    Subclasses set ``__dialect__`` to the SQLAlchemy dialect name they serve.
    """

    __dialect__: ClassVar[str] = "default"
    transactional_ddl: ClassVar[bool] = False
    command_terminator: ClassVar[str] = ";"
    #: printed after each statement group in offline mode (``GO`` on SQL Server)
    batch_separator: ClassVar[str | None] = None
    #: whether ``alter_column`` changes the type before nullability and default
    type_first: ClassVar[bool] = False

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "__dialect__" in cls.__dict__:
            _REGISTRY[cls.__dialect__] = cls

    def __init__(
        self,
        dialect: Dialect,
        connection: Connection | None,
        as_sql: bool,
        transactional_ddl: bool | None,
        output_buffer: TextIO | None,
        context_opts: Mapping[str, Any],
    ) -> None:
        self.dialect = dialect
        self.connection = connection
        self.as_sql = as_sql
        self.literal_binds: bool = bool(context_opts.get("literal_binds", False))
        self.output_buffer = output_buffer
        self.context_opts = context_opts
        if transactional_ddl is not None:
            self.transactional_ddl = transactional_ddl  # type: ignore[misc]
        if self.literal_binds and not self.as_sql:
            raise ValueError("literal_binds only applies to offline (--sql) mode")
        #: what SQLAlchemy's DDL events note per run (``_ddl_runner``): PostgreSQL's named
        #: types record here the ones already created, so two tables sharing one are fine
        self.memo: dict[str, Any] = {}
        self._mock_bind: MockConnection | None = None

    @classmethod
    def get_by_dialect(cls, dialect: Dialect) -> type[DefaultImpl]:
        """The implementation class registered for ``dialect`` (``DefaultImpl`` if none)."""
        return impl_for_dialect(dialect.name)

    @property
    def bind(self) -> Connection | None:
        return self.connection

    def version_table_impl(
        self,
        *,
        version_table: str,
        version_table_schema: str | None,
        version_table_pk: bool,
        **kw: Any,
    ) -> Table:
        """The version table's structure: a ``version_num`` string column, keyed by default.

        A dialect may override it for another layout; the table must be named
        ``version_table`` and hold a string column ``version_num`` (one row per head).
        """
        table = Table(
            version_table,
            MetaData(),
            Column("version_num", String(VERSION_NUM_LENGTH), nullable=False),
            schema=version_table_schema,
        )
        if version_table_pk:
            table.append_constraint(
                PrimaryKeyConstraint("version_num", name=f"{version_table}_pkc")
            )
        return table

    @property
    def ddl_bind(self) -> Connection | MockConnection:
        """What a table's DDL events (``before_create``, ``after_drop``...) run on.

        Online, the connection; offline, a mock connection that writes every statement an
        event emits (such as PostgreSQL's ``CREATE TYPE``) to the script through ``_exec``.
        """
        if self.connection is not None:
            return self.connection
        if self._mock_bind is None:
            self._mock_bind = MockConnection(
                self.dialect, lambda construct, *args, **kw: self._exec(construct)
            )
        return self._mock_bind

    def static_output(self, text_: str) -> None:
        """Write ``text_`` to the offline script, followed by a blank line."""
        assert self.output_buffer is not None
        self.output_buffer.write(text_ + "\n\n")
        self.output_buffer.flush()

    def emit_begin(self) -> None:
        """Write the statement that opens a transaction in an offline script."""
        self.static_output("BEGIN" + self.command_terminator)

    def emit_commit(self) -> None:
        """Write the statement that commits a transaction in an offline script."""
        self.static_output("COMMIT" + self.command_terminator)
        if self.batch_separator:
            self.static_output(self.batch_separator)

    def _exec(
        self,
        construct: Executable | str,
        execution_options: Mapping[str, Any] | None = None,
        multiparams: Sequence[Mapping[str, Any]] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> CursorResult[Any] | None:
        if isinstance(construct, str):
            construct = text(construct)
        if self.as_sql:
            if multiparams or params:
                raise ValueError("bound parameters cannot be rendered in offline (--sql) mode")
            assert isinstance(construct, ClauseElement)
            compile_kw: dict[str, Any] = {"compile_kwargs": {"literal_binds": True}}
            self._write_statement(str(construct.compile(dialect=self.dialect, **compile_kw)))
            return None
        assert self.connection is not None, "online execution needs a connection"
        conn = self.connection
        if execution_options:
            conn = conn.execution_options(**execution_options)
        if multiparams:
            return conn.execute(construct, list(multiparams))
        return conn.execute(construct, dict(params or {}))

    def _write_statement(self, sql: str) -> None:
        """Write one compiled statement to the offline script, with terminator and separator."""
        self.static_output(sql.replace("\t", "    ").strip() + self.command_terminator)
        if self.batch_separator:
            self.static_output(self.batch_separator)

    # -- Alembic's comparison hooks (autogenerate's rules for this dialect) ----------------

    def compare_type(self, inspector_column: Column[Any], metadata_column: Column[Any]) -> bool:
        """Whether the reflected column's type differs from the model column's, as
        autogenerate judges it on this database (True: there is a difference)."""
        from gitmig.autogenerate.dialects import rules_for

        rules = rules_for(self.dialect.name, bool(getattr(self.dialect, "is_mariadb", False)))
        try:
            reflected = inspector_column.type.compile(dialect=self.dialect)
            model = metadata_column.type.compile(dialect=self.dialect)
        except (CompileError, UnsupportedCompilationError):
            return False  # a type this database cannot spell: nothing to compare
        return rules.types_differ(
            rules.type_signature(reflected, reflected=True),
            rules.type_signature(model, reflected=False),
        )

    def compare_server_default(
        self,
        inspector_column: Column[Any] | None,
        metadata_column: Column[Any] | None,
        rendered_metadata_default: str | None,
        rendered_inspector_default: str | None,
    ) -> bool:
        """Whether two server defaults, as SQL text, differ (True: there is a difference)."""
        if rendered_metadata_default is None or rendered_inspector_default is None:
            return rendered_metadata_default != rendered_inspector_default
        from gitmig.autogenerate.dialects import rules_for

        rules = rules_for(self.dialect.name, bool(getattr(self.dialect, "is_mariadb", False)))
        return rules.normalize_default(rendered_inspector_default) != rules.normalize_default(
            rendered_metadata_default
        )

    def execute(
        self,
        sql: Executable | str,
        execution_options: Mapping[str, Any] | None = None,
    ) -> None:
        """Run (or, offline, write) one statement."""
        self._exec(sql, execution_options)

    # -- tables -------------------------------------------------------------------------

    def create_table(self, table: Table, if_not_exists: bool | None = None) -> None:
        """``CREATE TABLE``, then its indexes, then comments where they are not inline.

        The table's ``before_create``/``after_create`` events run around it, as in
        ``Table.create()``: that is how a PostgreSQL ENUM column gets its ``CREATE TYPE``.
        """
        # offline there is nothing to check against: the script creates what the table needs
        checkfirst = bool(if_not_exists) and not self.as_sql
        events: dict[str, Any] = {"checkfirst": checkfirst, "_ddl_runner": self}
        table.dispatch.before_create(table, self.ddl_bind, **events)
        self._exec(CreateTable(table, if_not_exists=bool(if_not_exists)))
        table.dispatch.after_create(table, self.ddl_bind, **events)
        if self.dialect.supports_comments and not self.dialect.inline_comments:
            if table.comment is not None:
                self.create_table_comment(table)
            for column in table.columns:
                if column.comment is not None:
                    self.create_column_comment(column)
        for index in sorted(table.indexes, key=lambda ix: ix.name or ""):
            self._exec(CreateIndex(index, if_not_exists=bool(if_not_exists)))

    def drop_table(self, table: Table, if_exists: bool | None = None) -> None:
        """``DROP TABLE``, inside the table's ``before_drop``/``after_drop`` events."""
        events: dict[str, Any] = {"checkfirst": False, "_ddl_runner": self}
        table.dispatch.before_drop(table, self.ddl_bind, **events)
        self._exec(DropTable(table, if_exists=bool(if_exists)))
        table.dispatch.after_drop(table, self.ddl_bind, **events)

    def rename_table(
        self, old_table_name: str, new_table_name: str, schema: str | None = None
    ) -> None:
        self._exec(base.RenameTable(old_table_name, new_table_name, schema=schema))

    def _keeps_comments(self) -> bool:
        """Whether comment statements go out: a dialect gitmig knows to have no comments
        (SQLite) has nowhere to keep one; any dialect without an impl of its own gets the
        standard ``COMMENT ON`` statements, as under Alembic."""
        return bool(self.dialect.supports_comments) or type(self).__dialect__ == "default"

    def create_table_comment(self, table: Table) -> None:
        if self._keeps_comments():
            self._exec(SetTableComment(table))

    def drop_table_comment(self, table: Table) -> None:
        if self._keeps_comments():
            self._exec(DropTableComment(table))

    def create_column_comment(self, column: Column[Any]) -> None:
        if self._keeps_comments():
            self._exec(SetColumnComment(column))

    # -- columns ------------------------------------------------------------------------

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> None:
        """``ADD COLUMN``, then the constraints and indexes the column's flags imply.

        ``column`` may belong to a (stub) table, whose non-primary-key constraints (foreign
        keys, ``unique=True``) and indexes (``index=True``) are created after it.
        ``inline_references`` writes the column's one foreign key into the column
        (``REFERENCES t (c)``) instead; ``inline_primary_key`` writes ``PRIMARY KEY`` there.
        """
        self._exec(
            base.AddColumn(
                table_name,
                column,
                schema=schema,
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
            )
        )
        inlined = base.inline_foreign_key(column) if inline_references else None
        for constraint in self._column_constraints(column):
            if inlined is not None and constraint is inlined.constraint:
                continue
            self.add_constraint(constraint)
        if (
            column.comment is not None
            and self.dialect.supports_comments
            and not self.dialect.inline_comments
        ):
            self.create_column_comment(column)
        for index in self._column_indexes(column):
            self.create_index(index)

    def _column_constraints(self, column: Column[Any]) -> list[Constraint]:
        table = column.table
        if not isinstance(table, Table):
            return []
        return sorted(
            (
                c
                for c in table.constraints
                if not isinstance(c, PrimaryKeyConstraint) and self._wants(c)
            ),
            key=lambda c: str(c.name or ""),
        )

    def _wants(self, const: Constraint) -> bool:
        """Whether this dialect creates ``const``: a type's own CHECK (``Boolean``, a
        non-native ``Enum``) only where the type is not native (never on PostgreSQL)."""
        rule = const._create_rule
        return rule is None or bool(rule(self))

    @staticmethod
    def _column_indexes(column: Column[Any]) -> list[Index]:
        table = column.table
        if not isinstance(table, Table):
            return []
        return sorted(table.indexes, key=lambda ix: str(ix.name or ""))

    def drop_column(
        self,
        table_name: str,
        column: Column[Any] | str,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self._exec(base.DropColumn(table_name, column, schema=schema, if_exists=if_exists))

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
        """Emit one statement per change: nullability, default, type, comment, then name.

        That is Alembic's order (PostgreSQL changes the type first, see ``type_first``);
        the rename goes last because the other statements name the column by its old name.
        """
        common: dict[str, Any] = {
            "schema": schema,
            "existing_type": existing_type,
            "existing_nullable": existing_nullable,
            "existing_server_default": existing_server_default,
            "existing_comment": existing_comment,
        }
        if type_ is not None and self.type_first:
            self._exec(self._column_type(table_name, column_name, type_, kw, common))
        if nullable is not None:
            self._exec(base.ColumnNullable(table_name, column_name, nullable, **common))
        if server_default is not False:
            change = self._default_change(table_name, column_name, server_default, common)
            if change is None:
                change = base.ColumnDefault(table_name, column_name, server_default, **common)
            self._exec(change)
        if type_ is not None and not self.type_first:
            self._exec(self._column_type(table_name, column_name, type_, kw, common))
        if comment is not False and self.dialect.supports_comments:
            self._exec(base.ColumnComment(table_name, column_name, comment, **common))  # type: ignore[arg-type]
        if name is not None:
            self._exec(base.ColumnName(table_name, column_name, name, **common))

    @staticmethod
    def _default_change(
        table_name: str, column_name: str, server_default: Any, common: Mapping[str, Any]
    ) -> base.AlterColumn | None:
        """The construct for an identity or computed change of the default, else None."""
        existing = common.get("existing_server_default")
        if base.is_computed_change(server_default, existing):
            return base.ColumnComputed(table_name, column_name, server_default, **common)
        if base.is_identity_change(server_default, existing):
            return base.ColumnIdentity(table_name, column_name, server_default, **common)
        return None

    def _column_type(
        self,
        table_name: str,
        column_name: str,
        type_: Any,
        kw: Mapping[str, Any],
        common: Mapping[str, Any],
    ) -> base.ColumnType:
        return base.ColumnType(table_name, column_name, type_, **common)

    # -- indexes and constraints --------------------------------------------------------

    def create_index(self, index: Index, if_not_exists: bool | None = None, **kw: Any) -> None:
        self._exec(CreateIndex(index, if_not_exists=bool(if_not_exists)))

    def drop_index(self, index: Index, if_exists: bool | None = None, **kw: Any) -> None:
        self._exec(DropIndex(index, if_exists=bool(if_exists)))

    def add_constraint(self, const: Constraint) -> None:
        self._exec(AddConstraint(const))

    def drop_constraint(self, const: Constraint, if_exists: bool | None = None) -> None:
        """``ALTER TABLE t DROP CONSTRAINT [IF EXISTS] name``."""
        self._exec(DropConstraint(const, if_exists=bool(if_exists)))

    # -- data ---------------------------------------------------------------------------

    def bulk_insert(
        self,
        table: TableClause,
        rows: Sequence[Mapping[str, Any]],
        multiinsert: bool = True,
    ) -> None:
        """Insert ``rows``; offline, each row is one ``INSERT`` with inline literals."""
        if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
            raise TypeError(
                f"List expected: bulk_insert() takes a list of dictionaries, "
                f"not a {type(rows).__name__}"
            )
        for row in rows:
            if not isinstance(row, Mapping):
                raise TypeError(
                    f"List of dictionaries expected: bulk_insert() got a row that is a "
                    f"{type(row).__name__}"
                )
            unknown = set(row) - set(table.c.keys())
            if unknown:
                raise ValueError(
                    f"bulk_insert() row names {', '.join(sorted(unknown))}, "
                    f"which table {table.name!r} does not have"
                )
        if not rows:
            return
        has_sql = any(isinstance(v, ClauseElement) for row in rows for v in row.values())
        if self.as_sql:
            for row in rows:
                self._exec(table.insert().values(self._literal_row(table, row)))
        elif multiinsert and not has_sql:
            self._exec(table.insert(), multiparams=[dict(row) for row in rows])
        else:
            for row in rows:
                self._exec(table.insert().values(dict(row)))

    @staticmethod
    def _literal_row(table: TableClause, row: Mapping[str, Any]) -> dict[str, Any]:
        return {
            key: value
            if isinstance(value, ClauseElement)
            else literal(value, type_=table.c[key].type)
            for key, value in row.items()
        }

    # -- batch mode hooks ---------------------------------------------------------------

    def requires_recreate_in_batch(self, batch_op: Any) -> bool:
        """Whether batch mode with ``recreate="auto"`` must copy the table (SQLite: often)."""
        return False

    def batch_transfer(
        self, expr: ColumnElement[Any], old: TypeEngine[Any], new: TypeEngine[Any]
    ) -> ColumnElement[Any]:
        """How batch mode copies a column whose type changes: CAST only across affinities
        (a VARCHAR widened to TEXT is copied as it is)."""
        if old._type_affinity is new._type_affinity:
            return expr
        return cast(expr, new)

    def correct_reflected_table(self, table: Table, connection: Connection) -> None:
        """Fill in what reflection missed about ``table`` before batch mode copies it."""

    def prep_table_for_batch(self, batch_impl: Any, table: Table) -> None:
        """Free names the recreated table will reuse, before it is created."""


def impl_for_dialect(name: str) -> type[DefaultImpl]:
    """The implementation class registered for dialect ``name`` (``DefaultImpl`` if none)."""
    # importing any gitmig.ddl module runs gitmig/ddl/__init__.py first, which imports every
    # dialect module: all of them are registered before anyone can call this
    return _REGISTRY.get(name, DefaultImpl)
