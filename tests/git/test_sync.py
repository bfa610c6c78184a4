"""`gitmig sync`: the database follows the checked-out branch (real git, three databases)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

import gitmig
from tests.git.conftest import TeamRepo

REPO_ROOT = Path(gitmig.__file__).resolve().parents[1]


def _body(team: TeamRepo, rev: str, upgrade: str, downgrade: str) -> None:
    """Give revision ``rev`` real upgrade() and downgrade() bodies."""
    path = team.path_of(rev)
    text = path.read_text()
    head, _, _ = text.partition("def upgrade() -> None:")
    path.write_text(
        f"{head}def upgrade() -> None:\n    {upgrade}\n\n\ndef downgrade() -> None:\n"
        f"    {downgrade}\n"
    )


def _table(team: TeamRepo, rev: str, table: str) -> None:
    _body(
        team,
        rev,
        f'op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True))',
        f'op.drop_table("{table}")',
    )


def _column(team: TeamRepo, rev: str, table: str, column: str) -> None:
    _body(
        team,
        rev,
        f'op.add_column("{table}", sa.Column("{column}", sa.String(20)))',
        f'op.drop_column("{table}", "{column}")',
    )


def _branches(team: TeamRepo, url: str) -> TeamRepo:
    """main: r0 (table base_t); feature-a: a1 (table a_t) -> a2 (a_t.extra);
    feature-b: b1 (table b_t). Left on feature-a, nothing applied."""
    team.set_url(url)
    _table(team, "r0", "base_t")
    team.commit("the database; r0 makes base_t")
    team.git("checkout", "-q", "-b", "feature-a")
    team.new("a one", "--rev-id", "a1")
    _table(team, "a1", "a_t")
    team.new("a two", "--rev-id", "a2")
    _column(team, "a2", "a_t", "extra")
    team.commit("feature a")
    team.git("checkout", "-q", "-b", "feature-b", "main")
    team.new("b one", "--rev-id", "b1")
    _table(team, "b1", "b_t")
    team.commit("feature b")
    team.git("checkout", "-q", "feature-a")
    return team


def _schema(url: str) -> dict[str, list[str]]:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {
            name: sorted(c["name"] for c in inspector.get_columns(name))
            for name in sorted(inspector.get_table_names())
            if name not in ("gitmig_version", "gitmig_ledger")
        }
    finally:
        engine.dispose()


def _rows(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(
                r[0] for r in conn.execute(sa.text("SELECT version_num FROM gitmig_version"))
            )
    finally:
        engine.dispose()


def _from_scratch(team: TeamRepo, url: str) -> dict[str, list[str]]:
    """The schema this tree's migrations build from nothing (on ``url``, emptied first)."""
    team.run("downgrade", "base")
    team.run("upgrade", "heads")
    return _schema(url)


def test_sync_after_a_branch_switch_gives_the_new_branchs_schema(team, db_url):
    _branches(team, db_url)
    team.run("upgrade", "head")
    assert _rows(db_url) == ["a2"]
    team.git("checkout", "-q", "feature-b")

    plan = team.json("sync", "--dry-run")
    (db,) = plan["databases"]
    assert plan["dry_run"] is True and db["rows"] == ["a2"] and db["heads"] == ["b1"]
    assert [s["revision"] for s in db["down"]] == ["a2", "a1"]
    assert all(s["source"].startswith("ledger blob ") for s in db["down"])
    assert [s["revision"] for s in db["up"]] == ["b1"]
    assert _rows(db_url) == ["a2"]  # the dry run changed nothing

    out = team.run("sync").stdout
    assert "Synced" in out and "2 down, 1 up" in out
    assert _rows(db_url) == ["b1"]
    synced = _schema(db_url)
    assert synced == {"b_t": ["id"], "base_t": ["id"]}
    assert synced == _from_scratch(team, db_url)
    assert "in sync" in team.run("sync").stdout

    # the ledger records the downgrades with the content that ran
    entries = team.json("log")["entries"]
    downs = [e for e in entries if e["direction"] == "downgrade" and e["revision"] in ("a1", "a2")]
    assert {e["path"] for e in downs} == {"versions/a1_a_one.py", "versions/a2_a_two.py"}
    ups = {e["revision"]: e["git_blob"] for e in entries if e["direction"] == "upgrade"}
    assert all(e["git_blob"] == ups[e["revision"]] for e in downs)


def _null_ledger_blobs(url: str, blob: str | None = None) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE gitmig_ledger SET git_blob = :b"), {"b": blob})
    finally:
        engine.dispose()


def test_a_deleted_branch_is_found_through_the_ledger_blob(team, sqlite_url):
    _branches(team, sqlite_url)
    team.run("upgrade", "head")
    team.git("checkout", "-q", "feature-b")
    team.git("branch", "-q", "-D", "feature-a")
    out = team.run("sync", "--dry-run").stdout
    assert "down a2  a two  (script from ledger blob " in out
    assert ": versions/a2_a_two.py)" in out
    team.run("sync")
    assert _rows(sqlite_url) == ["b1"]
    assert _schema(sqlite_url) == {"b_t": ["id"], "base_t": ["id"]}


