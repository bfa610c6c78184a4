"""`upgrade/downgrade --dry-run`: the plan and SQL from the database's real state, no change."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gitmig import command, display
from gitmig.cli import cli
from gitmig.exc import LockTimeoutError
from gitmig.runtime.lock import lock_for_dialect, lock_key


def _state(project) -> tuple[set[str], set[str], int]:
    engine = sa.create_engine(project.url)
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM gitmig_ledger")).scalar()
    engine.dispose()
    return project.rows(), project.tables(), int(count or 0)


def _three(project) -> None:
    project.table_rev("a", None)
    project.table_rev("b", "a")
    project.table_rev("c", "b")


def test_upgrade_dry_run_starts_where_the_database_stands(db_url, make_project):
    project = make_project(db_url)
    _three(project)
    cfg = project.config()
    command.upgrade(cfg, "a")
    before = _state(project)
    dry = command.dry_run(cfg, "upgrade", "head")
    assert dry.rows == ("a",)
    assert [s.revision for s in dry.steps] == ["b", "c"]
    assert "CREATE TABLE t_b" in dry.sql and "CREATE TABLE t_c" in dry.sql
    assert "CREATE TABLE t_a" not in dry.sql
    assert "CREATE TABLE gitmig_version" not in dry.sql  # it exists: the SQL starts from a
    assert "version_num='b' WHERE gitmig_version.version_num = 'a'" in dry.sql
    assert "INSERT INTO gitmig_ledger" in dry.sql
    assert "CREATE TABLE IF NOT EXISTS gitmig_ledger" not in dry.sql  # it exists too
    assert _state(project) == before  # nothing changed
    assert dry.skipped == ()


def test_downgrade_dry_run(db_url, make_project):
    project = make_project(db_url)
    _three(project)
    cfg = project.config()
    command.upgrade(cfg, "head")
    before = _state(project)
    dry = command.dry_run(cfg, "downgrade", "-1")
    assert [s.short_log for s in dry.steps] == ["downgrade c -> b, step c"]
    assert "DROP TABLE t_c" in dry.sql
    assert _state(project) == before


def test_a_revision_that_reads_the_database_gets_real_answers(db_url, make_project):
    project = make_project(db_url)
    project.table_rev("a", None)
    project.rev(
        "b",
        "a",
        up_body="""
        count = op.get_bind().execute(sa.text("SELECT count(*) FROM t_a")).scalar()
        op.execute(f"CREATE TABLE t_b{count} (id INTEGER)")
        """,
    )
    project.table_rev("c", "b")
    cfg = project.config()
    command.upgrade(cfg, "a")
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO t_a (id) VALUES (1), (2)"))
    engine.dispose()
    before = _state(project)
    dry = command.dry_run(cfg, "upgrade", "head")
    assert dry.skipped == () and dry.reading == ("b",)
    assert "CREATE TABLE t_b2 (id INTEGER)" in dry.sql  # decided from the real rows
    assert "CREATE TABLE t_c" in dry.sql
    assert _state(project) == before


def test_a_revision_that_cannot_be_dry_run_is_named(db_url, make_project):
    project = make_project(db_url)
    project.table_rev("a", None)
    project.rev(
        "b",
        "a",
        up_body="""
        changed = op.get_bind().execute(sa.text("UPDATE t_a SET id = 3")).rowcount
        op.execute(f"CREATE TABLE t_b{changed} (id INTEGER)")
        """,
    )
    project.table_rev("c", "b")
    cfg = project.config()
    command.upgrade(cfg, "a")
    dry = command.dry_run(cfg, "upgrade", "head")
    ((revision, reason),) = dry.skipped
    assert revision == "b" and "AttributeError" in reason
    assert "-- cannot be dry-run: revision b" in dry.sql
    assert "UPDATE t_a SET id = 3" in dry.sql  # the write went to the script, not the database
    assert "CREATE TABLE t_c" in dry.sql  # the rest still renders
    text = display.dry_run_text(dry)
    assert "-- cannot be dry-run: revision b: it failed without running (AttributeError" in text


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_dry_runs_reads_are_read_only(dialect, request, make_project):
    # MariaDB has no statement that reads like a query and writes; the same guard applies.
    url = request.getfixturevalue(f"{dialect}_url")
    project = make_project(url)
    project.table_rev("a", None)
    sneaky = (
        "WITH gone AS (DELETE FROM t_a RETURNING id) SELECT count(*) FROM gone"
        if dialect == "postgresql"
        else "WITH x AS (SELECT 1) DELETE FROM t_a"
    )
    project.rev("b", "a", up_body=f"op.get_bind().execute(sa.text({sneaky!r}))")
    cfg = project.config()
    command.upgrade(cfg, "a")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO t_a (id) VALUES (1)"))
    dry = command.dry_run(cfg, "upgrade", "head")
    assert [revision for revision, _ in dry.skipped] == ["b"]
    assert "read-only" in dry.skipped[0][1] or "readonly" in dry.skipped[0][1]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM t_a")).scalar() == 1
    engine.dispose()


def test_dry_run_takes_no_lock(db_url, make_project):
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite's lock is the run's own exclusive transaction")
    project = make_project(db_url)
    _three(project)
    cfg = project.config()
    command.upgrade(cfg, "a")
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        holder = lock_for_dialect(engine.dialect.name)(conn, lock_key("gitmig_version", None), 1)
        holder.acquire()  # another deploy is migrating this database
        try:
            assert [s.revision for s in command.dry_run(cfg, "upgrade", "head").steps] == ["b", "c"]
            with pytest.raises(LockTimeoutError):
                command.upgrade(cfg, "head", lock_timeout=0.2)
        finally:
            holder.release()
    engine.dispose()


def test_cli_dry_run(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _three(project)
    runner = CliRunner()
    ini = str(project.ini)
    assert runner.invoke(cli, ["-c", ini, "upgrade", "b"]).exit_code == 0
    result = runner.invoke(cli, ["-c", ini, "-q", "upgrade", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        f"-- Dry run: upgrade head on {sqlite_url}",
        "-- The database is at b.",
        "-- 1 step(s) would run, in this order:",
        "--   upgrade b -> c, step c",
        "-- Nothing was changed: no lock was taken and nothing was written.",
    ]
    assert "CREATE TABLE t_c" in result.stdout
    assert project.rows() == {"b"}
    at_head = runner.invoke(cli, ["-c", ini, "-q", "downgrade", "--dry-run", "b"])
    assert at_head.stdout.splitlines()[-1] == "-- Nothing to do."

    both = runner.invoke(cli, ["-c", ini, "upgrade", "--dry-run", "--sql"])
    assert both.exit_code == 2 and "use one of them" in both.output
    ranged = runner.invoke(cli, ["-c", ini, "upgrade", "--dry-run", "a:c"])
    assert ranged.exit_code == 2 and "starts where the database stands" in ranged.output
