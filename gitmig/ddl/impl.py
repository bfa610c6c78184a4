"""Per-dialect implementation of migration operations.

:class:`DefaultImpl` runs (online) or writes (offline) the statements an operation needs;
dialect modules subclass it and register themselves by dialect name through ``__dialect__``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from sqlalchemy import text
from sqlalchemy.sql.elements import ClauseElement

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, CursorResult, Dialect
    from sqlalchemy.sql.base import Executable

__all__ = ["DefaultImpl", "impl_for_dialect"]

_REGISTRY: dict[str, type[DefaultImpl]] = {}


class DefaultImpl:
    """Operation implementation for a dialect with no specific support.

    Subclasses set ``__dialect__`` to the SQLAlchemy dialect name they serve.
    """

    __dialect__: ClassVar[str] = "default"
    transactional_ddl: ClassVar[bool] = False
    command_terminator: ClassVar[str] = ";"
    #: printed after each statement group in offline mode (``GO`` on SQL Server)
    batch_separator: ClassVar[str | None] = None

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

    @classmethod
    def get_by_dialect(cls, dialect: Dialect) -> type[DefaultImpl]:
        """The implementation class registered for ``dialect`` (``DefaultImpl`` if none)."""
        return impl_for_dialect(dialect.name)

    @property
    def bind(self) -> Connection | None:
        return self.connection

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
            sql = str(construct.compile(dialect=self.dialect, **compile_kw))
            self.static_output(sql.replace("\t", "    ").strip() + self.command_terminator)
            if self.batch_separator:
                self.static_output(self.batch_separator)
            return None
        assert self.connection is not None, "online execution needs a connection"
        conn = self.connection
        if execution_options:
            conn = conn.execution_options(**execution_options)
        if multiparams:
            return conn.execute(construct, list(multiparams))
        return conn.execute(construct, dict(params or {}))

    def execute(
        self,
        sql: Executable | str,
        execution_options: Mapping[str, Any] | None = None,
    ) -> None:
        """Run (or, offline, write) one statement."""
        self._exec(sql, execution_options)


def impl_for_dialect(name: str) -> type[DefaultImpl]:
    """The implementation class registered for dialect ``name`` (``DefaultImpl`` if none)."""
    if name not in _REGISTRY:
        _load_dialect_modules()
    return _REGISTRY.get(name, DefaultImpl)


def _load_dialect_modules() -> None:
    # Dialect modules register on import; import them only when an unknown name is asked for.
    import importlib

    for module in ("postgresql", "mysql", "sqlite", "mssql", "oracle"):
        try:
            importlib.import_module(f"gitmig.ddl.{module}")
        except ModuleNotFoundError as err:
            if err.name != f"gitmig.ddl.{module}":
                raise
