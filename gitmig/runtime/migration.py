"""MigrationContext: a database connection (or an offline SQL buffer) plus migration options.

It owns what a run does to the database around the revisions themselves: the version table
(one row per applied head), the transactions (one for the whole run where DDL is
transactional, else one per step), the migration lock, offline script framing, progress
logging and the failure report.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, bindparam, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import url as sqla_url
from sqlalchemy.schema import CreateTable, DropTable

from gitmig.ddl.impl import DefaultImpl
from gitmig.exc import MigrationError, MultipleHeadsError
from gitmig.runtime.lock import (
    DEFAULT_LOCK_TIMEOUT,
    MigrationLock,
    lock_for_dialect,
    lock_key,
)
from gitmig.util.messaging import format_ids

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlalchemy.engine import Connection, Dialect, RootTransaction
    from sqlalchemy.sql.base import Executable
    from sqlalchemy.sql.compiler import SQLCompiler
    from sqlalchemy.sql.dml import UpdateBase
    from sqlalchemy.sql.elements import BindParameter

    from gitmig.script.base import ScriptDirectory

__all__ = ["DEFAULT_VERSION_TABLE", "MigrationContext", "MigrationStep", "describe_rows"]

log = logging.getLogger(__name__)

DEFAULT_VERSION_TABLE = "gitmig_version"


@dataclass(frozen=True)
class MigrationStep:
    """One unit of a run: a revision's ``upgrade()``/``downgrade()``, or a stamp.

    ``from_rows``/``to_rows`` are the version table's rows before and after the step; the
    context turns the difference into INSERT/UPDATE/DELETE.  ``migration_fn`` is called with
    the keyword arguments given to ``run_migrations()`` (``None`` for a stamp).
    """

    kind: str
    from_rows: tuple[str, ...]
    to_rows: tuple[str, ...]
    revision: str | None = None
    down_revisions: tuple[str, ...] = ()
    doc: str = ""
    path: str | None = None
    migration_fn: Callable[..., None] | None = field(default=None, compare=False)

    @property
    def is_upgrade(self) -> bool:
        return self.kind == "upgrade"

    @property
    def is_stamp(self) -> bool:
        return self.kind == "stamp"

    @property
    def up_revision_ids(self) -> tuple[str, ...]:
        """The ids on the newer side of the step (Alembic's ``MigrationInfo`` name)."""
        if self.is_stamp:
            return self.to_rows
        return (self.revision,) if self.revision else ()

    @property
    def down_revision_ids(self) -> tuple[str, ...]:
        """The ids on the older side of the step."""
        return self.from_rows if self.is_stamp else self.down_revisions

    @property
    def short_log(self) -> str:
        """``upgrade A -> B, message`` as the progress log and offline comments show it."""
        if self.is_stamp:
            source, dest = self.from_rows, self.to_rows
        elif self.is_upgrade:
            source, dest = self.down_revisions, self.up_revision_ids
        else:
            source, dest = self.up_revision_ids, self.down_revisions
        text = f"{self.kind} {', '.join(source)} -> {', '.join(dest)}".replace("  ", " ")
        return f"{text}, {self.doc}" if self.doc else text

    def __str__(self) -> str:
        return self.short_log


def describe_rows(rows: Sequence[str]) -> str:
    """How a set of version rows reads in messages: ``base`` when empty."""
    return format_ids(rows, empty="base (no revision applied)")


MigrationsFn = Callable[[tuple[str, ...], "MigrationContext"], Sequence[MigrationStep]]


class MigrationContext:
    """What operations run against: a dialect, maybe a connection, and options.

    Build one with :meth:`configure`; ``env.py`` normally gets one through
    ``context.configure()``.  Options (``opts``) are Alembic's: ``as_sql``,
    ``output_buffer``, ``literal_binds``, ``target_metadata``, ``transactional_ddl``,
    ``transaction_per_migration``, ``version_table``, ``version_table_schema``,
    ``on_version_apply``, ``lock_timeout``; the command adds ``fn`` (the steps to run),
    ``starting_rev``, ``destination_rev``, ``tag``, ``lock``, ``purge`` and ``dont_mutate``.
    """

    def __init__(
        self,
        dialect: Dialect,
        connection: Connection | None,
        opts: Mapping[str, Any],
        environment_context: Any = None,
    ) -> None:
        self.dialect = dialect
        self.connection = connection
        self.opts: dict[str, Any] = dict(opts)
        self.environment_context = environment_context
        self.as_sql: bool = bool(self.opts.get("as_sql", False))
        if self.as_sql and connection is not None:
            raise MigrationError("offline (--sql) mode runs without a database connection")
        self.output_buffer: TextIO | None = self.opts.get("output_buffer") or (
            sys.stdout if self.as_sql else None
        )
        self.impl: DefaultImpl = DefaultImpl.get_by_dialect(dialect)(
            dialect,
            connection,
            self.as_sql,
            self.opts.get("transactional_ddl"),
            self.output_buffer,
            self.opts,
        )
        self._migrations_fn: MigrationsFn | None = self.opts.get("fn")
        self.purge = bool(self.opts.get("purge", False))
        self._transaction_per_migration = bool(self.opts.get("transaction_per_migration", False))
        self._start_from_rev = self.opts.get("starting_rev")
        self.version_table: str = self.opts.get("version_table") or DEFAULT_VERSION_TABLE
        self.version_table_schema: str | None = self.opts.get("version_table_schema")
        self._version = Table(
            self.version_table,
            MetaData(),
            Column("version_num", String(32), nullable=False),
            PrimaryKeyConstraint("version_num", name=f"{self.version_table}_pkc"),
            schema=self.version_table_schema,
        )
        callbacks = self.opts.get("on_version_apply") or ()
        self.on_version_apply_callbacks: list[Callable[..., None]] = (
            [callbacks] if callable(callbacks) else list(callbacks)
        )
        timeout = self.opts.get("lock_timeout")
        self.lock_timeout = float(DEFAULT_LOCK_TIMEOUT if timeout is None else timeout)
        self._wants_lock = bool(self.opts.get("lock", False)) and not self.as_sql
        self._lock: MigrationLock | None = None
        self._transaction: RootTransaction | None = None
        self._in_external_transaction = connection is not None and connection.in_transaction()
        self._running = False
        self._autocommit = False
        self._session: _SessionSetup | None = None
        if connection is not None and not self._in_external_transaction:
            self._session = _session_setup_for(dialect.name)(self)
            self._session.install()
        log.info("Context impl %s.", type(self.impl).__name__)
        log.info(
            "Will assume %s DDL.",
            "transactional" if self.impl.transactional_ddl else "non-transactional",
        )

    @classmethod
    def configure(
        cls,
        connection: Connection | None = None,
        url: str | sqla_url.URL | None = None,
        dialect_name: str | None = None,
        dialect: Dialect | None = None,
        environment_context: Any = None,
        dialect_opts: Mapping[str, Any] | None = None,
        opts: Mapping[str, Any] | None = None,
    ) -> MigrationContext:
        """Make a context from a connection, a URL or a dialect name (offline)."""
        if connection is None:
            # Offline: "named" parameters, so that a literal '%' is not written as '%%'.
            dialect_opts = {"paramstyle": "named", **(dialect_opts or {})}
        if connection is not None:
            dialect = connection.dialect
        elif url is not None:
            dialect = sqla_url.make_url(url).get_dialect()(**(dialect_opts or {}))
        elif dialect_name is not None:
            dialect = sqla_url.make_url(f"{dialect_name}://").get_dialect()(**(dialect_opts or {}))
        elif dialect is None:
            raise ValueError("configure() needs a connection, a url, a dialect_name or a dialect")
        return cls(dialect, connection, opts or {}, environment_context)

    @property
    def bind(self) -> Connection | None:
        """The connection migrations run on (``None`` offline)."""
        return self.connection

    @property
    def config(self) -> Any:
        """The :class:`gitmig.config.Config` of the environment, if there is one."""
        return getattr(self.environment_context, "config", None)

    # -- the version table --------------------------------------------------------------

    def get_current_heads(self) -> tuple[str, ...]:
        """The revisions the version table lists (offline: the START of ``START:END``)."""
        if self.as_sql:
            start = self._start_from_rev
            if not start:
                return ()
            return tuple(start) if isinstance(start, (tuple, list)) else (str(start),)
        assert self.connection is not None
        if not self._has_version_table():
            return ()
        rows = self.connection.execute(self._version.select().order_by("version_num"))
        return tuple(row[0] for row in rows)

    def get_current_revision(self) -> str | None:
        """The one current revision, ``None`` at base; several heads raise."""
        heads = self.get_current_heads()
        if len(heads) > 1:
            raise MultipleHeadsError(
                f"The database is at several heads ({', '.join(heads)}); use get_current_heads()",
                heads,
            )
        return heads[0] if heads else None

    def execute(
        self, sql: Executable | str, execution_options: Mapping[str, Any] | None = None
    ) -> None:
        """Run one statement on the connection (offline: write it to the script)."""
        self.impl.execute(sql, execution_options)

    def stamp(self, script_directory: ScriptDirectory, revision: str) -> None:
        """Set the version rows to ``revision`` as ``gitmig stamp`` does, running nothing.

        The rows on ``revision``'s line of history are replaced; other branches stay.
        """
        from gitmig.runtime.plan import resolve_rows, stamp_steps

        graph = script_directory.revision_map
        heads = self.get_current_heads()
        if not self.as_sql and not heads:
            self._ensure_version_table()
        rows = resolve_rows(graph, heads, exact=True, version_table=self.version_table)
        for step in stamp_steps(graph, rows, [revision]):
            self._update_version(step)

    def _has_version_table(self) -> bool:
        assert self.connection is not None
        return bool(
            self.dialect.has_table(
                self.connection, self.version_table, schema=self.version_table_schema
            )
        )

    def _ensure_version_table(self, purge: bool = False) -> None:
        assert self.connection is not None
        self._version.create(self.connection, checkfirst=True)
        if purge:
            self.connection.execute(self._version.delete())

    def _update_version(self, step: MigrationStep) -> None:
        """Turn the step's row change into statements: UPDATE pairs, then DELETE / INSERT."""
        old, new = set(step.from_rows), set(step.to_rows)
        removed, added = sorted(old - new), sorted(new - old)
        for before, after in zip(removed, added, strict=False):
            self._exec_version("update", {"before": before, "after": after})
        for before in removed[len(added) :]:
            self._exec_version("delete", {"before": before})
        for after in added[len(removed) :]:
            self._exec_version("insert", {"after": after})

    @cached_property
    def _version_statements(self) -> dict[str, UpdateBase]:
        """The version table's INSERT, UPDATE and DELETE, built once with bound parameters.

        Every step changes rows, so these are not rebuilt per step: online, SQLAlchemy's
        statement cache compiles each once; offline, the parameters render at post-compile
        time, so each statement is compiled once and a step only renders its literals.
        """
        col = self._version.c.version_num

        def param(name: str) -> BindParameter[str]:
            return bindparam(name, type_=col.type, literal_execute=self.as_sql)

        return {
            "insert": self._version.insert().values(version_num=param("after")),
            "update": self._version.update()
            .where(col == param("before"))
            .values(version_num=param("after")),
            "delete": self._version.delete().where(col == param("before")),
        }

    @cached_property
    def _compiled_version_statements(self) -> dict[str, SQLCompiler]:
        return {
            kind: statement.compile(dialect=self.dialect)
            for kind, statement in self._version_statements.items()
        }

    def _exec_version(self, kind: str, params: dict[str, str]) -> None:
        if self.as_sql:
            compiled = self._compiled_version_statements[kind]
            self.impl._write_statement(compiled.construct_expanded_state(params).statement)
            return
        statement = self._version_statements[kind]
        result = self.impl._exec(statement, params=params)
        expected = params.get("before")
        if expected is not None and result is not None and result.rowcount != 1:
            raise MigrationError(
                f"Version table {self._version.fullname} has no row {expected!r} to change "
                f"(it matched {result.rowcount} rows): it was changed while this run was "
                "going on. Check it with `gitmig current`."
            )

    # -- transactions ---------------------------------------------------------------------

    def begin_transaction(self, _per_migration: bool = False) -> AbstractContextManager[Any]:
        """A block that commits at its end: the whole run, or one step.

        With transactional DDL the run is one transaction, or one per step when
        ``transaction_per_migration`` is set; without it each step (and its version-table
        change) is committed on its own.  Offline, ``BEGIN``/``COMMIT`` are written only
        where DDL is transactional.  A connection already in a transaction when
        :meth:`configure` was called is left to its owner.
        """
        if self._in_external_transaction:
            return nullcontext()
        if self.impl.transactional_ddl:
            now = _per_migration == self._transaction_per_migration
        else:
            now = _per_migration
        if not now:
            return nullcontext()
        if self.as_sql:
            return self._offline_transaction() if self.impl.transactional_ddl else nullcontext()
        if self._transaction is not None:
            return nullcontext()
        return self._online_transaction()

    @contextmanager
    def _offline_transaction(self) -> Iterator[None]:
        self.impl.emit_begin()
        yield
        self.impl.emit_commit()

    @contextmanager
    def _online_transaction(self) -> Iterator[None]:
        assert self.connection is not None
        conn = self.connection
        # Adopt a transaction SQLAlchemy began on its own (e.g. reading the version table).
        existing = conn.get_transaction()
        self._transaction = existing if existing is not None else conn.begin()
        try:
            yield
        except BaseException:
            self._end_transaction(commit=False)
            raise
        else:
            self._end_transaction(commit=True)
        finally:
            if not self._running:
                self._end_run()

    def _end_transaction(self, commit: bool) -> None:
        trans, self._transaction = self._transaction, None
        if trans is not None and trans.is_active:
            trans.commit() if commit else trans.rollback()

    @contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Step out of the run's transaction, e.g. for ``CREATE INDEX CONCURRENTLY``.

        What ran so far is committed first; inside the block each statement commits on its
        own; a new transaction begins after it.  Offline, ``COMMIT``/``BEGIN`` are written
        where the script has a transaction.
        """
        had_transaction = self._transaction is not None
        if self.as_sql:
            if self.impl.transactional_ddl:
                self.impl.emit_commit()
            try:
                yield
            finally:
                if self.impl.transactional_ddl:
                    self.impl.emit_begin()
            return
        assert self.connection is not None
        conn = self.connection
        if had_transaction:
            self._end_transaction(commit=True)
        elif conn.in_transaction() and not self._in_external_transaction:
            conn.commit()
        session = self._session
        self._autocommit = True
        if session is not None and session.handles_autocommit:
            level = None
        else:
            level = conn.get_isolation_level()
            conn.execution_options(isolation_level="AUTOCOMMIT")
        # SQLAlchemy autobegins in any mode; take that "transaction" so it ends here.
        holder = conn.begin()
        try:
            yield
        finally:
            holder.commit()
            if level is not None:
                conn.execution_options(isolation_level=level)
            self._autocommit = False
            if session is not None:
                session.after_autocommit()
            if had_transaction:
                self._transaction = conn.begin()

    # -- running ----------------------------------------------------------------------------

    def run_migrations(self, **kw: Any) -> None:
        """Run the steps the command's ``fn`` returns for the current heads.

        Online, takes the migration lock first (upgrade, downgrade and stamp) and reads the
        version table after it; a failing step raises :class:`MigrationError` saying where
        the database now stands.
        """
        self._running = True
        try:
            self._run(**kw)
        finally:
            self._running = False
            if self._transaction is None:
                self._end_run()

    def _run(self, **kw: Any) -> None:
        if self._wants_lock and self._lock is None:
            assert self.connection is not None
            key = lock_key(self.version_table, self.version_table_schema)
            lock = lock_for_dialect(self.dialect.name)(self.connection, key, self.lock_timeout)
            lock.acquire()
            self._lock = lock
        if self.purge:
            if self.as_sql:
                raise MigrationError("--purge cannot be used with --sql (offline) mode")
            self._ensure_version_table(purge=True)
            heads: tuple[str, ...] = ()
        else:
            heads = self.get_current_heads()
            if not self.as_sql and not heads and not self.opts.get("dont_mutate", False):
                self._ensure_version_table()
        assert self._migrations_fn is not None, "run_migrations() needs the command's fn"
        steps = self._migrations_fn(heads, self)
        rows = heads
        created = bool(heads) or not self.as_sql
        for step in steps:
            with self.begin_transaction(_per_migration=True):
                if not created:
                    # Offline from base: the script makes the version table itself.
                    self.impl._exec(CreateTable(self._version))
                    created = True
                short_log = step.short_log
                log.info("Running %s", short_log)
                if self.as_sql:
                    self.impl.static_output(f"-- Running {short_log}")
                if step.migration_fn is not None:
                    try:
                        step.migration_fn(**kw)
                    except Exception as err:
                        raise self._failure(step, err) from err
                self._update_version(step)
                rows = step.to_rows
                for callback in self.on_version_apply_callbacks:
                    callback(ctx=self, step=step, heads=set(rows), run_args=kw)
        if self.as_sql and heads and not rows:
            self.impl._exec(DropTable(self._version))
        elif (
            not self.as_sql
            and self._transaction is None
            and not self._in_external_transaction
            and self.connection is not None
            and self.connection.in_transaction()
        ):
            # Nobody owns what SQLAlchemy autobegan (e.g. the version table's creation).
            self.connection.commit()
        if self._migrations_fn is not None and not self.opts.get("dont_mutate", False):
            if self.as_sql:
                log.info(
                    "Offline script written; it leaves the database at %s.", describe_rows(rows)
                )
            elif steps:
                log.info("Done: the database is now at %s.", describe_rows(rows))
            else:
                log.info("Nothing to do: the database is at %s.", describe_rows(rows))

    def _end_run(self) -> None:
        """Release what the run held: the lock, then the connection set-up."""
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()
        if self._session is not None and not self._running:
            self._session.uninstall()
            self._session = None

    # -- failure ----------------------------------------------------------------------------

    def _failure(self, step: MigrationStep, err: Exception) -> MigrationError:
        """Roll back what the transaction covers, read the version table back, and explain."""
        where = f"revision {step.revision}" if step.revision else "the stamp"
        if step.path:
            where += f" in {step.path}"
        lines = [f"Migration failed: {step.short_log} ({where})", f"  {_describe_error(err)}"]
        if self.as_sql:
            return MigrationError("\n".join(lines))
        assert self.connection is not None
        conn = self.connection
        transactional = self.impl.transactional_ddl
        if self._in_external_transaction:
            lines.append(
                "The connection was in a transaction before the run began; it was left to "
                "its owner, who must roll it back."
            )
        else:
            self._end_transaction(commit=False)
            if conn.in_transaction():
                conn.rollback()
            if transactional and not self._transaction_per_migration:
                lines.append("Rolled back: no change of this run remains.")
            elif transactional:
                lines.append(
                    "The failing step was rolled back; the steps before it were committed "
                    "(transaction_per_migration)."
                )
            else:
                label = _dialect_label(self.dialect)
                lines.append(
                    f"{label} commits DDL implicitly, so the steps before it stay applied, "
                    f"and {where} may have partly applied: check its changes by hand before "
                    "running again."
                )
        try:
            rows = self.get_current_heads()
        except sa_exc.SQLAlchemyError as read_err:
            lines.append(f"The version table could not be read back: {_describe_error(read_err)}")
        else:
            lines.append(
                f"Read back from {self._version.fullname}: the database is now at "
                f"{describe_rows(rows)}."
            )
        finally:
            if not self._in_external_transaction and conn.in_transaction():
                conn.rollback()
        return MigrationError("\n".join(lines))


def _describe_error(err: BaseException) -> str:
    """The error's type and first lines, with the failing SQL when there is one."""
    if isinstance(err, sa_exc.StatementError) and err.orig is not None:
        orig = err.orig
        first = (str(orig).strip().splitlines() or [""])[0]
        text = f"{type(orig).__name__}: {first}"
        if err.statement:
            text += f"\n  SQL: {err.statement.strip()}"
        return text
    return f"{type(err).__name__}: {err}"


_DIALECT_LABELS = {
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "sqlite": "SQLite",
    "mssql": "SQL Server",
    "oracle": "Oracle",
}


def _dialect_label(dialect: Dialect) -> str:
    if getattr(dialect, "is_mariadb", False):
        return "MariaDB"
    return _DIALECT_LABELS.get(dialect.name, dialect.name)


class _SessionSetup:
    """Per-dialect preparation of the migration connection (registered by dialect name)."""

    __dialect__: ClassVar[str] = "default"
    #: whether autocommit_block() can rely on this set-up instead of an isolation change
    handles_autocommit: ClassVar[bool] = False

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        _SESSION_SETUPS[cls.__dialect__] = cls

    def __init__(self, context: MigrationContext) -> None:
        self.context = context

    def install(self) -> None:
        """Prepare the connection before anything runs on it."""

    def after_autocommit(self) -> None:
        """Restore what an ``autocommit_block()`` changed."""

    def uninstall(self) -> None:
        """Give the connection back as it was."""


_SESSION_SETUPS: dict[str, type[_SessionSetup]] = {}


def _session_setup_for(name: str) -> type[_SessionSetup]:
    return _SESSION_SETUPS.get(name, _SessionSetup)


class _SQLiteSession(_SessionSetup):
    """Make SQLite's DDL transactional, and make the migration transaction the lock.

    pysqlite (legacy transaction control) emits no ``BEGIN`` before DDL, so each CREATE or
    ALTER would commit at once.  We switch its implicit handling off and emit ``BEGIN``
    ourselves whenever SQLAlchemy begins a transaction: ``BEGIN EXCLUSIVE`` for runs that
    take the migration lock, waiting at most the lock timeout for another writer.
    """

    __dialect__ = "sqlite"
    handles_autocommit = True

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.active = False
        self._saved_level: str | None = None

    def install(self) -> None:
        import sqlite3  # only online runs on SQLite get here

        conn = self.context.connection
        assert conn is not None
        dbapi_conn: Any = conn.connection.dbapi_connection
        # Only the legacy mode needs this; Python 3.12's autocommit=False already BEGINs.
        legacy = getattr(sqlite3, "LEGACY_TRANSACTION_CONTROL", -1)
        if getattr(dbapi_conn, "autocommit", legacy) != legacy:
            return
        # isolation_level None means the user asked for driver autocommit: respect it.
        if getattr(dbapi_conn, "isolation_level", None) is None:
            return
        self.active = True
        self._saved_level = dbapi_conn.isolation_level
        dbapi_conn.isolation_level = None
        if self.context._wants_lock:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(self.context.lock_timeout * 1000)}")
            if conn.in_transaction():
                conn.commit()
        event.listen(conn, "begin", self._begin)

    def _begin(self, conn: Connection) -> None:
        if self.context._autocommit:
            return
        statement = "BEGIN EXCLUSIVE" if self.context._wants_lock else "BEGIN"
        try:
            conn.exec_driver_sql(statement)
        except sa_exc.OperationalError as err:
            if "locked" in str(err.orig) or "busy" in str(err.orig):
                lock = MigrationLock(conn, self.context.version_table, self.context.lock_timeout)
                raise lock._timeout_error() from err
            raise

    def uninstall(self) -> None:
        if not self.active:
            return
        conn = self.context.connection
        assert conn is not None
        event.remove(conn, "begin", self._begin)
        if not conn.closed and not conn.in_transaction() and not conn.invalidated:
            dbapi_conn: Any = conn.connection.dbapi_connection
            dbapi_conn.isolation_level = self._saved_level
        self.active = False
