"""The git layer's file history functions that `gitmig verify` uses."""

from __future__ import annotations

import subprocess

from gitmig.git.repo import changes_after_blob, deleting_commit, open_repository, refs_with_file
from gitmig.runtime.ledger import blob_id


def git(cwd, *args):
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit_all(root, message):
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def _history(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "v").mkdir()
    for content, message in ((b"one\n", "first"), (b"two\n", "second"), (b"three\n", "third")):
        (root / "v" / "x.py").write_bytes(content)
        commit_all(root, message)
    return root


def test_changes_after_blob(tmp_path):
    root = _history(tmp_path)
    with open_repository(root) as repo:
        commits, found = changes_after_blob(repo, "v/x.py", blob_id(b"one\n"))
        assert found and [c.subject for c in commits] == ["third", "second"]
        assert commits[0].author == "Test Author" and commits[0].date.startswith("20")
        assert changes_after_blob(repo, "v/x.py", blob_id(b"three\r\n")) == ([], True)
        commits, found = changes_after_blob(repo, "v/x.py", blob_id(b"never committed\n"))
        assert not found and len(commits) == 3


def test_deleting_commit_and_renames(tmp_path):
    root = _history(tmp_path)
    (root / "v" / "y.py").write_text("y\n")
    commit_all(root, "add y")
    with open_repository(root) as repo:
        assert deleting_commit(repo, "v/x.py") is None
        git(root, "rm", "-q", "v/y.py")
        commit_all(root, "remove y")
        git(root, "mv", "v/x.py", "elsewhere.py")
        commit_all(root, "move x")
        info, renamed = deleting_commit(repo, "v/y.py") or (None, None)
        assert info is not None and info.subject == "remove y" and renamed is None
        info, renamed = deleting_commit(repo, "v/x.py") or (None, None)
        assert info is not None and info.subject == "move x" and renamed == "elsewhere.py"


def test_refs_with_file(tmp_path):
    root = _history(tmp_path)
    git(root, "checkout", "-q", "-b", "feature")
    (root / "v" / "f.py").write_text("feature\n")
    commit_all(root, "feature file")
    git(root, "tag", "v1")
    git(root, "checkout", "-q", "main")
    with open_repository(root) as repo:
        assert refs_with_file(repo, "v", blob=blob_id(b"feature\n")) == ["feature", "v1"]
        assert refs_with_file(repo, "v", path="v/x.py") == ["feature", "main", "v1"]
        assert refs_with_file(repo, "v", blob=blob_id(b"nowhere\n")) == []
