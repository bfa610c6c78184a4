"""Helpers for tests with real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd``; fail the test with git's stderr on error."""
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)} failed: {proc.stderr}"
    return proc.stdout.strip()


def git_init(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def revision_source(rev: str, down: str | tuple[str, ...] | None, doc: str = "") -> str:
    """A minimal revision file in gitmig's template style."""
    down_text = repr(down) if not isinstance(down, str) else f'"{down}"'
    return (
        f'"""{doc or "revision " + rev}\n\nRevision ID: {rev}\nRevises: '
        f'{", ".join(down) if isinstance(down, tuple) else down or ""}\n"""\n\n'
        f'revision = "{rev}"\ndown_revision = {down_text}\n'
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )


def write_revision(
    versions: Path, rev: str, down: str | tuple[str, ...] | None, doc: str = ""
) -> Path:
    versions.mkdir(parents=True, exist_ok=True)
    path = versions / f"{rev}_rev.py"
    path.write_text(revision_source(rev, down, doc))
    return path
