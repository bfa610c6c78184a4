"""The fleet on real servers: 20 PostgreSQL schemas on one database, 10 MariaDB databases;
the concurrency bound seen from pg_stat_activity; two runs at once; an interrupt."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import sqlalchemy as sa
from click.testing import CliRunner

from gitmig.cli import cli
from gitmig.fleet.state import load_run


def _cli(fleet, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        cli, ["-c", str(fleet.project.ini), "fleet", *args, "--targets", str(fleet.targets_file)]
    )


def _command(fleet, *args: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        sys.executable,
        "-m",
        "gitmig",
        "-c",
        str(fleet.project.ini),
        "fleet",
        *args,
        "--targets",
        str(fleet.targets_file),
    ]


def test_schema_per_tenant_on_postgresql(pg_schema_fleet, postgresql_url) -> None:
    fleet = pg_schema_fleet
    assert _cli(fleet, "upgrade", "r1").exit_code == 0
    fleet.execute("p04", "INSERT INTO log (rev) VALUES ('poison')")
    result = _cli(fleet, "upgrade", "--continue-on-error", "--jobs", "4")
    assert result.exit_code == 1
    assert "19 done, 0 skipped, 1 failed, 0 not run" in result.output
    assert "Read back from tenant04.gitmig_version" in result.output or "now at r1" in result.output

    engine = sa.create_engine(postgresql_url)
    with engine.connect() as conn:
        # the version and log tables live in each tenant's schema, none in public
        assert not sa.inspect(conn).has_table("gitmig_version", schema="public")
        assert not sa.inspect(conn).has_table("log", schema="public")
        for i in range(20):
            rows = conn.execute(sa.text(f"SELECT version_num FROM tenant{i:02d}.gitmig_version"))
            assert {r[0] for r in rows} == ({"r1"} if i == 4 else {"r2"})
    engine.dispose()

    status = json.loads(_cli(fleet, "status", "--json").output)
    behind = [t for t in status["targets"] if not t["at_head"]]
    assert [(t["name"], t["schema"], t["revisions"], t["pending"]) for t in behind] == [
        ("p04", "tenant04", ["r1"], 1)
    ]
    fleet.execute("p04", "DELETE FROM log WHERE rev = 'poison'")
    result = _cli(fleet, "upgrade", "--retry-failed")
    assert result.exit_code == 0, result.output
    assert "1 done, 0 skipped, 0 failed" in result.output

    result = _cli(fleet, "downgrade", "r1")
    assert result.exit_code == 0, result.output
    assert fleet.log("p11") == ["r1"] and fleet.rows("p11") == {"r1"}


def test_concurrency_bound_seen_from_pg_stat_activity(pg_schema_fleet, postgresql_url) -> None:
    fleet = pg_schema_fleet
    assert _cli(fleet, "upgrade", "r1", "--jobs", "8").exit_code == 0
    for name in fleet.names:
        fleet.execute(name, "INSERT INTO log (rev) VALUES ('slow')")
    database = sa.engine.make_url(postgresql_url).database
    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def sample() -> None:
        engine = sa.create_engine(postgresql_url)
        with engine.connect() as conn:
            while not done.is_set():
                row = conn.execute(
                    sa.text(
                        "SELECT count(DISTINCT application_name), count(*) FROM pg_stat_activity "
                        "WHERE datname = :db AND application_name LIKE 'gitmig fleet %'"
                    ),
                    {"db": database},
                ).one()
                seen.append((row[0], row[1]))
                conn.rollback()
                time.sleep(0.01)
        engine.dispose()

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = _cli(fleet, "upgrade", "--jobs", "3")
    finally:
        done.set()
        sampler.join()
    assert result.exit_code == 0, result.output
    targets_at_once = max(t for t, _ in seen)
    connections_at_once = max(c for _, c in seen)
    assert targets_at_once == 3  # the bound is reached, never passed
    # each running target holds its migration connection and its lock's
    assert connections_at_once <= 2 * 3


def test_two_fleet_runs_at_once_apply_each_migration_once(pg_schema_fleet) -> None:
    fleet = pg_schema_fleet
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    runs = [
        subprocess.Popen(
            _command(fleet, "upgrade", "--jobs", "4"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    for name in fleet.names:
        assert fleet.log(name) == ["r1", "r2"], name
        assert fleet.rows(name) == {"r2"}


def test_ten_mariadb_databases(mariadb_fleet) -> None:
    fleet = mariadb_fleet
    assert _cli(fleet, "upgrade", "r1").exit_code == 0
    fleet.execute("m3", "INSERT INTO log (rev) VALUES ('poison')")
    result = _cli(fleet, "upgrade", "--continue-on-error", "--jobs", "4")
    assert result.exit_code == 1
    assert "9 done, 0 skipped, 1 failed, 0 not run" in result.output
    assert "FAILED m3 [mysql+pymysql://root@" in result.output
    # MariaDB's DDL is not transactional: the report says what stays applied
    assert "the database is now at r1" in result.output
    fleet.execute("m3", "DELETE FROM log WHERE rev = 'poison'")
    assert _cli(fleet, "upgrade", "--retry-failed").exit_code == 0
    for name in fleet.names:
        assert fleet.log(name) == ["r1", "r2"]
    result = _cli(fleet, "stamp", "r1")
    assert result.exit_code == 0
    assert fleet.rows("m0") == {"r1"} and fleet.log("m0") == ["r1", "r2"]
    status = json.loads(_cli(fleet, "status", "--json").output)
    assert {t["pending"] for t in status["targets"]} == {1}


def test_interrupt_stops_new_targets_and_writes_the_state(sqlite_fleet) -> None:
    fleet = sqlite_fleet
    assert _cli(fleet, "upgrade", "r1", "--jobs", "8").exit_code == 0
    for name in fleet.names:
        fleet.execute(name, "INSERT INTO log (rev) VALUES ('slow')")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    run = subprocess.Popen(
        _command(fleet, "upgrade", "--jobs", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert run.stderr is not None
    first = run.stderr.readline()  # the first finished target
    assert first.startswith("done"), first
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 130, out + err
    assert "interrupted: no new target was started; running ones finished" in out
    state = load_run(fleet.config(), _last_run(fleet))
    assert state.interrupted
    done, not_run = state.names("done"), state.names("not-run")
    assert state.names("failed") == []
    assert 1 <= len(done) <= 6 and len(done) + len(not_run) == 50
    for name in done:
        assert fleet.log(name) == ["r1", "r2", "slow"]
    for name in not_run:
        assert fleet.log(name) == ["r1", "slow"]

    for name in fleet.names:
        fleet.execute(name, "DELETE FROM log WHERE rev = 'slow'")
    result = _cli(fleet, "upgrade", "--retry-failed", "--jobs", "8")
    assert result.exit_code == 0, result.output
    assert f"{len(not_run)} done, 0 skipped" in result.output
    for name in fleet.names:
        assert fleet.rows(name) == {"r2"}


def _last_run(fleet) -> str:  # type: ignore[no-untyped-def]
    folder = fleet.project.root / ".gitmig" / "fleet"
    return max(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns).stem
