"""Run order of upgrade and downgrade plans: Alembic's, case by case.

Every expected order below was produced by Alembic 1.20.1's RevisionMap on the same graph
(revisions listed in the order their files sort, which is the order Alembic reads them).
``tests/script/test_run_order_alembic.py`` compares against Alembic on random graphs.
"""

from __future__ import annotations

import pytest

from gitmig.script.revision import Revision, RevisionMap

Spec = tuple[str, object, tuple[str, ...], tuple[str, ...]]

GRAPHS: dict[str, list[Spec]] = {
    # r0 - a1 - m ; r0 - b1 - m
    "diamond": [("r0", None, (), ()), ("a1", "r0", (), ()), ("b1", "r0", (), ()),
                ("m", ("a1", "b1"), (), ())],
    # two roots: a0 - a1 - a2 and b0 - b1
    "roots": [("a0", None, (), ()), ("a1", "a0", (), ()), ("a2", "a1", (), ()),
              ("b0", None, (), ()), ("b1", "b0", (), ())],
    # b1 depends on a1 (same root); o1, on a second root, depends on a1
    "depends": [("r0", None, (), ()), ("a1", "r0", (), ()), ("b1", "r0", ("a1",), ()),
                ("o0", None, (), ()), ("o1", "o0", ("a1",), ()), ("o2", "o1", (), ())],
    # two labelled branches off one root
    "labels": [("r0", None, (), ()), ("a1", "r0", (), ("alpha",)), ("a2", "a1", (), ()),
               ("b1", "r0", (), ("beta",)), ("b2", "b1", (), ())],
    # two labelled roots, y1 depends on x1
    "labelroots": [("x0", None, (), ("xl",)), ("x1", "x0", (), ()),
                   ("y0", None, (), ("yl",)), ("y1", "y0", ("x1",), ())],
}  # fmt: skip

CASES: list[tuple[str, str, tuple[str, ...], str, list[str]]] = [
    ("diamond", "upgrade", (), "heads", ["r0", "b1", "a1", "m"]),
    ("diamond", "downgrade", ("m",), "base", ["m", "a1", "b1", "r0"]),
    ("diamond", "upgrade", (), "a1", ["r0", "a1"]),
    ("diamond", "upgrade", ("a1",), "heads", ["b1", "m"]),
    ("diamond", "downgrade", ("m",), "r0", ["m", "a1", "b1"]),
    ("diamond", "upgrade", ("r0",), "b1", ["b1"]),
    ("roots", "upgrade", (), "heads", ["b0", "b1", "a0", "a1", "a2"]),
    ("roots", "downgrade", ("a2", "b1"), "base", ["a2", "a1", "a0", "b1", "b0"]),
    ("roots", "upgrade", (), "a1", ["a0", "a1"]),
    ("roots", "upgrade", ("a1",), "heads", ["b0", "b1", "a2"]),
    ("roots", "downgrade", ("a2", "b1"), "a1", ["a2"]),
    ("roots", "upgrade", ("a0", "b0"), "a1+1", ["a1", "a2"]),
    ("roots", "downgrade", ("a2", "b1"), "b1-1", ["b1"]),
    ("depends", "upgrade", (), "heads", ["r0", "a1", "o0", "o1", "o2", "b1"]),
    ("depends", "downgrade", ("b1", "o2"), "base", ["b1", "o2", "o1", "o0", "a1", "r0"]),
    ("depends", "upgrade", (), "o1", ["r0", "a1", "o0", "o1"]),
    ("depends", "upgrade", (), "b1", ["r0", "a1", "b1"]),
    ("depends", "downgrade", ("b1", "o2"), "r0", ["b1", "o2", "o1", "a1"]),
    ("labels", "upgrade", (), "alpha@head", ["r0", "a1", "a2"]),
    ("labels", "upgrade", (), "beta@head", ["r0", "b1", "b2"]),
    ("labels", "upgrade", ("a2",), "beta@head", ["b1", "b2"]),
    ("labels", "upgrade", (), "heads", ["r0", "b1", "b2", "a1", "a2"]),
    ("labels", "downgrade", ("a2", "b2"), "beta@-1", ["b2"]),
    ("labels", "downgrade", ("a2", "b2"), "base", ["a2", "a1", "b2", "b1", "r0"]),
    ("labels", "upgrade", ("a1",), "alpha@+1", ["a2"]),
    ("labelroots", "upgrade", (), "heads", ["x0", "x1", "y0", "y1"]),
    ("labelroots", "upgrade", (), "yl@head", ["x0", "x1", "y0", "y1"]),
    ("labelroots", "downgrade", ("x1", "y1"), "xl@base", ["y1", "x1", "x0"]),
    ("labelroots", "downgrade", ("x1", "y1"), "yl@base", ["y1", "y0"]),
    ("labelroots", "downgrade", ("x1", "y1"), "base", ["y1", "y0", "x1", "x0"]),
]


def _graph(name: str) -> RevisionMap:
    return RevisionMap(
        Revision(rev, down, depends_on=deps or None, branch_labels=labels or None)  # type: ignore[arg-type]
        for rev, down, deps, labels in GRAPHS[name]
    )


@pytest.mark.parametrize(("name", "kind", "rows", "target", "expected"), CASES)
def test_order_is_alembics(
    name: str, kind: str, rows: tuple[str, ...], target: str, expected: list[str]
) -> None:
    graph = _graph(name)
    plan = (graph.upgrade_plan if kind == "upgrade" else graph.downgrade_plan)(rows, target)
    assert [r.revision for r in plan] == expected


def test_merge_parents_then_files_order_decide_not_ids() -> None:
    # The diamond with the merge naming b1 first: a1's line now runs first.
    graph = RevisionMap(
        [
            Revision("r0", None),
            Revision("a1", "r0"),
            Revision("b1", "r0"),
            Revision("m", ("b1", "a1")),
        ]
    )
    assert [r.revision for r in graph.upgrade_plan((), "heads")] == ["r0", "a1", "b1", "m"]
    # Two roots with b's files first: the a line now runs first.
    roots = [Revision("b0", None), Revision("b1", "b0")]
    roots += [Revision("a0", None), Revision("a1", "a0"), Revision("a2", "a1")]
    order = [r.revision for r in RevisionMap(roots).upgrade_plan((), "heads")]
    assert order == ["a0", "a1", "a2", "b0", "b1"]


def test_label_base_on_a_shared_base_leaves_the_other_branch() -> None:
    # Alembic unapplies everything here (a2, a1, b2, b1, r0); gitmig only the branch.
    graph = _graph("labels")
    assert [r.revision for r in graph.downgrade_plan(("a2", "b2"), "beta@base")] == ["b2", "b1"]


def test_downgrade_to_a_dependency_keeps_its_dependents() -> None:
    graph = _graph("depends")  # o1 depends on a1: downgrading to a1 keeps both
    assert [r.revision for r in graph.downgrade_plan(("b1", "o2"), "r0")] == [
        "b1",
        "o2",
        "o1",
        "a1",
    ]
    assert graph.downgrade_plan(("b1", "o2"), "a1") == []
