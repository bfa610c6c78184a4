"""The checks of :mod:`gitmig.testing`: plain functions raising AssertionError.

Each database check runs the project's own env.py (through :mod:`gitmig.command`), so it
migrates and reflects exactly the database env.py connects to, and starts from an empty
one (no table but the version table, no version row): a check never runs on a database
it might damage. Messages name the revision and what differs; they are rendered by
:mod:`gitmig.display` where the CLI says the same thing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, NamedTuple

from gitmig.exc import GitmigError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from gitmig.config import Config
    from gitmig.runtime.migration import MigrationContext, MigrationStep
    from gitmig.script.base import Script
    from gitmig.testing.schema import Snapshot

__all__ = [
    "check_lint",
    "check_models_match",
    "check_single_head",
    "check_stairway",
    "check_upgrade",
    "empty_database",
]


class _Database(NamedTuple):
    """One database env.py ran on, as a check sees it."""

    url: str  # password masked
    rows: tuple[str, ...]
    #: gitmig's own tables (the version table and the ledger): never part of the schema
    own_tables: tuple[str, ...]
    schema: Snapshot
    engine: Engine


def _use_url(config: Config, url: str | None) -> None:
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)


def _observe(config: Config) -> list[_Database]:
    """Run env.py without changing anything and reflect each database it connects to."""
    from gitmig.command import script_directory
    from gitmig.command.migrate import run_env
    from gitmig.testing.schema import reflect_schema

    found: list[_Database] = []

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        bind = context.bind
        if bind is None:  # pragma: no cover - env.py ran offline although asked not to
            raise AssertionError("env.py gave gitmig no database connection")
        own = (context.version_table, context.ledger.name)
        found.append(
            _Database(
                bind.engine.url.render_as_string(hide_password=True),
                tuple(heads),
                own,
                reflect_schema(bind, exclude=own),
                bind.engine,
            )
        )
        return []

    run_env(config, script_directory(config), fn=fn, as_sql=False, dont_mutate=True)
    return found


class _Reflector:
    """Reflects the databases env.py connects to, each through one pooled connection.

    Opening a connection costs more than reflecting a small schema (on a busy MariaDB
    most of a stairway's time): env.py runs for the migrations, not for each snapshot.
    """

    def __init__(self, databases: list[_Database]) -> None:
        import sqlalchemy as sa

        self._targets = [
            (db.url, db.own_tables, sa.create_engine(db.engine.url)) for db in databases
        ]

    def snapshot(self) -> Snapshot:
        """The schema of every database (objects keyed by URL when there are several)."""
        from gitmig.testing.schema import reflect_schema

        found: Snapshot = {}
        for url, own_tables, engine in self._targets:
            with engine.connect() as connection:
                schema = reflect_schema(connection, exclude=own_tables)
            prefix = f"{url}: " if len(self._targets) > 1 else ""
            found.update({prefix + obj: parts for obj, parts in schema.items()})
        return found

    def close(self) -> None:
        for _, _, engine in self._targets:
            engine.dispose()


def _require_empty(config: Config) -> list[_Database]:
    databases = _observe(config)
    for db in databases:
        if db.rows or db.schema:
            held = [f"version rows {', '.join(db.rows)}"] if db.rows else []
            held += [", ".join(sorted(db.schema))] if db.schema else []
            raise AssertionError(
                f"the database {db.url} is not empty ({'; '.join(held)}): gitmig.testing's "
                "checks start from an empty database; give them a scratch one"
            )
    return databases


def _label(script: Script) -> str:
    path = script.path or script.revision
    try:
        relative = os.path.relpath(path)
        path = path if relative.startswith("..") else relative
    except ValueError:  # another drive (Windows)
        pass
    doc = f" ({script.doc})" if script.doc else ""
    return f"revision {script.revision}{doc}, {path}"


def _step(failure: str, action: Callable[..., Any], *args: Any) -> None:
    """Run one migration command; its error becomes the check's failure."""
    try:
        action(*args)
    except GitmigError as err:
        raise AssertionError(f"{failure}: {err}") from err


def _differs(summary: str, expected: Snapshot, actual: Snapshot) -> None:
    from gitmig.testing.schema import describe_differences

    lines = describe_differences(expected, actual)
    if lines:
        raise AssertionError("\n".join([summary, *(f"  {line}" for line in lines)]))


def check_single_head(config: Config) -> None:
    """Fail when a line of history has several heads (as ``gitmig check-heads``).

    Heads on separate lines on purpose (separate bases or branch labels) pass.
    """
    from gitmig import command, display

    report = command.check_heads_report(config, against=[])
    if not report.ok:
        raise AssertionError(display.heads_check_text(report, quiet=True).rstrip("\n"))


def check_upgrade(config: Config, url: str | None = None) -> None:
    """Upgrade an empty database from base to every head; fail naming the revision whose
    upgrade fails. ``url`` (else the config's ``sqlalchemy.url``) must be a scratch
    database; it is left at the heads."""
    from gitmig import command

    _use_url(config, url)
    _require_empty(config)
    _step("upgrade from base to heads failed", command.upgrade, config, "heads")


def check_stairway(config: Config, url: str | None = None) -> None:
    """For each revision, oldest first: upgrade it, downgrade it, upgrade it again.

    Fails when a revision's downgrade does not give back the schema from before its
    upgrade (tables; columns with type, nullability and default; primary keys, indexes,
    unique, foreign key and check constraints; views, sequences, enum types), or when
    upgrading again gives another schema than the first time; the message names the
    revision and each difference. Ends with a downgrade to base, which must leave the
    database as empty as it started. ``url`` as for :func:`check_upgrade`.
    """
    _use_url(config, url)
    reflector = _Reflector(_require_empty(config))
    try:
        _stairway(config, reflector)
    finally:
        reflector.close()


def _stairway(config: Config, reflector: _Reflector) -> None:
    from gitmig import command

    start = before = reflector.snapshot()
    for script in reversed(command.history(config)):
        rev, label = script.revision, _label(script)
        _step(f"{label}: upgrade failed", command.upgrade, config, rev)
        upgraded = reflector.snapshot()
        _step(f"{label}: downgrade failed", command.downgrade, config, f"{rev}-1")
        _differs(
            f"{label}: its downgrade does not undo its upgrade; the schema differs from "
            "before the upgrade:",
            before,
            reflector.snapshot(),
        )
        _step(f"{label}: upgrade failed after its downgrade", command.upgrade, config, rev)
        _differs(
            f"{label}: upgrading again after its downgrade gives another schema than the "
            "first upgrade:",
            upgraded,
            reflector.snapshot(),
        )
        before = upgraded
    _step("downgrade from heads to base failed", command.downgrade, config, "base")
    _differs(
        "downgrade from heads to base does not give back an empty database:",
        start,
        reflector.snapshot(),
    )


def check_models_match(config: Config, url: str | None = None) -> None:
    """Upgrade an empty database to the heads, then compare it with the models (env.py's
    ``target_metadata``), as ``gitmig check``; fail listing what autogenerate would write.
    ``url`` as for :func:`check_upgrade`; the database is left at the heads."""
    from gitmig import command, display

    check_upgrade(config, url)
    operations = command.pending_operations(config)
    if operations:
        raise AssertionError(
            "the models differ from the database the migrations build; write the migration "
            '(gitmig new --autogenerate -m "...") or fix the models:\n'
            + display.check_text(operations).rstrip("\n")
        )


def check_lint(config: Config, url: str | None = None, dialect: str | None = None) -> None:
    """Lint every revision (``gitmig lint --all``) for ``dialect`` (default: that of ``url``,
    else of the config's ``sqlalchemy.url``); fail on any error (warnings pass)."""
    from gitmig import command, display

    _use_url(config, url)
    report = command.lint(config, all_revisions=True, dialect=dialect)
    if not report.ok:
        raise AssertionError(display.lint_text(report).rstrip("\n"))


@contextmanager
def empty_database(config: Config, url: str | None = None) -> Iterator[None]:
    """Assert the database is empty, and after the block remove what it created.

    Afterwards the database is downgraded to base and every table the block created (the
    version table too) is dropped, so a failed check does not leave the next one a dirty
    database. Views, sequences and types a broken downgrade leaves behind stay.
    """
    _use_url(config, url)
    before = _require_empty(config)
    try:
        yield
    finally:
        _clean(config, before)


def _clean(config: Config, before: list[_Database]) -> None:
    import sqlalchemy as sa

    from gitmig import command

    # The check has already said what is wrong; what the downgrade leaves is dropped.
    with suppress(GitmigError):
        command.downgrade(config, "base")
    for db in before:
        with db.engine.begin() as connection:
            leftover = sa.MetaData()
            leftover.reflect(connection)
            if leftover.tables:
                leftover.drop_all(connection)
