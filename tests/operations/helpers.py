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
