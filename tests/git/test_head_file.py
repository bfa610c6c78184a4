"""The heads file (option head_file): kept by new/merge/rebase, checked by check-heads."""

from __future__ import annotations

import subprocess

import pytest

from gitmig.script.headfile import HEADER, read_head_file
from tests.git.conftest import TeamRepo


@pytest.fixture
def with_heads(team: TeamRepo) -> TeamRepo:
    team.set_option("head_file", "versions/HEADS")
    team.new("one", "--rev-id", "one")
    team.commit("one, with a heads file")
    return team


def heads_file(repo: TeamRepo) -> tuple[str, ...]:
    ids, conflicted = read_head_file((repo.versions / "HEADS").read_text())
    assert not conflicted
    return ids


def test_new_writes_the_heads_file(with_heads: TeamRepo) -> None:
    assert (with_heads.versions / "HEADS").read_text() == HEADER + "one\n"
    with_heads.new("two", "--rev-id", "two")
    assert heads_file(with_heads) == ("two",)
    with_heads.run("check-heads")


def test_two_branches_get_a_git_conflict_and_merge_resolves_it(with_heads: TeamRepo) -> None:
    with_heads.git("checkout", "-q", "-b", "feature")
    with_heads.new("feature", "--rev-id", "feat")
    with_heads.commit("feature")
    with_heads.git("checkout", "-q", "main")
    with_heads.new("main", "--rev-id", "mainrev")
    with_heads.commit("main")
    merge = subprocess.run(
        ["git", "merge", "feature"], cwd=with_heads.root, capture_output=True, text=True
    )
    assert merge.returncode == 1
    assert "CONFLICT (content): Merge conflict in migrations/versions/HEADS" in merge.stdout
    out = with_heads.run("check-heads", expect=1).output
    assert "HEADS has git merge conflict markers" in out
    assert "gitmig merge" in out

    with_heads.run("merge", "-m", "join", "--rev-id", "joined")
    assert heads_file(with_heads) == ("joined",)
    with_heads.run("check-heads")
    with_heads.commit("merge feature")


def test_conflict_with_a_single_chain_advises_fix_head_file(with_heads: TeamRepo) -> None:
    (with_heads.versions / "HEADS").write_text(
        HEADER + "<<<<<<< HEAD\none\n=======\nother\n>>>>>>> feature\n"
    )
    out = with_heads.run("check-heads", expect=1).output
    assert "--fix-head-file" in out
    with_heads.run("check-heads", "--fix-head-file")
    assert heads_file(with_heads) == ("one",)
    with_heads.run("check-heads")


def test_disagreeing_file_fails_check_heads(with_heads: TeamRepo) -> None:
    (with_heads.versions / "HEADS").write_text(HEADER + "stale\n")
    out = with_heads.run("check-heads", expect=1).output
    assert "lists head(s) stale but the graph's head(s) are one" in out
    report = with_heads.json("check-heads", expect=1)
    assert "stale" in report["head_file"]
    (with_heads.versions / "HEADS").unlink()
    assert "is missing" in with_heads.run("check-heads", expect=1).output


def test_fix_head_file_refuses_divergent_heads(with_heads: TeamRepo) -> None:
    with_heads.new("two", "--rev-id", "two")
    with_heads.new("three", "--head", "one", "--splice", "--rev-id", "three")
    result = with_heads.run("check-heads", "--fix-head-file", expect=1)
    assert "run `gitmig merge` first" in result.stderr


def test_staged_check_reads_the_staged_heads_file(with_heads: TeamRepo) -> None:
    with_heads.new("two", "--rev-id", "two")
    with_heads.git("add", "-A")
    with_heads.run("check-heads", "--staged")
    (with_heads.versions / "HEADS").write_text(HEADER + "stale\n")  # not staged
    with_heads.run("check-heads", "--staged")
    with_heads.run("check-heads", expect=1)


def test_rebase_keeps_the_heads_file(with_heads: TeamRepo) -> None:
    with_heads.git("checkout", "-q", "-b", "feature")
    with_heads.new("feature", "--rev-id", "feat")
    with_heads.commit("feature")
    with_heads.git("checkout", "-q", "main")
    with_heads.new("main", "--rev-id", "mainrev")
    with_heads.commit("main")
    with_heads.git("checkout", "-q", "feature")
    with_heads.run("rebase", "--onto", "main")
    assert heads_file(with_heads) == ("feat",)
