"""Semantic conflicts for check-heads: record each side's new revisions, pair their ops.

Private to :mod:`gitmig.command`. A revision of a git ref is run from its blob, in memory,
without writing it to the work tree; one of the work tree, from its file. Heavy: imported
only when both sides of a comparison added revisions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitmig.lint.conflicts import SemanticCheck, SideRevision, find_conflicts
from gitmig.lint.record import record_source

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.git.divergence import Snapshot, SnapshotReader
    from gitmig.lint.record import Recording

__all__ = ["SemanticChecker"]


def _targets(config: Config) -> list[tuple[str | None, str]]:
    """(engine, dialect) pairs as lint uses them; without a usable URL, PostgreSQL (the
    names a revision touches do not depend on the dialect)."""
    from gitmig.command.safety import engine_dialects
    from gitmig.exc import ConfigError, UsageError

    try:
        return engine_dialects(config)
    except (UsageError, ConfigError):
        return [(None, "postgresql")]


def _added(side: Snapshot, other: Snapshot, base: Snapshot) -> list[str]:
    """The ids ``side`` added since ``base`` and does not share with ``other``, oldest first."""
    from gitmig.exc import RevisionError
    from gitmig.script.revision import RevisionMap

    ids = [
        r
        for r in side.revisions
        if r not in base.revisions
        and not (r in other.revisions and other.digests[r] == side.digests[r])
    ]
    # With the other side's revisions: a parent it supplies (after `gitmig rebase`) orders
    # this side's first revision too.
    for revisions in ({**other.revisions, **side.revisions}, side.revisions):
        try:
            return RevisionMap(revisions.values()).sort(ids)
        except RevisionError:
            continue
    return sorted(ids)  # the graph is broken: the comparison reports that


def _where(content: Snapshot | None, side: Snapshot, rev_id: str) -> Snapshot:
    return content if content is not None and rev_id in content.revisions else side


class SemanticChecker:
    """Checks pairs of snapshots; records each distinct file content once per engine."""

    def __init__(self, config: Config, reader: SnapshotReader) -> None:
        self.config = config
        self.reader = reader
        self.recordings: dict[tuple[str, str | None, str], Recording] = {}
        self._targets: list[tuple[str | None, str]] | None = None

    def _record(
        self, snap: Snapshot, rev_id: str, engine: str | None, dialect: str
    ) -> SideRevision:
        digest = snap.digests[rev_id]
        rev = snap.revisions[rev_id]
        key = (digest, engine, dialect)
        if key not in self.recordings:
            if snap.commit is None and snap.name == "working tree":
                assert rev.path is not None
                with open(rev.path, encoding="utf-8") as fh:
                    source = fh.read()
                filename = rev.path
            else:
                source = self.reader.repo.read_blob(digest).decode("utf-8", errors="replace")
                filename = f"{snap.name}:{snap.paths[rev_id]}"
            self.recordings[key] = record_source(rev, source, filename, dialect, engine)
        return SideRevision(rev_id, snap.paths[rev_id], self.recordings[key])

    def check(
        self,
        ours: Snapshot,
        theirs: Snapshot,
        merge_base: str | None,
        content: Snapshot | None = None,
        names: tuple[str, str] | None = None,
    ) -> SemanticCheck | None:
        """The semantic conflicts between what ``ours`` and ``theirs`` added since
        ``merge_base``; ``None`` when one side added nothing (nothing is recorded then).

        ``content``: where to read the two sides' files from when it has them (the index
        of a merge in progress, so that a fix staged during the merge counts). ``names``:
        what to call the two sides (default: the snapshots' names).
        """
        from gitmig.git.divergence import Snapshot as _Snapshot

        base = self.reader.at_commit(merge_base) if merge_base else _Snapshot("none", None)
        mine, other = _added(ours, theirs, base), _added(theirs, ours, base)
        if not (mine and other):
            return None
        if self._targets is None:
            self._targets = _targets(self.config)
        check = SemanticCheck(*(names or (ours.name, theirs.name)))
        for engine, dialect in self._targets:
            ours_side = [self._record(_where(content, ours, r), r, engine, dialect) for r in mine]
            theirs_side = [
                self._record(_where(content, theirs, r), r, engine, dialect) for r in other
            ]
            find_conflicts(ours_side, theirs_side, check, engine)
        check.unrecorded = list(dict.fromkeys(check.unrecorded))  # once, not once per engine
        return check
