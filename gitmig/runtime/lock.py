"""Migration locks: one migrating process per database at a time.

A lock strategy is registered per SQLAlchemy dialect name (``__dialect__``), like the DDL
impls.  :class:`MigrationContext` takes the lock before it reads the version table and holds
it until the run's transaction has committed, so a second process that waited for the lock
reads the version table as the first one left it.

- PostgreSQL: a session-level advisory lock on a connection of its own, so that
  ``autocommit_block()`` (which ends the migration connection's transaction) keeps it.
- MySQL / MariaDB: ``GET_LOCK()`` on a connection of its own.
- SQLite: the migration transaction itself, begun with ``BEGIN IMMEDIATE`` (see
  :mod:`gitmig.runtime.migration`); the wait is SQLite's busy timeout.
- Other dialects: no lock (logged once at INFO).
"""

from __future__ import annotations

import hashlib
import logging
import time
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import text

from gitmig.exc import LockTimeoutError
from gitmig.util.messaging import url_text

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["DEFAULT_LOCK_TIMEOUT", "MigrationLock", "lock_for_dialect", "lock_key"]

log = logging.getLogger(__name__)

#: seconds a run waits for another process's migration lock before giving up
DEFAULT_LOCK_TIMEOUT = 60.0

_REGISTRY: dict[str, type[MigrationLock]] = {}


class MigrationLock:
    """Base strategy: takes no lock.

    Subclasses set ``__dialect__`` and override :meth:`acquire` and :meth:`release`.
    ``key`` names what is locked (the version table, qualified by schema); two runs using the
    same version table in the same database exclude each other.
    """

    __dialect__: ClassVar[str] = "default"

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "__dialect__" in cls.__dict__:
            _REGISTRY[cls.__dialect__] = cls

    def __init__(self, connection: Connection, key: str, timeout: float) -> None:
        self.connection = connection
        self.key = key
        self.timeout = timeout
        self.held = False

    def acquire(self) -> None:
        """Take the lock, waiting at most ``timeout`` seconds; raise LockTimeoutError after."""
        log.info(
            "No migration lock for dialect %s: concurrent runs are not excluded.",
            self.connection.dialect.name,
        )
        self.held = True

    def release(self) -> None:
        """Give the lock back (safe to call when not held)."""
        self.held = False

    def _timeout_error(self, holder: str = "") -> LockTimeoutError:
        url = url_text(self.connection.engine.url)
        return LockTimeoutError(
            f"Could not take the migration lock on {url} within {self.timeout:g} s: "
            f"another gitmig run{holder} is migrating this database. Wait for it to finish, "
            "or raise the wait with --lock-timeout SECONDS (or the lock_timeout option)."
        )


class _OwnConnectionLock(MigrationLock, ABC):
    """A lock held by a session (connection) of its own, taken by polling."""

    _poll_interval: ClassVar[float] = 0.05

    def __init__(self, connection: Connection, key: str, timeout: float) -> None:
        super().__init__(connection, key, timeout)
        self._lock_conn: Connection | None = None

    @abstractmethod
    def _try(self, conn: Connection, wait: float) -> bool:
        """Try to take the lock, waiting at most ``wait`` seconds; True if taken."""

    @abstractmethod
    def _unlock(self, conn: Connection) -> None:
        """Release the lock."""

    def acquire(self) -> None:
        # The lock's connection commits every statement: it must never sit idle in a
        # transaction while the migration runs for minutes.
        conn = self.connection.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        deadline = time.monotonic() + self.timeout
        try:
            while not self._try(conn, max(0.0, min(1.0, deadline - time.monotonic()))):
                if time.monotonic() >= deadline:
                    raise self._timeout_error()
                time.sleep(self._poll_interval)
        except BaseException:
            conn.close()
            raise
        self._lock_conn = conn
        self.held = True

    def release(self) -> None:
        conn, self._lock_conn = self._lock_conn, None
        self.held = False
        if conn is None:
            return
        try:
            self._unlock(conn)
        finally:
            # Closing ends the session, which frees a session lock even if unlocking failed.
            conn.invalidate() if conn.invalidated else conn.close()


def _lock_id(key: str) -> int:
    """A stable signed 64-bit number for ``key`` (PostgreSQL advisory lock ids are bigint)."""
    digest = hashlib.sha256(f"gitmig:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresqlLock(_OwnConnectionLock):
    """``pg_try_advisory_lock`` on its own connection (advisory locks are per database)."""

    __dialect__ = "postgresql"

    def _try(self, conn: Connection, wait: float) -> bool:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _lock_id(self.key)})
        return bool(got.scalar())

    def _unlock(self, conn: Connection) -> None:
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_id(self.key)})


class MySQLLock(_OwnConnectionLock):
    """``GET_LOCK`` on its own connection; the name includes the database (locks are global)."""

    __dialect__ = "mysql"

    def _name(self, conn: Connection) -> str:
        database = conn.execute(text("SELECT DATABASE()")).scalar() or ""
        # GET_LOCK names are limited to 64 characters.
        return "gitmig:" + hashlib.sha256(f"{database}.{self.key}".encode()).hexdigest()[:48]

    def _try(self, conn: Connection, wait: float) -> bool:
        # GET_LOCK waits on the server side, in whole seconds; 0 means "just try".
        got = conn.execute(
            text("SELECT GET_LOCK(:n, :w)"), {"n": self._name(conn), "w": int(wait)}
        ).scalar()
        return got == 1

    def _unlock(self, conn: Connection) -> None:
        conn.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": self._name(conn)})


class MariaDBLock(MySQLLock):
    """MariaDB has the same ``GET_LOCK`` as MySQL."""

    __dialect__ = "mariadb"


class SQLiteLock(MigrationLock):
    """SQLite: the lock is the migration transaction itself, begun with ``BEGIN IMMEDIATE``.

    The migration context emits that ``BEGIN`` (it also makes SQLite's DDL transactional) and
    sets SQLite's busy timeout to the lock timeout, so there is nothing left to do here.
    """

    __dialect__ = "sqlite"

    def acquire(self) -> None:
        self.held = True


def lock_key(version_table: str, version_table_schema: str | None = None) -> str:
    """What a run locks: its version table (runs on different tables do not exclude)."""
    return f"{version_table_schema or ''}.{version_table}"


def lock_for_dialect(name: str) -> type[MigrationLock]:
    """The lock strategy registered for dialect ``name`` (the no-op base if none)."""
    return _REGISTRY.get(name, MigrationLock)
