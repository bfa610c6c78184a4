"""blame and history --git; and git stays out of light commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import gitmig
from tests.git.conftest import TeamRepo
from tests.git.helpers import git

REPO_ROOT = Path(gitmig.__file__).resolve().parents[1]


def test_blame_and_history_git(forked: TeamRepo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    forked.git("remote", "add", "origin", str(remote))
    forked.git("push", "-q", "origin", "main")
    forked.new("draft", "--rev-id", "draft")  # not committed

    (a1,) = forked.json("blame", "a1")
    assert a1["commit"] == forked.git(
        "rev-list", "-1", "feature-a", "--", "migrations/versions/a1_a_one.py"
    )
    assert a1["author"] == "Test Author"
    assert a1["branches"] == ["feature-a"]
    assert a1["remote_branches"] == []

    blames = {b["revision"]: b for b in forked.json("blame")}
    assert blames["r0"]["branches"] == ["feature-a", "feature-b", "main"]
    assert blames["r0"]["remote_branches"] == ["origin/main"]
    assert blames["draft"]["commit"] is None

    out = forked.run("blame").output
    assert "draft  (not committed)" in out
    history = forked.run("history", "--git").output.splitlines()
    assert history[0].startswith("a2 -> draft (head), draft")
    assert "(not committed)" in history[1]
    assert history[2].startswith("a1 -> a2, a two")
    assert "Test Author <test@example.com>  branches: feature-a  remote: -" in history[3]
    assert [b["revision"] for b in forked.json("history", "--git")][:2] == ["draft", "a2"]


def _imports(args: list[str], cwd: Path) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gitmig", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode in (0, 1), result.stderr
    return {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }


def test_git_layer_is_imported_only_for_git_options(forked: TeamRepo) -> None:
    plain = _imports(["check-heads"], forked.root)
    assert "gitmig.git.repo" not in plain
    against = _imports(["check-heads", "--against", "main"], forked.root)
    assert "gitmig.git.repo" in against
    assert "git" not in plain | against  # GitPython stays out of the way of speed
