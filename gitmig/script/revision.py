"""The revision graph: a pure DAG of revisions (no I/O, no imports beyond the standard library).

Edges are ``down_revision`` (the versioned parent links: they decide heads, bases and the
version table's rows) plus ``depends_on`` (ordering only: a dependency is applied first and
unapplied last, but never merges two lines of history).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from functools import cached_property

from gitmig.exc import (
    CycleDetected,
    CycleError,
    DependencyCycleDetected,
    DependencyLoopDetected,
    LoopDetected,
    MultipleHeadsError,
    RangeNotAncestorError,
    ResolutionError,
    RevisionError,
)
from gitmig.script.traversal import AlembicRevisionAPI

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from gitmig.script.divergence import Divergence

    _Step = Callable[[str], Iterable[str]]
    #: ``(order, heads, bases)`` of a built map (see RevisionMap._facts)
    _Facts = tuple[list[str], Sequence[str], Sequence[str]]

__all__ = [
    "CycleDetected",
    "DependencyCycleDetected",
    "DependencyLoopDetected",
    "LoopDetected",
    "MultipleHeads",
    "RangeNotAncestorError",
    "ResolutionError",
    "Revision",
    "RevisionError",
    "RevisionMap",
    "duplicate_id_error",
    "head_ids",
    "is_valid_id",
    "is_valid_label",
]

#: Alembic's name for the error
MultipleHeads = MultipleHeadsError

_VALID_ID = re.compile(r"[A-Za-z0-9_.]+\Z")
_INVALID_LABEL_CHARS = re.compile(r"[@:+\-\s,]")
_RESERVED = frozenset({"head", "heads", "base", "current"})
_RELATIVE = re.compile(r"(.*?)([+-]\d+)\Z")


def is_valid_id(value: str) -> bool:
    """Whether ``value`` may be used as a revision id (letters, digits, ``_`` and ``.``)."""
    return bool(_VALID_ID.match(value)) and value not in _RESERVED


def is_valid_label(value: str) -> bool:
    """Whether ``value`` may be used as a branch label."""
    return bool(value) and not _INVALID_LABEL_CHARS.search(value) and value not in _RESERVED


def _as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if not value:
        return ()
    if value.__class__ is str:
        return (value,)
    return tuple(value)


def _as_scalar(value: tuple[str, ...]) -> str | tuple[str, ...] | None:
    """Alembic's way of writing ids: None for none, the id for one, the tuple for several."""
    if not value:
        return None
    return value[0] if len(value) == 1 else value


_NO_LABELS: frozenset[str] = frozenset()


class Revision:
    """One node of the graph, as declared by a revision file's markers."""

    __slots__ = (
        "_all_nextrev",
        "_normalized_resolved_dependencies",
        "branch_labels",
        "dependencies",
        "depends_on",
        "doc",
        "down_revision",
        "longdoc",
        "nextrev",
        "parents",
        "path",
        "revision",
    )

    def __init__(
        self,
        revision: str,
        down_revision: str | Sequence[str] | None,
        branch_labels: str | Sequence[str] | None = None,
        depends_on: str | Sequence[str] | None = None,
        doc: str = "",
        longdoc: str = "",
        path: str | None = None,
        dependencies: str | Sequence[str] | None = None,
    ) -> None:
        if dependencies is not None:  # Alembic's name for depends_on
            depends_on = dependencies
        self.revision = revision
        #: ``down_revision`` as written in the file (a string, a tuple for a merge, or None)
        self.down_revision = down_revision
        #: ``down_revision`` as a tuple (the common string case spelt out: it is most files)
        self.parents: tuple[str, ...] = (
            (down_revision,)
            if down_revision and down_revision.__class__ is str
            else _as_tuple(down_revision)
        )
        #: ``depends_on`` as written in the file
        self.depends_on = depends_on
        #: ``depends_on`` as a tuple of full revision ids (resolved when put in a map)
        self.dependencies: tuple[str, ...] = _as_tuple(depends_on) if depends_on else ()
        #: branch labels declared on this revision (see RevisionMap.labels for inherited ones)
        self.branch_labels: frozenset[str] = (
            frozenset(_as_tuple(branch_labels)) if branch_labels else _NO_LABELS
        )
        self.doc = doc
        self.longdoc = longdoc
        self.path = path
        # Set by the RevisionMap that holds this revision (Alembic's attributes):
        #: ids of the revisions whose down_revision names this one
        self.nextrev: frozenset[str] = frozenset()
        #: ids of the revisions whose down_revision or depends_on names this one
        self._all_nextrev: frozenset[str] = frozenset()
        #: the dependencies that no down_revision ancestor already declares
        self._normalized_resolved_dependencies: tuple[str, ...] = ()

    @property
    def is_base(self) -> bool:
        """No down_revision (it may still have dependencies)."""
        return not self.parents

    @property
    def is_merge_point(self) -> bool:
        """More than one down_revision."""
        return len(self.parents) > 1

    @property
    def is_head(self) -> bool:
        """No revision names this one as its down_revision (in its map)."""
        return not self.nextrev

    @property
    def is_branch_point(self) -> bool:
        """Several revisions name this one as their down_revision (in its map)."""
        return len(self.nextrev) > 1

    @property
    def _is_real_head(self) -> bool:
        return not self._all_nextrev

    @property
    def _is_real_base(self) -> bool:
        return not self.parents and not self.dependencies

    @property
    def _is_real_branch_point(self) -> bool:
        return len(self._all_nextrev) > 1

    @property
    def _versioned_down_revisions(self) -> tuple[str, ...]:
        return self.parents

    @property
    def _resolved_dependencies(self) -> tuple[str, ...]:
        return self.dependencies

    @_resolved_dependencies.setter
    def _resolved_dependencies(self, value: tuple[str, ...]) -> None:
        self.dependencies = value

    @property
    def _all_down_revisions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.parents + self.dependencies))

    @property
    def _normalized_down_revisions(self) -> tuple[str, ...]:
        """The edges a run walks down: parents, then the dependencies no ancestor declares."""
        return tuple(dict.fromkeys(self.parents + self._normalized_resolved_dependencies))

    @property
    def where(self) -> str:
        """The file that declares this revision, or its id when there is no file."""
        return self.path or f"revision {self.revision}"

    def __repr__(self) -> str:
        args = [repr(self.revision), repr(_as_scalar(self.parents))]
        if self.dependencies:
            args.append(f"dependencies={_as_scalar(self.dependencies)!r}")
        if self.branch_labels:
            args.append(f"branch_labels={set(self.branch_labels)!r}")
        return f"{type(self).__name__}({', '.join(args)})"


