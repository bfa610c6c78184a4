"""What ``op.get_bind()`` is during a dry run: reads reach the database, writes the script.

A dry run renders the steps as offline SQL, where ``op.get_bind()`` is normally a mock that
writes every statement to the script and returns nothing, so a revision that decides what to
do from the data (``op.get_bind().execute(select(...)).scalar()``) cannot run. In a dry run
it gets a :class:`ReadThroughBind` instead: a query (``SELECT``, ``WITH``, ``SHOW``,
``EXPLAIN``) runs on a connection of its own, in a read-only transaction that is rolled back
at the end of the step; anything else is written to the script as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import TextClause

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.engine.mock import MockConnection

    from gitmig.runtime.migration import MigrationContext

__all__ = ["ReadThroughBind", "install_read_through"]

_QUERY_WORDS = ("SELECT", "WITH", "SHOW", "EXPLAIN", "VALUES")


def _is_query(statement: Any) -> bool:
    if isinstance(statement, Select):
        return True
    if isinstance(statement, (TextClause, str)):
        return str(statement).lstrip().split(None, 1)[0].upper() in _QUERY_WORDS
    return False


class ReadThroughBind:
    """``op.get_bind()`` in a dry run's offline pass (see the module docstring)."""

    def __init__(self, mock: MockConnection, engine: Engine) -> None:
        self._mock = mock
        self._engine = engine
        self._conn: Connection | None = None
        #: how many queries reached the database
        self.reads = 0

    @property
    def dialect(self) -> Any:
        return self._mock.dialect

    def _reader(self) -> Connection:
        if self._conn is None:
            conn = self._engine.connect()
            _read_only(conn)
            self._conn = conn
        return self._conn

    def execute(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        if not _is_query(statement):
            return self._mock.execute(statement, parameters, **kw)
        if isinstance(statement, str):
            statement = text(statement)
        self.reads += 1
        return self._reader().execute(statement, parameters, **kw)

    def scalar(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.execute(statement, parameters, **kw).scalar()

    def scalars(self, statement: Any, parameters: Any = None, **kw: Any) -> Any:
        return self.execute(statement, parameters, **kw).scalars()

    def exec_driver_sql(self, statement: str, parameters: Any = None, **kw: Any) -> Any:
        if not _is_query(statement):
            return self._mock.execute(text(statement))
        self.reads += 1
        return self._reader().exec_driver_sql(statement, parameters, **kw)

    def end_step(self) -> None:
        """Roll back what the step read in, and give the connection back."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.rollback()
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA query_only = 0")  # pooled connections outlive us
        finally:
            conn.close()

    def __getattr__(self, name: str) -> Any:
        # DDL events and the like: the mock's behaviour (write to the script).
        return getattr(self._mock, name)


def _read_only(conn: Connection) -> None:
    """Make ``conn``'s transaction refuse writes, the database's way."""
    name = conn.dialect.name
    if name == "sqlite":
        conn.exec_driver_sql("PRAGMA query_only = 1")
    elif name in ("postgresql", "mysql", "mariadb"):
        # PostgreSQL: the transaction SQLAlchemy just began; MySQL: the next one.
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


@contextmanager
def install_read_through(context: MigrationContext, engine: Engine) -> Iterator[ReadThroughBind]:
    """Make ``op.get_bind()`` of the offline ``context`` a :class:`ReadThroughBind`."""
    mock = context.impl.ddl_bind
    bind = ReadThroughBind(mock, engine)  # type: ignore[arg-type]
    context.impl._mock_bind = bind  # type: ignore[assignment]
    try:
        yield bind
    finally:
        bind.end_step()
        context.impl._mock_bind = mock  # type: ignore[assignment]
