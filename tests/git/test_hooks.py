"""Guard rails: native git hooks (`gitmig hook install`) and the pre-commit framework hooks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gitmig
from tests.git.conftest import TeamRepo
from tests.git.helpers import commit_all, git, git_init, write_revision

REPO_ROOT = Path(gitmig.__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT)}


def test_native_pre_commit_hook_blocks_a_divergent_commit(team: TeamRepo) -> None:
    out = team.run("hook", "install").output
    hook = team.root / ".git" / "hooks" / "pre-commit"
    assert f"Installed {hook}" in out
    assert os.access(hook, os.X_OK)
    assert sys.executable in hook.read_text()

    write_revision(team.versions, "left", "r0")
    write_revision(team.versions, "right", "r0")
    git(team.root, "add", "-A")
    blocked = subprocess.run(
        ["git", "commit", "-q", "-m", "two heads"],
        cwd=team.root,
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert blocked.returncode == 1
    assert "Divergent heads" in blocked.stdout + blocked.stderr

    team.run("merge", "-m", "join", "--rev-id", "join")
    git(team.root, "add", "-A")
    subprocess.run(["git", "commit", "-q", "-m", "joined"], cwd=team.root, env=_env(), check=True)


def test_hook_install_never_overwrites_without_force(team: TeamRepo) -> None:
    hooks = team.root / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "pre-commit").write_text("#!/bin/sh\necho mine\n")
    result = team.run("hook", "install", expect=1)
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert (hooks / "pre-commit").read_text() == "#!/bin/sh\necho mine\n"
    team.run("hook", "install", "--force")
    assert "gitmig check-heads hook" in (hooks / "pre-commit").read_text()
    team.run("hook", "install")  # the same hook again is fine


def test_pre_push_hook_checks_the_upstream(team: TeamRepo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    team.git("remote", "add", "origin", str(remote))
    team.git("push", "-q", "-u", "origin", "main")
    team.run("hook", "install", "--pre-push")
    hook = team.root / ".git" / "hooks" / "pre-push"
    assert "--against @{upstream}" in hook.read_text()

    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    write_revision(other / "migrations" / "versions", "theirs", "r0")
    commit_all(other, "theirs")
    git(other, "push", "-q")

    team.new("mine", "--rev-id", "mine")
    team.commit("mine")
    team.git("fetch", "-q")
    push = subprocess.run(
        ["git", "push", "-q"], cwd=team.root, env=_env(), capture_output=True, text=True
    )
    assert push.returncode != 0
    assert "divergent heads: mine (ours), theirs (theirs)" in push.stdout + push.stderr


def test_upstream_is_skipped_for_a_branch_without_one(team: TeamRepo) -> None:
    out = team.run("check-heads", "--against", "@{upstream}").output
    assert "Skipped @{upstream}: the current branch has no upstream" in out


def _hook_repo(tmp_path: Path) -> Path:
    """A committed copy of this source tree, as `pre-commit try-repo` needs."""
    repo = tmp_path / "hookrepo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".git")
    for name in ("gitmig", "templates"):
        shutil.copytree(REPO_ROOT / name, repo / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.cfg", "README.md", ".pre-commit-hooks.yaml"):
        if (REPO_ROOT / name).exists():
            shutil.copy(REPO_ROOT / name, repo / name)
    git_init(repo)
    commit_all(repo, "hooks")
    return repo


def _try_repo(
    cwd: Path, hook_repo: Path, hook: str, *args: str
) -> subprocess.CompletedProcess[str]:
    pre_commit = Path(sys.executable).with_name("pre-commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(cwd.parent / "pre-commit-home")}
    env.pop("PYTHONPATH", None)  # the hook must run the gitmig pre-commit installed
    return subprocess.run(
        [str(pre_commit), "try-repo", str(hook_repo), hook, "--all-files", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_pre_commit_framework_hooks(forked: TeamRepo, tmp_path: Path) -> None:
    hook_repo = _hook_repo(tmp_path)
    forked.git("merge", "-q", "--no-edit", "main")

    failed = _try_repo(forked.root, hook_repo, "gitmig-check-heads")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Divergent heads" in failed.stdout

    forked.run("merge", "-m", "join", "--rev-id", "join")
    forked.commit("join heads")
    passed = _try_repo(forked.root, hook_repo, "gitmig-check-heads")
    assert passed.returncode == 0, passed.stdout + passed.stderr

    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(forked.root), str(remote))
    forked.git("remote", "add", "origin", str(remote))
    forked.git("fetch", "-q", "origin")
    forked.git("branch", "-q", "--set-upstream-to", "origin/feature-b")
    pushed = _try_repo(
        forked.root, hook_repo, "gitmig-check-heads-upstream", "--hook-stage", "pre-push"
    )
    assert pushed.returncode == 1, pushed.stdout + pushed.stderr
    assert "against origin/feature-b" in pushed.stdout
    assert "divergent heads: join (ours), b1 (theirs)" in pushed.stdout


def test_hook_install_updates_a_hook_an_older_gitmig_wrote(team: TeamRepo) -> None:
    hooks = team.root / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    old = (
        "#!/bin/sh\n# gitmig check-heads hook (pre-merge-commit), written by "
        "`gitmig hook install`.\nexit 0\n"
    )
    (hooks / "pre-merge-commit").write_text(old)
    team.run("hook", "install")  # no --force needed: the file is gitmig's own
    text = (hooks / "pre-merge-commit").read_text()
    assert text != old and "check-heads" in text
