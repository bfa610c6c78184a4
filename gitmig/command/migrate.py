"""Running migrations: upgrade, downgrade, stamp, current, and autogenerate's check.

Every one runs the user's env.py (:func:`run_env`) with a function that plans the steps
from the version rows env.py's MigrationContext reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from gitmig.command._base import script_directory
from gitmig.exc import CommandError, UsageError

if TYPE_CHECKING:
    from gitmig.autogenerate.api import RevisionContext
    from gitmig.config import Config
    from gitmig.operations.ops import MigrateOperation
    from gitmig.runtime.migration import MigrationContext, MigrationStep
    from gitmig.script.base import Script, ScriptDirectory

__all__ = [
    "CurrentState",
    "check",
    "current",
    "downgrade",
    "run_autogenerate",
    "run_env",
    "stamp",
    "upgrade",
]


def run_env(
    config: Config,
    script_dir: ScriptDirectory,
    fn: Callable[[tuple[str, ...], MigrationContext], Any],
    **kw: Any,
) -> None:
    """Run env.py with an EnvironmentContext carrying the command's ``fn`` and options.

    Raises ScriptError when env.py never calls ``context.run_migrations()`` (the command
    would otherwise succeed having done nothing), and a clearer error when env.py failed
    for a reason :func:`gitmig.runtime.explain.explain_env_failure` recognises.
    """
    from gitmig.exc import ConfigError, ScriptError
    from gitmig.runtime.environment import EnvironmentContext
    from gitmig.runtime.explain import explain_env_failure

    calls: list[tuple[str, ...]] = []

    def counted(heads: tuple[str, ...], context: MigrationContext) -> Any:
        calls.append(heads)
        return fn(heads, context)

    try:
        with EnvironmentContext(config, script_dir, fn=counted, **kw):
            script_dir.run_env()
    except ScriptError as err:
        better = explain_env_failure(config, script_dir.env_py_location, err)
        if better is None:
            raise
        raise better from (None if isinstance(better, ConfigError) else err.__cause__)
    if not calls:
        raise ScriptError(
            f"{script_dir.env_py_location} did not call context.run_migrations(); nothing was done"
        )


def run_autogenerate(script_dir: ScriptDirectory, revision_context: RevisionContext) -> None:
    """Run env.py with autogenerate's comparison as the migration function."""
    run_env(
        revision_context.config,
        script_dir,
        fn=revision_context.run_autogenerate,
        as_sql=False,
        dont_mutate=True,
        revision_context=revision_context,
    )


def check(config: Config) -> list[MigrateOperation]:
    """The operations autogenerate would write now (empty when models and database agree).

    Runs env.py like ``new --autogenerate`` but writes nothing; the database must be at head.
    """
    from gitmig.autogenerate.api import RevisionContext

    script_dir = script_directory(config)
    revision_context = RevisionContext(config, script_dir, {"head": "head"})
    run_autogenerate(script_dir, revision_context)
    return revision_context.operations()


def _check_offline_lock(command_name: str, sql: bool, lock_timeout: float | None) -> None:
    if sql and lock_timeout is not None:
        raise UsageError(
            f"{command_name} --lock-timeout cannot be used with --sql: offline mode connects "
            "to nothing and takes no lock"
        )


def _split_range(revision: str, sql: bool, command_name: str) -> tuple[str | None, str]:
    """``START:END`` -> (START, END); ranges are for offline mode only."""
    if ":" not in revision:
        return None, revision
    if not sql:
        raise UsageError(
            f"{command_name} {revision!r}: a START:END range is only for --sql (offline) mode; "
            "online, the start is what the database's version table says"
        )
    start, end = (part.strip() for part in revision.split(":", 1))
    if not end:
        raise UsageError(f"{command_name} {revision!r}: the range has no END revision")
    return start or None, end


def upgrade(
    config: Config,
    revision: str = "head",
    sql: bool = False,
    tag: str | None = None,
    lock_timeout: float | None = None,
) -> None:
    """Upgrade the database to ``revision`` (``head``, ``heads``, an id, ``LABEL@head``, +N...).

    With ``sql``, write the SQL instead (from base, or from START given as ``START:END``).
    The run holds the migration lock, waiting at most ``lock_timeout`` seconds for it.
    """
    _migrate(config, "upgrade", revision, sql, tag, lock_timeout)