def head_ids(revisions: Iterable[Revision]) -> tuple[str, ...]:
    """The ids of ``revisions`` that none of them names as its down_revision, in order.

    The one definition of a graph's heads (dependencies do not count); the git layer uses
    it on snapshots, whose parents may lie outside them.
    """
    revs = list(revisions)
    parents = {parent for rev in revs for parent in rev.parents}
    return tuple(rev.revision for rev in revs if rev.revision not in parents)


def _files(*revs: Revision) -> str:
    """`` (in a.py, b.py)`` naming the files that declare ``revs``; empty when none has one."""
    paths = [rev.path for rev in revs if rev.path]
    return f" (in {', '.join(paths)})" if paths else ""


def _unsorted(nodes: Collection[str], up: Callable[[str], Iterable[str]]) -> set[str]:
    """The ``nodes`` that no topological order of them along ``up`` can place (on or
    above a cycle); empty when there is no cycle among them."""
    pending = {n: sum(1 for u in set(up(n)) if u in nodes) for n in nodes}
    below: dict[str, list[str]] = {n: [] for n in nodes}
    for n in nodes:
        for u in set(up(n)):
            if u in below:
                below[u].append(n)
    ready = [n for n, count in pending.items() if count == 0]
    while ready:
        for later in below[ready.pop()]:
            pending[later] -= 1
            if pending[later] == 0:
                ready.append(later)
    return {n for n, count in pending.items() if count > 0}


def duplicate_id_error(rev_id: str, first: str, second: str) -> RevisionError:
    """The error for a revision id that two files (``first``, ``second``) declare."""
    return RevisionError(f"Duplicate revision id {rev_id}: declared by {first} and by {second}")


