"""The ledger's commands: ``log``, ``verify`` (and ``verify --accept``), and dry runs.

Each reads the database through the user's env.py (as ``current`` does), with a planning
function that runs no step; only ``verify --accept`` writes (one ledger row).
"""

from __future__ import annotations

import dataclasses
import io
from contextlib import redirect_stdout
from typing import TYPE_CHECKING, Any, NamedTuple

from gitmig.command._base import script_directory
from gitmig.command.migrate import run_env
from gitmig.exc import CommandError, UsageError

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.engine import Engine

    from gitmig.config import Config
    from gitmig.git.repo import CommitInfo, Repository
    from gitmig.runtime.ledger import FileStamp, LedgerEntry
    from gitmig.runtime.migration import MigrationContext, MigrationStep
    from gitmig.script.base import ScriptDirectory

__all__ = [
    "DryRun",
    "LedgerLog",
    "PlannedStep",
    "VerifyProblem",
    "VerifyReport",
    "dry_run",
    "ledger_log",
    "verify",
]


# -- log ------------------------------------------------------------------------------------


class LedgerLog(NamedTuple):
    """The ledger's rows, newest first."""

    #: the ledger table's name (with its schema)
    table: str
    entries: tuple[LedgerEntry, ...]
    #: False when the database has no ledger table yet
    exists: bool


def ledger_log(config: Config, limit: int | None = None) -> LedgerLog:
    """The database's ledger, newest first (at most ``limit`` rows); nothing is changed."""
    if limit is not None and limit < 1:
        raise UsageError(f"log -n {limit}: the number of rows must be at least 1")
    script_dir = script_directory(config)
    found: list[LedgerLog] = []

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        ledger = context.ledger
        exists = ledger.exists()
        entries = tuple(ledger.entries(limit)) if exists else ()
        found.append(LedgerLog(ledger.fullname, entries, exists))
        return []

    run_env(config, script_dir, fn=fn, as_sql=False, dont_mutate=True)
    return found[-1]


# -- verify ---------------------------------------------------------------------------------


class VerifyProblem(NamedTuple):
    """One applied revision whose file does not match what the database ran."""

    #: ``edited`` (checksum differs), ``gone`` (file deleted or renamed away) or
    #: ``unknown`` (applied from a revision no file here declares)
    kind: str
    revision: str
    #: the file now (edited), or the file the ledger recorded (gone, unknown)
    path: str | None
    #: when the recorded step finished (UTC)
    applied_at: datetime | None
    #: edited: the commits that changed the file after it was applied (newest first);
    #: gone: the commit that deleted or renamed it
    commits: tuple[CommitInfo, ...] = ()
    #: unknown: the git refs where a file with the recorded content (or path) exists
    refs: tuple[str, ...] = ()
    #: extra facts: renamed to X, uncommitted changes, no git history found
    notes: tuple[str, ...] = ()


class VerifyReport(NamedTuple):
    """What ``verify`` found for every revision the database has applied."""

    table: str
    #: the version table's rows
    rows: tuple[str, ...]
    #: applied revisions whose recorded checksum was compared with the file
    checked: tuple[str, ...]
    #: applied revisions with no recorded checksum (baseline rows, pre-ledger runs)
    unrecorded: tuple[str, ...]
    problems: tuple[VerifyProblem, ...]
    #: the revision ``--accept`` recorded, with its new checksum
    accepted: tuple[str, FileStamp] | None = None
    ledger_exists: bool = True

    @property
    def ok(self) -> bool:
        return not self.problems


class _Read(NamedTuple):
    rows: tuple[str, ...]
    entries: tuple[LedgerEntry, ...]
    table: str
    exists: bool
    accepted: tuple[str, FileStamp] | None


