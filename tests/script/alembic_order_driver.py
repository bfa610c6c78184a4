"""Run orders as Alembic computes them, for the comparison in test_run_order_alembic.py.

Run by a Python that has Alembic installed (never imported by the test suite itself):
reads a JSON list of cases on stdin and writes one result per case on stdout.  A case is
``{"revisions": [[id, down_revision, depends_on, branch_labels], ...], "runs": [[kind,
rows, target], ...]}``; a result is a list with, per run, the revision ids in the order
Alembic runs them, or ``"error"`` when Alembic refuses the run.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from alembic.script.revision import Revision, RevisionMap


def _orders(case: dict[str, Any]) -> list[Any]:
    revisions = [
        Revision(rev, down or None, dependencies=deps or None, branch_labels=labels or None)
        for rev, down, deps, labels in case["revisions"]
    ]
    graph = RevisionMap(lambda: revisions)
    results: list[Any] = []
    for kind, rows, target in case["runs"]:
        try:
            if kind == "upgrade":
                # As ScriptDirectory._upgrade_revs: from the rows up to the target.
                revs = graph.iterate_revisions(target, tuple(rows), implicit_base=True)
                results.append([r.revision for r in reversed(list(revs))])
            else:
                revs = graph.iterate_revisions(tuple(rows), target, select_for_downgrade=True)
                results.append([r.revision for r in revs])
        except Exception:  # any refusal counts as one
            results.append("error")
    return results


def main() -> None:
    cases = json.load(sys.stdin)
    json.dump([_orders(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