class RevisionMap(AlembicRevisionAPI):
    """A validated revision graph.

    Building it checks the whole graph: duplicate ids and branch labels, parents and
    dependencies that no file declares, invalid ids, cycles and self-loops.  Every error
    names the files or ids at fault.

    Given the revisions themselves, the map is built at once.  Given a function that
    returns them (Alembic's form), it is built on first use, so a broken graph raises
    where Alembic raises: on the first read of ``heads``, ``_revision_map`` or a query.
    """

    #: the function that yields the revisions, until the map is built from it
    _pending: Callable[[], Iterable[Revision]] | None = None

    def __init__(self, revisions: Iterable[Revision] | Callable[[], Iterable[Revision]]) -> None:
        if callable(revisions):
            self._pending = revisions
        else:
            self._build(revisions)

    if not TYPE_CHECKING:  # kept from mypy: it would make every attribute name valid

        def __getattr__(self, name: str) -> object:
            # Only reached for an attribute not yet set: the first use of a lazy map.
            pending = self._pending
            if pending is None or name.startswith("__"):
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            self._pending = None
            try:
                self._build(pending())
            except BaseException:
                self._pending = pending  # a retry raises the same error again
                raise
            return getattr(self, name)

    @classmethod
    def _from_facts(cls, revisions: Sequence[Revision], facts: _Facts | None) -> RevisionMap:
        """The map of ``revisions``, given what :meth:`_facts` said of a map of the very
        same revisions (kept by the marker cache): it then skips the id checks and the
        topological sort.  Facts that do not fit these revisions are ignored."""
        graph = cls.__new__(cls)
        graph._build(revisions, facts if facts and len(facts[0]) == len(revisions) else None)
        return graph

    def _facts(self) -> tuple[list[str], tuple[str, ...], tuple[str, ...]]:
        """``(order, heads, bases)``: what a map of the same revisions need not derive again."""
        return self._order, self.heads, self.bases

    def _build(
        self,
        revisions: Iterable[Revision],
        facts: _Facts | None = None,
    ) -> None:
        revs: dict[str, Revision] = {}
        check_ids = facts is None  # facts come from a map of these revisions, checked then
        for rev in revisions:
            if check_ids and not (_VALID_ID.match(rev.revision) and rev.revision not in _RESERVED):
                raise RevisionError(
                    f"{rev.where}: invalid revision id {rev.revision!r}; ids may hold only "
                    "letters, digits, '_' and '.', and may not be head, heads, base or current"
                )
            other = revs.get(rev.revision)
            if other is not None:
                raise duplicate_id_error(rev.revision, other.where, rev.where)
            revs[rev.revision] = rev
        self._revs = revs
        self._label_owner = self._collect_labels()
        children: dict[str, list[str]] = {rev_id: [] for rev_id in revs}
        self._children = children
        self._dependents: dict[str, list[str]] = {rev_id: [] for rev_id in revs}
        for rev_id, rev in revs.items():
            for parent in rev.parents:
                if parent == rev_id:
                    raise LoopDetected(
                        f"Self-loop is detected in revisions ({parent})"
                        + (f": {rev.path} names it as its own down_revision" if rev.path else ""),
                        (parent,),
                    )
                if parent not in revs:
                    raise RevisionError(
                        f"{rev.where}: down_revision refers to {parent}, "
                        "which no revision file declares (if it comes from another git "
                        "branch, merge that branch first; `gitmig check-heads --against REF` "
                        "shows what a merge brings)"
                    )
                children[parent].append(rev_id)
            if rev.dependencies:
                rev.dependencies = tuple(
                    self._resolve_dependency(rev, dep) for dep in rev.dependencies
                )
                for dep in rev.dependencies:
                    self._dependents[dep].append(rev.revision)
        self._run_edges: dict[str, tuple[str, ...]] | None = None  # built by the first run
        self._labels: dict[str, set[str]] | None = None
        self._alembic_map: dict[str | tuple[()] | None, Revision | None] | None = None
        if facts is not None:
            self._order = facts[0]
            self.heads: tuple[str, ...] = tuple(facts[1])
            self.bases: tuple[str, ...] = tuple(facts[2])
            return
        self._order = self._toposort()
        self.heads = head_ids(revs[r] for r in self._order)
        self.bases = tuple(r for r in self._order if not revs[r].parents)

    @cached_property
    def _position(self) -> dict[str, int]:
        """Each revision's place in the topological order (built on first use)."""
        return {rev_id: i for i, rev_id in enumerate(self._order)}

    @cached_property
    def _declared(self) -> dict[str, int]:
        """Where each revision was declared: the files' order decides ties in a run's order."""
        return {rev_id: i for i, rev_id in enumerate(self._revs)}

    # -- validation -------------------------------------------------------------------------

    def _collect_labels(self) -> dict[str, str]:
        owner: dict[str, str] = {}
        for rev in self._revs.values():
            if not rev.branch_labels:
                continue
            for label in sorted(rev.branch_labels):
                if not is_valid_label(label):
                    raise RevisionError(
                        f"{rev.where}: invalid branch label {label!r}; labels may not be empty, "
                        "reserved words, or hold '@', ':', '+', '-', ',' or spaces"
                    )
                if label in owner:
                    first = self._revs[owner[label]]
                    raise RevisionError(
                        f"Branch name {label!r} in revision {rev.revision} already used by "
                        f"revision {first.revision}" + _files(first, rev)
                    )
                if label in self._revs and label != rev.revision:
                    raise RevisionError(
                        f"{rev.where}: branch label {label!r} is also a revision id "
                        f"({self._revs[label].where})"
                    )
                owner[label] = rev.revision
        return owner

    def _resolve_dependency(self, rev: Revision, dep: str) -> str:
        if dep in self._revs:
            found = dep
        elif dep in self._label_owner:
            found = self._label_owner[dep]
        else:
            matches = [r for r in self._revs if r.startswith(dep)]
            if len(matches) != 1:
                what = "no revision" if not matches else f"several ({', '.join(sorted(matches))})"
                raise RevisionError(
                    f"{rev.where}: depends_on refers to {dep}, which matches {what}"
                )
            found = matches[0]
        if found == rev.revision:
            raise DependencyLoopDetected(
                f"Dependency self-loop is detected in revisions ({found})"
                + (f": {rev.path} names it in its own depends_on" if rev.path else ""),
                (found,),
            )
        return found

    def _edges_up(self, rev_id: str) -> tuple[str, ...]:
        rev = self._revs[rev_id]
        return rev.parents + rev.dependencies

    def _toposort(self) -> list[str]:
        # Kahn's algorithm, the smallest ready id first.  Each up-edge occurrence (a parent
        # or dependency, repeats included) has exactly one entry in the lists of children
        # and dependents, so counting occurrences needs no sets.
        pending = {
            rev_id: len(rev.parents) + len(rev.dependencies) for rev_id, rev in self._revs.items()
        }
        ready = [rev_id for rev_id, count in pending.items() if count == 0]
        heapq.heapify(ready)
        order: list[str] = []
        push, pop = heapq.heappush, heapq.heappop
        children, dependents = self._children, self._dependents
        while ready:
            rev_id = pop(ready)
            order.append(rev_id)
            for later in children[rev_id]:
                count = pending[later] = pending[later] - 1
                if count == 0:
                    push(ready, later)
            for later in dependents[rev_id]:
                count = pending[later] = pending[later] - 1
                if count == 0:
                    push(ready, later)
        if len(order) != len(self._revs):
            raise self._cycle_error({r for r, count in pending.items() if count > 0})
        return order

    def _cycle_error(self, stuck: set[str]) -> CycleError:
        """The error for the revisions a topological sort could not place: a cycle through
        down_revision alone if there is one, else one that needs depends_on."""
        parents_only = _unsorted(stuck, lambda r: self._revs[r].parents)
        if parents_only:
            cycle = self._find_cycle(parents_only, versioned=True)
            error: type[CycleError] = CycleDetected
            kind, via = "Cycle", "as its down_revision"
        else:
            cycle = self._find_cycle(stuck, versioned=False)
            error = DependencyCycleDetected
            kind, via = "Dependency cycle", "in down_revision or depends_on"
        detail = ""
        if any(self._revs[r].path for r in cycle):
            detail = f": {' -> '.join((*cycle, cycle[0]))}, each naming the next {via}" + _files(
                *(self._revs[r] for r in cycle)
            )
        return error(f"{kind} is detected in revisions ({', '.join(cycle)}){detail}", cycle)

    def _run_edges_of(self, rev: Revision) -> tuple[str, ...]:
        """The edges a run walks down from ``rev``: its parents, then those dependencies
        that none of its down_revision ancestors already declares (Alembic's normalized
        down revisions; it sets ``rev._normalized_resolved_dependencies``)."""
        deps = tuple(dict.fromkeys(rev.dependencies))
        if deps:
            declared_below = {
                dep
                for up in self.ancestors(rev.parents, include_dependencies=False)
                for dep in self._revs[up].dependencies
            }
            deps = tuple(d for d in deps if d not in declared_below)
        rev._normalized_resolved_dependencies = deps
        return rev.parents + tuple(d for d in deps if d not in rev.parents)

    def _walk_edges(self) -> dict[str, tuple[str, ...]]:
        if self._run_edges is None:
            self._run_edges = {r: self._run_edges_of(rev) for r, rev in self._revs.items()}
        return self._run_edges

    def run_order(self, selected: Collection[str], tops: Iterable[str]) -> list[str]:
        """``selected`` ordered as a run visits it, newest first (the downgrade order;
        reversed, the upgrade order), the same order as Alembic's.

        The walk starts at the ``tops`` that are selected and follows one line of history
        down as far as it can: it moves to another line only when the next revision is
        still needed by that line (an ancestor of its current revision), and it prefers the
        line whose revision file comes first.  So branches run whole, not interleaved.
        """
        edges = self._walk_edges()
        position = self._position
        todo = set(selected)
        lines = sorted({t for t in tops if t in todo}, key=self._declared.__getitem__)
        below = [_Below(t, edges, position) for t in lines]
        order: list[str] = []
        at = 0
        while lines:
            here = lines[at]
            wanted_by = next(
                (i for i, anc in enumerate(below) if i != at and anc.reaches(here)), None
            )
            if wanted_by is not None:
                at = wanted_by
                continue
            order.append(here)
            todo.discard(here)
            nxt = [r for r in edges[here] if r in todo and r not in lines]
            if not nxt:
                del lines[at], below[at]
                at = max(at - 1, 0)
                continue
            lines[at] = nxt[0]
            if len(edges[here]) == 1:
                below[at].step_down(here)  # straight down a line: the same set, less one
            else:
                below[at] = _Below(nxt[0], edges, position)
            lines.extend(nxt[1:])
            below.extend(_Below(r, edges, position) for r in nxt[1:])
        # Every selected revision lies below a selected top, through selected revisions
        # only (callers select closed sets), so the walk reaches them all.
        assert not todo, todo
        return order

    def _find_cycle(self, stuck: set[str], versioned: bool) -> tuple[str, ...]:
        # Every stuck node has a stuck parent, so walking parents must come back around.
        path: list[str] = []
        seen: dict[str, int] = {}
        node = min(stuck)
        while node not in seen:
            seen[node] = len(path)
            path.append(node)
            ups = self._revs[node].parents if versioned else self._edges_up(node)
            node = min(up for up in ups if up in stuck)
        return tuple(path[seen[node] :])

    def add_revision(self, revision: Revision, _replace: bool = False) -> None:
        """Add ``revision`` to the graph, or with ``_replace`` put it in place of the
        revision of the same id (as after its file was rewritten); the whole graph is then
        validated again, as building it does. Alembic's API."""
        old = self._revs.get(revision.revision)
        if old is not None and not _replace:
            raise duplicate_id_error(revision.revision, old.where, revision.where)
        if old is None and _replace:
            raise ResolutionError(
                f"Cannot replace revision {revision.revision}: it is not in the graph",
                revision.revision,
            )
        revs = dict(self._revs)
        revs[revision.revision] = revision
        rebuilt = type(self)(revs.values())
        self.__dict__.clear()
        self.__dict__.update(vars(rebuilt))

    # -- basic queries ----------------------------------------------------------------------

    def __contains__(self, rev_id: object) -> bool:
        return rev_id in self._revs

    def __iter__(self) -> Iterator[Revision]:
        """Revisions in topological order: parents and dependencies first."""
        return (self._revs[rev_id] for rev_id in self._order)

    def __len__(self) -> int:
        return len(self._revs)

    def get(self, rev_id: str) -> Revision:
        """The revision with this exact id."""
        try:
            return self._revs[rev_id]
        except KeyError:
            raise ResolutionError(f"No such revision: {rev_id}", rev_id) from None

    def label_owner(self, label: str) -> str | None:
        """The revision that declares branch label ``label`` (``None`` if none does)."""
        return self._label_owner.get(label)

    def children(self, rev_id: str) -> tuple[str, ...]:
        """Revisions whose down_revision names ``rev_id``."""
        return tuple(self._children[rev_id])

    @cached_property
    def landmarks(self) -> frozenset[str]:
        """The revisions a listing tags: heads, branch points, merge points and those a
        branch label covers (built once: a listing of thousands asks for each)."""
        labelled = self._labels_by_revision() if self._label_owner else {}
        return frozenset(
            [
                *self.heads,
                *(r for r, below in self._children.items() if len(below) > 1),
                *(r for r, rev in self._revs.items() if len(rev.parents) > 1),
                *labelled,
            ]
        )

    def is_branch_point(self, rev_id: str) -> bool:
        """Whether several revisions name ``rev_id`` as their down_revision."""
        return len(self._children[rev_id]) > 1

    def sort(self, rev_ids: Iterable[str]) -> list[str]:
        """``rev_ids`` in topological order."""
        return sorted(rev_ids, key=self._position.__getitem__)

    def labels(self, rev_id: str) -> frozenset[str]:
        """Branch labels of ``rev_id``: its own and those that propagate to it.

        A label covers the revision that declares it, all its descendants, and its ancestors
        up to (not including) the nearest branch point or merge.
        """
        if not self._label_owner:
            return _NO_LABELS
        found = self._labels_by_revision().get(rev_id)
        return frozenset(found) if found else _NO_LABELS

    def _labels_by_revision(self) -> dict[str, set[str]]:
        if self._labels is None:
            self._labels = self._propagate_labels()
        return self._labels

    def _propagate_labels(self) -> dict[str, set[str]]:
        labels: dict[str, set[str]] = {}
        for label, owner in self._label_owner.items():
            for rev_id in self.descendants([owner], include_dependencies=False):
                labels.setdefault(rev_id, set()).add(label)
            node = self._revs[owner]
            while len(node.parents) == 1:
                parent = node.parents[0]
                if len(self._children[parent]) > 1 or self._revs[parent].is_merge_point:
                    break
                labels.setdefault(parent, set()).add(label)
                node = self._revs[parent]
        return labels

    def ancestors(
        self,
        rev_ids: Iterable[str],
        include_dependencies: bool = True,
        inclusive: bool = True,
    ) -> set[str]:
        """Every revision ``rev_ids`` descend from (including themselves if ``inclusive``)."""

        def up(rev_id: str) -> Iterable[str]:
            rev = self._revs[rev_id]
            return rev.parents + rev.dependencies if include_dependencies else rev.parents

        return self._closure(rev_ids, up, inclusive)

    def descendants(
        self,
        rev_ids: Iterable[str],
        include_dependencies: bool = True,
        inclusive: bool = True,
    ) -> set[str]:
        """Every revision that descends from ``rev_ids`` (including them if ``inclusive``)."""

        def down(rev_id: str) -> Iterable[str]:
            if include_dependencies:
                return self._children[rev_id] + self._dependents[rev_id]
            return self._children[rev_id]

        return self._closure(rev_ids, down, inclusive)

    def _closure(self, start: Iterable[str], step: _Step, inclusive: bool) -> set[str]:
        start = list(start)
        for rev_id in start:
            self.get(rev_id)
        seen: set[str] = set(start) if inclusive else set()
        stack = [nxt for rev_id in start for nxt in step(rev_id)]
        while stack:
            rev_id = stack.pop()
            if rev_id not in seen:
                seen.add(rev_id)
                stack.extend(step(rev_id))
        return seen

    def heads_of(self, applied: Collection[str]) -> tuple[str, ...]:
        """The version table's rows for a set of applied revisions.

        These are the applied revisions no other applied revision names as down_revision.
        """
        applied_set = set(applied)
        return tuple(
            self.sort(
                rev_id
                for rev_id in applied_set
                if not any(child in applied_set for child in self._children[rev_id])
            )
        )

    # -- identifiers ------------------------------------------------------------------------

    def resolve(self, identifier: str, current: Sequence[str] = ()) -> tuple[str, ...]:
        """Resolve an identifier to revision ids (``()`` means base).

        Accepts a full id or unique prefix, a branch label, ``head``, ``heads``, ``base``,
        ``current`` (the ``current`` rows given), ``LABEL@head``, ``LABEL@base``, ``LABEL@ID``,
        and relative steps: ``+N``/``-N`` (from ``current``), ``ID+N``, ``head-1``,
        ``LABEL@+N``, ``LABEL@head-2``.
        """
        ident = identifier.strip()
        label, _, ref = ident.rpartition("@") if "@" in ident else ("", "", ident)
        if label and label not in self._label_owner:
            raise ResolutionError(f"No such branch label: {label!r} (in {identifier!r})", ident)
        relative = _RELATIVE.match(ref)
        ref, steps = (relative.group(1), int(relative.group(2))) if relative else (ref, 0)
        if not ref and not steps:
            if label:  # "LABEL@" alone: the label's head
                ref = "head"
            else:
                raise ResolutionError("An empty revision identifier was given", ident)
        if ref == "":
            start = self._current_for(current, label, identifier)
        elif ref == "heads" and not label:
            if steps:
                raise ResolutionError(f"Cannot step from several heads: {identifier!r}", ident)
            return self.heads
        elif ref == "current" and not label:
            start = tuple(current)
        else:
            start = self._resolve_point(ref, label, identifier)
        if steps:
            start = self._step(start, steps, label, identifier)
        return start

    def _current_for(self, current: Sequence[str], label: str, identifier: str) -> tuple[str, ...]:
        rows = tuple(current)
        if label:
            rows = tuple(r for r in rows if label in self.labels(r))
        if len(rows) > 1:
            raise MultipleHeadsError(
                f"Relative revision {identifier!r} is ambiguous: the database is at several "
                f"revisions ({', '.join(rows)}); scope it with a branch label, e.g. LABEL@+1",
                rows,
            )
        return rows

    def _resolve_point(self, ref: str, label: str, identifier: str) -> tuple[str, ...]:
        if ref == "base":
            return ()
        if ref == "head":
            heads = self.heads
            if label:
                heads = tuple(h for h in heads if label in self.labels(h))
            if len(heads) > 1:
                where = f"on branch {label!r} " if label else ""
                raise MultipleHeadsError(
                    f"Multiple heads are present {where}({', '.join(heads)}); name one of them, "
                    "use 'heads' for all of them, or merge them with 'gitmig merge'",
                    heads,
                )
            if not heads and label:
                raise ResolutionError(f"Branch {label!r} has no head", identifier)
            return heads
        rev_id = self._resolve_id(ref, identifier)
        if label and label not in self.labels(rev_id):
            raise ResolutionError(
                f"Revision {rev_id} is not on branch {label!r} (in {identifier!r})", identifier
            )
        return (rev_id,)

    def _resolve_id(self, ref: str, identifier: str) -> str:
        if ref in self._revs:
            return ref
        if ref in self._label_owner:
            return self._label_owner[ref]
        if not _VALID_ID.match(ref):
            raise ResolutionError(
                f"Invalid revision identifier {identifier!r}: ids hold only letters, digits, "
                "'_' and '.'",
                identifier,
            )
        matches = sorted(r for r in self._revs if r.startswith(ref))
        if not matches:
            raise ResolutionError(f"No such revision or branch: {ref!r}", identifier)
        if len(matches) > 1:
            raise ResolutionError(
                f"Ambiguous revision prefix {ref!r} matches: {', '.join(matches)}", identifier
            )
        return matches[0]

    def _step(
        self, start: tuple[str, ...], steps: int, label: str, identifier: str
    ) -> tuple[str, ...]:
        here = start
        for _ in range(abs(steps)):
            if steps > 0:
                if here:
                    if len(here) > 1:
                        raise MultipleHeadsError(
                            f"Cannot step up from several revisions ({', '.join(here)}) "
                            f"in {identifier!r}",
                            here,
                        )
                    candidates = self._children[here[0]]
                else:
                    candidates = list(self.bases)
                if label:
                    candidates = [c for c in candidates if label in self.labels(c)]
                if not candidates:
                    raise ResolutionError(
                        f"Relative revision {identifier!r} goes past the head "
                        f"({', '.join(here) or 'base'})",
                        identifier,
                    )
                if len(candidates) > 1:
                    raise MultipleHeadsError(
                        f"Relative revision {identifier!r} is ambiguous: "
                        f"{here[0] if here else 'base'} leads to several revisions "
                        f"({', '.join(sorted(candidates))}); scope it with a branch label",
                        tuple(candidates),
                    )
                here = (candidates[0],)
            else:
                if not here:
                    raise ResolutionError(
                        f"Relative revision {identifier!r} goes below base", identifier
                    )
                if len(here) > 1:
                    raise MultipleHeadsError(
                        f"Cannot step down from several revisions ({', '.join(here)}) "
                        f"in {identifier!r}",
                        here,
                    )
                here = self._revs[here[0]].parents
        return here

    # -- plans and ranges -------------------------------------------------------------------

    def _check_rows(self, current: Sequence[str]) -> None:
        for row in current:
            if row not in self._revs:
                raise RevisionError(
                    f"The database is at revision {row}, which no revision file declares "
                    "(is the database ahead of these scripts, or on another branch?)"
                )

    def upgrade_plan(self, current: Sequence[str], target: str) -> list[Revision]:
        """Revisions to apply to go from the ``current`` version rows to ``target``."""
        self._check_rows(current)
        targets = self.resolve(target, current)
        applied = self.ancestors(current)
        todo = self.ancestors(targets) - applied
        # `upgrade base` on a migrated database is "behind" too (the user meant downgrade).
        behind = not set(targets) <= set(self.heads_of(applied)) | set(current) or (
            not targets and bool(applied)
        )
        if not todo and behind:
            raise RevisionError(
                f"Target {target!r} ({', '.join(targets) or 'base'}) is already behind the "
                f"database ({', '.join(current) or 'base'}); use downgrade to go back"
            )
        if target.strip() == "heads":
            # A head that another head depends on is reached through that one, as in Alembic.
            targets = tuple(t for t in targets if not self._dependents[t])
        return [self._revs[r] for r in reversed(self.run_order(todo, targets))]

    def downgrade_plan(self, current: Sequence[str], target: str) -> list[Revision]:
        """Revisions to unapply (children first) to go from ``current`` down to ``target``.

        ``base`` unapplies everything, ``LABEL@base`` everything on that branch, and any
        other target unapplies the applied revisions that descend from it.
        """
        self._check_rows(current)
        applied = self.ancestors(current)
        label, _, ref = target.strip().rpartition("@")
        if label and ref == "base":
            self.resolve(target)  # validates the label
            # The branch and what depends on it.  (Alembic unapplies everything grown from
            # the branch's base, which on a shared base takes the other branches too.)
            remove = self.descendants(r for r in applied if label in self.labels(r)) & applied
        else:
            targets = self.resolve(target, current)
            missing = [t for t in targets if t not in applied]
            if missing:
                raise RevisionError(
                    f"Target {target!r} ({', '.join(missing)}) is not applied to the database "
                    f"({', '.join(current) or 'base'}); use upgrade to go forward"
                )
            if targets:
                # What grew from the targets' children (as Alembic): a revision that only
                # depends on a target stays, as the target does.
                keep = self.ancestors(targets)
                children = {c for t in targets for c in self._children[t]} - keep
                remove = (self.descendants(children) & applied) - keep if children else set()
            else:
                remove = applied
            remove &= self._line_of_relative(label, ref, current, target)
        return [self._revs[r] for r in self.run_order(remove, current)]

    def _line_of_relative(
        self, label: str, ref: str, current: Sequence[str], target: str
    ) -> set[str]:
        """For ``ID-N`` / ``LABEL@-N``: only the line through the anchor moves, so that one
        branch of several can be stepped down; otherwise every revision."""
        relative = _RELATIVE.match(ref)
        if not relative or not relative.group(2).startswith("-"):
            return set(self._revs)
        if relative.group(1):
            anchor = self.resolve(f"{label}@{relative.group(1)}" if label else relative.group(1))
        else:
            anchor = self._current_for(current, label, target)
        return self.ancestors(anchor) | self.descendants(anchor)

    def range(
        self, lower: str | Sequence[str] | None = None, upper: str | Sequence[str] | None = None
    ) -> list[Revision]:
        """Revisions between ``lower`` and ``upper`` (both inclusive), in topological order.

        Each side is an identifier or the ids themselves (e.g. a database's current rows);
        ``None`` (or ``base``/``heads``) leaves that side open.
        """
        if not upper:
            if not lower:  # every revision is a head or below one
                return [self._revs[r] for r in self._order]
            uppers = self.heads
        else:
            uppers = self.resolve(upper) if isinstance(upper, str) else tuple(upper)
        selected = self.ancestors(uppers, include_dependencies=False)
        lowers = (self.resolve(lower) if isinstance(lower, str) else tuple(lower)) if lower else ()
        if lowers:
            selected &= self.descendants(lowers, include_dependencies=False)
        return [self._revs[r] for r in self.sort(selected)]

    # -- divergence -------------------------------------------------------------------------

    def divergences(self) -> list[Divergence]:
        """Heads that sit on the same line of history and so need a merge.

        Heads are on separate lines on purpose (and not reported) when they have no common
        ancestor (separate bases) or different branch labels.
        """
        from gitmig.script.divergence import Divergence

        groups: list[list[str]] = []
        lineage = {h: self.ancestors([h], include_dependencies=False) for h in self.heads}
        for head in self.heads:
            for group in groups:
                first = group[0]
                if self.labels(head) == self.labels(first) and lineage[head] & lineage[first]:
                    group.append(head)
                    break
            else:
                groups.append([head])
        found = []
        for group in groups:
            if len(group) < 2:
                continue
            common = set.intersection(*(lineage[h] for h in group))
            lowest = tuple(
                self.sort(c for c in common if not any(k in common for k in self._children[c]))
            )
            added = {h: tuple(self.sort(lineage[h] - common)) for h in group}
            found.append(Divergence(tuple(group), lowest, added))
        return found


