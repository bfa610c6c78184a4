"""EnvironmentContext: what ``env.py`` talks to through ``from gitmig import context``.

A command builds one with the function that decides what the run does (``fn(heads,
context) -> steps``: upgrade, downgrade, stamp, or reading the current revision), enters it
(which installs it behind :mod:`gitmig.context`), and runs ``env.py``.  ``env.py`` connects,
calls :meth:`EnvironmentContext.configure` and :meth:`EnvironmentContext.run_migrations`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, TextIO, overload

from gitmig.exc import CommandError

if TYPE_CHECKING:
    from types import TracebackType

    from sqlalchemy.engine import URL, Connection, Dialect
    from sqlalchemy.schema import MetaData

    from gitmig.config import Config
    from gitmig.ddl.impl import DefaultImpl
    from gitmig.runtime.migration import MigrationContext, MigrationsFn
    from gitmig.script.base import ScriptDirectory

__all__ = ["EnvironmentContext"]


class _Stack(threading.local):
    # Per thread, so that `gitmig fleet` can run several targets' env.py at once in one
    # process: each thread sees only the environment it installed.
    def __init__(self) -> None:
        self.items: list[EnvironmentContext] = []


_stack = _Stack()


def current_environment() -> EnvironmentContext:
    """The EnvironmentContext of the command that is running ``env.py`` (in this thread)."""
    _current = _stack.items
    if not _current:
        raise CommandError(
            "gitmig.context is only available while a gitmig command runs env.py "
            "(e.g. `gitmig upgrade`); there is no current environment"
        )
    return _current[-1]


class EnvironmentContext:
    """The run a command asked for, as seen from ``env.py``.

    ``fn`` gets the database's current heads and the :class:`MigrationContext`, and returns
    the steps to run (Alembic's convention).  Other keyword arguments (``as_sql``,
    ``starting_rev``, ``destination_rev``, ``tag``, ``lock``, ``lock_timeout``, ``purge``,
    ``dont_mutate``) become options of every MigrationContext that :meth:`configure` makes.
    """

    def __init__(
        self,
        config: Config,
        script: ScriptDirectory | None,
        fn: MigrationsFn | None = None,
        **kw: Any,
    ) -> None:
        self.config = config
        self.script = script
        self.context_opts: dict[str, Any] = dict(kw)
        if fn is not None:
            self.context_opts["fn"] = fn
        self._migration_context: MigrationContext | None = None
        #: every context configure() made, in order (several with the multidb template)
        self.migration_contexts: list[MigrationContext] = []
        self._quiet_level: int | None = None

    def __enter__(self) -> EnvironmentContext:
        _stack.items.append(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _stack.items.remove(self)
        if self._quiet_level is not None:
            logging.getLogger("gitmig").setLevel(self._quiet_level)
            self._quiet_level = None

    # -- what the command asked for ---------------------------------------------------------

    def is_offline_mode(self) -> bool:
        """True for ``--sql``: write SQL instead of connecting."""
        return bool(self.context_opts.get("as_sql", False))

    def is_transactional_ddl(self) -> bool:
        """Whether the configured dialect runs DDL inside transactions."""
        return self.get_context().impl.transactional_ddl

    def requires_connection(self) -> bool:
        return not self.is_offline_mode()

    def get_head_revision(self) -> str | None:
        """The single head of the scripts (``None`` when there are none)."""
        heads = self.get_head_revisions()
        if len(heads) > 1:
            from gitmig.exc import MultipleHeadsError

            raise MultipleHeadsError(f"The scripts have several heads: {', '.join(heads)}", heads)
        return heads[0] if heads else None

    def get_head_revisions(self) -> tuple[str, ...]:
        """Every head of the scripts."""
        return self.script.revision_map.heads if self.script is not None else ()

    def get_starting_revision_argument(self) -> str | tuple[str, ...] | None:
        """The START of an offline ``START:END`` (``None`` online, or without one), as
        :meth:`get_revision_argument` gives it; after :meth:`configure`, its
        ``starting_rev``. A command that takes no start (``current``) makes it an error."""
        if self._migration_context is not None:
            return self._revision_number(self._migration_context._start_from_rev)
        if "starting_rev" not in self.context_opts:
            raise CommandError(
                "No starting revision argument is available: this command takes no START:END range"
            )
        return self._revision_number(self.context_opts["starting_rev"])

    def get_revision_argument(self) -> str | tuple[str, ...] | None:
        """The target revision of the command, with ``head``/``heads`` as the ids they
        name and ``base`` as ``None``; several revisions are a tuple."""
        return self._revision_number(self.context_opts.get("destination_rev"))

    def _revision_number(self, value: str | Sequence[str] | None) -> str | tuple[str, ...] | None:
        """``value`` with its symbolic names (``head``, ``heads``, ``base``, ``LABEL@head``)
        resolved; other identifiers are kept as given (offline, they need not exist)."""
        if value is None:
            return None
        found: list[str] = []
        for item in (value,) if isinstance(value, str) else value:
            symbol = item.rpartition("@")[2]
            if self.script is not None and symbol in ("head", "heads", "base"):
                found += self.script.revision_map.resolve(item)
            else:
                found.append(item)
        if not found:
            return None
        return found[0] if len(found) == 1 else tuple(found)

    def get_tag_argument(self) -> str | None:
        """The ``--tag`` value given to the command, if any."""
        opts = self._migration_context.opts if self._migration_context else self.context_opts
        tag: str | None = opts.get("tag")  # configure(tag=...) wins over the command's
        return tag

    @overload
    def get_x_argument(self, as_dictionary: Literal[False] = ...) -> list[str]: ...

    @overload
    def get_x_argument(self, as_dictionary: Literal[True]) -> dict[str, str]: ...

    def get_x_argument(self, as_dictionary: bool = False) -> list[str] | dict[str, str]:
        """The ``-x`` arguments: a list, or ``{"key": "value"}`` for ``-x key=value``."""
        values = list(getattr(self.config.cmd_opts, "x", None) or [])
        if not as_dictionary:
            return values
        pairs = (value.split("=", 1) if "=" in value else (value, "") for value in values)
        return {key: val for key, val in pairs}

    # -- configuring the migration context --------------------------------------------------

    def configure(
        self,
        connection: Connection | None = None,
        url: str | URL | None = None,
        dialect_name: str | None = None,
        dialect_opts: Mapping[str, Any] | None = None,
        transactional_ddl: bool | None = None,
        transaction_per_migration: bool = False,
        output_buffer: TextIO | None = None,
        starting_rev: str | None = None,
        tag: str | None = None,
        target_metadata: MetaData | Sequence[MetaData] | None = None,
        include_name: Callable[..., bool] | None = None,
        include_object: Callable[..., bool] | None = None,
        include_schemas: bool = False,
        process_revision_directives: Callable[..., None] | None = None,
        compare_type: bool | Callable[..., bool | None] = True,
        compare_server_default: bool | Callable[..., bool | None] = False,
        render_item: Callable[..., Any] | None = None,
        literal_binds: bool = False,
        upgrade_token: str = "upgrades",
        downgrade_token: str = "downgrades",
        user_module_prefix: str | None = None,
        render_as_batch: bool = False,
        version_table: str | None = None,
        version_table_schema: str | None = None,
        on_version_apply: Callable[..., None] | Sequence[Callable[..., None]] | None = None,
        lock_timeout: float | None = None,
        dialect: Dialect | None = None,
        template_args: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> None:
        """Say how to reach the database (or which dialect to write SQL for) and how to run.

        Online, pass ``connection``; offline (``--sql``), pass ``url`` or ``dialect_name``.
        Options are Alembic's; the autogenerate ones are kept in ``opts`` for the autogenerate
        helper.  ``lock_timeout`` (seconds) bounds the wait for another run's migration lock;
        the command line's ``--lock-timeout`` wins over it.  ``template_args`` are added to
        the script template's arguments when a revision is written (they update the dict
        the command passed in place).
        """
        from gitmig.runtime.migration import MigrationContext

        opts = dict(self.context_opts)
        if starting_rev is not None:
            opts["starting_rev"] = starting_rev
        if tag is not None:
            opts["tag"] = tag
        if opts.get("lock_timeout") is None:
            opts["lock_timeout"] = (
                lock_timeout if lock_timeout is not None else _config_timeout(self.config)
            )
        opts.update(
            transactional_ddl=transactional_ddl,
            transaction_per_migration=transaction_per_migration,
            output_buffer=output_buffer,
            target_metadata=target_metadata,
            include_name=include_name,
            include_object=include_object,
            include_schemas=include_schemas,
            process_revision_directives=process_revision_directives,
            compare_type=compare_type,
            compare_server_default=compare_server_default,
            render_item=render_item,
            literal_binds=literal_binds,
            upgrade_token=upgrade_token,
            downgrade_token=downgrade_token,
            user_module_prefix=user_module_prefix,
            render_as_batch=render_as_batch,
            # The config file's version_table (e.g. alembic_version, for a project gitmig
            # took over from Alembic) unless env.py names one.
            version_table=version_table
            or (self.config.get_main_option("version_table") or "").strip()
            or "gitmig_version",
            # Likewise the config's version_table_schema (set per target by `gitmig fleet`
            # for a schema-per-tenant target) unless env.py names one.
            version_table_schema=version_table_schema
            or (self.config.get_main_option("version_table_schema") or "").strip()
            or None,
            on_version_apply=on_version_apply,
        )
        opts.update(kw)
        if template_args:
            shared = self.context_opts.get("template_args")
            if shared is None:
                shared = self.context_opts["template_args"] = {}
            shared.update(template_args)
            opts["template_args"] = shared
        if self.is_offline_mode() and connection is not None:
            raise CommandError(
                "env.py passed a connection in offline (--sql) mode; pass url= or "
                "dialect_name= instead (see the template's run_migrations_offline())"
            )
        self._apply_quiet()
        self._migration_context = MigrationContext.configure(
            connection=connection,
            url=url,
            dialect_name=dialect_name,
            dialect=dialect,
            environment_context=self,
            dialect_opts=dialect_opts,
            opts=opts,
        )
        self.migration_contexts.append(self._migration_context)

    def _apply_quiet(self) -> None:
        # After env.py's logging set-up (fileConfig), so that -q wins over the config file.
        if not getattr(self.config.cmd_opts, "quiet", False) or self._quiet_level is not None:
            return
        logger = logging.getLogger("gitmig")
        self._quiet_level = logger.level
        logger.setLevel(logging.WARNING)

    # -- running ----------------------------------------------------------------------------

    def run_migrations(self, **kw: Any) -> None:
        """Run the command's steps on the configured context.

        Keyword arguments reach each revision's ``upgrade()``/``downgrade()`` (the multidb
        template passes ``engine_name``).
        """
        from gitmig.operations import Operations

        context = self._running_context()
        with Operations.context(Operations(context)):
            context.run_migrations(**kw)

    def begin_transaction(self) -> Any:
        """A block around ``run_migrations()``: the run's transaction (see MigrationContext)."""
        return self._running_context().begin_transaction()

    @contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Step out of the transaction for statements that cannot run in one."""
        with self.get_context().autocommit_block():
            yield

    def execute(self, sql: Any, execution_options: Mapping[str, Any] | None = None) -> None:
        """Run (or, offline, write) one statement outside any revision."""
        self.get_context().impl.execute(sql, execution_options)

    def static_output(self, text: str) -> None:
        """Write text to the offline script."""
        self.get_context().impl.static_output(text)

    def _running_context(self) -> MigrationContext:
        """The context, checked to be able to run: online, it needs a connection (env.py
        may configure one without, as Alembic allows, to ask for its arguments only)."""
        context = self.get_context()
        if not self.is_offline_mode() and context.connection is None:
            raise CommandError(
                "env.py called configure() without a connection; online runs need "
                "connection= (see the template's run_migrations_online())"
            )
        return context

    def get_context(self) -> MigrationContext:
        """The MigrationContext made by :meth:`configure`."""
        if self._migration_context is None:
            raise CommandError("env.py must call context.configure() before this")
        return self._migration_context

    def get_bind(self) -> Connection | None:
        """The connection migrations run on (``None`` offline)."""
        return self.get_context().bind

    def get_impl(self) -> DefaultImpl:
        return self.get_context().impl


def _config_timeout(config: Config) -> float | None:
    value = config.get_main_option("lock_timeout")
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        from gitmig.exc import ConfigError

        raise ConfigError(
            f"{config.config_file_name or 'configuration'}: lock_timeout must be a number of "
            f"seconds, not {value!r}"
        ) from None
