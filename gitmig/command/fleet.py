"""``gitmig fleet``: status, upgrade, downgrade and stamp over many targets at once.

The per-target work is :mod:`gitmig.fleet`; this module picks the targets (the fleet's,
or those a previous run left failed), runs them and keeps the run's state file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from gitmig.exc import UsageError

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.fleet import FleetResult, Progress, Target, TargetOutcome, TargetStatus

__all__ = ["FleetStatus", "fleet_downgrade", "fleet_stamp", "fleet_status", "fleet_upgrade"]


class FleetStatus(NamedTuple):
    """Where every target stands, and the scripts' heads."""

    targets: list[TargetStatus]
    heads: tuple[str, ...]

    @property
    def at_head(self) -> bool:
        return all(t.at_head for t in self.targets)


def fleet_status(config: Config, targets: str | None = None) -> FleetStatus:
    """Read every target's version table (concurrently; no env.py runs)."""
    from gitmig.command._base import revision_graph
    from gitmig.fleet import fleet_status as read_all
    from gitmig.fleet import load_targets

    found = load_targets(config, targets)
    return FleetStatus(read_all(config, found), revision_graph(config, complete=False).heads)


def fleet_upgrade(
    config: Config,
    revision: str = "heads",
    targets: str | None = None,
    jobs: int | None = None,
    canary: int = 0,
    continue_on_error: bool = False,
    retry_failed: str | None = None,
    lock_timeout: float | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> FleetResult:
    """Upgrade every target to ``revision``, at most ``jobs`` at once.

    ``retry_failed`` (a run id, or ``latest``) runs only the targets that run left failed
    or never started.  Every run writes a state file (``FleetResult.state_file``).
    """
    from gitmig.fleet import upgrade_target

    return _fleet_run(
        config,
        "upgrade",
        revision,
        lambda t: upgrade_target(config, t, revision, lock_timeout),
        targets,
        jobs,
        canary,
        continue_on_error,
        retry_failed,
        progress,
    )


def fleet_downgrade(
    config: Config,
    revision: str,
    targets: str | None = None,
    jobs: int | None = None,
    canary: int = 0,
    continue_on_error: bool = False,
    retry_failed: str | None = None,
    lock_timeout: float | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> FleetResult:
    """Downgrade every target to ``revision`` (as :func:`fleet_upgrade`)."""
    from gitmig.fleet import downgrade_target

    return _fleet_run(
        config,
        "downgrade",
        revision,
        lambda t: downgrade_target(config, t, revision, lock_timeout),
        targets,
        jobs,
        canary,
        continue_on_error,
        retry_failed,
        progress,
    )


def fleet_stamp(
    config: Config,
    revision: str,
    targets: str | None = None,
    jobs: int | None = None,
    continue_on_error: bool = False,
    retry_failed: str | None = None,
    lock_timeout: float | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> FleetResult:
    """Set every target's version table to ``revision`` without running migrations."""
    from gitmig.fleet import stamp_target

    return _fleet_run(
        config,
        "stamp",
        revision,
        lambda t: stamp_target(config, t, revision, lock_timeout),
        targets,
        jobs,
        0,
        continue_on_error,
        retry_failed,
        progress,
    )


def _fleet_run(
    config: Config,
    action: str,
    revision: str,
    run_one: Callable[[Target], TargetOutcome],
    targets: str | None,
    jobs: int | None,
    canary: int,
    continue_on_error: bool,
    retry_failed: str | None,
    progress: Callable[[Progress], None] | None,
) -> FleetResult:
    from gitmig.command._base import revision_graph
    from gitmig.fleet import DEFAULT_JOBS, load_targets, run_fleet
    from gitmig.fleet.state import RunState, TargetRecord, latest_run, load_run, new_run_id
    from gitmig.fleet.state import write_run as write
    from gitmig.fleet.targets import select_targets

    jobs = config.get_int_option("fleet_jobs", DEFAULT_JOBS) if jobs is None else jobs
    if jobs < 1:
        raise UsageError(f"fleet {action}: --jobs must be at least 1, not {jobs}")
    if canary < 0:
        raise UsageError(f"fleet {action}: --canary must not be negative, not {canary}")
    chosen = load_targets(config, targets)
    if retry_failed is not None:
        run_id = latest_run(config, action) if retry_failed == "latest" else retry_failed
        previous = load_run(config, run_id)
        if previous.action != action:
            raise UsageError(
                f"fleet {action} --retry-failed {run_id}: that run was a {previous.action}"
            )
        chosen = select_targets(chosen, previous.names("failed", "not-run"), f"run {run_id}")
    # Parse the scripts (and resolve the revision) once, before any thread: a bad revision
    # is the caller's error, not every target's.
    graph = revision_graph(config, complete=False)
    if not any(sign in revision for sign in "+-~"):  # relative ones depend on the target
        graph.resolve(revision)
    state = RunState(new_run_id(action), action, revision, time.time())

    def save(outcomes: list[TargetOutcome]) -> None:
        state.targets = [
            TargetRecord(
                o.target.name,
                o.target.url,
                o.target.schema,
                o.status,
                list(o.before) if o.before is not None else None,
                list(o.after) if o.after is not None else None,
                round(o.duration, 3),
                o.error,
                o.report,
            )
            for o in outcomes
        ]
        write(config, state)

    import logging

    # Each target's INFO lines (one per step, from every thread at once, re-enabled by each
    # env.py's fileConfig) would bury the fleet's own line per target; warnings still show.
    log_floor = logging.root.manager.disable
    logging.disable(max(log_floor, logging.INFO))
    try:
        result = run_fleet(
            chosen,
            run_one,
            jobs=jobs,
            canary=canary,
            continue_on_error=continue_on_error,
            progress=progress,
            on_outcome=save,
        )
    finally:
        logging.disable(log_floor)
    state.finished = time.time()
    state.interrupted = result.stopped == "interrupted"
    save(result.outcomes)
    from gitmig.fleet.state import state_dir

    result.action, result.revision, result.run = action, revision, state.run
    result.state_file = str(state_dir(config) / f"{state.run}.json")
    return result
