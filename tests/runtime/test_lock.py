"""The migration lock: concurrent runs, bounded waits, and no lock offline."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import gitmig
from gitmig import command
from gitmig.cli import cli
from gitmig.exc import LockTimeoutError, MigrationError
from gitmig.runtime.lock import lock_for_dialect, lock_key

ROOT = str(Path(gitmig.__file__).resolve().parents[1])


def _counted_history(project, n=5):
    """Each revision records itself in table `runs`, so a second run would show."""
    project.rev(
        "r1",
        None,
        up=["CREATE TABLE runs (rev VARCHAR(32))", "INSERT INTO runs VALUES ('r1')"],
    )
    for i in range(2, n + 1):
        project.rev(
            f"r{i}",
            f"r{i - 1}",
            up_body=f"""
                import time
                time.sleep(0.05)
                op.execute("INSERT INTO runs VALUES ('r{i}')")
                op.execute("CREATE TABLE t_r{i} (id INTEGER)")
            """,
        )


@pytest.mark.parametrize("server", ["postgresql", "mariadb"])
def test_eight_concurrent_upgrades(server, request, make_project):
    url = request.getfixturevalue(f"{server}_url")
    project = make_project(url)
    _counted_history(project)
    env = dict(os.environ, PYTHONPATH=ROOT)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "gitmig", "-c", str(project.ini), "upgrade", "head"],
            env=env,
            cwd=project.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    for proc in procs:
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert [code for code, _ in results] == [0] * 8, [err for _, err in results]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = dict(
            conn.execute(sa.text("SELECT rev, COUNT(*) FROM runs GROUP BY rev")).fetchall()
        )
    engine.dispose()
    assert counts == {f"r{i}": 1 for i in range(1, 6)}
    assert project.rows() == {"r5"}
    # exactly one process did the work; the others found the database at head
    assert sum("Running upgrade" in err for _, err in results) == 1
    assert sum("Nothing to do" in err for _, err in results) == 7


def _hold_lock(url):
    engine = sa.create_engine(url)
    conn = engine.connect()
    lock = lock_for_dialect(conn.dialect.name)(conn, lock_key("gitmig_version"), 0)
    lock.acquire()
    return engine, conn, lock


@pytest.mark.parametrize("server", ["postgresql", "mariadb"])
def test_lock_timeout(server, request, make_project):
    url = request.getfixturevalue(f"{server}_url")
    if server == "postgresql":  # trust auth ignores the password: check that it is masked
        url = url.replace("postgres@", "postgres:sekrit99@")
    project = make_project(url)
    _counted_history(project, 2)
    engine, conn, lock = _hold_lock(url)
    try:
        with pytest.raises(LockTimeoutError) as info:
            command.upgrade(project.config(), lock_timeout=0.3)
        message = str(info.value)
        assert "Could not take the migration lock" in message
        assert "within 0.3 s" in message and "--lock-timeout" in message
        assert "sekrit99" not in message
        assert project.rows() == set()

        result = CliRunner().invoke(
            cli, ["-c", str(project.ini), "upgrade", "--lock-timeout", "0.2"]
        )
        assert result.exit_code == 1
        assert "Could not take the migration lock" in result.output
        assert "sekrit99" not in result.output

        # offline mode takes no lock
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            command.upgrade(project.config(), sql=True)
        assert "INSERT INTO runs" in buffer.getvalue()
    finally:
        lock.release()
        conn.close()
        engine.dispose()
    command.upgrade(project.config(), lock_timeout=5)
    assert project.rows() == {"r2"}


def test_lock_released_after_failure(postgresql_url, make_project):
    project = make_project(postgresql_url)
    project.rev("a", None, up=["SELEC broken"])
    with pytest.raises(MigrationError):
        command.upgrade(project.config())
    engine, conn, lock = _hold_lock(postgresql_url)  # would time out if still held
    lock.release()
    conn.close()
    engine.dispose()


def test_sqlite_lock_timeout(sqlite_url, make_project, tmp_path):
    project = make_project(sqlite_url)
    _counted_history(project, 2)
    command.upgrade(project.config(), "r1")
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LockTimeoutError, match=r"within 0\.2 s"):
            command.upgrade(project.config(), lock_timeout=0.2)
        # lock_timeout in the config file, when the command line gives none
        text = project.ini.read_text(encoding="utf-8")
        project.ini.write_text(
            text.replace("[gitmig]\n", "[gitmig]\nlock_timeout = 0.1\n", 1), encoding="utf-8"
        )
        with pytest.raises(LockTimeoutError, match=r"within 0\.1 s"):
            command.upgrade(project.config())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    command.upgrade(project.config())
    assert project.rows() == {"r2"}


def _second_connection_body(statement: str, in_block: bool, table: str) -> str:
    run = f"with engine.begin() as conn:\n    conn.execute(text({statement!r}))\n"
    if in_block:
        run = (
            "with op.get_context().autocommit_block():\n"
            + "    "
            + run.replace("\n    ", "\n        ")
        )
    return (
        "from sqlalchemy import engine_from_config, pool, text\n"
        "cfg = op.get_context().config\n"
        "engine = engine_from_config(cfg.get_section(cfg.config_ini_section),\n"
        '    prefix="sqlalchemy.", poolclass=pool.NullPool, connect_args={"timeout": 0.5})\n'
        f'op.execute("CREATE TABLE {table} (id INTEGER)")\n' + run + "engine.dispose()\n"
    )


def test_sqlite_revision_with_its_own_connection(sqlite_url, make_project):
    # Regression: the run's BEGIN EXCLUSIVE made any second connection fail, unexplained.
    project = make_project(sqlite_url)
    project.table_rev("a", None)
    command.upgrade(project.config())
    project.rev("b", "a", up_body=_second_connection_body("SELECT * FROM t_a", False, "t_b"))
    command.upgrade(project.config())  # reading from a second connection works
    assert project.rows() == {"b"}

    project.rev(
        "c", "b", up_body=_second_connection_body("INSERT INTO t_a VALUES (1)", False, "t_c")
    )
    with pytest.raises(MigrationError) as info:
        command.upgrade(project.config())
    message = str(info.value)
    assert "database is locked" in message
    assert "SQLite has one writer at a time, and this run holds the write lock" in message
    assert "autocommit_block()" in message and project.rows() == {"b"}

    project.rev(
        "c", "b", up_body=_second_connection_body("INSERT INTO t_a VALUES (1)", True, "t_c")
    )
    command.upgrade(project.config())
    assert project.rows() == {"c"}
