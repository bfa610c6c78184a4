"""MigrationContext: a database connection (or an offline SQL buffer) plus migration options.

It owns what a run does to the database around the revisions themselves: the version table
(one row per applied head), the transactions (one for the whole run where DDL is
transactional, else one per step), the migration lock, offline script framing, progress
logging and the failure report.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from sqlalchemy import Table, bindparam, event, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import url as sqla_url
from sqlalchemy.schema import CreateTable, DropTable

from gitmig.ddl.impl import VERSION_NUM_LENGTH, DefaultImpl
from gitmig.exc import CommandError, MigrationError, MigrationInterrupted, MultipleHeadsError
from gitmig.runtime.ledger import Ledger
from gitmig.runtime.lock import (
    DEFAULT_LOCK_TIMEOUT,
    MigrationLock,
    lock_for_dialect,
    lock_key,
)
from gitmig.runtime.outcome import Commit, Leftover, RunOutcome
from gitmig.runtime.steps import HeadMaintainer, RevisionStep, StampStep
from gitmig.util.messaging import format_ids, url_text

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlalchemy.engine import Connection, Dialect, RootTransaction
    from sqlalchemy.sql.base import Executable
    from sqlalchemy.sql.compiler import SQLCompiler
    from sqlalchemy.sql.dml import UpdateBase
    from sqlalchemy.sql.elements import BindParameter

    from gitmig.script.base import ScriptDirectory
    from gitmig.script.revision import Revision, RevisionMap

__all__ = [
    "DEFAULT_VERSION_TABLE",
    "VERSION_NUM_LENGTH",
    "HeadMaintainer",
    "MigrationContext",
    "MigrationStep",
    "RevisionStep",
    "StampStep",
    "describe_rows",
]

log = logging.getLogger(__name__)

DEFAULT_VERSION_TABLE = "gitmig_version"


class _Terminated(KeyboardInterrupt):
    """SIGTERM during a run, raised like Ctrl-C so drivers cancel the running statement."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


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
        text = f"{self.kind} {', '.join(source) or '<base>'} -> {', '.join(dest) or '<base>'}"
        # One line: it is an SQL comment offline, and the rest of a message would be SQL.
        doc = self.doc.strip().splitlines()[0] if self.doc.strip() else ""
        return f"{text}, {doc}" if doc else text

    def __str__(self) -> str:
        return self.short_log

    @classmethod
    def upgrade_from_script(cls, revision_map: RevisionMap, script: Revision) -> RevisionStep:
        """Alembic's step that runs ``script``'s ``upgrade()`` (rows kept by a
        :class:`HeadMaintainer`)."""
        return RevisionStep(revision_map, script, True)

    @classmethod
    def downgrade_from_script(cls, revision_map: RevisionMap, script: Revision) -> RevisionStep:
        """Alembic's step that runs ``script``'s ``downgrade()``."""
        return RevisionStep(revision_map, script, False)


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

    #: whether building one logs the impl and DDL mode it uses, as a run does (a context
    #: that only records a revision's operations says nothing)
    _announce = True

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
        if self.as_sql:
            # Offline, a connection only lends its dialect: nothing runs on it.
            connection = self.connection = None
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
        self._version: Table = self.impl.version_table_impl(
            version_table=self.version_table,
            version_table_schema=self.version_table_schema,
            version_table_pk=self.opts.get("version_table_pk", True),
        )
        self.ledger = Ledger(self)
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
        # What the run has done, for the report when it stops early (see _failure).
        self._step: MigrationStep | None = None
        self._last_step: MigrationStep | None = None
        self._step_statements: list[str] = []
        self._step_committed = 0
        self._in_flight: str | None = None
        self._pending_steps: list[MigrationStep] = []
        self._commits: list[Commit] = []
        self._capturing = False
        self._watching = False
        self._rows_committed: tuple[str, ...] = ()
        self._signals = _SignalGuard()
        if connection is not None and not self._in_external_transaction:
            self._session = _session_setup_for(dialect.name)(self)
            self._session.install()
        if self._announce:
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
        if self._start_from_rev:
            raise CommandError(
                f"starting_rev {self._start_from_rev!r} is for offline (--sql) runs only; "
                "online, the version table gives the current revision"
            )
        if not self._has_version_table():
            return ()
        version_num = self._version.c.version_num
        rows = self.connection.execute(select(version_num).order_by(version_num))
        return tuple(row[0] for row in rows)

    def get_current_revision(self) -> str | None:
        """The one current revision, ``None`` at base; several heads raise."""
        heads = self.get_current_heads()
        if len(heads) > 1:
            raise MultipleHeadsError(
                f"Version table {self.version_table!r} has more than one head present; "
                f"please use get_current_heads() (heads: {', '.join(heads)})",
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
        self.ledger.record(step)  # its rows, in the same transaction as the version rows
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
        if (
            expected is not None
            and result is not None
            and result.rowcount != 1
            # e.g. MySQL drivers that count only the rows an UPDATE really changed
            and self.dialect.supports_sane_rowcount
        ):
            doing = (
                f"updating {expected!r} to {params['after']!r}"
                if kind == "update"
                else f"deleting {expected!r}"
            )
            problem = "has no row" if result.rowcount == 0 else "has several rows"
            raise MigrationError(
                f"Online migration expected to match one row when {doing} in "
                f"{self._version.fullname!r}; {result.rowcount} found: the version table "
                f"{problem} {expected!r} to change, so it was changed while this run was "
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

    def _end_transaction(self, commit: bool, by: str | None = None) -> None:
        trans, self._transaction = self._transaction, None
        if trans is not None and trans.is_active:
            if commit:
                trans.commit()
                self._record_commit(by or self._commit_label())
            else:
                trans.rollback()

    def _commit_label(self) -> str:
        if not self.impl.transactional_ddl:
            label = _dialect_label(self.dialect)
            return f"each step's own commit ({label} commits DDL as it runs)"
        if self._transaction_per_migration:
            return "each step's own transaction (transaction_per_migration)"
        return "the run's transaction"

    def _record_commit(self, by: str) -> None:
        """Note what a commit just made permanent: finished steps, part of the running one."""
        step = self._step
        partial = self._step_statements[self._step_committed :] if step else []
        self._step_committed = len(self._step_statements)
        if not self._pending_steps and not partial:
            return
        done = [s.short_log for s in self._pending_steps]
        last = self._commits[-1] if self._commits else None
        same_step = step is not None and last is not None and last.partial_of == step.short_log
        if last is not None and last.by == by and (not partial or not last.partial or same_step):
            last.steps.extend(done)
            last.partial.extend(partial)
        else:
            last = Commit(by, done, list(partial))
            self._commits.append(last)
        if step is not None and partial:
            last.partial_of, last.partial_rows = step.short_log, step.to_rows
        self._pending_steps.clear()

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
        by = f"the autocommit block at {_caller_location(self._step)}"
        if had_transaction:
            self._end_transaction(commit=True, by=by)
        elif conn.in_transaction() and not self._in_external_transaction:
            conn.commit()
            self._record_commit(by)
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
        except BaseException:
            # Each statement in the block committed on its own; the run is stopping, so
            # restore what can be restored and begin nothing new (_failure rolls back).
            self._record_commit(by)
            self._autocommit = False
            with suppress(sa_exc.SQLAlchemyError):
                if holder.is_active:
                    holder.rollback()
                if level is not None:
                    conn.execution_options(isolation_level=level)
                if session is not None:
                    session.after_autocommit()
            raise
        holder.commit()
        self._record_commit(by)
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
        version table after it.  A failing step raises :class:`MigrationError`, SIGINT and
        SIGTERM :class:`MigrationInterrupted`, each saying exactly where the database now
        stands (see :class:`gitmig.runtime.outcome.RunOutcome`).
        """
        self._running = True
        self._signals.install()
        try:
            try:
                with _frozen_heap():
                    self._run(**kw)
            except KeyboardInterrupt as err:
                signum = err.signum if isinstance(err, _Terminated) else signal.SIGINT
                raise self._failure(self._step, err, signum=signum) from err
        finally:
            self._running = False
            try:
                if self._transaction is None:
                    self._end_run()
            finally:
                self._signals.restore()

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
        assert self._migrations_fn is not None, "run_migrations() needs the command's fn"
        steps = self._migrations_fn(heads, self)
        self._check_ids(steps)
        if not (self.purge or self.as_sql or heads or self.opts.get("dont_mutate", False)):
            self._ensure_version_table()
        self._watch_statements()
        rows = heads
        self._rows_committed = heads
        created = bool(heads) or not self.as_sql
        for step in steps:
            with self.begin_transaction(_per_migration=True):
                if not created:
                    # Offline from base: the script makes the version table itself.
                    self.impl._exec(CreateTable(self._version))
                    created = True
                short_log = step.short_log
                log.info("Running %s", short_log)
                self.ledger.started()
                if self.as_sql:
                    self.impl.static_output(f"-- Running {short_log}")
                self._begin_step(step)
                if step.migration_fn is not None:
                    try:
                        step.migration_fn(**kw)
                    except Exception as err:
                        raise self._failure(step, err) from err
                self._capturing = False
                try:
                    self._update_version(step)
                except Exception as err:
                    raise self._failure(step, err, kind="version") from err
                self._pending_steps.append(step)
                self._last_step, self._step = step, None
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
            self._record_commit(self._commit_label())
        if self._migrations_fn is not None and not self.opts.get("dont_mutate", False):
            if self.as_sql:
                log.info(
                    "Offline script written; it leaves the database at %s.", describe_rows(rows)
                )
            elif steps:
                log.info("Done: the database is now at %s.", describe_rows(rows))
            else:
                log.info("Nothing to do: the database is at %s.", describe_rows(rows))

    def _check_ids(self, steps: Sequence[MigrationStep]) -> None:
        """Refuse, before anything runs, a revision id the version column cannot hold."""
        limit = getattr(self._version.c.version_num.type, "length", None) or VERSION_NUM_LENGTH
        for step in steps:
            for rev_id in step.to_rows:
                if len(rev_id) <= limit:
                    continue
                origin = f"{step.path}: " if step.path and step.revision == rev_id else ""
                raise MigrationError(
                    f"{origin}revision id {rev_id!r} is {len(rev_id)} characters long, but the "
                    f"version table's column {self._version.fullname}.version_num holds at "
                    f"most {limit}: give the revision a shorter id. Nothing was run."
                )

    def _begin_step(self, step: MigrationStep) -> None:
        self._step = step
        self._step_statements = []
        self._step_committed = 0
        self._in_flight = None
        self._capturing = not self.as_sql

    def _watch_statements(self) -> None:
        """Record what each step executes, so a report can list what of it ran."""
        conn = self.connection
        if conn is None or self._watching:
            return
        event.listen(conn, "before_cursor_execute", self._before_statement)
        event.listen(conn, "after_cursor_execute", self._after_statement)
        self._watching = True

    def _before_statement(self, conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        if self._capturing:
            self._in_flight = " ".join(statement.split())

    def _after_statement(self, conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        if self._capturing:
            self._step_statements.append(" ".join(statement.split()))
            self._in_flight = None

    def _end_run(self) -> None:
        """Release what the run held: the lock, the statement watch, the connection set-up."""
        lock, self._lock = self._lock, None
        if lock is not None:
            # After the commit: a Ctrl-C here must not cut the release short.
            guard = _SignalGuard()
            guard.install()
            guard.defer()
            try:
                lock.release()
            finally:
                guard.restore()
        if self._watching and self.connection is not None:
            event.remove(self.connection, "before_cursor_execute", self._before_statement)
            event.remove(self.connection, "after_cursor_execute", self._after_statement)
            self._watching = False
        if self._session is not None and not self._running:
            self._session.uninstall()
            self._session = None

    # -- failure ----------------------------------------------------------------------------

    def _where(self, step: MigrationStep | None) -> str:
        if step is None:
            if self._last_step is not None:
                return f"the run, after {self._last_step.short_log}"
            return "the run, before any step ran"
        where = f"revision {step.revision}" if step.revision else "the stamp"
        if step.path:
            where += f" in {step.path}"
        return f"{step.short_log} ({where})"

    def _failure(
        self,
        step: MigrationStep | None,
        err: BaseException,
        kind: str = "failed",
        signum: int | None = None,
    ) -> MigrationError:
        """Roll back what the transaction covers, read the version table back, and report.

        Signals wait while this runs, so a second Ctrl-C cannot cut the report short.
        """
        self._signals.defer()
        interrupted = signum is not None
        outcome = RunOutcome(
            kind="interrupted" if interrupted else kind,
            where=self._where(step),
            error="" if interrupted else _describe_error(err),
            offline=self.as_sql,
            signum=signum,
            version_table=self._version.fullname,
        )
        if not self.as_sql:
            outcome.hint = self._hint(err)
            self._settle(step, outcome)
        message = outcome.render()
        error = (
            MigrationInterrupted(message, signum) if signum is not None else MigrationError(message)
        )
        error.outcome = outcome
        return error

    def _hint(self, err: BaseException) -> str:
        """What the driver's message does not say, for errors gitmig's own set-up causes."""
        orig = getattr(err, "orig", None)
        locked = self.dialect.name == "sqlite" and "database is locked" in str(orig or "")
        if locked and self._wants_lock and not self._autocommit:
            return (
                "SQLite has one writer at a time, and this run holds the write lock (its "
                "transaction) while a step runs: a second connection, such as an engine a "
                "revision makes from the config, can read but not write. Write through "
                "op.get_bind(), or inside `with op.get_context().autocommit_block():`, "
                "where the run holds no lock (see docs/running.md)."
            )
        return ""

    def _settle(self, step: MigrationStep | None, outcome: RunOutcome) -> None:
        """Roll back, then fill in what is committed, what of the step ran, the rows now."""
        assert self.connection is not None
        conn = self.connection
        running = step is not None and step is self._step
        statements = list(self._step_statements) if running else []
        transactional = self.impl.transactional_ddl
        in_block = self._autocommit
        others = _other_runs(self)
        here = f" on this database ({_masked(conn)})" if others else ""
        if self._in_external_transaction:
            outcome.rolled_back = (
                "The connection was in a transaction before the run began; it was left to "
                "its owner, who must roll it back."
            )
        else:
            self._end_transaction(commit=False)
            with suppress(sa_exc.SQLAlchemyError):
                if conn.in_transaction():
                    conn.rollback()
            if transactional:
                undone = [s.short_log for s in self._pending_steps]
                if step is not None and running and len(statements) > self._step_committed:
                    undone.append(
                        f"what {step.revision or 'the step'} ran after its autocommit block"
                        if self._step_committed
                        else step.short_log
                    )
                if not self._commits:
                    outcome.rolled_back = f"Rolled back: no change of this run remains{here}."
                elif undone:
                    outcome.rolled_back = f"Rolled back{here}: {', '.join(undone)}."
                else:
                    outcome.rolled_back = f"Rolled back{here}: nothing was left uncommitted."
            else:
                label = _dialect_label(self.dialect)
                outcome.rolled_back = (
                    f"Rolled back: nothing; {label} commits DDL as it runs, so what ran stays."
                )
        interrupted = outcome.kind == "interrupted"
        if (
            interrupted
            and self._in_flight is not None
            and running
            and (not transactional or in_block)
        ):
            outcome.in_flight = self._in_flight
        outcome.commits = list(self._commits)
        outcome.leftovers = self._leftovers(step if running else None, statements)
        outcome.others = others
        outcome.database = _masked(conn) if others else ""
        outcome.rows, outcome.read_error = self._read_back()

    def _leftovers(self, step: MigrationStep | None, statements: list[str]) -> list[Leftover]:
        """What ran and stays applied although the version table does not record its step.

        Statements an autocommit block committed, of a step not committed as a whole; and,
        without transactional DDL, everything the failing step ran.
        """
        recorded = {s for commit in self._commits for s in commit.steps}
        found: dict[str, Leftover] = {}
        for commit in self._commits:
            if not commit.partial or commit.partial_of in recorded:
                continue
            whole = step is not None and not self.impl.transactional_ddl
            if whole and commit.partial_of == step.short_log:  # type: ignore[union-attr]
                continue  # listed whole below
            left = found.setdefault(
                commit.partial_of,
                Leftover(
                    commit.partial_of, commit.partial_rows, [], "committed by its autocommit block"
                ),
            )
            left.statements.extend(commit.partial)
        if step is not None and statements and not self.impl.transactional_ddl:
            label = _dialect_label(self.dialect)
            found[step.short_log] = Leftover(
                step.short_log, step.to_rows, statements, f"{label} commits DDL as it runs"
            )
        return list(found.values())

    def _read_back(self) -> tuple[tuple[str, ...] | None, str | None]:
        """The version rows as the database has them now (on a fresh connection if needed)."""
        conn = self.connection
        assert conn is not None
        try:
            if conn.invalidated or conn.closed:
                raise sa_exc.InvalidRequestError("the migration connection was lost")
            try:
                return self.get_current_heads(), None
            finally:
                if not self._in_external_transaction and conn.in_transaction():
                    conn.rollback()
        except sa_exc.SQLAlchemyError:
            pass
        try:
            with conn.engine.connect() as fresh:
                if not self.dialect.has_table(
                    fresh, self.version_table, schema=self.version_table_schema
                ):
                    return (), None
                result = fresh.execute(self._version.select().order_by("version_num"))
                return tuple(row[0] for row in result), None
        except sa_exc.SQLAlchemyError as read_err:
            return None, _describe_error(read_err)

    def committed_summary(self) -> str:
        """One line: what this context's run committed and where its version table is."""
        assert self.connection is not None
        done = [s for commit in self._commits for s in commit.steps]
        what = ", ".join(done) if done else "nothing"
        rows, read_error = self._read_back()
        at = describe_rows(rows) if rows is not None else f"unknown ({read_error})"
        return f"{_masked(self.connection)}: committed {what}; its version table reads {at}"


def _masked(conn: Connection) -> str:
    return url_text(conn.engine.url)


def _other_runs(context: MigrationContext) -> list[str]:
    """What the other contexts of the same env.py run (multidb) committed, read back."""
    env = context.environment_context
    others = getattr(env, "migration_contexts", None) or []
    return [
        other.committed_summary()
        for other in others
        if other is not context and other.connection is not None
    ]


def _caller_location(step: MigrationStep | None) -> str:
    """``file:line`` of the revision code that called us (or the first frame outside gitmig)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame = sys._getframe(1)
    fallback = None
    wanted = os.path.abspath(step.path) if step is not None and step.path else None
    while frame is not None:
        name = os.path.abspath(frame.f_code.co_filename)
        if wanted is not None and name == wanted:
            return f"{step.path}:{frame.f_lineno}"  # type: ignore[union-attr]
        if fallback is None and not name.startswith(package) and "contextlib" not in name:
            fallback = f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back  # type: ignore[assignment]
    return fallback or "an unknown place"


class _SignalGuard:
    """SIGTERM stops a run like Ctrl-C does; while the report is built, both wait.

    Handlers are installed only for the duration of a run (and only in the main thread,
    the one Python delivers signals to), then the previous ones are put back.
    """

    def __init__(self) -> None:
        self._saved: dict[int, Any] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread() or self._saved:
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)
            if previous is not None:
                self._saved[signum] = previous
        # Only where SIGTERM would otherwise kill the process: a handler of the caller's wins.
        if self._saved.get(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, self._terminate)

    @staticmethod
    def _terminate(signum: int, frame: Any) -> None:
        raise _Terminated(signum)

    def defer(self) -> None:
        """Ignore further SIGINT/SIGTERM until :meth:`restore` (the run is stopping anyway)."""
        for signum in self._saved:
            signal.signal(signum, signal.SIG_IGN)

    def restore(self) -> None:
        saved, self._saved = self._saved, {}
        for signum, handler in saved.items():
            signal.signal(signum, handler)


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
    ourselves whenever SQLAlchemy begins a transaction: ``BEGIN IMMEDIATE`` for runs that
    take the migration lock, waiting at most the lock timeout for another writer.
    IMMEDIATE (a write lock) rather than EXCLUSIVE, so that a second connection a revision
    opens itself can still read.
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
        statement = "BEGIN IMMEDIATE" if self.context._wants_lock else "BEGIN"
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


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Leave what exists before the run (SQLAlchemy's modules, env.py's metadata) out of
    the cyclic collector's walks while it runs.

    Every step builds Table/MetaData cycles, so full collections come often, and each
    would walk the hundreds of thousands of objects the imports made, none of them garbage:
    that was 15% of ``upgrade --sql`` at 1000 revisions.  Unfrozen after the run, so a long
    process (a test suite, an app) can still collect them; a heap someone else froze is left
    as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
