"""Alembic's step classes and HeadMaintainer: the rows each step leaves, without a database."""

from __future__ import annotations

import pytest

from gitmig.migration import HeadMaintainer, MigrationStep, RevisionStep, StampStep
from gitmig.runtime.steps import stamp_revs
from gitmig.script.revision import Revision, RevisionMap

#   a - b - c1 - m        x (depends on c2)
#        \- c2 -/
REVS = [
    Revision("a", None),
    Revision("b", "a"),
    Revision("c1", "b"),
    Revision("c2", "b"),
    Revision("m", ("c1", "c2")),
    Revision("x", None, dependencies="c2"),
]


class Recorder:
    """Stands for a MigrationContext: records the version statements asked for."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, dict[str, str]]] = []

    def _exec_version(self, kind: str, params: dict[str, str]) -> None:
        self.statements.append((kind, params))


@pytest.fixture
def graph() -> RevisionMap:
    return RevisionMap(list(REVS))


def run(graph: RevisionMap, rows: set[str], ids: list[str], up: bool = True) -> HeadMaintainer:
    heads = HeadMaintainer(Recorder(), rows)
    for rev_id in ids:
        make = MigrationStep.upgrade_from_script if up else MigrationStep.downgrade_from_script
        heads.update_to_step(make(graph, graph.get(rev_id)))
    return heads


def test_upgrade_through_a_branch_and_a_merge(graph: RevisionMap) -> None:
    heads = run(graph, set(), ["a", "b", "c1"])
    assert heads.heads == {"c1"}
    run_more = run(graph, {"c1"}, ["c2"])
    assert run_more.heads == {"c1", "c2"}  # c2's parent b is no row: a new branch
    merged = run(graph, {"c1", "c2"}, ["m"])
    assert merged.heads == {"m"}
    context = merged.context
    assert isinstance(context, Recorder)
    assert context.statements == [
        ("delete", {"before": "c1"}),
        ("update", {"before": "c2", "after": "m"}),
    ]


def test_a_dependency_row_is_taken_over(graph: RevisionMap) -> None:
    assert run(graph, {"c2"}, ["x"]).heads == {"x"}
    assert run(graph, {"x"}, ["x"], up=False).heads == {"c2"}


def test_downgrade_unmerges_and_deletes(graph: RevisionMap) -> None:
    assert run(graph, {"m"}, ["m"], up=False).heads == {"c1", "c2"}
    assert run(graph, {"c1", "c2"}, ["c2"], up=False).heads == {"c1"}
    assert run(graph, {"a"}, ["a"], up=False).heads == set()


def test_steps_compare_by_revision_and_direction(graph: RevisionMap) -> None:
    step = MigrationStep.upgrade_from_script(graph, graph.get("m"))
    assert step == RevisionStep(graph, Revision("m", ("c1", "c2")), True)
    assert step != MigrationStep.downgrade_from_script(graph, graph.get("m"))
    assert str(step) == "upgrade c1, c2 -> m"
    assert StampStep("a", ("b",), True, False) == StampStep(("a",), "b", True, False)


def test_stamp_steps(graph: RevisionMap) -> None:
    assert stamp_revs(graph, "m", ["c1"]) == [StampStep(["c1"], "m", True, False, graph)]
    assert stamp_revs(graph, "a", ["c1"]) == [StampStep(["c1"], "a", False, False, graph)]
    assert stamp_revs(graph, None, ["c1"]) == [StampStep("c1", None, False, True, graph)]
    assert stamp_revs(graph, "x", ["c1"]) == [StampStep((), "x", True, True, graph)]
    assert stamp_revs(graph, "c1", ["c1"]) == []
    heads = HeadMaintainer(Recorder(), {"c1"})
    for step in stamp_revs(graph, "m", ["c1"]):
        heads.update_to_step(step)
    assert heads.heads == {"m"}
