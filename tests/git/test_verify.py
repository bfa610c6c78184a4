"""`gitmig verify` and `gitmig log` against real git repositories and the three databases."""

from __future__ import annotations

import sqlalchemy as sa


def _migrated(team, db_url):
    team.set_url(db_url)
    team.new("one", "--rev-id", "r1")
    team.commit("add r1")
    team.run("upgrade", "head")
    return team


def test_verify_passes_then_names_the_commit_that_edited_an_applied_revision(team, db_url):
    _migrated(team, db_url)
    assert team.json("verify")["ok"] is True
    path = team.path_of("r1")
    path.write_text(path.read_text() + "\n# tweaked after it ran\n")
    team.commit("tweak r1 after it was applied")
    found = team.json("verify", expect=1)
    (problem,) = found["problems"]
    assert problem["kind"] == "edited" and problem["revision"] == "r1"
    assert problem["path"] == str(path)
    assert [c["subject"] for c in problem["commits"]] == ["tweak r1 after it was applied"]
    assert problem["commits"][0]["author"] == "Test Author"
    text = team.run("verify", expect=1).stdout
    assert "EDITED  r1" in text and "tweak r1 after it was applied" in text
    assert "FAILED: 1 applied revision(s)" in text

    # A reviewed edit: accept it, and the ledger says so.
    accepted = team.run("verify", "--accept", "r1").stdout
    assert accepted.startswith("Accepted r1: versions/") and "OK: 2" in accepted
    entries = team.json("log")["entries"]
    assert [(e["revision"], e["direction"]) for e in entries[:1]] == [("r1", "accept")]


def test_a_crlf_checkout_is_not_an_edit(team, db_url):
    _migrated(team, db_url)
    path = team.path_of("r1")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    report = team.json("verify")
    assert report["ok"] is True and "r1" in report["checked"]


def test_an_uncommitted_edit_is_named_as_such(team, sqlite_url):
    _migrated(team, sqlite_url)
    path = team.path_of("r1")
    path.write_text(path.read_text().replace("pass", "op.execute('SELECT 1')", 1))
    (problem,) = team.json("verify", expect=1)["problems"]
    assert problem["commits"] == [] and problem["notes"] == ["it also has uncommitted changes"]


def test_verify_names_the_commit_that_deleted_an_applied_revision(team, db_url):
    _migrated(team, db_url)
    team.git("rm", "-q", str(team.path_of("r1")))
    team.commit("drop r1")
    (problem,) = team.json("verify", expect=1)["problems"]
    assert problem["kind"] == "gone" and problem["revision"] == "r1"
    assert [c["subject"] for c in problem["commits"]] == ["drop r1"]
    assert "GONE    r1" in team.run("verify", expect=1).stdout


def test_verify_names_a_renamed_away_revision(team, sqlite_url):
    _migrated(team, sqlite_url)
    path = team.path_of("r1")
    team.git("mv", str(path), str(team.root / "attic_r1.txt"))
    team.commit("move r1 out of the way")
    (problem,) = team.json("verify", expect=1)["problems"]
    assert problem["kind"] == "gone" and problem["notes"] == ["renamed to attic_r1.txt"]


def test_verify_names_the_branch_a_revision_was_applied_from(team, db_url):
    team.set_url(db_url)
    team.commit("the database")
    team.git("checkout", "-q", "-b", "feature")
    team.new("feature work", "--rev-id", "f1")
    team.commit("feature revision")
    team.run("upgrade", "head")
    team.git("checkout", "-q", "main")
    (problem,) = team.json("verify", expect=1)["problems"]
    assert problem["kind"] == "unknown" and problem["revision"] == "f1"
    assert problem["refs"] == ["feature"]
    assert "git has it on: feature" in team.run("verify", expect=1).stdout


def test_a_pre_ledger_database_raises_no_false_alarm(team, db_url):
    _migrated(team, db_url)
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE gitmig_ledger"))
    engine.dispose()
    path = team.path_of("r1")
    path.write_text(path.read_text() + "\n# edited, but nobody recorded the original\n")
    assert "No ledger (gitmig_ledger)" in team.run("verify").stdout
    team.new("two", "--rev-id", "r2")
    team.run("upgrade", "head")  # creates the ledger: baselines for r0 and r1
    report = team.json("verify")
    assert report["ok"] is True
    assert report["unrecorded"] == ["r0", "r1"] and report["checked"] == ["r2"]


def test_log_lists_the_ledger_newest_first(team, db_url):
    _migrated(team, db_url)
    team.run("downgrade", "-1")
    entries = team.json("log")["entries"]
    assert [(e["revision"], e["direction"]) for e in entries] == [
        ("r1", "downgrade"),
        ("r1", "upgrade"),
        ("r0", "upgrade"),
    ]
    assert all(e["outcome"] == "applied" and e["duration"] >= 0 for e in entries)
    lines = team.run("log", "-n", "1").stdout.splitlines()
    assert len(lines) == 1 and "downgrade" in lines[0] and "r1" in lines[0]
    assert "applied" in lines[0]


def test_log_and_verify_before_any_run(team, sqlite_url):
    team.set_url(sqlite_url)
    assert "No ledger (gitmig_ledger) in this database yet" in team.run("log").stdout
    assert team.json("verify")["ok"] is True


def test_accept_needs_an_applied_revision(team, sqlite_url):
    _migrated(team, sqlite_url)
    team.new("two", "--rev-id", "r2")
    result = team.run("verify", "--accept", "r2", expect=1)
    assert "revision r2 is not applied on the database" in result.output
    assert "Traceback" not in result.output
