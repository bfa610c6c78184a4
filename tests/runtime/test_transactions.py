"""Transactions per dialect, the failure report, and autocommit_block()."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gitmig import command
from gitmig.cli import cli
from gitmig.exc import MigrationError


def _ten_steps_failing_at_sixth(project):
    project.table_rev("r00", None)
    down = "r00"
    for i in range(1, 11):
        rev = f"r{i:02d}"
        if i == 6:
            project.rev(rev, down, up=[f"CREATE TABLE t_{rev} (id INTEGER)", "SELEC broken"])
        else:
            project.table_rev(rev, down)
        down = rev


def test_failure_rolls_back_where_ddl_is_transactional(db_url, make_project):
    project = make_project(db_url)
    _ten_steps_failing_at_sixth(project)
    cfg = project.config()
    command.upgrade(cfg, "r00")

    with pytest.raises(MigrationError) as info:
        command.upgrade(cfg)
    message = str(info.value)
    assert "upgrade r05 -> r06" in message
    assert "revision r06 in " in message and "r06_step.py" in message
    assert "SELEC broken" in message

    tables = project.tables()
    if db_url.startswith("mysql"):
        # DDL commits implicitly: the version table follows each step.
        assert project.rows() == {"r05"}
        assert {f"t_r0{i}" for i in range(1, 6)} <= tables
        assert "now at r05" in message
        assert "Rolled back: nothing; MariaDB commits DDL as it runs" in message
        # The failing step's statements that ran are listed, so a person can undo them.
        assert "These statements of upgrade r05 -> r06, step r06 ran and stay applied" in message
        assert "CREATE TABLE t_r06 (id INTEGER)" in message
        assert "gitmig stamp r06" in message
        assert "Committed by each step's own commit" in message
        assert "upgrade r04 -> r05, step r05" in message
    else:
        assert project.rows() == {"r00"}
        assert "t_r00" in tables
        assert not {f"t_r0{i}" for i in range(1, 7)} & tables
        assert "Rolled back: no change of this run remains." in message
        assert "now at r00" in message
    assert "read back from" in message.lower()


def test_failure_through_cli_exits_1(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _ten_steps_failing_at_sixth(project)
    result = CliRunner().invoke(cli, ["-c", str(project.ini), "upgrade"])
    assert result.exit_code == 1
    assert "gitmig: error: Migration failed: upgrade r05 -> r06" in result.output
    assert "Traceback" not in result.output
    assert project.rows() == set() and "t_r00" not in project.tables()


def test_transaction_per_migration_keeps_earlier_steps(postgresql_url, make_project):
    project = make_project(postgresql_url)
    _ten_steps_failing_at_sixth(project)
    cfg = project.config(configure_opts={"transaction_per_migration": True})
    with pytest.raises(MigrationError) as info:
        command.upgrade(cfg)
    message = str(info.value)
    assert "Committed by each step's own transaction (transaction_per_migration):" in message
    assert "upgrade r04 -> r05, step r05." in message
    assert "Rolled back: upgrade r05 -> r06, step r06." in message
    assert project.rows() == {"r05"}
    assert "now at r05" in message
    assert "t_r06" not in project.tables()


def test_autocommit_block_postgresql(postgresql_url, make_project):
    project = make_project(postgresql_url)
    project.table_rev("a", None)
    project.rev(
        "b",
        "a",
        up_body="""
            with op.get_context().autocommit_block():
                op.execute("CREATE INDEX CONCURRENTLY ix_t_a_id ON t_a (id)")
            op.execute("CREATE TABLE t_b (id INTEGER)")
        """,
    )
    command.upgrade(project.config())
    assert project.rows() == {"b"}
    assert {"t_a", "t_b"} <= project.tables()


def test_autocommit_block_sqlite(sqlite_url, make_project):
    # VACUUM refuses to run inside a transaction.
    project = make_project(sqlite_url)
    project.table_rev("a", None)
    project.rev(
        "b",
        "a",
        up_body="""
            with op.get_context().autocommit_block():
                op.execute("VACUUM")
            op.execute("CREATE TABLE t_b (id INTEGER)")
        """,
    )
    command.upgrade(project.config())
    assert project.rows() == {"b"}


def test_sqlite_ddl_is_rolled_back(sqlite_url, make_project):
    # pysqlite would autocommit each CREATE TABLE; the run's transaction must cover DDL.
    project = make_project(sqlite_url)
    project.table_rev("a", None)
    project.rev("b", "a", up=["CREATE TABLE t_b (id INTEGER)", "SELEC broken"])
    with pytest.raises(MigrationError):
        command.upgrade(project.config())
    assert project.tables() == set()


def test_failure_after_autocommit_block_says_what_it_committed(postgresql_url, make_project):
    # Regression: the report said "no change of this run remains" while a3 was committed
    # and the failing revision's column and index stayed.
    project = make_project(postgresql_url)
    project.table_rev("a1", None)
    project.table_rev("a2", "a1")
    command.upgrade(project.config())
    project.table_rev("a3", "a2")
    path = project.rev(
        "a4",
        "a3",
        up_body="""
            op.add_column("t_a1", sa.Column("note", sa.String(20)))
            with op.get_context().autocommit_block():
                op.execute("CREATE INDEX CONCURRENTLY ix_note ON t_a1 (note)")
            op.execute("CREATE TABLE t_a4 (id INTEGER)")
            raise RuntimeError("boom")
        """,
    )
    with pytest.raises(MigrationError) as info:
        command.upgrade(project.config())
    message = str(info.value)
    assert "no change of this run remains" not in message
    line = path.read_text().splitlines().index("    with op.get_context().autocommit_block():")
    assert f"Committed by the autocommit block at {path}:{line + 1}:" in message
    assert "upgrade a2 -> a3, step a3, and 2 statement(s) of upgrade a3 -> a4" in message
    assert "ALTER TABLE t_a1 ADD COLUMN note VARCHAR(20)" in message
    assert "CREATE INDEX CONCURRENTLY ix_note ON t_a1 (note)" in message
    assert "Rolled back: what a4 ran after its autocommit block." in message
    assert "the database is now at a3." in message
    # Every sentence matches the database.
    assert project.rows() == {"a3"}
    assert "t_a3" in project.tables() and "t_a4" not in project.tables()


def test_mariadb_failure_lists_statements_of_the_step(mariadb_url, make_project):
    project = make_project(mariadb_url)
    project.table_rev("a1", None)
    project.rev(
        "a2",
        "a1",
        up_body="""
            op.add_column("t_a1", sa.Column("note", sa.String(20)))
            op.create_table("t_a2", sa.Column("id", sa.Integer, primary_key=True))
            op.execute("SELEC broken")
        """,
    )
    with pytest.raises(MigrationError) as info:
        command.upgrade(project.config())
    message = str(info.value)
    assert "check its changes by hand" not in message
    assert "ALTER TABLE t_a1 ADD COLUMN note VARCHAR(20)" in message
    assert "CREATE TABLE t_a2 (" in message
    assert "now at a1." in message and project.rows() == {"a1"}
