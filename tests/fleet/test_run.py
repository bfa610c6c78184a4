"""The fleet on 50 SQLite databases: upgrade, skip, failures, canaries, retries, the API."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitmig import command
from gitmig.cli import cli
from gitmig.fleet import Target, TargetOutcome, upgrade_target
from gitmig.fleet.state import load_run
from gitmig.runtime.outcome import RunOutcome


def _cli(fleet, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        cli, ["-c", str(fleet.project.ini), "fleet", *args, "--targets", str(fleet.targets_file)]
    )


def _poison(fleet, *names: str) -> None:  # type: ignore[no-untyped-def]
    for name in names:
        fleet.execute(name, "INSERT INTO log (rev) VALUES ('poison')")


def test_upgrade_status_and_skip(sqlite_fleet) -> None:
    result = _cli(sqlite_fleet, "status", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["heads"] == ["r2"]
    assert {t["pending"] for t in data["targets"]} == {2}

    result = _cli(sqlite_fleet, "upgrade", "--jobs", "4")
    assert result.exit_code == 0, result.output
    assert "fleet upgrade heads: 50 done, 0 skipped, 0 failed, 0 not run" in result.output
    # one plain line per target when not on a terminal
    assert "done    s07  base -> r2" in result.output
    for name in sqlite_fleet.names:
        assert sqlite_fleet.rows(name) == {"r2"}
        assert sqlite_fleet.log(name) == ["r1", "r2"]

    result = _cli(sqlite_fleet, "status")
    assert result.exit_code == 0
    assert "50 target(s): 50 at head, 0 behind" in result.output

    result = _cli(sqlite_fleet, "upgrade", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert {t["status"] for t in data["targets"]} == {"skipped"}
    assert Path(data["state_file"]).is_file()


def test_failures_continue_and_retry_exactly_the_failed(sqlite_fleet) -> None:
    assert _cli(sqlite_fleet, "upgrade", "r1").exit_code == 0
    poisoned = ["s03", "s17", "s41"]
    _poison(sqlite_fleet, *poisoned)

    result = _cli(sqlite_fleet, "upgrade", "--continue-on-error")
    assert result.exit_code == 1
    assert "47 done, 0 skipped, 3 failed, 0 not run" in result.output
    # each failed target's own report: what was rolled back, where it stands
    assert "FAILED s17 [sqlite:///" in result.output
    assert "RuntimeError: poisoned target" in result.output
    assert "the database is now at r1" in result.output
    run = load_run(sqlite_fleet.config(), command.fleet.__name__ and _last_run(sqlite_fleet))
    assert sorted(run.names("failed")) == poisoned
    failed = next(t for t in run.targets if t.name == "s03")
    assert failed.before == ["r1"] and failed.after == ["r1"]
    assert "poisoned target" in failed.error
    for name in poisoned:
        assert sqlite_fleet.log(name) == ["poison", "r1"]  # r2's insert rolled back

    for name in poisoned:
        sqlite_fleet.execute(name, "DELETE FROM log WHERE rev = 'poison'")
    result = _cli(sqlite_fleet, "upgrade", "--retry-failed")
    assert result.exit_code == 0, result.output
    assert "3 done, 0 skipped, 0 failed, 0 not run" in result.output
    retry = load_run(sqlite_fleet.config(), _last_run(sqlite_fleet))
    assert sorted(t.name for t in retry.targets) == poisoned
    for name in sqlite_fleet.names:
        assert sqlite_fleet.log(name) == ["r1", "r2"]


def _last_run(fleet) -> str:  # type: ignore[no-untyped-def]
    folder = fleet.project.root / ".gitmig" / "fleet"
    return max(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns).stem


def test_first_failure_stops_new_targets(sqlite_fleet) -> None:
    assert _cli(sqlite_fleet, "upgrade", "r1").exit_code == 0
    _poison(sqlite_fleet, "s05")
    result = _cli(sqlite_fleet, "upgrade", "-j", "1")
    assert result.exit_code == 1
    assert "5 done, 0 skipped, 1 failed, 44 not run" in result.output
    assert "stopped after a failure" in result.output
    assert "--retry-failed" in result.output
    assert sqlite_fleet.rows("s06") == {"r1"}
    run = load_run(sqlite_fleet.config(), _last_run(sqlite_fleet))
    assert run.names("not-run")[0] == "s06" and len(run.names("not-run")) == 44


def test_canary_failure_stops_the_rest(sqlite_fleet) -> None:
    assert _cli(sqlite_fleet, "upgrade", "r1").exit_code == 0
    _poison(sqlite_fleet, "s01")
    result = _cli(sqlite_fleet, "upgrade", "--canary", "3", "--continue-on-error")
    assert result.exit_code == 1
    assert "2 done, 0 skipped, 1 failed, 47 not run" in result.output
    assert "a canary target failed" in result.output
    assert sqlite_fleet.rows("s03") == {"r1"}

    sqlite_fleet.execute("s01", "DELETE FROM log WHERE rev = 'poison'")
    result = _cli(sqlite_fleet, "upgrade", "--canary", "3")
    assert result.exit_code == 0, result.output
    assert "48 done, 2 skipped" in result.output


def test_downgrade_and_stamp(sqlite_fleet) -> None:
    assert _cli(sqlite_fleet, "upgrade").exit_code == 0
    result = _cli(sqlite_fleet, "downgrade", "r1", "--jobs", "8")
    assert result.exit_code == 0, result.output
    assert "fleet downgrade r1: 50 done" in result.output
    assert sqlite_fleet.log("s09") == ["r1"]
    result = _cli(sqlite_fleet, "stamp", "r2")
    assert result.exit_code == 0, result.output
    assert sqlite_fleet.rows("s09") == {"r2"} and sqlite_fleet.log("s09") == ["r1"]
    result = _cli(sqlite_fleet, "upgrade", "--retry-failed", "nope")
    assert result.exit_code == 1
    assert "nope.json: no such fleet run" in result.output


def test_unknown_revision_is_one_error_not_fifty(sqlite_fleet) -> None:
    result = _cli(sqlite_fleet, "upgrade", "zzz")
    assert result.exit_code == 1
    assert result.output.count("zzz") == 1
    assert not (sqlite_fleet.project.root / ".gitmig").exists()


def test_upgrade_target_api(sqlite_fleet) -> None:
    config = sqlite_fleet.config()
    name, url, _ = sqlite_fleet.lines[0]
    outcome = upgrade_target(config, Target(name, url), "r1")
    assert isinstance(outcome, TargetOutcome)
    assert (outcome.status, outcome.before, outcome.after) == ("done", (), ("r1",))
    assert outcome.duration > 0 and outcome.ok
    again = upgrade_target(config, Target(name, url), "r1")
    assert again.status == "skipped"

    _poison(sqlite_fleet, name)
    failed = upgrade_target(config, Target(name, url))
    assert failed.status == "failed" and not failed.ok
    assert isinstance(failed.outcome, RunOutcome)
    assert failed.outcome.rows == ("r1",)
    assert failed.error.startswith("Migration failed: upgrade r1 -> r2, step r2")
    assert failed.error.endswith("RuntimeError: poisoned target")
    assert "now at r1" in failed.report
    assert failed.after == ("r1",)


def test_two_targets_at_once_in_threads(sqlite_fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    """env.py's `context` and the revisions' `op` are per thread: two targets migrated at
    the same moment each see their own migration."""
    config = sqlite_fleet.config()
    first, second = sqlite_fleet.lines[:2]
    for name, _, _ in (first, second):
        upgrade_target(config, Target(name, sqlite_fleet.lines[0][1]), "r1")
    upgrade_target(config, Target(second[0], second[1]), "r1")
    for name in (first[0], second[0]):
        sqlite_fleet.execute(name, "INSERT INTO log (rev) VALUES ('slow')")
    # Each revision's sleep first waits for the other thread's: both must be inside a
    # migration at the same moment (a global lock or shared context would break the barrier).
    both_inside = threading.Barrier(2, timeout=30)
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        both_inside.wait()
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    outcomes: list[TargetOutcome] = []
    threads = [
        threading.Thread(
            target=lambda t=t: outcomes.append(upgrade_target(config, Target(t[0], t[1])))
        )
        for t in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not both_inside.broken
    assert sorted(o.status for o in outcomes) == ["done", "done"], [o.report for o in outcomes]
    for name in (first[0], second[0]):
        assert sqlite_fleet.log(name) == ["r1", "r2", "slow"]


def test_environment_is_per_thread() -> None:
    from gitmig.config import Config
    from gitmig.exc import CommandError
    from gitmig.runtime.environment import EnvironmentContext, current_environment

    seen: list[object] = []

    def other() -> None:
        try:
            current_environment()
        except CommandError as err:
            seen.append(err)

    with EnvironmentContext(Config(), None) as env:
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert current_environment() is env
    assert len(seen) == 1


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_jobs_must_be_positive(sqlite_fleet, jobs: str) -> None:
    result = _cli(sqlite_fleet, "upgrade", "--jobs", jobs)
    assert result.exit_code == 2
