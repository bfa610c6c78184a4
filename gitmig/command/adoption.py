"""Adopting an Alembic project: ``adopt`` converts it in place, in one command.

Three parts, in this order, each safe to run again: the gitmig config file is written from
Alembic's (kept if it exists), the ``alembic`` imports of env.py, the script template and
the revision files are rewritten, and the database's ``alembic_version`` rows are taken
over: copied into gitmig's version table (``copy``) or kept where they are, with gitmig
configured to use that table (``keep``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from gitmig.exc import CommandError, UsageError
from gitmig.util.messaging import url_text

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from gitmig.config import Config
    from gitmig.runtime.migration import MigrationContext, MigrationStep
    from gitmig.util.alembic_config import AlembicConfig

__all__ = ["ALEMBIC_VERSION_TABLE", "AdoptResult", "FileChange", "VersionTakeover", "adopt"]

#: the version table Alembic fills unless its env.py names another
ALEMBIC_VERSION_TABLE = "alembic_version"
_MODES = ("copy", "keep")
# the tables env.py gets without naming one: Alembic's, and gitmig's
_DEFAULT_TABLES = (ALEMBIC_VERSION_TABLE, "gitmig_version")


class FileChange(NamedTuple):
    """A file whose text adoption changes, or a new file made from ``based_on``."""

    path: Path
    #: the text before (of ``based_on`` for a new file)
    before: str
    after: str
    #: the file a new file is a changed copy of (gitmig.ini of alembic.ini)
    based_on: Path | None = None


class VersionTakeover(NamedTuple):
    """What became of the database's Alembic version rows."""

    #: ``copy`` or ``keep``
    mode: str
    #: the table Alembic kept its rows in
    source: str
    #: the version table gitmig now uses
    table: str
    #: the rows Alembic left (empty: the database was never migrated by Alembic)
    rows: tuple[str, ...]
    #: the rows copied now (empty for ``keep``, or when gitmig's table already held them)
    copied: tuple[str, ...]
    #: the database URL, password masked
    url: str | None


class AdoptResult(NamedTuple):
    """What ``adopt`` did (or, with ``dry_run``, would do)."""

    #: the gitmig config file
    config_file: Path
    #: ``written``, or ``exists`` (left as it is)
    config_status: str
    #: the config file and every rewritten file, before and after
    changes: list[FileChange]
    #: the database part (None with ``dry_run`` or without ``database``)
    version: VersionTakeover | None
    dry_run: bool


def adopt(
    config: Config,
    source: str | Path | None = None,
    version_table: Literal["copy", "keep"] | str = "copy",
    section: str = "alembic",
    dry_run: bool = False,
    database: bool = True,
) -> AdoptResult:
    """Convert the Alembic project configured in ``source`` (alembic.ini, or pyproject.toml
    with ``[tool.alembic]``; default: the current directory's) to gitmig.

    ``version_table``: ``copy`` copies the ``alembic_version`` rows into gitmig's version
    table (``alembic_version`` is left as it is, so Alembic could still run); ``keep``
    records ``version_table = alembic_version`` in the config and copies nothing.  The
    rows are copied in one transaction, holding the migration lock.  ``dry_run`` writes
    nothing and reads no database; ``database=False`` skips the database part (run
    ``adopt`` again where the database is reachable).  ``config`` carries the ``-x``
    arguments env.py receives.
    """
    from gitmig.util.alembic_config import find_alembic_config, gitmig_config

    if version_table not in _MODES:
        raise UsageError(f"version_table must be 'copy' or 'keep', not {version_table!r}")
    found = find_alembic_config(source, section)
    config_file, text = gitmig_config(
        found, ALEMBIC_VERSION_TABLE if version_table == "keep" else None
    )
    if config_file.name == "pyproject.toml":
        before, based_on = config_file.read_text(encoding="utf-8"), None
        exists = "[tool.gitmig" in before
    else:
        assert found.ini is not None
        before, based_on = found.ini.read_text(encoding="utf-8"), found.ini
        exists = config_file.is_file()
    changes = [] if exists else [FileChange(config_file, before, text, based_on)]
    changes.extend(_import_changes(found))
    if not dry_run:
        for change in changes:
            change.path.write_text(change.after, encoding="utf-8")
    takeover = None
    if database and not dry_run:
        takeover = _take_over(config, config_file, version_table)
    return AdoptResult(config_file, "exists" if exists else "written", changes, takeover, dry_run)


def _import_changes(found: AlembicConfig) -> list[FileChange]:
    """env.py, the script template and every revision file, with gitmig imports."""
    from gitmig.util.alembic_imports import rewrite_alembic_imports

    changes = []
    for path in found.python_files():
        before = path.read_text(encoding="utf-8")
        after = rewrite_alembic_imports(before)
        if after != before:
            changes.append(FileChange(path, before, after))
    return changes


def _take_over(config: Config, config_file: Path, mode: str) -> VersionTakeover:
    """Read ``alembic_version`` through env.py and copy (or keep) its rows."""
    from gitmig.command.migrate import run_env
    from gitmig.config import Config
    from gitmig.runtime.plan import resolve_rows, stamp_steps
    from gitmig.script.base import ScriptDirectory

    adopted = Config(config_file, ini_section="gitmig", cmd_opts=config.cmd_opts)
    script_dir = ScriptDirectory.from_config(adopted)
    graph = script_dir.revision_map
    found: list[VersionTakeover] = []

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        assert context.connection is not None
        conn = context.connection
        table_name = context.version_table
        # env.py that names its own table (version_table="...") had Alembic use that one,
        # and now has gitmig use it too: nothing to copy.
        source = table_name if table_name not in _DEFAULT_TABLES else ALEMBIC_VERSION_TABLE
        url = url_text(conn.engine.url)
        if mode == "keep" and table_name != source:
            raise CommandError(
                f"{config_file}: gitmig uses the version table {table_name}, not "
                f"{source}; to keep Alembic's table, set version_table = {source} there "
                "(and no version_table= in env.py)"
            )
        rows = tuple(graph.sort(resolve_rows(graph, _rows(conn, source, context), True, source)))
        if table_name == source:
            found.append(VersionTakeover("keep", source, table_name, rows, (), url))
            return []
        if heads:
            if set(rows) <= graph.ancestors(heads):  # taken over before (and maybe migrated)
                found.append(VersionTakeover(mode, source, table_name, rows, (), url))
                return []
            raise CommandError(
                f"The database's {table_name} already holds {', '.join(heads)}, which is "
                f"not where {source} ({', '.join(rows) or 'empty'}) leads; check which is "
                "right, then `gitmig stamp --purge REV`"
            )
        found.append(VersionTakeover(mode, source, table_name, rows, rows, url))
        return stamp_steps(graph, heads, rows) if rows else []

    run_env(adopted, script_dir, fn=fn, as_sql=False, lock=True)
    return found[-1]


def _rows(conn: Connection, name: str, context: MigrationContext) -> tuple[str, ...]:
    """The rows of the version table ``name`` (none when there is no such table)."""
    import sqlalchemy as sa

    schema = context.version_table_schema
    if not sa.inspect(conn).has_table(name, schema=schema):
        return ()
    table = sa.Table(name, sa.MetaData(), sa.Column("version_num", sa.String(32)), schema=schema)
    return tuple(row[0] for row in conn.execute(sa.select(table.c.version_num)))
