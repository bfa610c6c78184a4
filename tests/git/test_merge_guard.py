"""The hooks guard `git merge` as well as `git commit`: native hooks and the pre-commit
framework (run for real, with the hooks of this repository's .pre-commit-hooks.yaml)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gitmig
from tests.git.conftest import TeamRepo
from tests.git.helpers import git, write_revision

REPO_ROOT = Path(gitmig.__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    # the hooks find gitmig (and pre-commit) the way a developer's shell does
    return {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }


def _git(repo: TeamRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo.root, env=_env(), capture_output=True, text=True)


@pytest.fixture
def two_branches(team: TeamRepo) -> TeamRepo:
    """b1 and b2 each add a revision on r0; checked out on b1."""
    team.git("checkout", "-q", "-b", "b1")
    team.new("b one", "--rev-id", "b1")
    team.commit("b1")
    team.git("checkout", "-q", "-b", "b2", "main")
    team.new("b two", "--rev-id", "b2")
    team.commit("b2")
    team.git("checkout", "-q", "b1")
    return team


def _refused_merge_then_fixed(repo: TeamRepo) -> str:
    """`git merge b2` on b1 is refused and left in progress; gitmig merge completes it."""
    merge = _git(repo, "merge", "--no-edit", "b2")
    assert merge.returncode != 0
    out = merge.stdout + merge.stderr
    assert (repo.root / ".git" / "MERGE_HEAD").exists()  # git's merge is still in progress
    assert "Divergent heads on one line of history: b1, b2" in out
    assert 'gitmig merge -m "merge heads"' in out
    assert [h["revision"] for h in repo.json("heads")] == ["b1", "b2"]

    repo.run("merge", "-m", "merge b2", "--rev-id", "mb")
    repo.git("add", "-A")
    done = _git(repo, "commit", "--no-edit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (repo.root / ".git" / "MERGE_HEAD").exists()
    assert repo.git("rev-list", "--count", "--merges", "HEAD") == "1"
    assert repo.run("heads").stdout == "mb (head)\n"
    return out


def test_native_hooks_refuse_a_merge_that_leaves_two_heads(two_branches: TeamRepo) -> None:
    out = two_branches.run("hook", "install").output
    hooks = two_branches.root / ".git" / "hooks"
    assert out.splitlines() == [
        f"Installed {hooks / 'pre-commit'}",
        f"Installed {hooks / 'pre-merge-commit'}",
    ]
    assert not (hooks / "pre-push").exists()  # opt-in
    out = _refused_merge_then_fixed(two_branches)
    assert "the merge is still in progress" in out and "git merge --abort" in out


def test_hook_install_refuses_to_replace_any_foreign_hook(team: TeamRepo) -> None:
    hooks = team.root / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "pre-merge-commit").write_text("#!/bin/sh\necho mine\n")
    result = team.run("hook", "install", expect=1)
    assert "pre-merge-commit already exists" in result.stderr
    assert not (hooks / "pre-commit").exists()  # all or nothing
    team.run("hook", "install", "--force")
    assert "gitmig check-heads hook" in (hooks / "pre-merge-commit").read_text()


def test_pre_push_without_an_upstream_says_so_in_one_line(team: TeamRepo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    team.git("remote", "add", "origin", str(remote))
    team.run("hook", "install", "--pre-push")
    team.git("checkout", "-q", "-b", "first-push")
    push = _git(team, "push", "-q", "origin", "first-push")
    assert push.returncode == 0, push.stderr
    assert push.stdout + push.stderr == (
        "gitmig pre-push hook: this branch has no upstream yet; checking its own graph only\n"
    )


# -- the pre-commit framework ------------------------------------------------------------


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this tree's .pre-commit-hooks.yaml, and its commit."""
    repo = tmp_path_factory.mktemp("hooks") / "gitmig-hooks"
    repo.mkdir()
    shutil.copy(REPO_ROOT / ".pre-commit-hooks.yaml", repo / ".pre-commit-hooks.yaml")
    # (module scope: the per-test git identity is not set up yet)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    for who in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{who}_NAME"], env[f"GIT_{who}_EMAIL"] = "Test Author", "test@example.com"
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "hooks"], cwd=repo, check=True, env=env)
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    return repo, rev


def _use_framework(repo: TeamRepo, hook_repo: tuple[Path, str]) -> None:
    """The documented .pre-commit-config.yaml, with `language: system` so that the hook
    runs the gitmig under test instead of building an environment for it."""
    path, rev = hook_repo
    (repo.root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {path}\n    rev: {rev}\n    hooks:\n"
        "      - id: gitmig-check-heads\n        language: system\n"
    )
    repo.git("add", ".pre-commit-config.yaml")
    repo.git("commit", "-q", "-m", "pre-commit config")
    installed = subprocess.run(
        [str(BIN / "pre-commit"), "install", "-t", "pre-commit", "-t", "pre-merge-commit"],
        cwd=repo.root,
        env={**_env(), "PRE_COMMIT_HOME": str(repo.root.parent / "pre-commit-home")},
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr


@pytest.fixture
def framework_env(team: TeamRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(team.root.parent / "pre-commit-home"))


@pytest.mark.slow
@pytest.mark.usefixtures("framework_env")
def test_framework_hook_refuses_the_merge(
    two_branches: TeamRepo, hook_repo: tuple[Path, str]
) -> None:
    _use_framework(two_branches, hook_repo)
    out = _refused_merge_then_fixed(two_branches)
    assert "gitmig check-heads --staged" in out and "Failed" in out


@pytest.mark.slow
@pytest.mark.usefixtures("framework_env")
def test_framework_hook_checks_what_is_committed(
    team: TeamRepo, hook_repo: tuple[Path, str]
) -> None:
    _use_framework(team, hook_repo)
    write_revision(team.versions, "left", "r0")
    write_revision(team.versions, "right", "r0")
    team.git("add", "-A")
    team.run("merge", "-m", "untracked join", "--rev-id", "join")  # left untracked
    refused = _git(team, "commit", "-q", "-m", "two heads")
    assert refused.returncode != 0
    assert "Divergent heads on one line of history: left, right" in refused.stderr
    team.git("add", "-A")
    done = _git(team, "commit", "-q", "-m", "joined")
    assert done.returncode == 0, done.stdout + done.stderr
