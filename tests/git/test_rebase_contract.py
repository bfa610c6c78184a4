"""After `gitmig rebase --onto REF` and a commit, before `git merge REF`: the parent that
REF supplies is not an error, except for a run against a database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitmig import fastpath
from gitmig.cli import cli
from tests.git.conftest import TeamRepo
from tests.git.helpers import write_revision


@pytest.fixture
def rebased(forked: TeamRepo) -> TeamRepo:
    """feature-a (a1 -> a2 on r0) rebased onto main (m1) and committed; main not merged."""
    forked.run("rebase", "--onto", "main")
    forked.commit("rebase migrations onto main")
    return forked


def _commit_with_hooks(repo: TeamRepo, message: str) -> subprocess.CompletedProcess[str]:
    repo.git("add", "-A")
    return subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=repo.root,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        text=True,
    )


def test_the_native_hook_accepts_the_rebase_commit(forked: TeamRepo) -> None:
    forked.run("hook", "install")
    forked.run("rebase", "--onto", "main")
    done = _commit_with_hooks(forked, "rebase migrations onto main")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "m1, the parent of a1" in done.stderr and "comes from main" in done.stderr


def test_check_heads_against_the_ref_passes(rebased: TeamRepo) -> None:
    out = rebased.run("check-heads", "--against", "main").output
    assert "ok: merging main leaves head(s) a2" in out
    assert "merge it (`git merge main`) to run upgrade" in out
    report = rebased.json("check-heads", "--against", "main")
    assert report["ok"] is True
    assert report["supplied"] == [
        {"parent": "m1", "revision": "a1", "path": "migrations/versions/a1_a_one.py", "ref": "main"}
    ]
    # the other branch still diverges: the check does not go blind
    out = rebased.run("check-heads", "--against", "feature-b", expect=1).output
    assert "divergent heads: a2 (ours), b1 (theirs); common ancestor: r0" in out


def test_plain_commands_say_where_the_parent_lives(rebased: TeamRepo) -> None:
    rebased.set_option("git_target", "main")
    out = rebased.run("check-heads").output
    assert "Note: m1, the parent of a1" in out and "comes from main" in out
    heads = rebased.run("heads")
    assert heads.stdout == "a2 (head)\n"
    assert "comes from main: merge it (`git merge main`) to run upgrade" in heads.stderr
    assert [h["revision"] for h in rebased.json("history")] == ["a2", "a1", "m1", "r0"]


def test_the_fast_path_agrees(rebased: TeamRepo, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["heads"], ["history"], ["check-heads"], ["check-heads", "--staged"]):
        argv = ["-c", str(rebased.ini), *args]
        code = fastpath.run(argv)
        fast = capsys.readouterr()
        slow = CliRunner().invoke(cli, argv)
        assert (code, fast.out, fast.err) == (slow.exit_code, slow.stdout, slow.stderr)
        assert code == 0 and "comes from main" in fast.out + fast.err


def test_a_parent_no_ref_supplies_is_still_an_error(rebased: TeamRepo) -> None:
    write_revision(rebased.versions, "lost", "nowhere")
    rebased.git("add", "-A")
    for args in (("heads",), ("check-heads",), ("check-heads", "--staged")):
        result = rebased.run(*args, expect=1)
        assert "refers to nowhere, which no revision file declares, here or on any git" in (
            result.stderr
        )
    # with --against, one line per problem, never an unexpected error
    result = rebased.run("check-heads", "--against", "main", expect=1)
    assert "unexpected" not in result.output
    lines = [line for line in result.stdout.splitlines() if "nowhere" in line]
    assert lines == [
        "  migrations/versions/lost_rev.py (ours): revision lost revises nowhere, which "
        "exists on neither side",
        "  fix: fix the down_revision of migrations/versions/lost_rev.py: nowhere is declared "
        "neither in the working tree nor at main",
    ]


@pytest.mark.parametrize("staged", [False, True])
def test_against_reports_an_orphan_here_without_crashing(team: TeamRepo, staged: bool) -> None:
    team.git("checkout", "-q", "-b", "feature")
    team.new("one", "--rev-id", "one")
    write_revision(team.versions, "orphan", "missing")
    if staged:
        team.git("add", "-A")
    args = ["check-heads", "--against", "main", *(["--staged"] if staged else [])]
    report = team.json(*args, expect=1)
    (against,) = report["against"]
    assert [o["revision"] for o in against["orphans"]] == ["orphan"]
    assert against["added"]["ours"] == ["one"]
    assert report["graph"] is None  # the orphan line says it already
    out = team.run(*args, expect=1)
    assert out.stderr == ""
    assert len([line for line in out.stdout.splitlines() if "orphan" in line]) == 2


def test_upgrade_sql_since_emits_only_this_branch(rebased: TeamRepo, sqlite_url: str) -> None:
    rebased.set_url(sqlite_url)
    out = rebased.run("upgrade", "--sql", "--since", "main").stdout
    assert "WHERE gitmig_version.version_num = 'm1'" in out  # on top of main's head
    assert "version_num='a1'" in out and "version_num='a2'" in out
    assert "Running upgrade r0 -> m1" not in out and "CREATE TABLE gitmig_version" not in out


def test_online_upgrade_refuses_naming_the_ref(rebased: TeamRepo, sqlite_url: str) -> None:
    rebased.set_url(sqlite_url)
    result = rebased.run("upgrade", "head", expect=1)
    assert result.stderr.strip().splitlines() == [
        f"gitmig: error: {rebased.path_of('a1')}: down_revision refers to m1, which comes "
        "from main: merge it (`git merge main`) to run upgrade"
    ]
    rebased.git("merge", "-q", "--no-edit", "main")
    rebased.run("upgrade", "head")
    assert rebased.run("current").stdout.endswith("a2 (head)\n")


def test_rebase_of_a_chain_keeps_labels_and_depends_on(team: TeamRepo) -> None:
    team.git("checkout", "-q", "-b", "feature")
    team.new("one", "--rev-id", "f1", "--branch-label", "billing")
    team.new("two", "--rev-id", "f2", "--depends-on", "r0")
    team.new("three", "--rev-id", "f3")
    team.commit("feature chain")
    team.git("checkout", "-q", "main")
    team.new("main one", "--rev-id", "m1")
    team.new("main two", "--rev-id", "m2")
    team.commit("main")
    team.git("checkout", "-q", "feature")
    before = {rev: team.path_of(rev).read_text() for rev in ("f2", "f3")}
    out = team.run("rebase", "--onto", "main").output
    assert "from r0 onto m2, the head at main; chain: f1 -> f2 -> f3" in out
    assert {rev: team.path_of(rev).read_text() for rev in ("f2", "f3")} == before
    assert 'branch_labels = ("billing",)' in team.path_of("f1").read_text()
    team.commit("rebase")
    team.run("check-heads", "--against", "main")
    assert team.run("heads").stdout == "f3 (billing) (head)\n"
    team.git("merge", "-q", "--no-edit", "main")
    history = team.json("history")
    assert [h["revision"] for h in history] == ["f3", "f2", "f1", "m2", "m1", "r0"]
    by_id = {h["revision"]: h for h in history}
    assert by_id["f1"]["branch_labels"] == ["billing"]
    assert by_id["f2"]["depends_on"] == ["r0"]
    team.run("check-heads")


def test_a_python_outside_the_project_sees_the_same(rebased: TeamRepo) -> None:
    """The console script on a real process (the hooks' path) exits 0 too."""
    done = subprocess.run(
        [sys.executable, "-m", "gitmig", "-c", str(rebased.ini), "check-heads", "--staged"],
        cwd=rebased.root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_the_heads_file_agrees_after_the_rebase(forked: TeamRepo) -> None:
    forked.set_option("head_file", "versions/HEADS")
    forked.run("check-heads", "--fix-head-file")
    forked.commit("heads file")
    forked.run("hook", "install")
    forked.run("rebase", "--onto", "main")
    assert (forked.versions / "HEADS").read_text().splitlines()[-1] == "a2"
    done = _commit_with_hooks(forked, "rebase")
    assert done.returncode == 0, done.stderr
    forked.run("check-heads", "--against", "main")
    forked.run("check-heads")


SQL_MARKERS = '''"""add audit

Revision ID: a1
Revises: r0
"""
revision = "a1"
down_revision = "r0"
branch_labels = None
depends_on = None

TRIGGER = """
down_revision = "m1"
depends_on = "nowhere"
revision = "zz"
"""


def upgrade() -> None:
    pass
'''


def test_flush_left_marker_lines_in_a_string_change_nothing(forked: TeamRepo) -> None:
    a1 = forked.path_of("a1")
    a1.write_text(SQL_MARKERS)
    forked.commit("a1 with SQL")
    forked.run("check-heads", "--against", "main", expect=1)  # still diverges from m1
    forked.run("rebase", "--onto", "main")
    text = a1.read_text()
    assert 'down_revision = "m1"\nbranch_labels' in text  # the marker, not the string
    assert text.count('down_revision = "m1"') == 2 and 'depends_on = "nowhere"' in text
    forked.commit("rebase")
    assert forked.run("check-heads", "--against", "main").exit_code == 0
    assert [h["revision"] for h in forked.json("history")] == ["a2", "a1", "m1", "r0"]
