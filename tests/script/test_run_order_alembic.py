"""gitmig's run order against Alembic's own, on random graphs.

Runs only when ``GITMIG_ALEMBIC_PYTHON`` names a Python with Alembic installed (gitmig
never depends on Alembic): each example is a batch of random graphs sent to that Python
in one subprocess (``alembic_order_driver.py``, JSON in and out).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitmig.exc import GitmigError
from gitmig.script.revision import Revision, RevisionMap

ALEMBIC_PYTHON = os.environ.get("GITMIG_ALEMBIC_PYTHON")
DRIVER = Path(__file__).with_name("alembic_order_driver.py")

pytestmark = pytest.mark.skipif(
    not ALEMBIC_PYTHON, reason="set GITMIG_ALEMBIC_PYTHON to a Python with alembic installed"
)

Case = dict[str, Any]


@st.composite
def graphs(draw: st.DrawFn) -> Case:
    """A random graph: branches, merges, several roots, depends_on, maybe a label.

    Revisions are created parents first but declared (the files' order) shuffled, with
    ids unrelated to either order.  At most one depends_on each: with several, Alembic's
    own order follows Python's string hashing.
    """
    size = draw(st.integers(2, 12))
    ids = draw(st.permutations([f"{c}{i}" for i, c in enumerate("qwertyuiopasdfgh"[:size])]))
    rows: list[list[Any]] = []
    for k, rev in enumerate(ids):
        earlier = ids[:k]
        parents: list[str] = []
        if earlier and draw(st.integers(0, 5)) > 0:
            parents = draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=2, unique=True))
        others = [r for r in earlier if r not in parents]
        deps = [draw(st.sampled_from(others))] if others and draw(st.integers(0, 4)) == 0 else []
        down: Any = parents[0] if len(parents) == 1 else parents or None
        rows.append([rev, down, deps, []])
    if draw(st.booleans()):
        draw(st.sampled_from(rows))[3].append("lb")
    declared = draw(st.permutations(rows))
    return {"revisions": declared}


def _runs(graph: RevisionMap, case: Case, pick: st.DrawFn) -> list[list[Any]]:
    ids = [r[0] for r in case["revisions"]]
    heads = list(graph.heads)
    some = pick(st.sampled_from(ids))
    mid = list(graph.heads_of(graph.ancestors([pick(st.sampled_from(ids))])))
    runs: list[list[Any]] = [
        ["upgrade", [], "heads"],
        ["downgrade", heads, "base"],
        ["upgrade", [], some],
        ["upgrade", mid, "heads"],
        ["downgrade", heads, some],
        ["downgrade", mid, "base"],
        ["upgrade", [], "+2"],
        ["upgrade", mid, "+1"],
        ["downgrade", heads, "-1"],
        ["downgrade", mid, "-2"],
    ]
    if any(r[3] for r in case["revisions"]):
        runs += [["upgrade", [], "lb@head"], ["downgrade", heads, "lb@base"]]
    return runs


def _gitmig(graph: RevisionMap, kind: str, rows: list[str], target: str) -> Any:
    try:
        plan = (graph.upgrade_plan if kind == "upgrade" else graph.downgrade_plan)(rows, target)
    except GitmigError:
        return "error"
    return [r.revision for r in plan]


def _map(case: Case) -> RevisionMap:
    return RevisionMap(
        Revision(rev, down, depends_on=deps or None, branch_labels=labels or None)
        for rev, down, deps, labels in case["revisions"]
    )


TALLY = {"graphs": 0, "runs": 0, "both_ran": 0, "one_refused": 0, "label_base_narrower": 0}


@settings(
    max_examples=int(os.environ.get("GITMIG_ALEMBIC_EXAMPLES", "10")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(graphs(), min_size=25, max_size=25), st.data())
def test_run_order_matches_alembic(cases: list[Case], data: st.DataObject) -> None:
    maps = [_map(case) for case in cases]
    for case, graph in zip(cases, maps, strict=True):
        case["runs"] = _runs(graph, case, data.draw)
    assert ALEMBIC_PYTHON
    done = subprocess.run(
        [ALEMBIC_PYTHON, str(DRIVER)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = json.loads(done.stdout)
    TALLY["graphs"] += len(cases)
    for case, graph, their_orders in zip(cases, maps, theirs, strict=True):
        for run, their in zip(case["runs"], their_orders, strict=True):
            ours = _gitmig(graph, *run)
            TALLY["runs"] += 1
            if "error" in (ours, their):
                # Refusals differ on purpose (gitmig names the problem; Alembic sometimes
                # runs nothing): only the order of what both would run is compared.
                TALLY["one_refused"] += ours != their
                continue
            TALLY["both_ran"] += 1
            if run[2].endswith("@base") and ours != their:
                # On a base shared with other branches Alembic unapplies those too; gitmig
                # only the labelled branch and what depends on it.
                assert set(ours) < set(their), (case["revisions"], run)
                TALLY["label_base_narrower"] += 1
                continue
            assert ours == their, (case["revisions"], run)


def teardown_module() -> None:
    # Shown with `pytest -s`: how many runs were compared, how many one side refused.
    print("\nrun order vs Alembic:", TALLY)
