"""Alembic's step classes and ``HeadMaintainer``: version rows kept one step at a time.

gitmig's runs compute each step's rows before and after from the graph
(:mod:`gitmig.runtime.plan`) and write the difference.  Alembic's tools instead hand a
``HeadMaintainer`` one step at a time and let the step decide, from the rows present, whether
it inserts a row (a new branch), deletes one (a branch gone), updates one, or merges or
unmerges several.  These classes give that API with Alembic's rules; the statements they
cause go through the context's one writer of version rows (``MigrationContext._exec_version``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gitmig.script.revision import Revision, RevisionMap

__all__ = ["HeadMaintainer", "RevisionStep", "StampStep", "stamp_revs"]

log = logging.getLogger(__name__)


def _ids(value: str | Collection[str] | None) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _comma(ids: Iterable[str]) -> str:
    return ", ".join(ids) or "<base>"


class _Step:
    """What both kinds of step share: direction, names and their log line."""

    is_upgrade: bool
    doc: str | None = None

    @property
    def is_downgrade(self) -> bool:
        return not self.is_upgrade

    @property
    def name(self) -> str:
        """``upgrade``, ``downgrade`` or ``stamp_revision`` (the function a step runs)."""
        raise NotImplementedError

    @property
    def from_revisions_no_deps(self) -> tuple[str, ...]:
        raise NotImplementedError

    @property
    def to_revisions_no_deps(self) -> tuple[str, ...]:
        raise NotImplementedError

    @property
    def short_log(self) -> str:
        source, dest = _comma(self.from_revisions_no_deps), _comma(self.to_revisions_no_deps)
        return f"{self.name} {source} -> {dest}"

    def __str__(self) -> str:
        return f"{self.short_log}, {self.doc}" if self.doc else self.short_log


class RevisionStep(_Step):
    """Running one revision's ``upgrade()`` or ``downgrade()``."""

    def __init__(self, revision_map: RevisionMap, revision: Revision, is_upgrade: bool) -> None:
        self.revision_map = revision_map
        self.revision = revision
        self.is_upgrade = is_upgrade

    @property
    def migration_fn(self) -> Callable[..., None]:
        """The revision module's ``upgrade`` or ``downgrade`` function."""
        function: Callable[..., None] = getattr(self.revision.module, self.name)  # type: ignore[attr-defined]
        return function

    @property
    def name(self) -> str:
        return "upgrade" if self.is_upgrade else "downgrade"

    def __repr__(self) -> str:
        return f"RevisionStep({self.revision.revision!r}, is_upgrade={self.is_upgrade!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, RevisionStep)
            and other.revision.revision == self.revision.revision
            and other.is_upgrade == self.is_upgrade
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def doc(self) -> str | None:  # type: ignore[override]
        return self.revision.doc

    @property
    def _down(self) -> tuple[str, ...]:
        self.revision_map._revision_map  # noqa: B018 (sets the normalized dependencies)
        return self.revision._normalized_down_revisions

    @property
    def from_revisions(self) -> tuple[str, ...]:
        return self._down if self.is_upgrade else (self.revision.revision,)

    @property
    def to_revisions(self) -> tuple[str, ...]:
        return (self.revision.revision,) if self.is_upgrade else self._down

    @property
    def from_revisions_no_deps(self) -> tuple[str, ...]:
        return self.revision.parents if self.is_upgrade else (self.revision.revision,)

    @property
    def to_revisions_no_deps(self) -> tuple[str, ...]:
        return (self.revision.revision,) if self.is_upgrade else self.revision.parents

    def _not_below(self, others: set[str], candidates: Iterable[str]) -> list[str]:
        """``candidates`` that are not ancestors of the rows ``others``."""
        graph = self.revision_map
        below = {r.revision for r in graph._get_ancestor_nodes(graph.get_revisions(others))}
        return [c for c in candidates if c not in below]

    def should_delete_branch(self, heads: set[str]) -> bool:
        """A downgrade of a row whose down revisions are all held by other rows (or none)."""
        if self.is_upgrade or self.revision.revision not in heads:
            return False
        return not self._down or not self._unmerge_to_revisions(heads)

    def should_create_branch(self, heads: set[str]) -> bool:
        """An upgrade none of whose down revisions is a row."""
        return self.is_upgrade and not heads.intersection(self._down)

    def should_merge_branches(self, heads: set[str]) -> bool:
        """An upgrade that joins several rows."""
        return self.is_upgrade and len(heads.intersection(self._down)) > 1

    def should_unmerge_branches(self, heads: set[str]) -> bool:
        """A downgrade of a merge that is a row."""
        return self.is_downgrade and self.revision.revision in heads and len(self._down) > 1

    def merge_branch_idents(self, heads: set[str]) -> tuple[list[str], str, str]:
        """(rows to delete, the row to update, its new value) for a merge."""
        others = set(heads).difference(self.from_revisions)
        joined = (
            self._not_below(others, self.from_revisions) if others else list(self.from_revisions)
        )
        return joined[:-1], joined[-1], self.to_revisions[0]

    def _unmerge_to_revisions(self, heads: set[str]) -> tuple[str, ...]:
        others = set(heads).difference([self.revision.revision])
        if others:
            return tuple(self._not_below(others, self.to_revisions))
        graph = self.revision_map
        implied = {
            r.revision
            for to in self.to_revisions
            for r in graph._get_ancestor_nodes(graph.get_revisions(to))
            if r.revision != to
        }
        return tuple(r for r in self.to_revisions if r not in implied)

    def unmerge_branch_idents(self, heads: set[str]) -> tuple[str, str, tuple[str, ...]]:
        """(the row to update, its new value, rows to insert) for an unmerge."""
        to = self._unmerge_to_revisions(heads)
        return self.from_revisions[0], to[-1], to[:-1]

    def update_version_num(self, heads: set[str]) -> tuple[str, str]:
        """(old row, new row) for a step along a line."""
        down = self._down
        if len(down) != 1:
            present = heads.intersection(down)
            assert len(present) == 1, "Can't do an UPDATE because downrevision is ambiguous"
            down = tuple(present)
        rev = self.revision.revision
        return (down[0], rev) if self.is_upgrade else (rev, down[0])

    @property
    def delete_version_num(self) -> str:
        return self.revision.revision

    @property
    def insert_version_num(self) -> str:
        return self.revision.revision


