"""Run operations offline and capture the SQL they write, one statement per list item."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from gitmig.operations import Operations
from gitmig.runtime.migration import MigrationContext

#: dialect names the offline tests cover ("mariadb" is MySQL with MariaDB's variations)
OFFLINE_DIALECTS = ("postgresql", "mysql", "mariadb", "sqlite", "mssql", "oracle")
_SEPARATORS = {"GO", "/"}


def offline_ops(dialect: str, **opts: Any) -> tuple[Operations, io.StringIO]:
    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name=dialect, opts={"as_sql": True, "output_buffer": buf, **opts}
    )
    return Operations(ctx), buf


def statements(text: str) -> list[str]:
    """The statements of an offline script, without terminators and batch separators."""
    result = []
    for chunk in text.split("\n\n"):
        chunk = chunk.strip()
        if not chunk or chunk in _SEPARATORS:
            continue
        result.append(" ".join(chunk.removesuffix(";").split()))
    return result


def render(dialect: str, fn: Callable[[Operations], Any], **opts: Any) -> list[str]:
    """The statements ``fn(op)`` writes in offline mode for ``dialect``."""
    op, buf = offline_ops(dialect, **opts)
    fn(op)
    return statements(buf.getvalue())


def transactional_sqlite(engine: Any) -> None:
    """Make pysqlite run DDL inside transactions (SQLAlchemy's documented recipe).

    pysqlite's legacy handling commits before DDL; the runner applies the same fix.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")
