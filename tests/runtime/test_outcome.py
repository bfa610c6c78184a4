"""The report of a run that stops early: ids too long, interrupts, multidb, offline."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gitmig import command
from gitmig.cli import cli
from gitmig.exc import MigrationError


def test_id_longer_than_the_version_column_is_refused_before_anything_runs(db_url, make_project):
    project = make_project(db_url)
    project.table_rev("a1", None)
    command.upgrade(project.config())
    long_id = "b" * 40
    path = project.table_rev(long_id, "a1")
    with pytest.raises(MigrationError) as info:
        command.upgrade(project.config())
    message = str(info.value)
    assert message.startswith(f"{path}: revision id '{long_id}' is 40 characters long")
    assert "holds at most 32" in message and "Nothing was run." in message
    assert project.rows() == {"a1"}
    assert f"t_{long_id}" not in project.tables()


def test_multidb_failure_names_what_the_other_engine_committed(
    postgresql_url, sqlite_url, make_project
):
    project = make_project(postgresql_url, template="multidb")
    text = project.ini.read_text(encoding="utf-8")
    head, _, tail = text.partition("[engine2]\nsqlalchemy.url = ")
    project.ini.write_text(
        head + f"[engine2]\nsqlalchemy.url = {sqlite_url}" + tail[tail.index("\n") :],
        encoding="utf-8",
    )
    cfg = project.config()
    script = command.new(cfg, message="both", rev_id="m1")
    assert script is not None and script.path is not None
    path = Path(script.path)
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "def upgrade_engine1() -> None:\n    pass",
        'def upgrade_engine1() -> None:\n    op.execute("CREATE TABLE t_engine1 (id INTEGER)")',
    ).replace(
        "def upgrade_engine2() -> None:\n    pass",
        'def upgrade_engine2() -> None:\n    raise RuntimeError("engine2 breaks")',
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MigrationError) as info:
        command.upgrade(cfg)
    message = str(info.value)
    # Regression: it said "no change of this run remains ... now at base" while
    # PostgreSQL kept the revision.
    assert project.rows() == {"m1"} and "t_engine1" in project.tables()
    assert "Rolled back: no change of this run remains on this database (sqlite" in message
    assert (
        "Another database of this run stays as committed: "
        "postgresql+psycopg://postgres@127.0.0.1:5432/" in message
    )
    assert "committed upgrade <base> -> m1, both; its version table reads m1." in message
    assert "Read back from gitmig_version on sqlite:///" in message
    assert message.rstrip().endswith("the database is now at base (no revision applied).")


def test_offline_failure_says_the_script_is_incomplete(make_project):
    project = make_project("postgresql+psycopg://u:secret@db.invalid/app")
    project.table_rev("a1", None)
    project.rev("a2", "a1", up_body='raise RuntimeError("no offline support")')
    result = CliRunner().invoke(cli, ["-c", str(project.ini), "upgrade", "head", "--sql"])
    assert result.exit_code == 1
    assert "BEGIN;" in result.stdout and "COMMIT;" not in result.stdout
    assert "The SQL script written to stdout is INCOMPLETE" in result.stderr
    assert "do not run it" in result.stderr
    assert "secret" not in result.output


def _start(project, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gitmig", "-c", str(project.ini), "upgrade", "head", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_running(proc: subprocess.Popen[str], revision: str) -> list[str]:
    """Read stderr until the step of ``revision`` starts; the lines read."""
    assert proc.stderr is not None
    seen = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen.append(line)
        if f"-> {revision}" in line and "Running" in line:
            time.sleep(0.5)  # let the step reach its long statement
            return seen
    raise AssertionError("the step never started: " + "".join(seen))


def test_ctrl_c_mid_statement_on_mariadb_lists_what_ran(mariadb_url, make_project):
    # Regression: only "Aborted!" and exit 1; the next upgrade failed on "Duplicate column".
    project = make_project(mariadb_url)
    project.table_rev("a1", None)
    command.upgrade(project.config())
    project.rev(
        "a2",
        "a1",
        up_body="""
            op.add_column("t_a1", sa.Column("note", sa.String(20)))
            op.execute("SELECT SLEEP(20)")
            op.create_table("t_a2", sa.Column("id", sa.Integer, primary_key=True))
        """,
    )
    proc = _start(project)
    seen = _wait_for_running(proc, "a2")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    err = "".join(seen) + err
    assert proc.returncode == 130, err
    assert "Aborted!" not in err and "Traceback" not in err
    assert "Migration interrupted by SIGINT (Ctrl-C) during upgrade a1 -> a2" in err
    assert "Rolled back: nothing; MariaDB commits DDL as it runs" in err
    assert "    ALTER TABLE t_a1 ADD COLUMN note VARCHAR(20)" in err
    assert "gitmig stamp a2" in err
    assert "This statement was running when the run stopped" in err
    assert "SELECT SLEEP(20)" in err
    assert "the database is now at a1." in err and project.rows() == {"a1"}


def test_sigterm_on_postgresql_rolls_back_and_exits_143(postgresql_url, make_project):
    project = make_project(postgresql_url)
    project.table_rev("a1", None)
    command.upgrade(project.config())
    project.rev("a2", "a1", up=["CREATE TABLE t_a2 (id INTEGER)", "SELECT pg_sleep(20)"])
    proc = _start(project)
    seen = _wait_for_running(proc, "a2")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    err = "".join(seen) + err
    assert proc.returncode == 143, err
    assert "Migration interrupted by SIGTERM during upgrade a1 -> a2" in err
    assert "Rolled back: no change of this run remains." in err
    assert "the database is now at a1." in err
    assert project.rows() == {"a1"} and "t_a2" not in project.tables()
    # The lock is free again: the next run is not kept waiting.
    engine = sa.create_engine(postgresql_url)
    with engine.connect() as conn:
        held = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
        assert held.scalar() == 0
    engine.dispose()
