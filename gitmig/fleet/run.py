"""Running one fleet target, and a whole fleet with bounded concurrency.

One target runs exactly as ``gitmig upgrade`` runs one database: the user's env.py, with a
copy of the Config whose ``sqlalchemy.url`` is the target's (and, for a schema target,
``version_table_schema`` and a ``search_path`` of that schema), in its own transaction(s)
and under its own deploy lock.  Targets already where the run would take them are skipped
without running env.py: their version rows are read on a short connection and planned.

Targets run in threads of one process: gitmig's ``context`` and ``op`` proxies are
per-thread, and the DDL runs on the servers, so threads are enough (and cost no start-up).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitmig.exc import GitmigError, MigrationError
from gitmig.fleet.state import read_rows
from gitmig.util.messaging import mask_url

if TYPE_CHECKING:
    from types import FrameType

    from gitmig.config import Config
    from gitmig.fleet.targets import Target
    from gitmig.runtime.outcome import RunOutcome

__all__ = [
    "DEFAULT_JOBS",
    "FleetResult",
    "Progress",
    "TargetOutcome",
    "downgrade_target",
    "run_fleet",
    "stamp_target",
    "target_config",
    "upgrade_target",
]

#: targets migrated at once by default: each holds two connections (the migration's and the
#: lock's), so 4 stays well inside a small server's or pooler's connection budget
DEFAULT_JOBS = 4


@dataclass
class TargetOutcome:
    """What happened to one target."""

    target: Target
    #: ``done``, ``skipped`` (already there, env.py not run), ``failed``, ``not-run``
    status: str
    before: tuple[str, ...] | None = None
    after: tuple[str, ...] | None = None
    duration: float = 0.0
    #: the error's first line
    error: str = ""
    #: the whole report (for a failed migration: what is rolled back, where it stands)
    report: str = ""
    #: the runtime's structured report, when the migration failed or was interrupted
    outcome: RunOutcome | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("done", "skipped")


@dataclass
class FleetResult:
    """Every target's outcome, in the fleet's order, and whether the run stopped early."""

    outcomes: list[TargetOutcome]
    #: ``""``, or why targets were left not run (``interrupted``, ``failure``, ``canary``)
    stopped: str = ""
    elapsed: float = 0.0
    #: the signal that stopped the run, if one did
    signum: int | None = None
    action: str = ""
    revision: str = ""
    run: str = ""
    state_file: str = ""

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)


def target_config(config: Config, target: Target) -> Config:
    """A copy of ``config`` that points env.py at ``target`` (shares the scripts)."""
    from gitmig.command._base import _script_directories, script_directory

    scripts = script_directory(config)
    options = {"sqlalchemy.url": target.connect_url()}
    if target.schema is not None:
        options["version_table_schema"] = target.schema
    clone = config.copy(**options)
    clone.attributes["fleet_target"] = target
    # One parsed graph (and one import of each revision) for the whole fleet.
    _script_directories[clone] = scripts
    return clone


def _planned_steps(config: Config, action: str, rows: tuple[str, ...], revision: str) -> int:
    """How many steps ``action`` to ``revision`` would take from ``rows`` (no env.py)."""
    from gitmig.command._base import revision_graph, script_directory
    from gitmig.runtime.plan import downgrade_steps, resolve_rows, stamp_steps, upgrade_steps

    scripts = script_directory(config)
    graph = revision_graph(config, complete=False)
    rows = resolve_rows(graph, rows, exact=True)
    if action == "upgrade":
        return len(upgrade_steps(scripts, rows, revision))
    if action == "downgrade":
        return len(downgrade_steps(scripts, rows, revision))
    steps = stamp_steps(graph, rows, [revision])
    return sum(1 for step in steps if set(step.from_rows) != set(step.to_rows))


def _one_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return mask_url(text.splitlines()[0])


def _run_target(
    config: Config,
    target: Target,
    action: str,
    revision: str,
    run: Callable[[Config], None],
) -> TargetOutcome:
    started = time.monotonic()
    outcome = TargetOutcome(target, "failed")
    try:
        outcome.before = read_rows(config, target)
        if _planned_steps(config, action, outcome.before, revision) == 0:
            outcome.status = "skipped"
            outcome.after = outcome.before
            return outcome
        run(target_config(config, target))
        outcome.status = "done"
    except MigrationError as err:
        outcome.error, outcome.report = _one_line(err), mask_url(err)
        from gitmig.runtime.outcome import RunOutcome

        if isinstance(err.outcome, RunOutcome):
            outcome.outcome = err.outcome
            # The headline says where, the driver's error says what: both fit one line.
            what = err.outcome.error.strip().splitlines()
            if what:
                outcome.error = mask_url(f"{err.outcome.headline()}: {what[0]}")
    except GitmigError as err:
        outcome.error, outcome.report = _one_line(err), mask_url(err)
    except Exception as err:
        # A driver error before env.py (unreachable server, bad URL): one line, the name.
        outcome.error = f"{type(err).__name__}: {_one_line(err)}"
        outcome.report = outcome.error
    finally:
        outcome.duration = time.monotonic() - started
    try:
        outcome.after = read_rows(config, target)
    except Exception:
        outcome.after = None  # the report says where it stands, when there is one
    return outcome


def upgrade_target(
    config: Config, target: Target, revision: str = "heads", lock_timeout: float | None = None
) -> TargetOutcome:
    """Upgrade one target to ``revision``; never raises for the target's own failure.

    This is the unit a job system spreads (one call per target, on any machine)::

        from gitmig.config import Config
        from gitmig.fleet import Target, upgrade_target

        outcome = upgrade_target(Config("gitmig.ini"), Target("t1", "sqlite:///t1.db"))
        assert outcome.ok, outcome.report
    """
    from gitmig.command.migrate import upgrade

    return _run_target(
        config,
        target,
        "upgrade",
        revision,
        lambda cfg: upgrade(cfg, revision, lock_timeout=lock_timeout),
    )


def downgrade_target(
    config: Config, target: Target, revision: str, lock_timeout: float | None = None
) -> TargetOutcome:
    """Downgrade one target to ``revision`` (as :func:`upgrade_target`)."""
    from gitmig.command.migrate import downgrade

    return _run_target(
        config,
        target,
        "downgrade",
        revision,
        lambda cfg: downgrade(cfg, revision, lock_timeout=lock_timeout),
    )


def stamp_target(
    config: Config, target: Target, revision: str, lock_timeout: float | None = None
) -> TargetOutcome:
    """Set one target's version table to ``revision`` without running migrations."""
    from gitmig.command.migrate import stamp

    return _run_target(
        config,
        target,
        "stamp",
        revision,
        lambda cfg: stamp(cfg, revision, lock_timeout=lock_timeout),
    )