def downgrade(
    config: Config,
    revision: str,
    sql: bool = False,
    tag: str | None = None,
    lock_timeout: float | None = None,
) -> None:
    """Downgrade the database to ``revision`` (``base``, an id, ``-1``, ``LABEL@base``...).

    With ``sql``, ``revision`` must be ``START:END`` (there is no database to start from).
    """
    _migrate(config, "downgrade", revision, sql, tag, lock_timeout)


def _migrate(
    config: Config,
    direction: str,
    revision: str,
    sql: bool,
    tag: str | None,
    lock_timeout: float | None,
) -> None:
    from gitmig.runtime.plan import downgrade_steps, resolve_rows, upgrade_steps

    _check_offline_lock(direction, sql, lock_timeout)
    script_dir = script_directory(config)
    starting_rev, target = _split_range(revision, sql, direction)
    if direction == "downgrade" and sql and starting_rev is None:
        raise UsageError(
            f"downgrade --sql {revision!r}: give the range as START:END (e.g. head:base); "
            "offline there is no database to read the start from"
        )
    graph = script_dir.revision_map
    make_steps = upgrade_steps if direction == "upgrade" else downgrade_steps

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        rows = resolve_rows(graph, heads, exact=not sql, version_table=context.version_table)
        return make_steps(script_dir, rows, target)

    run_env(
        config,
        script_dir,
        fn=fn,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=target,
        tag=tag,
        lock=not sql,
        lock_timeout=lock_timeout,
    )


def stamp(
    config: Config,
    revision: str | Sequence[str],
    sql: bool = False,
    tag: str | None = None,
    purge: bool = False,
    lock_timeout: float | None = None,
) -> None:
    """Set the version table to ``revision`` (one or several) without running migrations.

    Each target replaces the rows on its own line of history; ``base`` (or, as in Alembic,
    no revision at all) empties the table. ``purge`` empties it first, which also
    overwrites revisions the scripts do not know.
    """
    from gitmig.runtime.plan import resolve_rows, stamp_steps

    script_dir = script_directory(config)
    targets = [revision] if isinstance(revision, str) else list(revision) or ["base"]
    if purge and sql:
        raise UsageError("stamp --purge cannot be used with --sql (offline) mode")
    _check_offline_lock("stamp", sql, lock_timeout)
    starting_rev = None
    if sql and len(targets) == 1:
        starting_rev, targets[0] = _split_range(targets[0], sql, "stamp")
    graph = script_dir.revision_map

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        rows = resolve_rows(graph, heads, exact=not sql, version_table=context.version_table)
        return stamp_steps(graph, rows, targets, purge=purge)

    run_env(
        config,
        script_dir,
        fn=fn,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=tuple(targets),
        tag=tag,
        lock=not sql,
        purge=purge,
        lock_timeout=lock_timeout,
    )


class CurrentState(NamedTuple):
    """Where a database stands: its version rows and the scripts' heads."""

    #: the version table's rows (the applied heads), in graph order
    rows: tuple[str, ...]
    #: the scripts for ``rows``
    scripts: tuple[Script, ...]
    #: the heads of the scripts
    heads: tuple[str, ...]
    #: the database URL, password masked
    url: str | None

    @property
    def at_heads(self) -> bool:
        """True when the database is on every head of the scripts."""
        return set(self.rows) == set(self.heads)


def current(config: Config, check_heads: bool = False, verbose: bool = False) -> CurrentState:
    """Read the database's current revision(s) (the version table; nothing is changed).

    With ``check_heads``, raise CommandError unless the database is on every head.
    ``verbose`` is accepted for Alembic compatibility (the CLI prints the details).
    """
    from gitmig.runtime.plan import resolve_rows

    script_dir = script_directory(config)
    graph = script_dir.revision_map
    found: list[CurrentState] = []

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        rows = resolve_rows(graph, heads, exact=True, version_table=context.version_table)
        rows = tuple(graph.sort(rows))
        bind = context.bind
        url = bind.engine.url.render_as_string(hide_password=True) if bind is not None else None
        scripts = tuple(script_dir.get_script(row) for row in rows)
        found.append(CurrentState(rows, scripts, graph.heads, url))
        return []

    run_env(config, script_dir, fn=fn, as_sql=False, dont_mutate=True)
    state = found[-1]
    if check_heads and not state.at_heads:
        from gitmig.util.messaging import format_ids

        raise CommandError(
            f"The database is at {format_ids(state.rows)}, not at the head(s) "
            f"{format_ids(state.heads)}: run `gitmig upgrade heads`"
        )
    return state


# -- git-aware commands ---------------------------------------------------------------------