def verify(config: Config, accept: str | None = None) -> VerifyReport:
    """Compare each applied revision's recorded checksum with its file in the tree now.

    Problems name the file and, from git, the commits that changed it after it was applied,
    the commit that deleted it, or the refs that still have a revision no file here
    declares. ``accept`` records the current checksum of one applied revision whose edit
    a person has reviewed (an ``accept`` row in the ledger), then verifies.
    """
    from gitmig.runtime.ledger import APPLYING

    script_dir = script_directory(config)
    graph = script_dir.revision_map
    found: list[_Read] = []

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        ledger = context.ledger
        rows = tuple(heads)
        accepted = None
        if accept is not None:
            revision = script_dir.get_revision(accept).revision
            known = [row for row in rows if row in graph]
            if revision not in graph.ancestors(known):
                raise CommandError(
                    f"verify --accept {accept}: revision {revision} is not applied on the "
                    f"database (it is at {', '.join(rows) or 'base'}); there is nothing to accept"
                )
            stamp = ledger.accept(revision, rows)
            assert stamp is not None
            accepted = (revision, stamp)
        exists = ledger.exists()
        entries = tuple(ledger.entries()) if exists else ()
        found.append(_Read(rows, entries, ledger.fullname, exists, accepted))
        return []

    run_env(config, script_dir, fn=fn, as_sql=False, dont_mutate=True)
    read = found[-1]
    latest: dict[str, LedgerEntry] = {}
    for entry in reversed(read.entries):  # oldest first: later rows win
        if entry.direction in APPLYING:
            latest[entry.revision] = entry
    repo = _repository(script_dir)
    try:
        return _compare(script_dir, read, latest, repo)
    finally:
        if repo is not None:
            repo.close()


def _repository(script_dir: ScriptDirectory) -> Repository | None:
    from gitmig.exc import GitError
    from gitmig.git.repo import open_repository

    try:
        return open_repository(script_dir.dir)
    except GitError:
        return None  # verify still compares checksums; it cannot say which commit


def _compare(
    script_dir: ScriptDirectory,
    read: _Read,
    latest: dict[str, LedgerEntry],
    repo: Repository | None,
) -> VerifyReport:
    from gitmig.runtime.ledger import file_stamp

    graph = script_dir.revision_map
    known = [row for row in read.rows if row in graph]
    checked, unrecorded = [], []
    problems: list[VerifyProblem] = []
    for revision in graph.sort(graph.ancestors(known)):
        entry = latest.get(revision)
        if entry is None or entry.checksum is None:
            unrecorded.append(revision)
            continue
        checked.append(revision)
        path = script_dir.get_script(revision).path
        assert path is not None
        stamp = file_stamp(path)
        if stamp is not None and stamp.checksum == entry.checksum:
            continue
        problems.append(_edited(repo, revision, path, entry))
    for revision in sorted(row for row in read.rows if row not in graph):
        problems.append(_missing(repo, script_dir, revision, latest.get(revision)))
    return VerifyReport(
        read.table,
        read.rows,
        tuple(checked),
        tuple(unrecorded),
        tuple(problems),
        read.accepted,
        read.exists,
    )


def _edited(repo: Repository | None, revision: str, path: str, entry: LedgerEntry) -> VerifyProblem:
    from gitmig.git.repo import changes_after_blob

    commits: list[CommitInfo] = []
    notes = []
    if repo is None:
        notes.append("not in a git repository: the commits that changed it are unknown")
    else:
        rel = repo.relative(path)
        if entry.blob is not None:
            commits, found = changes_after_blob(repo, rel, entry.blob)
            if not found:
                notes.append(
                    "the content it was applied with is in no commit of this branch's history"
                )
        if repo.uncommitted([rel]):
            notes.append("it also has uncommitted changes")
    return VerifyProblem(
        "edited", revision, path, entry.finished_at, tuple(commits), (), tuple(notes)
    )


def _missing(
    repo: Repository | None, script_dir: ScriptDirectory, revision: str, entry: LedgerEntry | None
) -> VerifyProblem:
    """A version row no file declares: deleted here, or applied from another branch."""
    from gitmig.git.repo import deleting_commit, refs_with_file

    recorded = str(script_dir.dir / entry.path) if entry and entry.path else None
    applied_at = entry.finished_at if entry else None
    if repo is None or recorded is None:
        note = "no ledger row records its file" if recorded is None else "not in a git repository"
        return VerifyProblem("unknown", revision, recorded, applied_at, notes=(note,))
    rel = repo.relative(recorded)
    deleted = deleting_commit(repo, rel)
    if deleted is not None:
        info, renamed = deleted
        notes = (f"renamed to {renamed}",) if renamed else ()
        return VerifyProblem("gone", revision, recorded, applied_at, (info,), (), notes)
    folder = rel.rpartition("/")[0]
    refs = refs_with_file(repo, folder, blob=entry.blob if entry else None)
    if not refs:
        refs = refs_with_file(repo, folder, path=rel)
    notes = () if refs else ("no git ref has its file",)
    return VerifyProblem("unknown", revision, recorded, applied_at, (), tuple(refs), notes)


# -- dry runs -------------------------------------------------------------------------------


class PlannedStep(NamedTuple):
    """One step a dry run found: what would run, and from which file."""

    short_log: str
    revision: str | None
    path: str | None