class _Below:
    """The revisions a run line's current revision needs first (its ancestors along the run
    edges, itself included), found only as deep as the questions asked need.

    A run asks, at every step, whether another line still needs the revision at hand.
    Building each line's whole ancestry at every merge made that quadratic (4 s of an
    offline run at 5000 revisions): a revision can only be needed by ones above it in the
    topological order, so the search goes no lower than the revision asked about, and what
    it found is kept for the next question.
    """

    __slots__ = ("_edges", "_frontier", "_position", "_seen")

    def __init__(self, top: str, edges: dict[str, tuple[str, ...]], position: dict[str, int]):
        self._edges = edges
        self._position = position
        self._seen = {top}
        # found but not yet followed down, highest in the order first
        self._frontier = [(-position[top], top)]

    def reaches(self, rev_id: str) -> bool:
        """Whether ``rev_id`` is the line's revision or one of its run ancestors."""
        if rev_id in self._seen:
            return True
        # only revisions above rev_id in the order can have it below them
        self._follow_above(self._position[rev_id])
        return rev_id in self._seen

    def step_down(self, rev_id: str) -> None:
        """The line moved from ``rev_id`` to its only run edge: the same set, less one."""
        self._follow_above(self._position[rev_id] - 1)  # rev_id's edge is in the set now
        self._seen.discard(rev_id)

    def _follow_above(self, floor: int) -> None:
        """Follow every found revision above position ``floor`` down its edges."""
        seen, frontier, position = self._seen, self._frontier, self._position
        while frontier and -frontier[0][0] > floor:
            _, node = heapq.heappop(frontier)
            for up in self._edges[node]:
                if up not in seen:
                    seen.add(up)
                    heapq.heappush(frontier, (-position[up], up))
