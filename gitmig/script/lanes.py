"""Lanes for drawing a revision graph as ``git log --graph`` does (pure, no I/O).

Rows come newest first, one revision each; a lane is a vertical line of history that
waits for one revision (a parent of a row above). A revision sits in the lane that waits
for it; a head (nothing above waits for it) opens a lane next to its first parent's lane,
or on the right when no lane waits for that parent yet. Below
it, its lane waits for its first parent; further parents open lanes right next to it,
and a parent some other lane already waits for is reached by joining that lane. Lanes
keep their left-to-right order, so lines only cross where a revision's line joins a lane
further away that already waits for its parent (a merge's second parent, or the second
child of a branch point whose lanes were opened apart), as in git.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

__all__ = ["Layout", "Row", "Segment", "crossings", "layout"]


class Segment(NamedTuple):
    """A line from one row down to the next."""

    #: column at the upper row
    top: int
    #: column at the lower row
    bottom: int
    #: the revision this line leads to (a parent of a row above)
    parent: str
    #: the revision this line leaves (``None``: a lane passing by the upper row)
    child: str | None


class Row(NamedTuple):
    """One revision's row: its column and the lines from it down to the next row."""

    revision: str
    column: int
    #: lanes passing by this row (their columns; the row's own column excluded)
    passing: tuple[int, ...]
    #: lines from this row down to the next one
    below: tuple[Segment, ...]


class Layout(NamedTuple):
    """Rows in the order given, and how many columns the drawing needs."""

    rows: tuple[Row, ...]
    width: int


def layout(order: Sequence[str], parents: Mapping[str, Sequence[str]]) -> Layout:
    """Lay out ``order`` (children before parents: a run's newest-first order).

    ``parents`` maps each revision to its parents; parents outside ``order`` (cut off by
    a range) are left out. Raises ValueError if a parent comes before its child.
    """
    position = {rev: i for i, rev in enumerate(order)}
    lanes: list[str] = []  # what each lane waits for, left to right
    rows: list[Row] = []
    width = 0
    for index, rev in enumerate(order):
        ups = [p for p in dict.fromkeys(parents.get(rev, ())) if p in position]
        for parent in ups:
            if position[parent] <= index:
                raise ValueError(f"{parent} is a parent of {rev} but does not come after it")
        if rev in lanes:
            column = lanes.index(rev)
        else:
            column = _head_column(lanes, rev, parents, position)
            lanes.insert(column, rev)
            if rows and column < len(lanes) - 1:
                # Make room in the lines above: they keep their order, so none crosses.
                last = rows[-1]
                shifted = tuple(
                    s._replace(bottom=s.bottom + (s.bottom >= column)) for s in last.below
                )
                rows[-1] = last._replace(below=shifted)
        passing = tuple(i for i in range(len(lanes)) if i != column)
        before = lanes
        others = set(before) - {rev}
        fresh = [p for p in ups if p not in others]
        lanes = [*before[:column], *fresh, *before[column + 1 :]]
        where = {lane: i for i, lane in enumerate(lanes)}
        below = [Segment(i, where[before[i]], before[i], None) for i in passing]
        below.extend(Segment(column, where[p], p, rev) for p in ups)
        below.sort(key=lambda s: (s.top, s.bottom))
        rows.append(Row(rev, column, passing, tuple(below)))
        width = max(width, len(before), len(lanes))
    return Layout(tuple(rows), width)


def _head_column(
    lanes: Sequence[str],
    rev: str,
    parents: Mapping[str, Sequence[str]],
    position: Mapping[str, int],
) -> int:
    """Where a head (a revision no row above waits for) goes: right next to the lane that
    waits for its nearest first-parent ancestor (so its line joins that one without
    crossing others), else on the right of every lane."""
    seen = {rev}
    up = rev
    while True:
        ups = [p for p in parents.get(up, ()) if p in position]
        if not ups or ups[0] in seen:
            return len(lanes)
        up = ups[0]
        if up in lanes:
            return lanes.index(up) + 1
        seen.add(up)


def crossings(segments: Sequence[Segment]) -> list[tuple[Segment, Segment]]:
    """The pairs of ``segments`` (of one row) whose lines cross."""
    found = []
    for i, one in enumerate(segments):
        for other in segments[i + 1 :]:
            if (one.top - other.top) * (one.bottom - other.bottom) < 0:
                found.append((one, other))
    return found
