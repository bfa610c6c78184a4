"""``gitmig sync``: bring a development database to the checked-out branch's heads.

After a branch switch the database may hold revisions that this tree's files do not
declare. Their scripts are read back from git: by the blob id the ledger recorded when
they ran, else from the previous HEAD (``HEAD@{1}``, ``ORIG_HEAD``), a branch, remote
branch or tag, or an older HEAD of the reflog. They come down (children first), then the
tree's heads go up, in one run through env.py that holds the deploy lock.

A first pass only reads (version rows, ledger, URL); everything that would stop the plan
(a script found nowhere, a ``downgrade()`` that does nothing while ``upgrade()`` changes
the schema, a database not marked as a development one) is found before anything runs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from gitmig.command._base import open_repo, revision_graph, script_directory
from gitmig.command.migrate import _run_planned, run_env
from gitmig.exc import CommandError, ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy.engine import URL

    from gitmig.config import Config
    from gitmig.git.divergence import SnapshotReader
    from gitmig.runtime.ledger import LedgerEntry
    from gitmig.runtime.migration import MigrationContext, MigrationStep
    from gitmig.script.base import RecoveredScript, ScriptDirectory
    from gitmig.script.revision import RevisionMap

__all__ = ["DEV_DATABASE_OPTION", "HOOK_OPTION", "SyncPlan", "SyncReport", "SyncStep", "sync"]

#: the main-section option that marks (``true``) or unmarks (``false``) a development database
DEV_DATABASE_OPTION = "dev_database"
#: the main-section option saying what the post-checkout hook does: ``run`` or ``dry-run``
HOOK_OPTION = "sync_on_checkout"

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
#: how many older HEADs of the reflog are searched for a script (after refs)
_REFLOG_DEPTH = 50


class SyncStep(NamedTuple):
    """One revision that comes down or goes up, and where its script is read from."""

    revision: str
    doc: str
    #: ``None`` for a file of this tree; else ``ledger blob <sha>``, ``HEAD@{1}``, a ref name
    source: str | None = None
    #: the script's path in that source (repository-relative), or the file here
    path: str | None = None


class SyncPlan(NamedTuple):
    """What sync does (or did) to one database."""

    #: the database URL, password masked
    url: str | None
    #: the version rows before the sync
    rows: tuple[str, ...]
    down: tuple[SyncStep, ...]
    up: tuple[SyncStep, ...]
    #: the heads of this tree: the version rows after the sync
    heads: tuple[str, ...]


class SyncReport(NamedTuple):
    """The plan of every database env.py configures; ``dry_run``: nothing was run."""

    databases: tuple[SyncPlan, ...]
    dry_run: bool

    @property
    def in_sync(self) -> bool:
        """True when no database needed anything."""
        return all(not db.down and not db.up for db in self.databases)


class _Read(NamedTuple):
    url: URL | None
    rows: tuple[str, ...]
    entries: tuple[LedgerEntry, ...]
    dialect: str


def sync(
    config: Config, dry_run: bool = False, yes: bool = False, hook: bool = False
) -> SyncReport:
    """Downgrade the revisions this tree does not have (scripts read from git), then
    upgrade to the tree's heads.

    ``dry_run`` only reads and plans. A database that is not a development one (the
    ``dev_database`` option; unset, only SQLite and localhost URLs count as one) is
    refused unless ``yes``. ``hook`` is the post-checkout hook's call: the
    ``sync_on_checkout`` option (``run``, ``dry-run``) says whether it only plans.
    """
    if hook:
        dry_run = dry_run or _hook_mode(config) == "dry-run"
    script_dir = script_directory(config)
    tree = revision_graph(config, complete=False)
    reads = _read_databases(config, script_dir)
    missing = {row for read in reads for row in read.rows if row not in tree}
    with tempfile.TemporaryDirectory(prefix="gitmig-sync-") as folder:
        recovered = _recover(script_dir, tree, reads, missing, Path(folder)) if missing else {}
        graph = _combined(tree, recovered.values())
        plans, runs = [], []
        for read in reads:
            down, up = _plan(script_dir, graph, read.rows, recovered, tree.heads)
            plans.append(_describe(read, down, up, recovered, tree.heads))
            runs.append(bool(down or up))
        _check_downgrades(plans, recovered, reads)
        if not dry_run:
            for read, needed in zip(reads, runs, strict=True):
                if needed:
                    _check_dev_database(config, read.url, yes)
            if any(runs):
                _run(config, script_dir, tree, graph, recovered)
    return SyncReport(tuple(plans), dry_run)


def _hook_mode(config: Config) -> str:
    value = (config.get_main_option(HOOK_OPTION) or "run").strip().lower()
    if value not in ("run", "dry-run"):
        raise ConfigError(
            f"{config.config_file_name or 'the configuration'}: {HOOK_OPTION} = {value!r}; "
            "use run (the post-checkout hook syncs) or dry-run (it prints the plan)"
        )
    return value


# -- reading the databases ------------------------------------------------------------------


def _read_databases(config: Config, script_dir: ScriptDirectory) -> list[_Read]:
    """Each database's version rows and ledger, read without a lock; nothing is written."""
    found: list[_Read] = []

    def read(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        bind = context.bind
        ledger = context.ledger
        entries = tuple(ledger.entries()) if bind is not None and ledger.exists() else ()
        url = bind.engine.url if bind is not None else None
        found.append(_Read(url, tuple(heads), entries, context.dialect.name))
        return []

    run_env(config, script_dir, fn=read, as_sql=False, dont_mutate=True)
    return found


# -- finding the scripts --------------------------------------------------------------------


class _Finder:
    """Reads the scripts of revisions this tree lacks from git, in the documented order."""

    def __init__(
        self,
        script_dir: ScriptDirectory,
        reader: SnapshotReader,
        folder: Path,
        blobs: dict[str, tuple[str, str]],
    ) -> None:
        self.script_dir = script_dir
        self.reader = reader
        self.repo = reader.repo
        self.folder = folder
        #: revision -> (blob, path relative to the environment) from the ledger
        self.blobs = blobs
        self._places: list[tuple[str, str]] | None = None

    def places(self) -> list[tuple[str, str]]:
        """``(name, commit)`` to search after the ledger: HEAD@{1}, ORIG_HEAD, every ref,
        then older HEADs of the reflog."""
        if self._places is not None:
            return self._places
        repo = self.repo
        reflog = repo.reflog("HEAD", _REFLOG_DEPTH)
        places: list[tuple[str, str]] = []
        if len(reflog) > 1:
            places.append(("HEAD@{1}", reflog[1]))
        if repo.ref_exists("ORIG_HEAD"):
            places.append(("ORIG_HEAD", repo.resolve_commit("ORIG_HEAD")))
        for name in repo.refs("refs/heads", "refs/remotes", "refs/tags"):
            places.append((name, repo.resolve_commit(name)))
        places.extend((f"HEAD@{{{i}}}", commit) for i, commit in enumerate(reflog) if i > 1)
        unique: dict[str, str] = {}
        for name, commit in places:
            unique.setdefault(commit, name)  # a commit is read once, under its first name
        self._places = [(name, commit) for commit, name in unique.items()]
        return self._places

    def find(self, revision: str) -> RecoveredScript | None:
        from gitmig.exc import GitError, ScriptError
        from gitmig.script.base import RecoveredScript

        recorded = self.blobs.get(revision)
        if recorded is not None:
            blob, rel = recorded
            try:
                content = self.repo.read_blob(blob)
            except GitError:
                content = None  # the object is gone (gc'd, another clone): look elsewhere
            if content is not None:
                script = RecoveredScript.from_content(
                    content, f"ledger blob {blob[:12]}:{rel}", rel, self.folder
                )
                if script is not None and script.revision == revision:
                    return script
        for name, commit in self.places():
            try:
                snap = self.reader.at_commit(commit, name)
            except (ScriptError, GitError):
                continue  # a ref with a broken file: it cannot be the source
            if revision not in snap.revisions:
                continue
            path = snap.paths[revision]
            rel = Path(os.path.relpath(self.repo.toplevel / path, self.script_dir.dir)).as_posix()
            content = self.repo.read_blob(snap.digests[revision])
            return RecoveredScript.from_content(content, f"{name}:{path}", rel, self.folder)
        return None


def _recover(
    script_dir: ScriptDirectory,
    tree: RevisionMap,
    reads: Sequence[_Read],
    missing: set[str],
    folder: Path,
) -> dict[str, RecoveredScript]:
    """The scripts of ``missing`` and of their ancestors the tree lacks, read from git."""
    from gitmig.runtime.ledger import APPLYING

    blobs: dict[str, tuple[str, str]] = {}
    for read in reads:
        for entry in reversed(read.entries):  # oldest first: later rows win
            if entry.direction in APPLYING and entry.blob and entry.path:
                blobs[entry.revision] = (entry.blob, entry.path)
    recovered: dict[str, RecoveredScript] = {}
    with open_repo(script_dir, "sync (reading the scripts of revisions this tree lacks)") as repo:
        from gitmig.command._base import snapshot_reader

        finder = _Finder(script_dir, snapshot_reader(repo, script_dir), folder, blobs)
        todo = sorted(missing)
        while todo:
            revision = todo.pop(0)
            if revision in recovered:
                continue
            script = finder.find(revision)
            if script is None:
                raise CommandError(_not_found(revision, revision in missing))
            recovered[revision] = script
            for parent in (*script.parents, *script.dependencies):
                known = parent in tree or tree.label_owner(parent) is not None
                if not known and parent not in recovered:
                    todo.append(parent)
    return recovered


def _not_found(revision: str, is_row: bool) -> str:
    where = "the database's version table lists it" if is_row else "an applied revision needs it"
    return (
        f"sync: revision {revision} ({where}) has no script here, in the ledger's recorded "
        "git blob, at HEAD@{1}, ORIG_HEAD, any git ref or the HEAD reflog; nothing was run. "
        "Restore its file (or fetch the branch that has it), or reset the database"
    )


def _combined(tree: RevisionMap, recovered: Iterable[RecoveredScript]) -> RevisionMap:
    from gitmig.script.revision import RevisionMap

    recovered = list(recovered)
    return RevisionMap([*tree, *recovered]) if recovered else tree


# -- the plan -------------------------------------------------------------------------------


def _plan(
    script_dir: ScriptDirectory,
    graph: RevisionMap,
    rows: Sequence[str],
    recovered: dict[str, RecoveredScript],
    heads: Sequence[str],
) -> tuple[list[MigrationStep], list[MigrationStep]]:
    from gitmig.runtime.plan import resolve_rows, sync_steps

    previous = script_dir._revision_map
    script_dir._revision_map = graph
    try:
        rows = resolve_rows(graph, rows, exact=True)
        return sync_steps(script_dir, rows, [r for r in recovered if r in graph], heads)
    finally:
        script_dir._revision_map = previous


def _describe(
    read: _Read,
    down: Sequence[MigrationStep],
    up: Sequence[MigrationStep],
    recovered: dict[str, RecoveredScript],
    heads: tuple[str, ...],
) -> SyncPlan:
    from gitmig.util.messaging import url_text

    def step(s: MigrationStep) -> SyncStep:
        assert s.revision is not None
        found = recovered.get(s.revision)
        if found is None:
            return SyncStep(s.revision, s.doc, None, s.path)
        assert found.path is not None
        source, _, path = found.path.partition(":")
        return SyncStep(s.revision, s.doc, source, path)

    url = url_text(read.url) if read.url is not None else None
    return SyncPlan(url, read.rows, tuple(map(step, down)), tuple(map(step, up)), heads)


def _check_downgrades(
    plans: Sequence[SyncPlan], recovered: dict[str, RecoveredScript], reads: Sequence[_Read]
) -> None:
    """Stop at a recovered revision whose downgrade() does nothing while its upgrade()
    changes the schema: taking it down would leave its changes in place."""
    from gitmig.lint.record import record_source

    for plan, read in zip(plans, reads, strict=True):
        for step in plan.down:
            script = recovered.get(step.revision)
            if script is None:
                continue
            source = script.content.decode("utf-8", errors="replace")
            assert script.path is not None
            recording = record_source(script, source, script.path, read.dialect)
            if recording.empty_downgrade is not None and recording.ops:
                raise CommandError(
                    f"sync: revision {step.revision} ({script.path}): downgrade() does "
                    "nothing, but upgrade() changes the schema; taking it down would leave "
                    "its changes in the database. Nothing was run. Write its downgrade() on "
                    "the branch that has it, or reset the database"
                )


def _check_dev_database(config: Config, url: URL | None, yes: bool) -> None:
    """Refuse a database not marked as a development one, unless ``yes``."""
    from gitmig.util.messaging import url_text

    if yes:
        return
    source = config.config_file_name or "the configuration"
    value = (config.get_main_option(DEV_DATABASE_OPTION) or "").strip().lower()
    if value and value not in _TRUE + _FALSE:
        raise ConfigError(f"{source}: {DEV_DATABASE_OPTION} = {value!r}; use true or false")
    if value in _TRUE:
        return
    shown = url_text(url) if url is not None else "the database"
    if value in _FALSE:
        raise CommandError(
            f"sync downgrades, and {source} says {DEV_DATABASE_OPTION} = {value} for "
            f"{shown}; nothing was run (pass --yes to sync it anyway)"
        )
    if url is not None and _is_local(url):
        return
    raise CommandError(
        f"sync downgrades, and {shown} is neither SQLite nor on localhost; nothing was run. "
        f"Set {DEV_DATABASE_OPTION} = true in {source} if it is a development database, "
        "or pass --yes"
    )


def _is_local(url: URL) -> bool:
    """SQLite, or a server on this machine (localhost, a loopback address, a socket)."""
    if url.get_backend_name() == "sqlite":
        return True
    host = url.host or ""
    return not host or host in _LOCAL_HOSTS or host.startswith("/")


# -- running --------------------------------------------------------------------------------


def _run(
    config: Config,
    script_dir: ScriptDirectory,
    tree: RevisionMap,
    graph: RevisionMap,
    recovered: dict[str, RecoveredScript],
) -> None:
    """One run of env.py: each database's downgrades then upgrades, from its rows then."""
    from gitmig.runtime.plan import sync_steps

    def plan(rows: tuple[str, ...]) -> list[MigrationStep]:
        down, up = sync_steps(script_dir, rows, list(recovered), tree.heads)
        return [*down, *up]

    # The ScriptDirectory serves the combined graph for this run (get_script, the ledger).
    previous = script_dir._revision_map
    script_dir._revision_map = graph
    kw: dict[str, Any] = {"destination_rev": tree.heads}
    try:
        _run_planned(config, script_dir, plan, False, **kw)
    finally:
        script_dir._revision_map = previous
