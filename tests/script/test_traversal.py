"""Alembic's RevisionMap API on gitmig's graph: identifiers, lineage and iterate_revisions."""

from __future__ import annotations

import pytest

from gitmig.exc import MultipleHeadsError, RangeNotAncestorError, ResolutionError, RevisionError
from gitmig.script.revision import Revision, RevisionMap

#   root - one - two1 - merged - top
#             \- two2 -/
#   side1 (label "side") - side2, which depends on two1
REVS = [
    Revision("root", None),
    Revision("one", "root"),
    Revision("two1", "one"),
    Revision("two2", "one"),
    Revision("merged", ("two1", "two2")),
    Revision("top", "merged"),
    Revision("side1", None, branch_labels="side"),
    Revision("side2", "side1", dependencies="two1"),
]


def ids(revs: object) -> list[str]:
    return [r.revision for r in revs]  # type: ignore[attr-defined]


@pytest.fixture
def graph() -> RevisionMap:
    return RevisionMap(lambda: list(REVS))


def test_links_set_on_the_revisions(graph: RevisionMap) -> None:
    one = graph.get_revision("one")
    assert one is not None and one.nextrev == {"two1", "two2"} and one.is_branch_point
    two1 = graph._revision_map["two1"]
    assert two1 is not None and two1._all_nextrev == {"merged", "side2"}
    assert graph._revision_map["side"] is graph._revision_map["side1"]
    side2 = graph._revision_map["side2"]
    assert side2 is not None and side2._all_down_revisions == ("side1", "two1")
    assert graph._real_bases == ("root", "side1")


def test_identifiers(graph: RevisionMap) -> None:
    assert graph.get_current_head("side") == "side2"
    with pytest.raises(
        MultipleHeadsError, match="Multiple heads are present for given argument 'head'; "
    ):
        graph.get_current_head()
    assert ids(graph.get_revisions("side@-1")) == ["side1"]
    with pytest.raises(ResolutionError, match="at least four characters"):
        graph.get_revision("xyz")
    assert ids([graph.get_revision("merg")]) == ["merged"]
    with pytest.raises(ResolutionError, match="Revision top is not a member of branch 'side'"):
        graph.get_revision("side@top")
    with pytest.raises(RevisionError, match="is not a string"):
        graph.get_revision(b"one")  # type: ignore[arg-type]


def test_filter_for_lineage(graph: RevisionMap) -> None:
    assert graph.filter_for_lineage(["top", "side2", "two2"], "two1") == ("top",)
    assert graph.filter_for_lineage(
        ["top", "side2", "two2"], "two1", include_dependencies=True
    ) == ("top", "side2")


def test_iterate_down_a_diamond_runs_each_branch_whole(graph: RevisionMap) -> None:
    assert ids(graph.iterate_revisions("top", "root", inclusive=True)) == [
        "top",
        "merged",
        "two1",
        "two2",
        "one",
        "root",
    ]
    assert ids(graph.iterate_revisions("top", "one")) == ["top", "merged", "two1", "two2"]


def test_iterate_with_implicit_base_takes_what_upper_needs(graph: RevisionMap) -> None:
    assert ids(graph.iterate_revisions("side2", "side1")) == ["side2"]
    assert ids(graph.iterate_revisions("side2", "side1", implicit_base=True)) == [
        "side2",
        "two1",
        "one",
        "root",
    ]


def test_iterate_for_downgrade(graph: RevisionMap) -> None:
    rows = ("top", "side2")
    down = graph.iterate_revisions(rows, "one", select_for_downgrade=True)
    assert ids(down) == ["top", "merged", "side2", "two1", "two2"]
    assert ids(graph.iterate_revisions(rows, "side@-1", select_for_downgrade=True)) == ["side2"]


def test_a_lower_that_is_not_below_upper(graph: RevisionMap) -> None:
    message = "Revision top is not an ancestor of revision one"
    with pytest.raises(RangeNotAncestorError, match=message):
        list(graph.iterate_revisions("one", "top"))


def test_a_broken_map_is_reported() -> None:
    graph = RevisionMap([Revision("a", None), Revision("b", "a"), Revision("c", None)])
    graph._revision_map["a"] = graph._revision_map["c"]
    with pytest.raises(RevisionError, match="Dependency resolution failed; broken map: a"):
        list(graph.iterate_revisions("b", None))
