"""``gitmig fleet status``: where every target stands, read concurrently from version tables."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitmig.fleet.state import read_rows
from gitmig.util.messaging import mask_url

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.fleet.targets import Target

__all__ = ["STATUS_JOBS", "TargetStatus", "fleet_status"]

#: connections open at once for a status read (each is one short SELECT)
STATUS_JOBS = 16


@dataclass
class TargetStatus:
    """One target's version rows, and how far it is from the scripts' heads."""

    target: Target
    rows: tuple[str, ...] = ()
    at_head: bool = False
    #: revisions ``upgrade heads`` would run
    pending: int = 0
    #: why the target could not be read (one line), else ``""``
    error: str = ""


def _status(config: Config, target: Target) -> TargetStatus:
    from gitmig.command._base import revision_graph
    from gitmig.runtime.plan import resolve_rows

    graph = revision_graph(config, complete=False)
    try:
        rows = resolve_rows(graph, read_rows(config, target), exact=True)
        plan = graph.upgrade_plan(rows, "heads")
    except Exception as err:
        line = (str(err).strip() or type(err).__name__).splitlines()[0]
        return TargetStatus(target, error=mask_url(line))
    rows = tuple(graph.sort(rows))
    return TargetStatus(target, rows, set(rows) == set(graph.heads), len(plan))


def fleet_status(
    config: Config, targets: Sequence[Target], jobs: int = STATUS_JOBS
) -> list[TargetStatus]:
    """Every target's status, in the fleet's order (no env.py runs)."""
    from gitmig.command._base import revision_graph

    revision_graph(config, complete=False)  # parse the scripts once, before the threads
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda t: _status(config, t), targets))
