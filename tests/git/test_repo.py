"""gitmig.git.repo against real repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gitmig.exc import GitError
from gitmig.git.repo import find_worktree, open_repository
from tests.git.helpers import commit_all, git, git_init


@pytest.fixture
def repo_path(tmp_path: Path) -> Path:
    path = git_init(tmp_path / "repo")
    versions = path / "mig" / "versions"
    versions.mkdir(parents=True)
    (versions / "a.py").write_text("A = 1\n")
    (versions / "sub").mkdir()
    (versions / "sub" / "deep.py").write_text("DEEP = 1\n")
    (path / "README").write_text("hi\n")
    commit_all(path, "first")
    return path


def test_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not inside a git repository"):
        open_repository(tmp_path)


def test_list_and_read_files_at_ref(repo_path: Path) -> None:
    git(repo_path, "checkout", "-q", "-b", "feature")
    (repo_path / "mig" / "versions" / "b.py").write_text("B = 2\n")
    commit_all(repo_path, "add b")
    git(repo_path, "checkout", "-q", "main")
    with open_repository(repo_path / "mig") as repo:
        assert repo.toplevel == repo_path.resolve()
        flat = repo.list_files("feature", "mig/versions")
        assert [e.path for e in flat] == ["mig/versions/a.py", "mig/versions/b.py"]
        deep = repo.list_files("feature", "mig/versions", recursive=True)
        assert "mig/versions/sub/deep.py" in [e.path for e in deep]
        assert repo.read_files(flat) == {
            "mig/versions/a.py": b"A = 1\n",
            "mig/versions/b.py": b"B = 2\n",
        }
        assert repo.list_files("main", "no/such/folder") == []


def test_blobs_come_from_one_long_lived_process(repo_path: Path) -> None:
    with open_repository(repo_path) as repo:
        entries = repo.list_files("HEAD", "mig/versions", recursive=True)
        repo.read_blob(entries[0].blob)
        process = repo._cat_file
        assert process is not None
        for entry in entries:
            repo.read_blob(entry.blob)
        assert repo._cat_file is process
    assert repo._cat_file is None
    assert process._proc.returncode == 0


def test_unknown_ref_names_it(repo_path: Path) -> None:
    with (
        open_repository(repo_path) as repo,
        pytest.raises(GitError, match="'nope/branch' does not name a commit"),
    ):
        repo.resolve_commit("nope/branch")


def test_git_errors_carry_command_and_stderr(repo_path: Path) -> None:
    with open_repository(repo_path) as repo, pytest.raises(GitError) as info:
        repo.run("cat-file", "-p", "deadbeef")
    message = str(info.value)
    assert "`git cat-file -p deadbeef` failed" in message
    assert "deadbeef" in message.split("failed", 1)[1]


def test_refs_upstream_tags_and_merge_base(repo_path: Path, tmp_path: Path) -> None:
    base = git(repo_path, "rev-parse", "HEAD")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo_path), str(clone))
    git(clone, "tag", "v1")
    git(clone, "checkout", "-q", "-b", "topic")
    (clone / "x.txt").write_text("x")
    commit_all(clone, "topic")
    with open_repository(clone) as repo:
        assert repo.current_branch() == "topic"
        assert repo.upstream("main") == "origin/main"
        assert repo.upstream() is None
        assert repo.resolve_commit("main@{upstream}") == base
        assert repo.resolve_commit("v1") == base
        assert repo.merge_base("topic", "origin/main") == base
        assert repo.refs("refs/remotes") == ["origin/main"]
        assert repo.refs("refs/tags") == ["v1"]
        assert sorted(repo.refs("refs/heads")) == ["main", "topic"]


def test_unrelated_histories_have_no_merge_base(repo_path: Path) -> None:
    git(repo_path, "checkout", "-q", "--orphan", "other")
    git(repo_path, "rm", "-rq", "--cached", ".")
    commit_all(repo_path, "unrelated")
    with open_repository(repo_path) as repo:
        assert repo.merge_base("main", "other") is None


def test_staged_files(repo_path: Path) -> None:
    versions = repo_path / "mig" / "versions"
    (versions / "a.py").write_text("A = 'staged'\n")
    git(repo_path, "add", "mig/versions/a.py")
    (versions / "a.py").write_text("A = 'unstaged'\n")
    (versions / "new.py").write_text("NEW = 1\n")  # untracked: not in the index
    with open_repository(repo_path) as repo:
        staged = repo.staged_files("mig/versions")
        assert [e.path for e in staged] == ["mig/versions/a.py"]
        assert repo.read_blob(staged[0].blob) == b"A = 'staged'\n"
        assert repo.uncommitted(["mig/versions/a.py", "mig/versions/new.py"]) == [
            "mig/versions/a.py",
            "mig/versions/new.py",
        ]
        assert repo.uncommitted(["README"]) == []


def test_inherited_git_dir_is_ignored(
    repo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = git_init(tmp_path / "other")
    (other / "f").write_text("f")
    commit_all(other, "other")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    with open_repository(repo_path) as repo:
        assert [e.path for e in repo.list_files("HEAD", "mig/versions")] == ["mig/versions/a.py"]
        assert [e.path for e in repo.staged_files("mig/versions")] == ["mig/versions/a.py"]


def test_linked_worktree(repo_path: Path, tmp_path: Path) -> None:
    git(repo_path, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "wt")
    found = find_worktree(tmp_path / "wt" / "mig")
    assert found is not None
    assert found[0] == (tmp_path / "wt").resolve()
    with open_repository(tmp_path / "wt") as repo:
        assert repo.current_branch() == "wt"
        assert repo.relative(tmp_path / "wt" / "mig" / "versions") == "mig/versions"


def test_provenance(repo_path: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo_path), str(clone))
    git(clone, "checkout", "-q", "-b", "topic")
    (clone / "mig" / "versions" / "b.py").write_text("B = 1\n")
    subprocess.run(["git", "add", "-A"], cwd=clone, check=True)
    subprocess.run(
        ["git", "commit", "-q", "-m", "b"],
        cwd=clone,
        check=True,
        env={
            **__import__("os").environ,
            "GIT_AUTHOR_NAME": "Bea",
            "GIT_AUTHOR_EMAIL": "bea@example.com",
        },
    )
    b_commit = git(clone, "rev-parse", "HEAD")
    (clone / "mig" / "versions" / "c.py").write_text("C = 1\n")  # not committed
    with open_repository(clone) as repo:
        paths = ["mig/versions/a.py", "mig/versions/b.py", "mig/versions/c.py"]
        found = repo.provenance("mig/versions", paths)
    assert set(found) == {"mig/versions/a.py", "mig/versions/b.py"}
    b = found["mig/versions/b.py"]
    assert (b.commit, b.author, b.email) == (b_commit, "Bea", "bea@example.com")
    assert b.branches == ("topic",)
    assert b.remote_branches == ()
    a = found["mig/versions/a.py"]
    assert a.author == "Test Author"
    assert a.branches == ("main", "topic")
    assert a.remote_branches == ("origin/main",)