def test_without_ledger_blobs_the_scripts_come_from_the_reflog(team, sqlite_url):
    _branches(team, sqlite_url)
    team.run("upgrade", "head")
    team.git("checkout", "-q", "feature-b")
    team.git("branch", "-q", "-D", "feature-a")
    _null_ledger_blobs(sqlite_url)
    (db,) = team.json("sync", "--dry-run")["databases"]
    assert [(s["revision"], s["source"]) for s in db["down"]] == [
        ("a2", "HEAD@{1}"),
        ("a1", "HEAD@{1}"),
    ]
    assert db["down"][0]["path"] == "migrations/versions/a2_a_two.py"
    # Another checkout later, the old HEAD is further down the reflog.
    team.git("checkout", "-q", "main")
    team.git("checkout", "-q", "feature-b")
    (db,) = team.json("sync", "--dry-run")["databases"]
    assert [s["source"] for s in db["down"]] == ["HEAD@{3}", "HEAD@{3}"]
    team.run("sync")
    assert _schema(sqlite_url) == {"b_t": ["id"], "base_t": ["id"]}


def test_a_script_from_another_branch_is_found_on_that_ref(team, sqlite_url):
    _branches(team, sqlite_url)
    team.run("upgrade", "head")
    _null_ledger_blobs(sqlite_url)
    team.git("checkout", "-q", "main")
    team.git("checkout", "-q", "feature-b")  # HEAD@{1} is main now: feature-a has them
    (db,) = team.json("sync", "--dry-run")["databases"]
    assert [s["source"] for s in db["down"]] == ["feature-a", "feature-a"]


def test_a_script_found_nowhere_stops_the_plan_and_changes_nothing(team, sqlite_url):
    _branches(team, sqlite_url)
    team.run("upgrade", "head")
    team.git("checkout", "-q", "feature-b")
    team.git("branch", "-q", "-D", "feature-a")
    team.git("reflog", "expire", "--expire=now", "--all")
    team.git("gc", "-q", "--prune=now")
    before = _schema(sqlite_url)
    for args in (("sync", "--dry-run"), ("sync",)):
        result = team.run(*args, expect=1)
        assert "revision a2 (the database's version table lists it) has no script" in (
            result.output
        )
        said = [line for line in result.output.splitlines() if not line.startswith("INFO")]
        assert len(said) == 1 and said[0].startswith("gitmig: error: sync: revision a2")
    assert _rows(sqlite_url) == ["a2"] and _schema(sqlite_url) == before


def test_an_empty_downgrade_of_a_schema_change_stops_the_plan(team, sqlite_url):
    _branches(team, sqlite_url)
    _body(team, "a2", 'op.add_column("a_t", sa.Column("extra", sa.String(20)))', "pass")
    team.commit("a2 forgets its downgrade")
    team.run("upgrade", "head")
    team.git("checkout", "-q", "feature-b")
    result = team.run("sync", expect=1)
    assert "sync: revision a2 (ledger blob " in result.output
    assert "downgrade() does nothing, but upgrade() changes the schema" in result.output
    assert _rows(sqlite_url) == ["a2"]
    assert _schema(sqlite_url)["a_t"] == ["extra", "id"]


def test_sync_refuses_a_database_not_marked_for_development(team, sqlite_url):
    _branches(team, sqlite_url)
    team.run("upgrade", "head")
    team.git("checkout", "-q", "feature-b")
    team.set_option("dev_database", "false")
    result = team.run("sync", expect=1)
    assert "sync downgrades, and " in result.output
    assert "gitmig.ini says dev_database = false for sqlite:///" in result.output
    assert _rows(sqlite_url) == ["a2"]
    assert team.json("sync", "--dry-run")["databases"][0]["up"]  # a dry run is fine
    team.run("sync", "--yes")
    assert _rows(sqlite_url) == ["b1"]


def test_only_sqlite_and_local_servers_are_development_databases_by_default():
    from sqlalchemy.engine import make_url

    from gitmig.command.branch_sync import _check_dev_database
    from gitmig.config import Config
    from gitmig.exc import CommandError

    config = Config(file_=None)
    for url in (
        "sqlite:///dev.db",
        "postgresql://u:secret@localhost/db",
        "mysql+pymysql://root@127.0.0.1/test",
        "postgresql:///db",
    ):
        _check_dev_database(config, make_url(url), yes=False)
    remote = make_url("postgresql://u:secret@db.example.com/prod")
    with pytest.raises(CommandError, match="neither SQLite nor on localhost") as err:
        _check_dev_database(config, remote, yes=False)
    assert "secret" not in str(err.value) and "--yes" in str(err.value)
    _check_dev_database(config, remote, yes=True)
    config.set_main_option("dev_database", "true")
    _check_dev_database(config, remote, yes=False)


