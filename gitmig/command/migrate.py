"""Running migrations: upgrade, downgrade, stamp, current, and autogenerate's check.

Every one runs the user's env.py (:func:`run_env`) with a function that plans the steps
from the version rows env.py's MigrationContext reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from gitmig.command._base import revision_graph, script_directory
from gitmig.exc import CommandError, UsageError
from gitmig.util.messaging import url_text

if TYPE_CHECKING:
    from gitmig.autogenerate.api import RevisionContext
    from gitmig.config import Config
    from gitmig.operations.ops import MigrateOperation
    from gitmig.runtime.migration import MigrationContext, MigrationStep
    from gitmig.script.base import Script, ScriptDirectory

__all__ = [
    "CurrentState",
    "DatabaseState",
    "check",
    "current",
    "downgrade",
    "ensure_version",
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
        template_args=revision_context.env_template_args,
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
    from gitmig.runtime.plan import downgrade_steps, upgrade_steps

    _check_offline_lock(direction, sql, lock_timeout)
    script_dir = script_directory(config)
    starting_rev, target = _split_range(revision, sql, direction)
    if direction == "downgrade" and sql and starting_rev is None:
        raise UsageError(
            f"downgrade --sql {revision!r}: give the range as START:END (e.g. head:base); "
            "offline there is no database to read the start from"
        )
    # An offline script that starts at a revision may take it from a git ref (`--since`,
    # right after `gitmig rebase`); a run against a database needs every file here.
    revision_graph(config, complete=sql and starting_rev is not None)
    make_steps = upgrade_steps if direction == "upgrade" else downgrade_steps
    _run_planned(
        config,
        script_dir,
        lambda rows: make_steps(script_dir, rows, target),
        sql,
        starting_rev=starting_rev,
        destination_rev=target,
        tag=tag,
        lock_timeout=lock_timeout,
    )


def _run_planned(
    config: Config,
    script_dir: ScriptDirectory,
    plan: Callable[[tuple[str, ...]], list[MigrationStep]],
    sql: bool,
    **kw: Any,
) -> None:
    """Run env.py with ``plan`` turning the database's version rows into the run's steps.

    Online, the rows must all be known revisions and the run holds the deploy lock.
    """
    from gitmig.runtime.plan import resolve_rows

    graph = script_dir.revision_map

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        rows = resolve_rows(graph, heads, exact=not sql, version_table=context.version_table)
        return plan(rows)

    run_env(config, script_dir, fn=fn, as_sql=sql, lock=not sql, **kw)


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
    from gitmig.runtime.plan import stamp_steps

    script_dir = script_directory(config)
    targets = [revision] if isinstance(revision, str) else list(revision) or ["base"]
    if purge and sql:
        raise UsageError("stamp --purge cannot be used with --sql (offline) mode")
    _check_offline_lock("stamp", sql, lock_timeout)
    starting_rev = None
    if sql and len(targets) == 1:
        starting_rev, targets[0] = _split_range(targets[0], sql, "stamp")
    graph = revision_graph(config, complete=False)
    _run_planned(
        config,
        script_dir,
        lambda rows: stamp_steps(graph, rows, targets, purge=purge),
        sql,
        starting_rev=starting_rev,
        destination_rev=tuple(targets),
        tag=tag,
        purge=purge,
        lock_timeout=lock_timeout,
    )


def ensure_version(config: Config, sql: bool = False) -> None:
    """Create the version table if it does not exist yet (nothing else changes).

    With ``sql``, write its ``CREATE TABLE`` instead.
    """
    script_dir = script_directory(config)

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        if context.as_sql:
            from sqlalchemy.schema import CreateTable

            context.impl._exec(CreateTable(context._version))
        else:
            # An online run makes the table itself when the database has none yet; this
            # makes sure of it even when env.py configures the run not to change anything.
            context._ensure_version_table()
        return []

    run_env(config, script_dir, fn=fn, as_sql=sql)


class DatabaseState(NamedTuple):
    """Where one database stands: its version rows."""

    #: the database URL, password masked
    url: str | None
    #: the version table's rows (the applied heads), in graph order
    rows: tuple[str, ...]
    #: the scripts for ``rows``
    scripts: tuple[Script, ...]


class CurrentState(NamedTuple):
    """Where the database(s) env.py configures stand, and the scripts' heads.

    Most environments have one database; the multidb template has one per engine, each
    with its own version table.
    """

    #: every database env.py ran on, in the order it ran
    databases: tuple[DatabaseState, ...]
    #: the heads of the scripts
    heads: tuple[str, ...]

    @property
    def rows(self) -> tuple[str, ...]:
        """The version rows (of every database, without repeats)."""
        return tuple(dict.fromkeys(row for db in self.databases for row in db.rows))

    @property
    def scripts(self) -> tuple[Script, ...]:
        """The scripts for :attr:`rows`."""
        found = {s.revision: s for db in self.databases for s in db.scripts}
        return tuple(found[row] for row in self.rows)

    @property
    def url(self) -> str | None:
        """The URL of the (first) database, password masked."""
        return self.databases[0].url if self.databases else None

    @property
    def at_heads(self) -> bool:
        """True when every database is on every head of the scripts."""
        return all(set(db.rows) == set(self.heads) for db in self.databases)


def current(config: Config, check_heads: bool = False, verbose: bool = False) -> CurrentState:
    """Read the database's current revision(s) (the version table; nothing is changed).

    With ``check_heads``, raise CommandError unless every database is on every head.
    ``verbose`` is accepted for Alembic compatibility (the CLI prints the details).
    """
    from gitmig.runtime.plan import resolve_rows

    script_dir = script_directory(config)
    graph = revision_graph(config, complete=False)
    found: list[DatabaseState] = []

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        rows = resolve_rows(graph, heads, exact=True, version_table=context.version_table)
        rows = tuple(graph.sort(rows))
        bind = context.bind
        url = url_text(bind.engine.url) if bind is not None else None
        scripts = tuple(script_dir.get_script(row) for row in rows)
        found.append(DatabaseState(url, rows, scripts))
        return []

    run_env(config, script_dir, fn=fn, as_sql=False, dont_mutate=True)
    state = CurrentState(tuple(found), graph.heads)
    if check_heads and not state.at_heads:
        from gitmig.util.messaging import format_ids

        behind = [db for db in state.databases if set(db.rows) != set(state.heads)]
        where = "; ".join(
            f"{db.url} is at {format_ids(db.rows)}"
            if len(state.databases) > 1
            else f"The database is at {format_ids(db.rows)}"
            for db in behind
        )
        raise CommandError(
            f"{where}, not at the head(s) {format_ids(state.heads)}: run `gitmig upgrade heads`"
        )
    return state


# -- git-aware commands ---------------------------------------------------------------------