class DryRun(NamedTuple):
    """What ``upgrade``/``downgrade`` would do from the database's current revisions."""

    direction: str
    target: str
    #: the version rows read from the database
    rows: tuple[str, ...]
    steps: tuple[PlannedStep, ...]
    #: the SQL of the steps, from exactly those rows (as ``--sql`` writes it)
    sql: str
    #: ``(revision, reason)`` of steps that cannot be dry-run (they read the database)
    skipped: tuple[tuple[str, str], ...]
    #: the database URL, password masked
    url: str | None
    #: revisions whose queries read the database (read-only, rolled back)
    reading: tuple[str, ...] = ()


def dry_run(config: Config, direction: str, revision: str, tag: str | None = None) -> DryRun:
    """The plan and SQL of ``upgrade``/``downgrade REVISION`` from the database's state.

    Reads the version table (no lock, no write, nothing committed), plans the steps from
    there, then renders them as offline SQL starting at those rows. A revision that reads
    the database (``op.get_bind().execute(select(...)).scalar()``) gets real answers from a
    read-only transaction that is rolled back; one that fails anyway is named as "cannot
    be dry-run" with the reason, and the rest still renders.
    """
    from gitmig.runtime.plan import downgrade_steps, resolve_rows, upgrade_steps

    if ":" in revision:
        raise UsageError(
            f"{direction} --dry-run {revision!r}: a dry run starts where the database "
            "stands; give only the target (or use --sql with START:END)"
        )
    script_dir = script_directory(config)
    graph = script_dir.revision_map
    make_steps = upgrade_steps if direction == "upgrade" else downgrade_steps
    planned: list[tuple[tuple[str, ...], list[MigrationStep], str | None, bool, Engine]] = []

    def read(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        rows = resolve_rows(graph, heads, exact=True, version_table=context.version_table)
        bind = context.bind
        url = bind.engine.url.render_as_string(hide_password=True) if bind is not None else None
        steps = make_steps(script_dir, rows, revision)
        assert bind is not None
        planned.append((rows, steps, url, context.ledger.exists(), bind.engine))
        return []  # nothing runs: this pass only reads

    run_env(config, script_dir, fn=read, as_sql=False, dont_mutate=True, tag=tag)
    rows, steps, url, ledger_exists, engine = planned[-1]
    skipped: list[tuple[str, str]] = []
    reading: list[str] = []
    sql = ""
    if steps:
        sql = _render_offline(
            config, script_dir, rows, steps, revision, tag, ledger_exists, engine, skipped, reading
        )
    return DryRun(
        direction,
        revision,
        tuple(graph.sort(rows)),
        tuple(PlannedStep(s.short_log, s.revision, s.path) for s in steps),
        sql,
        tuple(skipped),
        url,
        tuple(reading),
    )


def _render_offline(
    config: Config,
    script_dir: ScriptDirectory,
    rows: tuple[str, ...],
    steps: list[MigrationStep],
    target: str,
    tag: str | None,
    ledger_exists: bool,
    engine: Engine,
    skipped: list[tuple[str, str]],
    reading: list[str],
) -> str:
    """Run env.py offline from ``rows`` with ``steps``; queries read the real database.

    Each step's ``op.get_bind()`` reads through a read-only transaction rolled back after
    the step (:mod:`gitmig.runtime.dryrun`); a step that fails all the same is named, and
    the others still render.
    """
    from gitmig.runtime.dryrun import install_read_through

    def guard(step: MigrationStep, context: MigrationContext) -> MigrationStep:
        original = step.migration_fn
        if original is None:
            return step

        def run(**kw: Any) -> None:
            with install_read_through(context, engine) as bind:
                try:
                    original(**kw)
                except Exception as err:
                    reason = f"it failed without running ({type(err).__name__}: {err})"
                    skipped.append((step.revision or "", reason))
                    context.impl.static_output(
                        f"-- cannot be dry-run: revision {step.revision}: {reason}; "
                        "its SQL above is incomplete"
                    )
                if bind.reads:
                    reading.append(step.revision or "")

        return dataclasses.replace(step, migration_fn=run)

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        return [guard(step, context) for step in steps]

    buffer = io.StringIO()
    # env.py passes its own output_buffer (None: stdout) to configure(); capture stdout.
    with redirect_stdout(buffer):
        run_env(
            config,
            script_dir,
            fn=fn,
            as_sql=True,
            starting_rev=rows or None,
            destination_rev=target,
            tag=tag,
            ledger_exists=ledger_exists,
        )
    return buffer.getvalue()
