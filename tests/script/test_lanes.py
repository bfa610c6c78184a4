"""The lane layout of ``graph`` and ``history --graph``, exhaustively with hypothesis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitmig.script.lanes import Layout, Segment, crossings, layout
from gitmig.script.revision import Revision, RevisionMap


@st.composite
def histories(draw: st.DrawFn, merges: bool = True) -> dict[str, tuple[str, ...]]:
    """A random revision graph (parents drawn among earlier revisions): branches, several
    bases, and merges unless ``merges`` is false."""
    size = draw(st.integers(1, 14))
    ids = [f"r{i}" for i in range(size)]
    found: dict[str, tuple[str, ...]] = {}
    for k, rev in enumerate(ids):
        earlier = ids[:k]
        if not earlier or draw(st.integers(0, 6)) == 0:
            found[rev] = ()
            continue
        most = 3 if merges else 1
        found[rev] = tuple(
            draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=most, unique=True))
        )
    return found


def run_order(parents: Mapping[str, Sequence[str]]) -> list[str]:
    graph = RevisionMap(Revision(rev, ups or None) for rev, ups in parents.items())
    return graph.run_order(set(parents), graph.heads)


@st.composite
def topological_orders(draw: st.DrawFn, parents: Mapping[str, Sequence[str]]) -> list[str]:
    """Any order with children before parents."""
    children: dict[str, set[str]] = {rev: set() for rev in parents}
    for rev, ups in parents.items():
        for up in ups:
            children[up].add(rev)
    order: list[str] = []
    while len(order) < len(parents):
        ready = sorted(r for r in parents if r not in order and children[r] <= set(order))
        order.append(draw(st.sampled_from(ready)))
    return order


def joins(drawn: Layout) -> set[Segment]:
    """Lines from a revision to a lane that was already waiting for its parent."""
    found = set()
    for row in drawn.rows:
        waiting = {s.parent for s in row.below if s.child is None}
        found.update(s for s in row.below if s.child is not None and s.parent in waiting)
    return found


def check(drawn: Layout, order: Sequence[str], parents: Mapping[str, Sequence[str]]) -> None:
    """Every invariant of a layout."""
    # each revision on one row, in the order given
    assert [row.revision for row in drawn.rows] == list(order)
    index = {rev: i for i, rev in enumerate(order)}
    for i, row in enumerate(drawn.rows):
        # no two lines on one column of a row, all within the width
        columns = [row.column, *row.passing]
        assert len(set(columns)) == len(columns)
        assert all(0 <= c < drawn.width for c in columns)
        assert all(0 <= s.top < drawn.width and 0 <= s.bottom < drawn.width for s in row.below)
        # what leaves a row starts on it; what arrives at the next one ends on it
        assert {s.top for s in row.below} <= set(columns)
        if i + 1 < len(drawn.rows):
            after = drawn.rows[i + 1]
            assert {s.bottom for s in row.below} == {after.column, *after.passing} - (
                set() if after.revision in {s.parent for s in row.below} else {after.column}
            )
            # one lane per awaited revision
            lanes: dict[int, set[str]] = {}
            for s in row.below:
                lanes.setdefault(s.bottom, set()).add(s.parent)
            assert all(len(v) == 1 for v in lanes.values())
            # lanes waiting for the next revision lead into it, and only those
            assert {s.bottom for s in row.below if s.parent == after.revision} <= {after.column}
        else:
            assert row.below == ()
    # every edge drawn: leaving the child on its column, carried down row by row
    # (bottom of one row = top of the next) to the parent's column
    for child, ups in parents.items():
        for parent in ups:
            start, end = index[child], index[parent]
            rows = drawn.rows
            (first,) = [s for s in rows[start].below if s.child == child and s.parent == parent]
            assert first.top == rows[start].column
            at = first.bottom
            for r in range(start + 1, end):
                (step,) = [s for s in rows[r].below if s.parent == parent and s.top == at]
                at = step.bottom
            assert at == rows[end].column
    # lines cross only where a revision joins a lane already waiting for its parent
    for row in drawn.rows:
        for one, other in crossings(row.below):
            assert one in joins(drawn) or other in joins(drawn), (one, other)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_any_order_of_any_graph(data: st.DataObject) -> None:
    parents = data.draw(histories())
    order = data.draw(topological_orders(parents))
    check(layout(order, parents), order, parents)


@settings(max_examples=400, deadline=None)
@given(histories())
def test_run_order_of_any_graph(parents: dict[str, tuple[str, ...]]) -> None:
    order = run_order(parents)
    check(layout(order, parents), order, parents)


@settings(max_examples=400, deadline=None)
@given(histories(merges=False))
def test_no_crossing_without_joins(parents: dict[str, tuple[str, ...]]) -> None:
    """Each branch point with one child: a forest of lines, and not one crossing."""
    children: dict[str, int] = {}
    for ups in parents.values():
        for up in ups:
            children[up] = children.get(up, 0) + 1
    drawn = layout(run_order(parents), parents)
    if all(n == 1 for n in children.values()):
        assert [c for row in drawn.rows for c in crossings(row.below)] == []
    assert not joins(drawn) or any(n > 1 for n in children.values())


@settings(max_examples=200, deadline=None)
@given(histories())
def test_range_cut_parents_left_out(parents: dict[str, tuple[str, ...]]) -> None:
    """A range leaves out older revisions: their lines are not drawn."""
    order = run_order(parents)
    kept = order[: max(1, len(order) // 2)]
    cut = {rev: tuple(p for p in parents[rev] if p in kept) for rev in kept}
    drawn = layout(kept, parents)
    check(drawn, kept, cut)


def test_linear_history_is_one_lane() -> None:
    parents = {"c": ("b",), "b": ("a",), "a": ()}
    drawn = layout(["c", "b", "a"], parents)
    assert drawn.width == 1
    assert [row.column for row in drawn.rows] == [0, 0, 0]


def test_merge_and_branch_point() -> None:
    parents = {"m": ("a", "b"), "a": ("x",), "b": ("x",), "x": ()}
    drawn = layout(["m", "a", "b", "x"], parents)
    assert [row.column for row in drawn.rows] == [0, 0, 1, 0]
    assert drawn.rows[0].below == (Segment(0, 0, "a", "m"), Segment(0, 1, "b", "m"))
    assert drawn.rows[2].below == (Segment(0, 0, "x", None), Segment(1, 0, "x", "b"))
    assert drawn.width == 2


def test_second_head_sits_next_to_its_parent() -> None:
    """A head whose parent a lane waits for opens its lane right next to that lane."""
    parents = {"h1": ("p",), "h2": ("q",), "h3": ("p",), "p": (), "q": ()}
    drawn = layout(["h1", "h2", "h3", "q", "p"], parents)
    assert drawn.rows[2].column == 1
    assert drawn.rows[1].below == (Segment(0, 0, "p", None), Segment(1, 2, "q", "h2"))
    assert all(not crossings(row.below) for row in drawn.rows)


def test_parent_before_child_is_refused() -> None:
    with pytest.raises(ValueError, match="a is a parent of b"):
        layout(["a", "b"], {"b": ("a",)})
