"""``Operations``: the ``op.*`` API of revision scripts, and its extension registries.

Each method builds an op object from :mod:`gitmig.operations.ops` and ``invoke()``\\ s it;
the function registered for the op's class (see :mod:`gitmig.operations.toimpl`) turns it
into calls on the dialect implementation.  Users add operations with
:meth:`Operations.register_operation` and :meth:`Operations.implementation_for`.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, cast

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import BindParameter, conv

from gitmig.exc import GitmigError, UnsupportedOperationError
from gitmig.operations import ops
from gitmig.operations.schemaobj import SchemaObjects

if TYPE_CHECKING:
    from sqlalchemy import Column, Table
    from sqlalchemy.engine import Connection
    from sqlalchemy.sql.base import Executable
    from sqlalchemy.sql.compiler import SQLCompiler
    from sqlalchemy.sql.elements import ColumnElement, TextClause
    from sqlalchemy.sql.schema import SchemaItem
    from sqlalchemy.types import TypeEngine

    from gitmig.ddl.impl import DefaultImpl
    from gitmig.operations.batch import BatchOperationsImpl
    from gitmig.runtime.migration import MigrationContext

__all__ = ["AbstractOperations", "BatchOperations", "Operations", "inline_literal"]

_T = TypeVar("_T")
_R = TypeVar("_R")
_OpFn = Callable[[Any, Any], Any]


class _Installed(threading.local):
    # Per thread, so that `gitmig fleet` can migrate several targets at once in one
    # process: `op` in a revision talks to the migration of its own thread.
    def __init__(self) -> None:
        #: the Operations objects installed by Operations.context(), innermost last
        self.items: list[AbstractOperations] = []


_installed_stack = _Installed()


class _InlineLiteral(BindParameter[Any]):
    """A bound value always rendered as a SQL literal, online and offline."""

    # The value is part of the SQL text, so a statement holding one must not be served
    # from SQLAlchemy's compiled cache (whose key leaves bound values out).
    inherit_cache = False


@compiles(_InlineLiteral)
def _render_inline_literal(element: _InlineLiteral, compiler: SQLCompiler, **kw: Any) -> str:
    rendered: str = compiler.render_literal_bindparam(element, **kw)  # type: ignore[no-untyped-call]
    return rendered


def inline_literal(value: Any, type_: TypeEngine[Any] | None = None) -> BindParameter[Any]:
    """``value`` as a literal written into the SQL text (escaped for the dialect).

    For data changes that must also appear in offline scripts, where bound parameters are
    impossible::

        account = table("account", column("name", String))
        op.execute(
            account.update()
            .where(account.c.name == op.inline_literal("O'Brien"))
            .values(name=op.inline_literal("Obrien"))
        )
    """
    return _InlineLiteral(None, value, type_=type_, unique=True)


class AbstractOperations:
    """What ``Operations`` and ``BatchOperations`` share: registries, context, helpers."""

    _to_impl: ClassVar[dict[type[ops.MigrateOperation], _OpFn]] = {}

    def __init__(
        self,
        migration_context: MigrationContext,
        impl: DefaultImpl | BatchOperationsImpl | None = None,
    ) -> None:
        self.migration_context = migration_context
        self.impl: Any = impl if impl is not None else migration_context.impl
        self.schema_obj = SchemaObjects(migration_context)

    # -- registries -----------------------------------------------------------------

    @classmethod
    def register_operation(
        cls, name: str, sourcename: str | None = None
    ) -> Callable[[type[_T]], type[_T]]:
        """Class decorator: expose an op class as the method ``name`` of this class.

        The op class provides a classmethod ``sourcename`` (default ``name``) taking the
        operations object first; it usually builds the op and returns
        ``operations.invoke(op)``::

            @Operations.register_operation("create_sequence")
            class CreateSequenceOp(MigrateOperation):
                def __init__(self, name):
                    self.name = name

                @classmethod
                def create_sequence(cls, operations, name):
                    return operations.invoke(cls(name))

            @Operations.implementation_for(CreateSequenceOp)
            def create_sequence(operations, operation):
                operations.execute(f"CREATE SEQUENCE {operation.name}")
        """

        def register(op_cls: type[_T]) -> type[_T]:
            source = getattr(op_cls, sourcename or name)

            def method(self: AbstractOperations, *args: Any, **kw: Any) -> Any:
                return source(self, *args, **kw)

            functools.update_wrapper(method, source)
            method.__name__ = name
            method.__qualname__ = f"{cls.__name__}.{name}"
            setattr(cls, name, method)
            return op_cls

        return register

    @classmethod
    def implementation_for(
        cls, op_cls: type[ops.MigrateOperation], replace: bool = False
    ) -> Callable[[_T], _T]:
        """Decorator: ``fn(operations, operation)`` runs ops of class ``op_cls``.

        An operation class has one implementation; ``replace=True`` swaps in another (for
        example one that calls the built-in and then logs), as Alembic allows.
        """
        if op_cls in cls._to_impl and not replace:
            raise ValueError(
                f"{op_cls.__name__} has an implementation already; pass replace=True to "
                "Operations.implementation_for() to replace it"
            )

        def decorate(fn: _T) -> _T:
            cls._to_impl[op_cls] = fn  # type: ignore[assignment]
            return fn

        return decorate

    def invoke(self, operation: ops.MigrateOperation) -> Any:
        """Run ``operation`` through the implementation registered for its class."""
        # An ``operation_observer`` in the context's options, fn(operations, operation),
        # sees each op first: `gitmig lint` records a revision's ops that way.
        observer = self.migration_context.opts.get("operation_observer")
        if observer is not None:
            observer(self, operation)
        for klass in type(operation).__mro__:
            fn = self._to_impl.get(klass)
            if fn is not None:
                return fn(self, operation)
        raise UnsupportedOperationError(
            f"no implementation is registered for {type(operation).__name__}; "
            "register one with Operations.implementation_for()"
        )

    # -- the op proxy ---------------------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def context(cls, operations: AbstractOperations) -> Iterator[AbstractOperations]:
        """Make ``operations`` what ``from gitmig import op`` talks to, for the block."""
        _installed_stack.items.append(operations)
        try:
            yield operations
        finally:
            _installed_stack.items.remove(operations)

    @staticmethod
    def installed() -> bool:
        """Whether a migration (or ``Operations.context()``) has installed operations."""
        return bool(_installed_stack.items)

    @staticmethod
    def current() -> AbstractOperations:
        """The innermost installed operations object; an error outside a migration."""
        _installed = _installed_stack.items
        if not _installed:
            raise GitmigError(
                "gitmig.op can only be used while a migration runs "
                "(inside upgrade()/downgrade(), or within Operations.context())"
            )
        return _installed[-1]

    # -- helpers --------------------------------------------------------------------

    def get_context(self) -> MigrationContext:
        """The ``MigrationContext`` this migration runs in.

        Example: ``if op.get_context().as_sql: ...``
        """
        return self.migration_context

    def get_bind(self) -> Connection:
        """The connection the migration runs on.

        Offline (``--sql``) it is, as in Alembic, a mock connection: ``.dialect`` works and
        ``.execute(statement)`` writes the statement to the script; it cannot return rows.

        Example: ``count = op.get_bind().scalar(text("SELECT count(*) FROM account"))``
        """
        # A MockConnection offline: typed as Connection, as Alembic does, so that scripts
        # written against the online API type-check.
        return cast("Connection", self.migration_context.impl.ddl_bind)

    def run_async(self, async_function: Callable[..., Awaitable[_R]], *args: Any, **kw: Any) -> _R:
        """Run ``async_function(async_connection, *args, **kw)`` and return its result.

        The async connection wraps the migration's own connection, so it shares its
        transaction; this needs an async driver (e.g. ``postgresql+asyncpg``).

        Example: ``op.run_async(fill_defaults, "account")`` with
        ``async def fill_defaults(conn, table): await conn.execute(...)``
        """
        if self.migration_context.as_sql:
            raise UnsupportedOperationError("run_async needs a database: it cannot run offline")
        sync_conn = self.get_bind()
        if not sync_conn.dialect.is_async:
            raise UnsupportedOperationError(
                f"run_async needs an async driver; this connection uses "
                f"{sync_conn.dialect.name}+{sync_conn.dialect.driver}"
            )
        from sqlalchemy.ext.asyncio import AsyncConnection
        from sqlalchemy.util import await_only

        async_conn = AsyncConnection._retrieve_proxy_for_target(sync_conn)
        return await_only(async_function(async_conn, *args, **kw))

    @staticmethod
    def inline_literal(value: Any, type_: TypeEngine[Any] | None = None) -> BindParameter[Any]:
        """See :func:`gitmig.operations.base.inline_literal`.

        Example: ``op.execute(t.update().values(status=op.inline_literal("done")))``
        """
        return inline_literal(value, type_)

    @staticmethod
    def f(name: str) -> conv:
        """Mark ``name`` as final: the naming convention must not rewrite it.

        Example: ``op.drop_constraint(op.f("uq_account_email"), "account", type_="unique")``
        """
        return conv(name)

    def execute(
        self,
        sqltext: str | Executable,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> None:
        """Run a SQL string or SQLAlchemy statement (offline: write it).

        Example: ``op.execute("UPDATE account SET active = TRUE")``
        """
        self.invoke(ops.ExecuteSQLOp(sqltext, execution_options=execution_options))

    @contextlib.contextmanager
    def batch_alter_table(
        self,
        table_name: str,
        schema: str | None = None,
        recreate: Literal["auto", "always", "never"] = "auto",
        partial_reordering: Sequence[tuple[str, ...]] | None = None,
        copy_from: Table | None = None,
        table_args: tuple[Any, ...] = (),
        table_kwargs: Mapping[str, Any] | None = None,
        reflect_args: tuple[Any, ...] = (),
        reflect_kwargs: Mapping[str, Any] | None = None,
        naming_convention: Mapping[str, str] | None = None,
    ) -> Iterator[BatchOperations]:
        """Group changes to one table; on SQLite, apply them by rebuilding the table.

        ``recreate="auto"`` rebuilds only when the dialect cannot ALTER (SQLite, for most
        changes); ``"always"`` rebuilds everywhere; ``"never"`` only ALTERs.  The rebuild
        ("move and copy") creates the new table, copies every row, drops the old table,
        renames the new one and recreates the indexes.  Offline it needs ``copy_from`` (the
        table as it is now), since there is no database to reflect.  See docs/batch.md.

        Example::

            with op.batch_alter_table("account") as batch_op:
                batch_op.alter_column("email", nullable=False, existing_type=String(200))
                batch_op.create_unique_constraint("uq_account_email", ["email"])
        """
        from gitmig.operations.batch import BatchOperationsImpl

        impl = BatchOperationsImpl(
            self,
            table_name,
            schema,
            recreate,
            copy_from,
            table_args,
            table_kwargs or {},
            reflect_args,
            reflect_kwargs or {},
            naming_convention,
            partial_reordering or (),
        )
        batch_op = BatchOperations(self.migration_context, impl=impl)
        yield batch_op
        impl.flush()


class Operations(AbstractOperations):
    """The operations of a revision script, reached as ``from gitmig import op``.

    Names, arguments and behaviour follow Alembic's ``op``.
    """

    # -- tables ---------------------------------------------------------------------

    def create_table(
        self,
        table_name: str,
        *columns: SchemaItem,
        if_not_exists: bool | None = None,
        schema: str | None = None,
        **kw: Any,
    ) -> Table:
        """Create a table from columns, constraints and indexes; returns the ``Table``.

        ``kw`` may hold ``comment``, ``info``, ``prefixes`` and dialect kwargs.
        The returned table is handy for ``bulk_insert``::

            account = op.create_table(
                "account",
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("name", sa.String(50), nullable=False),
            )
            op.bulk_insert(account, [{"id": 1, "name": "root"}])
        """
        op_ = ops.CreateTableOp(
            table_name, columns, schema=schema, if_not_exists=if_not_exists, **kw
        )
        result: Table = self.invoke(op_)
        return result

    def drop_table(
        self,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Drop a table.

        Example: ``op.drop_table("account")``
        """
        self.invoke(ops.DropTableOp(table_name, schema=schema, if_exists=if_exists, table_kw=kw))

    def rename_table(
        self, old_table_name: str, new_table_name: str, *, schema: str | None = None
    ) -> None:
        """Rename a table.

        Example: ``op.rename_table("account", "customer")``
        """
        self.invoke(ops.RenameTableOp(old_table_name, new_table_name, schema=schema))

    def create_table_comment(
        self,
        table_name: str,
        comment: str | None,
        *,
        existing_comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        """Set a table's comment (nothing to do on SQLite, which has none).

        Example: ``op.create_table_comment("account", "one row per customer")``
        """
        self.invoke(
            ops.CreateTableCommentOp(
                table_name, comment, existing_comment=existing_comment, schema=schema
            )
        )

    def drop_table_comment(
        self,
        table_name: str,
        *,
        existing_comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        """Remove a table's comment.

        Example: ``op.drop_table_comment("account", existing_comment="one row per customer")``
        """
        self.invoke(
            ops.DropTableCommentOp(table_name, existing_comment=existing_comment, schema=schema)
        )

    # -- columns --------------------------------------------------------------------

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        """Add a column; its ``ForeignKey``, ``unique=True`` and ``index=True`` come along.

        The foreign key is added as its own constraint, unless ``inline_references=True``
        writes it into the column (``REFERENCES t (c)``; only for a column with one foreign
        key). ``primary_key=True`` only makes the column NOT NULL, unless
        ``inline_primary_key=True`` writes ``PRIMARY KEY`` into it.

        Example: ``op.add_column("item", sa.Column("kind_id", sa.ForeignKey("kind.id")))``
        """
        self.invoke(
            ops.AddColumnOp(
                table_name,
                column,
                schema=schema,
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
            )
        )

    def drop_column(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Drop a column (``mssql_drop_default``/``_check``/``_foreign_key`` on SQL Server).

        Example: ``op.drop_column("account", "age")``
        """
        self.invoke(
            ops.DropColumnOp(table_name, column_name, schema=schema, if_exists=if_exists, **kw)
        )

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: str | Literal[False] | None = False,
        server_default: Any = False,
        new_column_name: str | None = None,
        type_: TypeEngine[Any] | type[TypeEngine[Any]] | None = None,
        existing_type: TypeEngine[Any] | type[TypeEngine[Any]] | None = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """Change a column's nullability, type, server default, comment or name.

        ``server_default=None`` and ``comment=None`` remove them; ``False`` (the default)
        leaves them alone.  MySQL/MariaDB and SQL Server restate the column, so give the
        ``existing_*`` values; ``postgresql_using`` supplies PostgreSQL's ``USING``.
        ``autoincrement``/``existing_autoincrement`` go in ``kw``.  On SQLite only renames
        work outside batch mode.  Example::

            op.alter_column(
                "account", "age",
                type_=sa.BigInteger, existing_type=sa.Integer, existing_nullable=True,
                postgresql_using="age::bigint",
            )
        """
        self.invoke(
            ops.AlterColumnOp(
                table_name,
                column_name,
                schema=schema,
                existing_type=existing_type,
                existing_server_default=existing_server_default,
                existing_nullable=existing_nullable,
                existing_comment=existing_comment,
                modify_nullable=nullable,
                modify_comment=comment,
                modify_server_default=server_default,
                modify_name=new_column_name,
                modify_type=type_,
                **kw,
            )
        )

    # -- indexes and constraints ----------------------------------------------------

    def create_index(
        self,
        index_name: str | None,
        table_name: str,
        columns: Sequence[str | TextClause | ColumnElement[Any]],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Create an index; columns are names or expressions (``sa.text("lower(name)")``).

        Dialect kwargs pass through: ``postgresql_where``, ``postgresql_concurrently`` (run
        it in ``op.get_context().autocommit_block()``), ``mysql_length``...
        Example: ``op.create_index("ix_account_name", "account", ["name"], unique=True)``
        """
        self.invoke(
            ops.CreateIndexOp(
                index_name,
                table_name,
                columns,
                schema=schema,
                unique=unique,
                if_not_exists=if_not_exists,
                **kw,
            )
        )

    def drop_index(
        self,
        index_name: str,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Drop an index (MySQL/MariaDB and SQL Server need ``table_name``).

        Example: ``op.drop_index("ix_account_name", table_name="account")``
        """
        self.invoke(
            ops.DropIndexOp(index_name, table_name, schema=schema, if_exists=if_exists, **kw)
        )

    def create_primary_key(
        self,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
    ) -> None:
        """Add a primary key on existing columns.

        Example: ``op.create_primary_key("pk_account", "account", ["id"])``
        """
        self.invoke(ops.CreatePrimaryKeyOp(constraint_name, table_name, columns, schema=schema))

    def create_unique_constraint(
        self,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """Add a unique constraint (``deferrable``, ``initially`` in ``kw``).

        Example: ``op.create_unique_constraint("uq_account_email", "account", ["email"])``
        """
        self.invoke(
            ops.CreateUniqueConstraintOp(constraint_name, table_name, columns, schema=schema, **kw)
        )

    def create_foreign_key(
        self,
        constraint_name: str | None,
        source_table: str,
        referent_table: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        *,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        **dialect_kw: Any,
    ) -> None:
        """Add a foreign key from ``source_table(local_cols)`` to ``referent_table(remote_cols)``.

        Example::

            op.create_foreign_key(
                "fk_order_account", "order", "account", ["account_id"], ["id"],
                ondelete="CASCADE",
            )
        """
        self.invoke(
            ops.CreateForeignKeyOp(
                constraint_name,
                source_table,
                referent_table,
                local_cols,
                remote_cols,
                onupdate=onupdate,
                ondelete=ondelete,
                deferrable=deferrable,
                initially=initially,
                match=match,
                source_schema=source_schema,
                referent_schema=referent_schema,
                **dialect_kw,
            )
        )

    def create_check_constraint(
        self,
        constraint_name: str | None,
        table_name: str,
        condition: str | ColumnElement[bool] | TextClause,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """Add a check constraint; ``condition`` is SQL text or an expression.

        Example: ``op.create_check_constraint("ck_account_age", "account", "age >= 0")``
        """
        self.invoke(
            ops.CreateCheckConstraintOp(constraint_name, table_name, condition, schema=schema, **kw)
        )

    def drop_constraint(
        self,
        constraint_name: str,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
    ) -> None:
        """Drop a named constraint; ``type_`` (``foreignkey``, ``primary``, ``unique``,
        ``check``) is required on MySQL/MariaDB. ``if_exists=True`` writes
        ``DROP CONSTRAINT IF EXISTS`` (PostgreSQL, MariaDB; MySQL has no such clause).

        Example: ``op.drop_constraint("uq_account_email", "account", type_="unique")``
        """
        self.invoke(
            ops.DropConstraintOp(
                constraint_name, table_name, type_, schema=schema, if_exists=if_exists
            )
        )

    # -- data -----------------------------------------------------------------------

    def bulk_insert(
        self,
        table: Any,
        rows: Sequence[Mapping[str, Any]],
        *,
        multiinsert: bool = True,
    ) -> None:
        """Insert rows into a ``Table`` or ``sa.table()`` construct.

        Online, ``multiinsert=True`` sends all rows in one executemany; offline, each row
        becomes an ``INSERT`` with literal values escaped for the dialect.  Example::

            account = sa.table("account", sa.column("id", sa.Integer),
                               sa.column("name", sa.String))
            op.bulk_insert(account, [{"id": 1, "name": "O'Brien"}, {"id": 2, "name": None}])
        """
        self.invoke(ops.BulkInsertOp(table, rows, multiinsert=multiinsert))


class BatchOperations(AbstractOperations):
    """The operations available inside ``with op.batch_alter_table(...) as batch_op:``.

    They name no table (the batch's table is implied) and run when the block ends.
    """

    impl: BatchOperationsImpl

    @property
    def _table(self) -> tuple[str, str | None]:
        return self.impl.table_name, self.impl.schema

    def add_column(
        self,
        column: Column[Any],
        *,
        insert_before: str | None = None,
        insert_after: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        """Add a column; ``insert_before``/``insert_after`` place it when the table is rebuilt.

        ``inline_references``/``inline_primary_key`` as for ``Operations.add_column`` (a
        rebuild writes the whole table, foreign keys and primary key included, anyway).

        Example: ``batch_op.add_column(sa.Column("age", sa.Integer), insert_after="name")``
        """
        name, schema = self._table
        kw: dict[str, Any] = {}
        if insert_before:
            kw["insert_before"] = insert_before
        if insert_after:
            kw["insert_after"] = insert_after
        self.invoke(
            ops.AddColumnOp(
                name,
                column,
                schema=schema,
                if_not_exists=if_not_exists,
                inline_references=inline_references,
                inline_primary_key=inline_primary_key,
                **kw,
            )
        )

    def alter_column(
        self,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: str | Literal[False] | None = False,
        server_default: Any = False,
        new_column_name: str | None = None,
        type_: TypeEngine[Any] | type[TypeEngine[Any]] | None = None,
        existing_type: TypeEngine[Any] | type[TypeEngine[Any]] | None = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        """Change a column (see ``Operations.alter_column``); on SQLite the table is rebuilt.

        Example: ``batch_op.alter_column("age", type_=sa.BigInteger, nullable=False)``
        """
        name, schema = self._table
        if insert_before:
            kw["insert_before"] = insert_before
        if insert_after:
            kw["insert_after"] = insert_after
        self.invoke(
            ops.AlterColumnOp(
                name,
                column_name,
                schema=schema,
                existing_type=existing_type,
                existing_server_default=existing_server_default,
                existing_nullable=existing_nullable,
                existing_comment=existing_comment,
                modify_nullable=nullable,
                modify_comment=comment,
                modify_server_default=server_default,
                modify_name=new_column_name,
                modify_type=type_,
                **kw,
            )
        )

    def drop_column(self, column_name: str, **kw: Any) -> None:
        """Drop a column, with the indexes and constraints that only it made sense for.

        Example: ``batch_op.drop_column("age")``
        """
        name, schema = self._table
        self.invoke(ops.DropColumnOp(name, column_name, schema=schema, **kw))

    def create_primary_key(self, constraint_name: str | None, columns: Sequence[str]) -> None:
        """Make ``columns`` the primary key.

        Example: ``batch_op.create_primary_key("pk_account", ["id"])``
        """
        name, schema = self._table
        self.invoke(ops.CreatePrimaryKeyOp(constraint_name, name, columns, schema=schema))

    def create_unique_constraint(
        self, constraint_name: str | None, columns: Sequence[str], **kw: Any
    ) -> None:
        """Add a unique constraint.

        Example: ``batch_op.create_unique_constraint("uq_account_email", ["email"])``
        """
        name, schema = self._table
        self.invoke(
            ops.CreateUniqueConstraintOp(constraint_name, name, columns, schema=schema, **kw)
        )

    def create_foreign_key(
        self,
        constraint_name: str | None,
        referent_table: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        *,
        referent_schema: str | None = None,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        **dialect_kw: Any,
    ) -> None:
        """Add a foreign key from this table.

        Example::

            batch_op.create_foreign_key("fk_order_account", "account", ["account_id"], ["id"])
        """
        name, schema = self._table
        self.invoke(
            ops.CreateForeignKeyOp(
                constraint_name,
                name,
                referent_table,
                local_cols,
                remote_cols,
                onupdate=onupdate,
                ondelete=ondelete,
                deferrable=deferrable,
                initially=initially,
                match=match,
                source_schema=schema,
                referent_schema=referent_schema,
                **dialect_kw,
            )
        )

    def create_check_constraint(
        self,
        constraint_name: str | None,
        condition: str | ColumnElement[bool] | TextClause,
        **kw: Any,
    ) -> None:
        """Add a check constraint.

        Example: ``batch_op.create_check_constraint("ck_account_age", "age >= 0")``
        """
        name, schema = self._table
        self.invoke(
            ops.CreateCheckConstraintOp(constraint_name, name, condition, schema=schema, **kw)
        )

    def drop_constraint(self, constraint_name: str, type_: str | None = None) -> None:
        """Drop a named constraint.

        Example: ``batch_op.drop_constraint("uq_account_email", type_="unique")``
        """
        name, schema = self._table
        self.invoke(ops.DropConstraintOp(constraint_name, name, type_, schema=schema))

    def create_index(
        self,
        index_name: str | None,
        columns: Sequence[str | TextClause | ColumnElement[Any]],
        **kw: Any,
    ) -> None:
        """Create an index on this table.

        Example: ``batch_op.create_index("ix_account_name", ["name"])``
        """
        name, schema = self._table
        self.invoke(ops.CreateIndexOp(index_name, name, columns, schema=schema, **kw))

    def drop_index(self, index_name: str, **kw: Any) -> None:
        """Drop an index of this table.

        Example: ``batch_op.drop_index("ix_account_name")``
        """
        name, schema = self._table
        self.invoke(ops.DropIndexOp(index_name, name, schema=schema, **kw))

    def create_table_comment(
        self, comment: str | None, *, existing_comment: str | None = None
    ) -> None:
        """Set this table's comment.

        Example: ``batch_op.create_table_comment("one row per customer")``
        """
        name, schema = self._table
        self.invoke(
            ops.CreateTableCommentOp(
                name, comment, existing_comment=existing_comment, schema=schema
            )
        )

    def drop_table_comment(self, *, existing_comment: str | None = None) -> None:
        """Remove this table's comment.

        Example: ``batch_op.drop_table_comment()``
        """
        name, schema = self._table
        self.invoke(ops.DropTableCommentOp(name, existing_comment=existing_comment, schema=schema))
