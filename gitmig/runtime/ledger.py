"""The ledger: one row per applied step, beside the version table and in its transaction.

The version table says where a database stands; the ledger says how it got there: for
each upgrade, downgrade and stamp, the revision, the SHA-256 of its file (line endings
normalised, so a CRLF checkout is not an edit), the git blob id of that content, when the
step started and finished, the outcome, the gitmig version and the database user.
:class:`Ledger` writes its rows from ``MigrationContext._update_version``, in the same
transaction as the version row they accompany (offline: as SQL in the same script), so
the two never disagree.

A database migrated before the ledger existed gets ``baseline`` rows (checksum unknown)
for every revision it has applied, on the first run that writes the ledger: ``gitmig
verify`` then has nothing to compare for those revisions and raises no false alarm.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import (
    Column,
    DateTime,
    Identity,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    bindparam,
    func,
    null,
)
from sqlalchemy.schema import CreateTable

from gitmig import __version__

if TYPE_CHECKING:
    from sqlalchemy.sql.dml import Insert

    from gitmig.runtime.migration import MigrationContext, MigrationStep
    from gitmig.script.base import ScriptDirectory

__all__ = [
    "DEFAULT_LEDGER_TABLE",
    "FileStamp",
    "Ledger",
    "LedgerEntry",
    "blob_id",
    "checksum",
    "file_stamp",
]

DEFAULT_LEDGER_TABLE = "gitmig_ledger"

#: directions after which the revision counts as applied (``accept``: reviewed edit)
APPLYING = frozenset({"upgrade", "stamp", "baseline", "accept"})

_TRUE = ("true", "1", "yes", "on")
#: dialects whose CREATE TABLE takes IF NOT EXISTS (for offline scripts)
_IF_NOT_EXISTS = frozenset({"postgresql", "mysql", "mariadb", "sqlite"})
#: dialects whose integer primary keys number themselves only with IDENTITY
_NEEDS_IDENTITY = frozenset({"oracle"})
_MARKER = re.compile(r"'__gitmig_(\w+?)__'")


def _normalise(content: bytes) -> bytes:
    return content.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def checksum(content: bytes) -> str:
    """SHA-256 (hex) of ``content`` with CRLF and CR line endings read as LF."""
    return hashlib.sha256(_normalise(content)).hexdigest()


def blob_id(content: bytes) -> str:
    """The git blob id of ``content`` with normalised line endings.

    That is the id git stores for a text file checked in from either kind of checkout
    (``core.autocrlf`` converts to LF on the way in), so ``gitmig verify`` finds it in the
    history.
    """
    data = _normalise(content)
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class FileStamp(NamedTuple):
    """What the ledger records of a revision file."""

    checksum: str
    blob: str
    #: the file's path relative to the migration environment folder (POSIX style)
    path: str


def file_stamp(path: str | os.PathLike[str], root: Path | None = None) -> FileStamp | None:
    """The checksum, blob id and relative path of a revision file (``None`` if unreadable)."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            content = handle.read()
    except OSError:
        return None
    rel = path
    if root is not None:
        prefix = os.path.join(os.fspath(root), "")
        # the usual case, without relpath()'s getcwd() per file (long offline scripts)
        rel = path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(path, root)
        rel = rel.replace(os.sep, "/")
    return FileStamp(checksum(content), blob_id(content), rel)


class LedgerEntry(NamedTuple):
    """One row of the ledger."""

    id: int
    revision: str
    #: upgrade, downgrade, stamp, unstamp, baseline (pre-ledger database) or accept
    direction: str
    checksum: str | None
    blob: str | None
    path: str | None
    #: UTC; ``None`` for baseline rows
    started_at: datetime | None
    finished_at: datetime | None
    #: ``applied`` (online), ``scripted`` (written by an offline script), ``recorded``
    outcome: str
    gitmig_version: str | None
    db_user: str | None
    who: str | None
    host: str | None

    @property
    def duration(self) -> float | None:
        """Seconds the step took, when both times are known."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


# Values longer than their column are cut, never allowed to fail a migration.
_PATH_LENGTH = 512
_NAME_LENGTH = 255


def ledger_table(name: str, schema: str | None, identity: bool = False) -> Table:
    """The ledger's table definition (``identity``: an IDENTITY id, for Oracle)."""
    return Table(
        name,
        MetaData(),
        Column("id", Integer, *([Identity()] if identity else []), nullable=False),
        Column("revision", String(32), nullable=False),
        Column("direction", String(16), nullable=False),
        Column("checksum", String(64)),
        Column("git_blob", String(40)),
        Column("path", String(_PATH_LENGTH)),
        Column("started_at", DateTime),
        Column("finished_at", DateTime),
        Column("outcome", String(16), nullable=False),
        Column("gitmig_version", String(32)),
        Column("db_user", String(300)),  # MySQL: user@host
        Column("who", String(_NAME_LENGTH)),
        Column("host", String(_NAME_LENGTH)),
        PrimaryKeyConstraint("id", name=f"{name}_pkc"),
        schema=schema,
        # the id is never read back: no RETURNING in the offline script
        implicit_returning=False,
    )