class StampStep(_Step):
    """Setting version rows without running anything: ``from_`` rows become ``to_``."""

    def __init__(
        self,
        from_: str | Collection[str] | None,
        to_: str | Collection[str] | None,
        is_upgrade: bool,
        branch_move: bool,
        revision_map: RevisionMap | None = None,
    ) -> None:
        self.from_ = _ids(from_)
        self.to_ = _ids(to_)
        self.is_upgrade = is_upgrade
        self.branch_move = branch_move
        self.revision_map = revision_map

    def stamp_revision(self, **kw: Any) -> None:
        """A stamp runs nothing."""

    @property
    def migration_fn(self) -> Callable[..., None]:
        return self.stamp_revision

    @property
    def name(self) -> str:
        return "stamp_revision"

    def __repr__(self) -> str:
        return (
            f"StampStep({self.from_!r}, {self.to_!r}, is_upgrade={self.is_upgrade!r}, "
            f"branch_move={self.branch_move!r})"
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, StampStep)
            and other.from_ == self.from_
            and other.to_ == self.to_
            and other.branch_move == self.branch_move
            and other.is_upgrade == self.is_upgrade
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def from_revisions(self) -> tuple[str, ...]:
        return self.from_

    @property
    def to_revisions(self) -> tuple[str, ...]:
        return self.to_

    @property
    def from_revisions_no_deps(self) -> tuple[str, ...]:
        return self.from_

    @property
    def to_revisions_no_deps(self) -> tuple[str, ...]:
        return self.to_

    @property
    def delete_version_num(self) -> str:
        assert len(self.from_) == 1
        return self.from_[0]

    @property
    def insert_version_num(self) -> str:
        assert len(self.to_) == 1
        return self.to_[0]

    def update_version_num(self, heads: set[str]) -> tuple[str, str]:
        assert len(self.from_) == 1 and len(self.to_) == 1
        return self.from_[0], self.to_[0]

    def merge_branch_idents(self, heads: set[str]) -> tuple[list[str], str, str]:
        return list(self.from_[:-1]), self.from_[-1], self.to_[0]

    def unmerge_branch_idents(self, heads: set[str]) -> tuple[str, str, tuple[str, ...]]:
        return self.from_[0], self.to_[-1], self.to_[:-1]

    def should_delete_branch(self, heads: set[str]) -> bool:
        return self.is_downgrade and self.branch_move

    def should_create_branch(self, heads: set[str]) -> bool:
        return (
            self.is_upgrade
            and (self.branch_move or bool(set(self.from_) - heads))
            and bool(set(self.to_) - heads)
        )

    def should_merge_branches(self, heads: set[str]) -> bool:
        return len(self.from_) > 1

    def should_unmerge_branches(self, heads: set[str]) -> bool:
        return len(self.to_) > 1