@dataclass
class Progress:
    """A snapshot of a fleet run, given to the progress callback after every change."""

    total: int
    done: int = 0
    skipped: int = 0
    failed: int = 0
    running: int = 0
    elapsed: float = 0.0
    #: the outcome that just finished (``None`` when a target just started)
    finished: TargetOutcome | None = None
    stopping: str = ""

    @property
    def pending(self) -> int:
        return self.total - self.done - self.skipped - self.failed - self.running


class _StopOnSignal:
    """While a fleet runs in the main thread, SIGINT/SIGTERM stop new targets starting.

    Running targets are in worker threads (Python delivers signals to the main thread only),
    so each finishes or rolls back by itself; a second signal is ignored until they do.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> _StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._saved[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.signum = self.signum or signum

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)


def run_fleet(
    targets: Sequence[Target],
    run_one: Callable[[Target], TargetOutcome],
    jobs: int = DEFAULT_JOBS,
    canary: int = 0,
    continue_on_error: bool = False,
    progress: Callable[[Progress], None] | None = None,
    on_outcome: Callable[[list[TargetOutcome]], None] | None = None,
) -> FleetResult:
    """Run ``run_one`` on every target, at most ``jobs`` at once.

    The first ``canary`` targets run first; if one fails nothing else starts.  Without
    ``continue_on_error`` the first failure stops new targets from starting; running ones
    finish.  ``on_outcome`` gets every outcome so far after each target (to write the
    state file).
    """
    started = time.monotonic()
    outcomes = [TargetOutcome(t, "not-run") for t in targets]
    snapshot = Progress(total=len(targets))
    running: dict[Future[TargetOutcome], int] = {}
    stopped = ""
    waves = [range(min(canary, len(targets))), range(min(canary, len(targets)), len(targets))]

    def report(finished: TargetOutcome | None) -> None:
        if progress is None:
            return
        snapshot.elapsed = time.monotonic() - started
        snapshot.running = len(running)
        snapshot.finished = finished
        snapshot.stopping = stopped
        progress(snapshot)

    def collect(block: bool) -> None:
        nonlocal stopped
        done, _ = wait(list(running), timeout=0.2 if block else 0, return_when=FIRST_COMPLETED)
        for future in done:
            index = running.pop(future)
            outcome = future.result()
            outcomes[index] = outcome
            setattr(snapshot, outcome.status, getattr(snapshot, outcome.status) + 1)
            if not outcome.ok and not continue_on_error and not stopped:
                stopped = "failure"
            if on_outcome is not None:
                on_outcome(outcomes)
            report(outcome)

    with _StopOnSignal() as signals, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for number, wave in enumerate(waves):
            for index in wave:
                while len(running) >= jobs and not _halt(signals, stopped):
                    collect(block=True)
                if _halt(signals, stopped):
                    break
                running[pool.submit(run_one, targets[index])] = index
                report(None)
            while running:
                collect(block=True)
                if signals.signum is not None and not stopped:
                    stopped = "interrupted"
            if signals.signum is not None:
                stopped = "interrupted"
            if stopped:
                break
            if number == 0 and canary and any(not outcomes[i].ok for i in wave):
                stopped = "canary"
                break
    return FleetResult(outcomes, stopped, time.monotonic() - started, signals.signum)


def _halt(signals: _StopOnSignal, stopped: str) -> bool:
    return signals.signum is not None or bool(stopped)