def _now() -> datetime:
    # Naive UTC: DateTime columns without a time zone behave the same on every dialect.
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Ledger:
    """The ledger of one :class:`MigrationContext`: its table, and the rows a run writes.

    Options (``context.configure()`` first, then the config file's main section):
    ``ledger_table`` (default ``gitmig_ledger``), ``ledger_table_schema`` (default: the
    version table's schema) and ``ledger_who`` (record the OS user and host; off).
    """

    def __init__(self, context: MigrationContext) -> None:
        self.context = context
        name = context.opts.get("ledger_table") or self._option("ledger_table")
        self.name: str = name or DEFAULT_LEDGER_TABLE
        schema = context.opts.get("ledger_table_schema") or self._option("ledger_table_schema")
        self.schema: str | None = schema or context.version_table_schema
        who = context.opts.get("ledger_who")
        if who is None:
            who = (self._option("ledger_who") or "").strip().lower() in _TRUE
        self.record_who = bool(who)
        self.table = ledger_table(
            self.name, self.schema, identity=context.dialect.name in _NEEDS_IDENTITY
        )
        self._ready = False
        self._started: datetime | None = None
        self._template: str | None = None
        self._online: Insert | None = None

    def _option(self, name: str) -> str | None:
        config = self.context.config
        value: str | None = config.get_main_option(name) if config is not None else None
        return value

    @property
    def fullname(self) -> str:
        return str(self.table.fullname)

    # -- reading ----------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether the ledger table exists (online)."""
        conn = self.context.connection
        assert conn is not None
        return bool(self.context.dialect.has_table(conn, self.name, schema=self.schema))

    def entries(self, limit: int | None = None) -> list[LedgerEntry]:
        """The ledger's rows, newest first (empty when there is no ledger table)."""
        conn = self.context.connection
        assert conn is not None
        if not self.exists():
            return []
        query = self.table.select().order_by(self.table.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return [LedgerEntry(*row) for row in conn.execute(query)]

    # -- writing ----------------------------------------------------------------------

    def started(self) -> None:
        """Note that a step is starting (its row says how long it took)."""
        self._started = _now()

    def record(self, step: MigrationStep) -> None:
        """Write the step's rows; called where the version rows are written, before them."""
        self._ensure(step.from_rows)
        for revision, direction in _step_rows(step):
            self._insert(revision, direction, self._stamp_of(revision, step))
        self._started = None

    def accept(self, revision: str, rows: Sequence[str]) -> FileStamp | None:
        """Record the current checksum of ``revision``'s file: a reviewed edit (online)."""
        self._ensure(rows)
        stamp = self._stamp_of(revision, None)
        self._started = None
        self._insert(revision, "accept", stamp, outcome="recorded")
        return stamp

    def _ensure(self, rows: Sequence[str]) -> None:
        """Create the table if needed; a new ledger on a migrated database gets baselines."""
        if self._ready:
            return
        self._ready = True
        context = self.context
        if context.as_sql:
            # A script cannot know whether the ledger exists where it will run, unless the
            # command read the database first (a dry run says so with ``ledger_exists``).
            if context.opts.get("ledger_exists"):
                return
            if context.dialect.name in _IF_NOT_EXISTS:
                context.impl._exec(CreateTable(self.table, if_not_exists=True))
            elif not rows:
                # Elsewhere only a script from base creates it, as it does the version table.
                context.impl._exec(CreateTable(self.table))
            return
        if self.exists():
            return
        assert context.connection is not None
        self.table.create(context.connection)
        for revision in self._applied(rows):
            self._insert(revision, "baseline", None, outcome="recorded", timed=False)

    def _applied(self, rows: Sequence[str]) -> list[str]:
        """Every revision the version rows imply (the rows themselves without a graph)."""
        script = self._script_dir()
        if script is None:
            return sorted(rows)
        graph = script.revision_map
        known = [row for row in rows if row in graph]
        unknown = sorted(row for row in rows if row not in graph)
        return graph.sort(graph.ancestors(known)) + unknown if known else unknown

    def _script_dir(self) -> ScriptDirectory | None:
        script: ScriptDirectory | None = getattr(self.context.environment_context, "script", None)
        return script

    def _stamp_of(self, revision: str, step: MigrationStep | None) -> FileStamp | None:
        from gitmig.script.base import RecoveredScript

        script = self._script_dir()
        found = (
            script.revision_map.get(revision)
            if script and revision in script.revision_map
            else None
        )
        if isinstance(found, RecoveredScript):
            # run from a temporary copy of what git holds: record the content and its home
            content = found.content
            return FileStamp(checksum(content), blob_id(content), found.recorded_path)
        path = step.path if step is not None and step.revision == revision else None
        if path is None and script is not None and revision in script.revision_map:
            path = script.get_script(revision).path
        if path is None:
            return None
        return file_stamp(path, script.dir if script is not None else None)

    def _insert(
        self,
        revision: str,
        direction: str,
        stamp: FileStamp | None,
        outcome: str | None = None,
        timed: bool = True,
    ) -> None:
        context = self.context
        who, host = self._who()
        params: dict[str, Any] = {
            "revision": revision,
            "direction": direction,
            "checksum": stamp.checksum if stamp else None,
            "git_blob": stamp.blob if stamp else None,
            "path": stamp.path[-_PATH_LENGTH:] if stamp else None,
            "gitmig_version": __version__,
            "who": who[:_NAME_LENGTH] if who else None,
            "host": host[:_NAME_LENGTH] if host else None,
        }
        if context.as_sql:
            params["outcome"] = "scripted"
            context.impl._write_statement(self._offline_sql(params))
            return
        now = _now()
        params["started_at"] = (self._started or now) if timed else None
        params["finished_at"] = now if timed else None
        params["outcome"] = outcome or "applied"
        if self._online is None:
            self._online = self._statement(offline=False)
        context.impl._exec(self._online, params=params)

    def _offline_sql(self, params: dict[str, Any]) -> str:
        """The INSERT with ``params`` as literals.

        Compiled once, with a marker for each value; a row then only substitutes its
        values, quoted by the dialect's own string literal rendering (an offline script
        of thousands of steps would otherwise spend much of its time compiling these).
        """
        dialect = self.context.dialect
        render = String().literal_processor(dialect)  # type: ignore[no-untyped-call]
        assert render is not None
        if self._template is None:
            compiled = self._statement(offline=True).compile(dialect=dialect)
            markers = {name: f"__gitmig_{name}__" for name in params}
            self._template = compiled.construct_expanded_state(markers).statement

        def value(match: re.Match[str]) -> str:
            found = params[match.group(1)]
            return "NULL" if found is None else str(render(str(found)))

        return _MARKER.sub(value, self._template)

    def _who(self) -> tuple[str | None, str | None]:
        if not self.record_who:
            return None, None
        import getpass
        import socket

        try:
            who: str | None = getpass.getuser()
        except (KeyError, OSError):  # no login name and no passwd entry (some containers)
            who = None
        return who, socket.gethostname()

    def _statement(self, offline: bool) -> Insert:
        """The INSERT of one row: bound parameters, and the SQL functions for the rest."""
        names = [c.name for c in self.table.c if c.name not in ("id", "db_user")]
        values: dict[str, Any] = {
            name: bindparam(name, type_=self.table.c[name].type, literal_execute=offline)
            for name in names
        }
        # The user the statements really run as (offline: whoever runs the script).
        values["db_user"] = null() if self.context.dialect.name == "sqlite" else func.current_user()
        if offline:
            values["started_at"] = values["finished_at"] = func.current_timestamp()
        # inline: the id is the server's to assign (no pre-fetched sequence value)
        return self.table.insert().inline().values(**values)


def _step_rows(step: MigrationStep) -> Iterable[tuple[str, str]]:
    """``(revision, direction)`` for each ledger row of a step."""
    if not step.is_stamp:
        assert step.revision is not None
        yield step.revision, step.kind
        return
    old, new = set(step.from_rows), set(step.to_rows)
    added = sorted(new - old)
    if added:
        for revision in added:
            yield revision, "stamp"
    else:
        for revision in sorted(old - new):
            yield revision, "unstamp"