class HeadMaintainer:
    """The version rows (``heads``) of a context, changed one step at a time."""

    def __init__(self, context: Any, heads: Iterable[str]) -> None:
        self.context = context
        self.heads = set(heads)

    def _insert_version(self, version: str) -> None:
        assert version not in self.heads
        self.heads.add(version)
        self.context._exec_version("insert", {"after": version})

    def _delete_version(self, version: str) -> None:
        self.heads.remove(version)
        self.context._exec_version("delete", {"before": version})

    def _update_version(self, from_: str, to_: str) -> None:
        assert to_ not in self.heads
        self.heads.remove(from_)
        self.heads.add(to_)
        self.context._exec_version("update", {"before": from_, "after": to_})

    def update_to_step(self, step: RevisionStep | StampStep) -> None:
        """Change the rows as ``step`` does, given the rows present now."""
        heads = self.heads
        if step.should_delete_branch(heads):
            log.debug("branch delete %s", step.delete_version_num)
            self._delete_version(step.delete_version_num)
        elif step.should_create_branch(heads):
            log.debug("new branch insert %s", step.insert_version_num)
            self._insert_version(step.insert_version_num)
        elif step.should_merge_branches(heads):
            deleted, before, after = step.merge_branch_idents(heads)
            log.debug("merge, delete %s, update %s to %s", deleted, before, after)
            for rev in deleted:
                self._delete_version(rev)
            self._update_version(before, after)
        elif step.should_unmerge_branches(heads):
            before, after, inserted = step.unmerge_branch_idents(heads)
            log.debug("unmerge, insert %s, update %s to %s", inserted, before, after)
            for rev in inserted:
                self._insert_version(rev)
            self._update_version(before, after)
        else:
            before, after = step.update_version_num(heads)
            log.debug("update %s to %s", before, after)
            self._update_version(before, after)


def stamp_revs(
    graph: RevisionMap, revision: str | Collection[str] | None, heads: str | Collection[str] | None
) -> list[StampStep]:
    """Alembic's stamp steps from the rows ``heads`` to ``revision`` (``None``: base).

    Each destination moves the rows on its line of history in one step: up, down, or as
    a new branch when no row is on its line; ``base`` deletes each row on the line.
    """
    current = graph.get_revisions(heads)
    targets = _ids(revision) or ("base",)
    on_line: list[Revision] = []
    for target in targets:
        for head in graph.filter_for_lineage(current, target, include_dependencies=True):
            if head not in on_line:
                on_line.append(head)
    rows = [head.revision for head in on_line]
    steps: list[StampStep] = []
    for dest in graph.get_revisions(targets) or (None,):
        if dest is None:
            steps.extend(StampStep(row, None, False, True, graph) for row in rows)
        elif dest in on_line:
            continue  # already a row
        elif set(graph._get_descendant_nodes([dest])) & set(on_line):
            steps.append(StampStep(rows, dest.revision, False, False, graph))
        elif set(graph._get_ancestor_nodes([dest])) & set(on_line):
            steps.append(StampStep(rows, dest.revision, True, False, graph))
        else:  # no row on its line: a new branch
            steps.append(StampStep((), dest.revision, True, True, graph))
    return steps
