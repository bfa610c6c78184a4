"""MigrationContext: a database connection (or an offline SQL buffer) plus migration options."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy.engine import url as sqla_url

from gitmig.ddl.impl import DefaultImpl

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect

__all__ = ["MigrationContext"]


class MigrationContext:
    """What operations run against: a dialect, maybe a connection, and options.

    Build one with :meth:`configure`; ``env.py`` normally gets one through
    ``context.configure()``.
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
