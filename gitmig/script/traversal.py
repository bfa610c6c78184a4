"""Alembic's ``RevisionMap`` API on gitmig's graph: its identifier grammar and its traversal.

Alembic's tools and tests ask a revision map for revisions in Alembic's terms:
``get_revisions("ebranch@-2")``, ``iterate_revisions(upper, lower, inclusive=...,
implicit_base=..., select_for_downgrade=...)``, ``filter_for_lineage``, and a handful of
private helpers (``_revision_map``, ``_get_ancestor_nodes``, ``_walk`` ...).  This mixin
gives :class:`gitmig.script.revision.RevisionMap` that API with Alembic's semantics.

gitmig's own commands resolve identifiers with ``RevisionMap.resolve`` and plan runs with
``upgrade_plan``/``downgrade_plan``: their rules differ on purpose (any unique prefix
resolves; a branch label scopes a relative step), and their messages are gitmig's.  The
order a traversal yields is the one run order of the graph, ``RevisionMap.run_order``; only
the choice of *which* revisions to visit lives here.  No I/O.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

from gitmig.exc import MultipleHeadsError, RangeNotAncestorError, ResolutionError, RevisionError

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from typing import Any, Literal, TypeAlias, TypeVar

    from gitmig.script.revision import Revision

    #: an identifier as Alembic's API takes it: one string, several, or None (base)
    _Ident: TypeAlias = str | Sequence[str] | None
    #: what a walk may end on: a revision, "base" (below every base) or None (too far)
    _Node: TypeAlias = Revision | Literal["base"] | None

__all__ = ["AlembicRevisionAPI"]

if TYPE_CHECKING:
    _T = TypeVar("_T")
#: Alembic's relative destinations: ``[label@][symbol]+N`` / ``-N``
_RELATIVE_DESTINATION = re.compile(r"(?:(.+?)@)?(\w+)?((?:\+|-)\d+)")


def _to_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _no_migrations(relative: object) -> RevisionError:
    steps = abs(int(str(relative)))
    return RevisionError(f"Relative revision {relative} didn't produce {steps} migrations")


def _is_revision(node: object) -> Revision:
    assert node is not None and not isinstance(node, str), node
    return node  # type: ignore[return-value]


class AlembicRevisionAPI:
    """Alembic's public ``RevisionMap`` methods and the private ones its tools use."""

    if TYPE_CHECKING:
        _revs: dict[str, Revision]
        _label_owner: dict[str, str]
        _children: dict[str, list[str]]
        _dependents: dict[str, list[str]]
        _alembic_map: dict[Any, Revision | None] | None
        heads: tuple[str, ...]
        bases: tuple[str, ...]

        def run_order(self, selected: Collection[str], tops: Iterable[str]) -> list[str]: ...
        def labels(self, rev_id: str) -> frozenset[str]: ...
        def _walk_edges(self) -> dict[str, tuple[str, ...]]: ...

    # -- the map and its ends -----------------------------------------------------------------

    @property
    def _revision_map(self) -> dict[Any, Revision | None]:
        """Alembic's map: every id and branch label to its revision, ``None``/``()`` to None.

        Reading it first sets each revision's ``nextrev``, ``_all_nextrev`` and normalized
        dependencies, as Alembic's map does when it is built.
        """
        if self._alembic_map is None:
            self._walk_edges()
            for rev_id, rev in self._revs.items():
                rev.nextrev = frozenset(self._children[rev_id])
                rev._all_nextrev = frozenset(self._children[rev_id] + self._dependents[rev_id])
            found: dict[Any, Revision | None] = dict(self._revs)
            found.update((label, self._revs[owner]) for label, owner in self._label_owner.items())
            found[None] = found[()] = None
            self._alembic_map = found
        return self._alembic_map

    @property
    def _real_heads(self) -> tuple[str, ...]:
        """Heads that nothing depends on either."""
        return tuple(r for r in self.heads if not self._dependents[r])

    @property
    def _real_bases(self) -> tuple[str, ...]:
        """Bases that depend on nothing either."""
        return tuple(r for r in self.bases if not self._revs[r].dependencies)

    def get_current_head(self, branch_label: str | None = None) -> str | None:
        """The one head (of ``branch_label``'s lineage if given); None for an empty map.

        Several heads raise :class:`MultipleHeadsError`.
        """
        heads: Sequence[str] = self.heads
        if branch_label:
            heads = self.filter_for_lineage(heads, branch_label)
        if len(heads) > 1:
            argument = f"{branch_label}@head" if branch_label else "head"
            raise MultipleHeadsError(
                f"Multiple heads are present for given argument '{argument}'; " + ", ".join(heads),
                tuple(heads),
            )
        return heads[0] if heads else None

    def _get_base_revisions(self, identifier: str) -> tuple[str, ...]:
        return self.filter_for_lineage(self.bases, identifier)

    # -- identifiers ----------------------------------------------------------------------

    def get_revisions(self, id_: _Ident | Iterable[str | None]) -> tuple[Any, ...]:
        """The revisions an identifier (or each of several) names; ``()`` for base.

        Accepts ids, unique prefixes of four characters or more, branch labels, ``head``,
        ``heads``, ``base``, ``LABEL@ID`` and ``LABEL@-N`` (N down from the heads).
        """
        if isinstance(id_, (list, tuple, set, frozenset)):
            return sum((self.get_revisions(one) for one in id_), ())
        ids, branch_label = self._resolve_revision_number(id_)
        if len(ids) == 1:
            try:
                steps = int(ids[0])
            except ValueError:
                steps = 0
            if steps < 0:  # LABEL@-N: walk down from each of the label's heads
                heads = self.get_revisions("heads")
                if branch_label is not None:
                    heads = tuple(h for h in heads if branch_label in self.labels(h.revision))
                return tuple(self._walk(head, steps=steps) for head in heads)
        return tuple(self._revision_for_ident(rev_id, branch_label) for rev_id in ids)

    def get_revision(self, id_: str | tuple[str, ...] | None) -> Revision | None:
        """The one revision ``id_`` names; None for base.

        Several (``heads`` on a branched graph) raise :class:`MultipleHeadsError`.
        """
        ids, branch_label = self._resolve_revision_number(id_)
        if len(ids) > 1:
            raise MultipleHeadsError(
                f"Multiple heads are present for given argument '{id_}'; {', '.join(ids)}", ids
            )
        return self._revision_for_ident(ids[0] if ids else (), branch_label)

    def _resolve_revision_number(self, id_: object) -> tuple[tuple[str, ...], str | None]:
        branch_label: str | None = None
        if isinstance(id_, str) and "@" in id_:
            branch_label, id_ = id_.split("@", 1)
        elif id_ is not None and (
            (isinstance(id_, tuple) and id_ and not isinstance(id_[0], str))
            or not isinstance(id_, (str, tuple))
        ):
            raise RevisionError(
                f"revision identifier {id_!r} is not a string; ensure database driver "
                "settings are correct"
            )
        self._revision_map  # noqa: B018 (built first: it sets the revisions' links)
        if id_ == "heads":
            if branch_label:
                return self.filter_for_lineage(self.heads, branch_label), branch_label
            return self._real_heads, branch_label
        if id_ == "head":
            head = self.get_current_head(branch_label)
            return ((head,) if head else ()), branch_label
        if id_ == "base" or id_ is None:
            return (), branch_label
        return _to_tuple(id_), branch_label

    def _resolve_branch(self, branch_label: str) -> Revision | None:
        map_ = self._revision_map
        if branch_label in map_:
            return map_[branch_label]
        try:
            return self._revision_for_ident(branch_label)
        except ResolutionError as err:
            raise ResolutionError(f"No such branch: '{branch_label}'", branch_label) from err

    def _revision_for_ident(
        self, resolved_id: str | tuple[()] | None, check_branch: str | None = None
    ) -> Revision | None:
        branch_rev = self._resolve_branch(check_branch) if check_branch else None
        map_ = self._revision_map
        if resolved_id in map_:
            revision = map_[resolved_id]
        else:
            assert isinstance(resolved_id, str)
            # Alembic matches prefixes of four characters or more, of ids and labels.
            matches: Sequence[str] = [
                key
                for key in map_
                if isinstance(key, str) and len(key) > 3 and key.startswith(resolved_id)
            ]
            if branch_rev is not None:
                matches = self.filter_for_lineage(matches, check_branch)
            if not matches:
                hint = (
                    "; please ensure at least four characters are present for partial "
                    "revision identifier matches"
                    if len(resolved_id) < 4
                    else ""
                )
                raise ResolutionError(
                    f"No such revision or branch '{resolved_id}'{hint}", resolved_id
                )
            if len(matches) > 1:
                listed = ", ".join(f"'{m}'" for m in matches[:3])
                raise ResolutionError(
                    f"Multiple revisions start with '{resolved_id}': {listed}...", resolved_id
                )
            revision = map_[matches[0]]
        if check_branch and revision is not None:
            assert branch_rev is not None and isinstance(resolved_id, str)
            if not self._shares_lineage(revision.revision, [branch_rev.revision]):
                raise ResolutionError(
                    f"Revision {revision.revision} is not a member of branch '{check_branch}'",
                    resolved_id,
                )
        return revision

    def filter_for_lineage(
        self, targets: Iterable[_T], check_against: str | None, include_dependencies: bool = False
    ) -> tuple[_T, ...]:
        """The ``targets`` (ids or revisions) on a line of history with ``check_against``
        (an identifier; its branch label counts too)."""
        ids, branch_label = self._resolve_revision_number(check_against)
        shares: list[str] = [branch_label] if branch_label else []
        shares.extend(ids)
        return tuple(
            target
            for target in targets
            if self._shares_lineage(target, shares, include_dependencies=include_dependencies)
        )

    def _shares_lineage(
        self, target: object, test_against_revs: object, include_dependencies: bool = False
    ) -> bool:
        against = _to_tuple(test_against_revs)
        if not against:
            return True
        rev = (
            self._revision_for_ident(target)
            if target is None or isinstance(target, str)
            else target
        )
        rev = _is_revision(rev)
        wanted = {
            self._revision_for_ident(other) if isinstance(other, str) else other
            for other in against
        }
        line = set(self._get_descendant_nodes([rev], include_dependencies=include_dependencies))
        line.update(self._get_ancestor_nodes([rev], include_dependencies=include_dependencies))
        return bool(line & wanted)

    # -- walking the graph ----------------------------------------------------------------

    def _get_descendant_nodes(
        self,
        targets: Collection[Any],
        map_: dict[Any, Revision | None] | None = None,
        check: bool = False,
        omit_immediate_dependencies: bool = False,
        include_dependencies: bool = True,
    ) -> Iterator[Revision]:
        def down(rev: Revision) -> Iterable[str]:
            if omit_immediate_dependencies and rev in targets:
                return rev.nextrev
            return rev._all_nextrev if include_dependencies else rev.nextrev

        return self._iterate_related_revisions(down, targets, map_=map_, check=check)

    def _get_ancestor_nodes(
        self,
        targets: Collection[Any],
        map_: dict[Any, Revision | None] | None = None,
        check: bool = False,
        include_dependencies: bool = True,
    ) -> Iterator[Revision]:
        def up(rev: Revision) -> Iterable[str]:
            return rev._normalized_down_revisions if include_dependencies else rev.parents

        return self._iterate_related_revisions(up, targets, map_=map_, check=check)

    def _iterate_related_revisions(
        self,
        fn: Callable[[Revision], Iterable[str]],
        targets: Collection[Any],
        map_: dict[Any, Revision | None] | None,
        check: bool = False,
    ) -> Iterator[Revision]:
        """Every revision reachable from ``targets`` along ``fn``, each once, depth first.

        With ``check``, a target reached from another target is an error (the request
        names both a revision and its ancestor).
        """
        if map_ is None:
            map_ = self._revision_map
        seen: set[Revision] = set()
        for target_for in targets:
            target = _is_revision(target_for)
            stack = [target]
            reached: set[Revision] = set()
            while stack:
                rev = stack.pop()
                reached.add(rev)
                if rev in seen:
                    continue
                seen.add(rev)
                for rev_id in fn(rev):
                    nxt = map_[rev_id]
                    if nxt is None or nxt.revision != rev_id:
                        raise RevisionError(
                            f"Dependency resolution failed; broken map: {rev_id} "
                            f"(from {rev.revision}) is not in the map under its own id"
                        )
                    stack.append(nxt)
                yield rev
            if check:
                overlaps = (reached & set(targets)) - {target}
                if overlaps:
                    raise RevisionError(
                        f"Requested revision {target.revision} overlaps with other requested "
                        f"revisions {', '.join(r.revision for r in overlaps)}"
                    )

    def _topological_sort(self, revisions: Collection[Revision], heads: Iterable[Any]) -> list[str]:
        """Ids of ``revisions`` newest first, in the graph's run order from ``heads``."""
        return self.run_order({r.revision for r in revisions}, [h.revision for h in heads])

    def _walk(
        self,
        start: str | Revision | None,
        steps: int,
        branch_label: str | None = None,
        no_overwalk: bool = True,
    ) -> _Node:
        """Walk ``steps`` up (> 0) or down (< 0) from ``start`` (None: below the bases).

        A branch label picks among children on the way up. Past either end the walk
        gives None with ``no_overwalk``, else it stays where it got to; a fork raises.
        """
        here: _Node = self.get_revision(start) if isinstance(start, str) else start
        for _ in range(abs(steps)):
            options: Sequence[Any]
            if steps > 0:
                assert here != "base"
                up = self.get_revisions(self.bases if here is None else tuple(here.nextrev))
                options = self.filter_for_lineage(up, branch_label) if branch_label else up
            elif here == "base":
                options = ()
            else:
                options = self.get_revisions(self.heads if here is None else here.parents)
                options = options or ("base",)
            if not options:
                return None if no_overwalk else here
            if len(options) > 1:
                raise RevisionError("Ambiguous walk")
            here = options[0]
        return here

    # -- ranges ---------------------------------------------------------------------------

    def iterate_revisions(
        self,
        upper: _Ident,
        lower: _Ident,
        implicit_base: bool = False,
        inclusive: bool = False,
        assert_relative_length: bool = True,
        select_for_downgrade: bool = False,
    ) -> Iterator[Revision]:
        """Revisions from ``upper`` down to ``lower``, newest first, as a run visits them.

        ``inclusive`` includes ``lower`` itself; ``implicit_base`` also takes the other
        lines' revisions that ``upper`` needs (not only those above ``lower``);
        ``select_for_downgrade`` picks what a downgrade from ``upper`` to ``lower`` undoes.
        A ``lower`` that is not below ``upper`` raises :class:`RangeNotAncestorError`.
        """
        collect = (
            self._collect_downgrade_revisions
            if select_for_downgrade
            else self._collect_upgrade_revisions
        )
        revisions, heads = collect(
            upper,
            lower,
            inclusive=inclusive,
            implicit_base=implicit_base,
            assert_relative_length=assert_relative_length,
        )
        for rev_id in self._topological_sort(revisions, heads):
            yield self._revs[rev_id]

    def _collect_downgrade_revisions(
        self,
        upper: _Ident,
        lower: _Ident,
        inclusive: bool,
        implicit_base: bool,
        assert_relative_length: bool,
    ) -> tuple[set[Revision], tuple[Any, ...]]:
        """What a downgrade from the rows ``upper`` to ``lower`` undoes, and the rows."""
        branch_label, target = self._parse_downgrade_target(upper, lower, assert_relative_length)
        if target == "base":
            target = None
        roots: list[Revision]
        if target is None:
            roots = [r for r in self._revs.values() if not r.parents]
        elif inclusive:
            roots = [_is_revision(target)]
        else:
            roots = [_is_revision(r) for r in self.get_revisions(tuple(target.nextrev))]
        if branch_label and len(roots) > 1:
            on_branch = {
                r.revision
                for r in self._get_ancestor_nodes(
                    [self._resolve_branch(branch_label)], include_dependencies=False
                )
            }
            roots = [
                _is_revision(r)
                for r in self.get_revisions(tuple({r.revision for r in roots} & on_branch))
            ]
            if not roots:
                raise RevisionError("Not a valid downgrade target from current heads")
        heads = self.get_revisions(upper)
        # The roots, what grew from them (dependents too), as far as it is applied.
        undo = set(self._get_descendant_nodes(roots, include_dependencies=True))
        applied = set(self._get_ancestor_nodes(heads, include_dependencies=True))
        undo &= applied
        if implicit_base:  # the other lines go back to base too
            undo |= applied - set(self._get_ancestor_nodes(roots))
        if target is not None and not undo and target not in heads:
            raise RangeNotAncestorError("Nothing to drop", upper)
        return undo, heads

    def _collect_upgrade_revisions(
        self,
        upper: _Ident,
        lower: _Ident,
        inclusive: bool,
        implicit_base: bool,
        assert_relative_length: bool,
    ) -> tuple[set[Revision], tuple[Revision, ...]]:
        """What an upgrade from the rows ``lower`` to ``upper`` applies, and the targets.

        Without ``implicit_base`` only revisions above ``lower`` count, and a ``lower``
        that ``upper`` does not need raises :class:`RangeNotAncestorError`.
        """
        parsed = self._parse_upgrade_target(lower, upper, assert_relative_length)
        targets: Collection[Revision] = [_is_revision(r) for r in parsed]
        if isinstance(lower, str) and "@" in lower:  # LABEL@...: only that branch's targets
            branch = lower.partition("@")[0]
            branch_rev = self.get_revision(branch)
            if branch_rev is not None and branch_rev.revision == branch:
                # a revision id where a label goes: its branch
                (branch,) = self.labels(branch_rev.revision)
            targets = {t for t in targets if branch in self.labels(t.revision)}
        required = set(self._get_ancestor_nodes(targets, check=True)) | set(targets)
        current: tuple[Any, ...] = self.get_revisions(lower)
        if not implicit_base and any(r not in required for r in current if r is not None):
            raise RangeNotAncestorError(lower, upper)
        if current and current[0] is None:  # a relative lower: walk to it from upper
            _, rev = self._parse_downgrade_target(upper, lower, assert_relative_length)
            assert rev
            if rev == "base":
                current, lower = (), None
            else:
                current, lower = (rev,), rev.revision
        applied = set(self._get_ancestor_nodes(current, check=True)) | set(current)
        needs = required - applied
        if inclusive:
            needs.update(_is_revision(r) for r in self.get_revisions(lower))
        if current and not implicit_base:
            needs &= set(
                self._get_descendant_nodes(
                    [_is_revision(r) for r in current], check=True, include_dependencies=False
                )
            )
        return needs, tuple(targets)

    def _get_all_current(self, id_: tuple[str, ...]) -> set[Any]:
        """The branch heads among the rows ``id_`` and everything they stand on."""
        top = set(self.get_revisions(id_))
        top.update(self._get_ancestor_nodes(list(top), include_dependencies=True))
        return self._filter_into_branch_heads(top)

    def _filter_into_branch_heads(self, targets: Iterable[Any]) -> set[Any]:
        """``targets`` less those that have a descendant among them."""
        found = set(targets)
        for rev in list(found):
            if found & (set(self._get_descendant_nodes([rev], include_dependencies=False)) - {rev}):
                found.discard(rev)
        return found

    # -- relative destinations ------------------------------------------------------------

    def _parse_downgrade_target(
        self, current_revisions: _Ident, target: _Ident, assert_relative_length: bool
    ) -> tuple[str | None, _Node]:
        """``target`` (absolute, or relative to the rows ``current_revisions``) as its
        branch label and the revision it names ("base" or None for base)."""
        if target is None:
            return None, None
        assert isinstance(target, str), "Expected downgrade target in string form"
        match = _RELATIVE_DESTINATION.match(target)
        if not match:
            branch_label, _, symbol = target.rpartition("@")
            return branch_label or None, self.get_revision(symbol)
        branch_label, symbol, relative = match.groups()
        steps = int(relative)
        if steps >= 0:
            if symbol is None:
                raise _no_migrations(relative)  # down to "current + N"
            rev = self._walk(symbol, steps, branch_label, no_overwalk=assert_relative_length)
            if rev is None:
                raise RevisionError("Walked too far")
            return branch_label, rev
        from_current = symbol is None
        if from_current:
            rows = _to_tuple(current_revisions)
            if branch_label:
                on_branch: Sequence[Any] = self.filter_for_lineage(rows, branch_label)
                if not on_branch:
                    # The branch's head may be below the rows: another branch's head that
                    # depends on it stands in for it.
                    on_branch = [
                        r.revision
                        for r in self.filter_for_lineage(self._get_all_current(rows), branch_label)
                    ]
                assert len(on_branch) == 1
                symbol = on_branch[0]
            else:
                if not rows:
                    raise _no_migrations(relative)
                if len(set(rows)) > 1:
                    warnings.warn(
                        "downgrade -1 from multiple heads is ambiguous; this usage will be "
                        "disallowed in a future release.",
                        UserWarning,
                        stacklevel=2,
                    )
                symbol = rows[0]
                branch_label = symbol  # only the line through that row moves
        rev = self._walk(
            self.get_revision(symbol if branch_label is None else f"{branch_label}@{symbol}"),
            steps,
            no_overwalk=assert_relative_length,
        )
        if rev is None:
            if from_current:
                raise _no_migrations(relative)
            raise RevisionError("Walked too far")
        return branch_label, rev

    def _parse_upgrade_target(
        self, current_revisions: _Ident, target: _Ident, assert_relative_length: bool
    ) -> tuple[Any, ...]:
        """The revisions ``target`` names: absolute, or relative to ``current_revisions``."""
        match = _RELATIVE_DESTINATION.match(target) if isinstance(target, str) else None
        if not match:
            return self.get_revisions(target)
        rows: tuple[Any, ...] = _to_tuple(current_revisions)
        branch_label, symbol, relative = match.groups()
        steps = int(relative)
        if steps <= 0:
            if symbol is None:
                raise _no_migrations(steps)  # up to "current - N"
            rev = self._walk(
                self.get_revision(symbol if branch_label is None else f"{branch_label}@{symbol}"),
                steps,
                no_overwalk=assert_relative_length,
            )
            if rev is None:
                raise _no_migrations(steps)
            return (rev,)
        if symbol is not None:
            return (
                self._walk(
                    self.get_revision(symbol),
                    steps,
                    branch_label=branch_label,
                    no_overwalk=assert_relative_length,
                ),
            )
        start: Sequence[Any] = rows or (None,)
        if branch_label:
            start = self.filter_for_lineage(self.get_revisions(start), branch_label)
            if not start:
                # The branch has no row: start from its newest applied revisions (or base).
                on_branch = self.filter_for_lineage(
                    self._get_ancestor_nodes(self.get_revisions(rows or (None,))),
                    branch_label,
                )
                below = {down for r in on_branch for down in r._normalized_down_revisions}
                start = tuple({r.revision for r in on_branch} - below) or (None,)
        if len(start) > 1:
            raise RevisionError("Ambiguous upgrade from multiple current revisions")
        rev = self._walk(
            start[0], steps, branch_label=branch_label, no_overwalk=assert_relative_length
        )
        if rev is None:
            raise _no_migrations(relative)
        return (rev,)