def test_a_failing_downgrade_says_where_the_database_stands(team, db_url):
    _branches(team, db_url)
    _body(
        team,
        "a1",
        'op.create_table("a_t", sa.Column("id", sa.Integer, primary_key=True))',
        'raise RuntimeError("a1 cannot come down")',
    )
    team.commit("a1's downgrade fails")
    team.run("upgrade", "head")
    team.git("checkout", "-q", "feature-b")
    result = team.run("sync", expect=1)
    assert "Migration failed: downgrade a1 -> r0" in result.output
    assert "a1 cannot come down" in result.output
    rows = _rows(db_url)
    assert f"the database is now at {', '.join(rows)}." in result.output
    # one transaction rolled back (a2 still applied), or a2 committed down and a1 not
    assert rows in (["a2"], ["a1"])
    assert ("extra" in _schema(db_url)["a_t"]) == (rows == ["a2"])


def _hook_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT)}


def _checkout(team: TeamRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "checkout", "-q", *args],
        cwd=team.root,
        env=_hook_env(),
        capture_output=True,
        text=True,
    )


def test_the_post_checkout_hook_syncs_on_a_branch_checkout(team, sqlite_url):
    _branches(team, sqlite_url)
    out = team.run("hook", "install", "--post-checkout").output
    hook = team.root / ".git" / "hooks" / "post-checkout"
    assert f"Installed {hook}" in out and sys.executable in hook.read_text()
    team.run("upgrade", "head")

    # a file checkout runs no sync
    team.path_of("a2").write_text(team.path_of("a2").read_text() + "# local edit\n")
    done = _checkout(team, "--", str(team.path_of("a2")))
    assert done.returncode == 0 and "Synced" not in done.stdout + done.stderr
    assert _rows(sqlite_url) == ["a2"]

    done = _checkout(team, "feature-b")
    assert done.returncode == 0, done.stderr
    said = done.stdout + done.stderr  # git shows a hook's output on stderr
    assert "Synced" in said and "2 down, 1 up" in said
    assert _rows(sqlite_url) == ["b1"]
    assert _schema(sqlite_url) == {"b_t": ["id"], "base_t": ["id"]}

    # by the config option, the hook only prints the plan
    team.set_option("sync_on_checkout", "dry-run")
    done = _checkout(team, "feature-a")
    assert done.returncode == 0, done.stderr
    said = done.stdout + done.stderr
    assert "Sync plan for" in said and "Nothing was changed (dry run)." in said
    assert _rows(sqlite_url) == ["b1"]


def test_a_failing_post_checkout_sync_says_so_and_the_checkout_stands(team, sqlite_url):
    _branches(team, sqlite_url)
    team.run("hook", "install", "--post-checkout")
    team.run("upgrade", "head")
    team.set_option("dev_database", "false")
    done = _checkout(team, "feature-b")
    assert done.returncode == 1
    assert "sync downgrades" in done.stderr
    assert "the checkout is done, but the database was not synced" in done.stderr
    assert team.git("branch", "--show-current") == "feature-b"
    assert _rows(sqlite_url) == ["a2"]


def test_sync_on_a_new_database_only_upgrades(team, sqlite_url):
    _branches(team, sqlite_url)
    report = team.json("sync")
    assert report["dry_run"] is False and report["in_sync"] is False
    (db,) = report["databases"]
    assert db["rows"] == [] and db["down"] == []
    assert [s["revision"] for s in db["up"]] == ["r0", "a1", "a2"]
    assert all(s["source"] is None for s in db["up"])
    assert _rows(sqlite_url) == ["a2"]
    assert team.json("sync")["in_sync"] is True


def test_wrong_option_values_name_the_option(team, sqlite_url):
    _branches(team, sqlite_url)
    team.run("upgrade", "head")
    team.git("checkout", "-q", "feature-b")
    team.set_option("sync_on_checkout", "sometimes")
    result = team.run("sync", "--hook", expect=1)
    assert "sync_on_checkout = 'sometimes'; use run" in result.output
    team.ini.write_text(team.ini.read_text().replace("= sometimes", "= dry-run"))
    assert team.json("sync", "--hook")["dry_run"] is True
    team.set_option("dev_database", "perhaps")
    result = team.run("sync", expect=1)
    assert "dev_database = 'perhaps'; use true or false" in result.output
    assert _rows(sqlite_url) == ["a2"]


def test_quiet_sync_prints_only_its_plan(team, sqlite_url):
    # checking a recovered script's downgrade records its operations in a context of its
    # own, after env.py turned logging on: that context used to log "Context impl" under -q
    _branches(team, sqlite_url)
    team.run("upgrade", "head")
    team.git("checkout", "-q", "feature-b")
    for args in (("-q", "sync", "--dry-run"), ("-q", "sync")):
        done = team.run(*args)
        assert "INFO" not in done.stderr, done.stderr
        assert "down a2" in done.stdout
