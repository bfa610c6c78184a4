"""Read a git repository without touching its working tree: refs, trees, blobs, provenance.

Every git process runs in the work tree with ``GIT_DIR``, ``GIT_WORK_TREE`` and the other
location variables stripped, so variables inherited from a calling hook or another
repository never redirect it. Blobs are read through ONE long-lived ``git cat-file --batch``
process.

This talks to the ``git`` executable directly rather than through GitPython: importing
GitPython alone costs more (~60 ms) than a whole ``gitmig check-heads`` on a 1000-revision
history, and ``check-heads --against`` must stay within twice that.

Paths handed in and out are repository-relative POSIX strings (``migrations/versions/a.py``).

>>> with open_repository(".") as repo:  # doctest: +SKIP
...     for entry in repo.list_files("origin/main", "migrations/versions"):
...         source = repo.read_blob(entry.blob)
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from gitmig.exc import GitError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from types import TracebackType

_FULL_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?\Z")

__all__ = [
    "CommitInfo",
    "Provenance",
    "Repository",
    "TreeEntry",
    "changes_after_blob",
    "deleting_commit",
    "find_worktree",
    "open_repository",
    "refs_with_file",
]


class TreeEntry(NamedTuple):
    """One file of a tree (at a ref, or in the index): its path and its blob id."""

    path: str
    blob: str
    #: index stage: 0, or 1-3 for the sides of an unresolved merge conflict
    stage: int = 0


class Provenance(NamedTuple):
    """Who added a file to the repository, and which branches contain that commit."""

    path: str
    commit: str
    author: str
    email: str
    date: str
    branches: tuple[str, ...]
    remote_branches: tuple[str, ...]


def find_worktree(start: str | os.PathLike[str]) -> tuple[Path, Path] | None:
    """``(work tree, git dir)`` of the repository containing ``start``, or ``None``.

    Found by walking up from ``start`` for a ``.git`` directory or ``gitdir:`` file (linked
    worktrees, submodules); inherited ``GIT_DIR``/``GIT_WORK_TREE`` are deliberately ignored.
    """
    here = Path(start).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        dotgit = folder / ".git"
        if dotgit.is_dir():
            return folder, dotgit
        if dotgit.is_file():
            text = dotgit.read_text(encoding="utf-8", errors="replace").strip()
            if not text.startswith("gitdir:"):
                return None
            return folder, (folder / text[len("gitdir:") :].strip()).resolve()
    return None


def open_repository(start: str | os.PathLike[str]) -> Repository:
    """Open the git repository containing ``start`` (a file or folder).

    Raises :class:`~gitmig.exc.GitError` with a one-line message when there is none.
    """
    found = find_worktree(start)
    if found is None:
        raise GitError(f"not inside a git repository: {Path(start).resolve()}")
    return Repository(*found)


# Variables that would point git at another repository, index or object store (set when
# gitmig runs from a hook of another repository, say); the rest of GIT_* is kept.
_STRIPPED = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
)


def _clean_environment(git_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _STRIPPED}
    env["LC_ALL"] = env["LANGUAGE"] = "C"  # git's messages are quoted to the user as they are
    # A hook of this very repository may hand us the index being committed; keep that one.
    index = os.environ.get("GIT_INDEX_FILE")
    if index and Path(index).resolve().is_relative_to(git_dir.resolve()):
        env["GIT_INDEX_FILE"] = str(Path(index).resolve())
    return env


class _CatFile:
    """One long-lived ``git cat-file --batch`` process: blobs by id, no process per file."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        try:
            self._proc = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=cwd,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as err:
            raise _cannot_run(err) from err

    def read(self, object_id: str) -> bytes:
        stdin, stdout = self._proc.stdin, self._proc.stdout
        assert stdin is not None and stdout is not None
        stdin.write(object_id.encode() + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3:
            raise GitError(f"cannot read git object {object_id}: {b' '.join(header).decode()}")
        data = stdout.read(int(header[2]))
        stdout.read(1)  # the newline after each object
        return data

    def close(self) -> None:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.close()
        self._proc.wait()
        self._proc.stdout.close()


def _cannot_run(err: OSError) -> GitError:
    return GitError(f"cannot run git ({err.strerror}); is git installed and on PATH?")


class Repository:
    """A git work tree and its repository; git runs with a cleaned environment."""

    def __init__(self, worktree: Path, git_dir: Path) -> None:
        self.toplevel = worktree
        self.git_dir = git_dir
        self._env = _clean_environment(git_dir)
        self._cat_file: _CatFile | None = None
        self._blobs: dict[str, bytes] = {}

    # -- plumbing ---------------------------------------------------------------------

    def run(self, *args: str, strip: bool = True) -> str:
        """Run ``git ARGS`` and return its output; failures raise :class:`GitError`.

        The error carries the command line and git's stderr.
        """
        out = self._run(args, ())
        assert out is not None
        return out.strip() if strip else out

    def _try(self, *args: str, answers: tuple[int, ...] = (1,)) -> str | None:
        """``git ARGS``'s output, or ``None`` when git exits with one of ``answers``.

        Those exit codes are git's "no" to a question (no such ref, no merge base); any
        other failure, or a git that cannot be run, is an error naming git, never a "no".
        """
        out = self._run(args, answers)
        return None if out is None else out.strip()

    def _run(self, args: Sequence[str], answers: tuple[int, ...]) -> str | None:
        try:
            proc = subprocess.run(
                ["git", *args], cwd=self.toplevel, env=self._env, capture_output=True
            )
        except OSError as err:
            raise _cannot_run(err) from err
        if proc.returncode in answers:
            return None
        if proc.returncode != 0:
            stderr = proc.stderr.decode("utf-8", errors="replace").strip()
            raise GitError(
                f"`git {' '.join(args)}` failed (exit {proc.returncode}) "
                f"in {self.toplevel}: {stderr or 'no message'}"
            )
        return proc.stdout.decode("utf-8", errors="surrogateescape")

    def close(self) -> None:
        """Stop the long-lived ``cat-file`` process."""
        if self._cat_file is not None:
            self._cat_file.close()
            self._cat_file = None

    def __enter__(self) -> Repository:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- paths ------------------------------------------------------------------------

    def relative(self, path: str | os.PathLike[str]) -> str:
        """``path`` (absolute or relative to the cwd) relative to the work tree, POSIX style."""
        resolved = Path(path).resolve()
        try:
            rel = resolved.relative_to(self.toplevel.resolve())
        except ValueError:
            raise GitError(f"{resolved} is outside the git work tree {self.toplevel}") from None
        return rel.as_posix() if str(rel) != "." else ""

    def git_path(self, name: str) -> Path:
        """Where git keeps ``name`` (e.g. ``hooks``; honours ``core.hooksPath`` and worktrees)."""
        return (self.toplevel / self.run("rev-parse", "--git-path", name)).resolve()

    # -- refs -------------------------------------------------------------------------

    def resolve_commit(self, ref: str) -> str:
        """The commit id ``ref`` names (branch, remote branch, tag, ``@{upstream}``, id)."""
        out = self._try("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
        if not out:
            raise GitError(f"git ref {ref!r} does not name a commit in {self.toplevel}")
        return out

    def ref_exists(self, ref: str) -> bool:
        """Whether ``ref`` resolves to a commit."""
        return bool(self._try("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"))

    def is_shallow(self) -> bool:
        """Whether this is a shallow clone (its history, and so merge bases, cut short)."""
        return self.run("rev-parse", "--is-shallow-repository") == "true"

    def head_commit(self) -> str | None:
        """The commit HEAD points at, or ``None`` in a repository without commits."""
        return self._try("rev-parse", "--verify", "--quiet", "HEAD^{commit}") or None

    def merge_heads(self) -> list[str]:
        """The commits being merged into HEAD by a merge in progress (none outside one)."""
        path = self.git_path("MERGE_HEAD")
        if path.is_file():
            return path.read_text(encoding="utf-8").split()
        # In its pre-merge-commit hook, `git merge` has not written MERGE_HEAD yet; it names
        # each commit being merged in a GITHEAD_<id> variable of the hook's environment.
        found = [
            name[len("GITHEAD_") :]
            for name in os.environ
            if name.startswith("GITHEAD_") and _FULL_ID.match(name[len("GITHEAD_") :])
        ]
        return [oid for oid in sorted(found) if self.ref_exists(oid)]

    def current_branch(self) -> str | None:
        """The checked-out branch's short name, or ``None`` on a detached HEAD."""
        return self._try("symbolic-ref", "--quiet", "--short", "HEAD") or None

    def upstream(self, ref: str = "HEAD") -> str | None:
        """Short name of the upstream of local branch ``ref`` (``HEAD``: the current one),
        e.g. ``origin/main``, if it has one."""
        branch = self._try("symbolic-ref", "--quiet", "HEAD") if ref == "HEAD" else ref
        if not branch:
            return None
        if not branch.startswith("refs/"):
            branch = f"refs/heads/{branch}"
        # for-each-ref answers "none" with an empty line; rev-parse would fail with "fatal"
        return self.run("for-each-ref", "--format=%(upstream:short)", branch) or None

    def short_name(self, ref: str) -> str:
        """The short symbolic name of ``ref`` (``@{upstream}`` -> ``origin/main``)."""
        if ref.startswith("-"):
            return ref
        # 128: a ref git cannot abbreviate (an upstream that is not set); keep it as given
        return self._try("rev-parse", "--abbrev-ref", ref, answers=(1, 128)) or ref

    def merge_base(self, first: str, second: str) -> str | None:
        """Best common ancestor of two commits, or ``None`` for unrelated histories."""
        return self._try("merge-base", first, second) or None

    def refs(self, *patterns: str) -> list[str]:
        """Short names of the refs under ``patterns`` (``refs/heads``, ``refs/remotes``...).

        Symbolic remote ``HEAD`` refs (``origin/HEAD``) are left out.
        """
        out = self.run("for-each-ref", "--format=%(refname)%00%(symref)", *patterns)
        names = []
        for line in out.splitlines():
            name, symref = line.split("\0")
            if symref:
                continue
            for prefix in ("refs/heads/", "refs/remotes/", "refs/tags/"):
                if name.startswith(prefix):
                    name = name[len(prefix) :]
                    break
            names.append(name)
        return names

    def reflog(self, ref: str = "HEAD", limit: int = 50) -> list[str]:
        """The commits ``ref`` pointed at, newest first (``[0]`` is ``ref@{0}``), from its
        reflog; empty when it has none."""
        out = self._try("log", "-g", "--format=%H", f"-n{limit}", ref, "--", answers=(128,))
        return out.split() if out else []

    # -- trees and blobs --------------------------------------------------------------

    def list_files(self, ref: str, folder: str, *, recursive: bool = False) -> list[TreeEntry]:
        """Files under ``folder`` in the tree of ``ref`` (empty when the folder is absent)."""
        # a full commit id came from git itself: no need to spawn git to check it again
        commit = ref if _FULL_ID.match(ref) else self.resolve_commit(ref)
        prefix = folder.rstrip("/") + "/" if folder else ""
        args = ["ls-tree", "-z", "--full-tree"]
        if recursive:
            args.append("-r")
        out = self.run(*args, commit, "--", prefix or ".", strip=False)
        entries = []
        for record in out.split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            _mode, kind, blob = meta.split()
            if kind == "blob":
                entries.append(TreeEntry(path, blob))
        return entries

    def staged_files(self, folder: str, *, recursive: bool = False) -> list[TreeEntry]:
        """Files under ``folder`` as staged in the index (what the next commit holds).

        Unresolved merge conflicts show as entries with a non-zero ``stage``.
        """
        prefix = folder.rstrip("/") + "/" if folder else ""
        out = self.run("ls-files", "--stage", "-z", "--", prefix or ".", strip=False)
        entries = []
        for record in out.split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            _mode, blob, stage = meta.split()
            if not recursive and "/" in path[len(prefix) :]:
                continue
            entries.append(TreeEntry(path, blob, int(stage)))
        return entries

    def modified(self, folders: Sequence[str]) -> set[str]:
        """Tracked files under ``folders`` whose work-tree state differs from the index."""
        out = self.run("diff-files", "--name-only", "-z", "--", *folders, strip=False)
        return {path for path in out.split("\0") if path}

    def read_blob(self, blob: str) -> bytes:
        """Content of a blob, through the one long-lived ``git cat-file --batch`` process."""
        data = self._blobs.get(blob)
        if data is None:
            if self._cat_file is None:
                self._cat_file = _CatFile(self.toplevel, self._env)
            data = self._blobs[blob] = self._cat_file.read(blob)
        return data

    def read_files(self, entries: Iterable[TreeEntry]) -> dict[str, bytes]:
        """``{path: content}`` for tree entries."""
        return {entry.path: self.read_blob(entry.blob) for entry in entries}

    # -- work tree state --------------------------------------------------------------

    def uncommitted(self, paths: Sequence[str]) -> list[str]:
        """Those of ``paths`` that are modified, staged, untracked or deleted versus HEAD."""
        if not paths:
            return []
        out = self.run(
            "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths, strip=False
        )
        changed = []
        records = iter(out.split("\0"))
        for record in records:
            if not record:
                continue
            status, path = record[:2], record[3:]
            if "R" in status or "C" in status:
                next(records, None)  # the rename's source path follows
            changed.append(path)
        return changed

    # -- provenance -------------------------------------------------------------------

    def added_by(self, folder: str, ref: str = "HEAD") -> dict[str, tuple[str, str, str, str]]:
        """``{path: (commit, author, email, ISO date)}``: the commit that added each file.

        Taken from one ``git log --diff-filter=A`` over ``folder``; a renamed file counts as
        added by its rename. The oldest adding commit wins.
        """
        if self.head_commit() is None:
            return {}
        out = self.run(
            "log",
            "--full-history",
            "--no-renames",
            "--diff-filter=A",
            "--name-only",
            "-z",
            "--format=%x01%H%x02%an%x02%ae%x02%aI%x02",
            ref,
            "--",
            folder or ".",
            strip=False,
        )
        added: dict[str, tuple[str, str, str, str]] = {}
        for chunk in out.split("\x01"):
            if not chunk:
                continue
            commit, author, email, date, files = chunk.split("\x02", 4)
            for path in re.split(r"[\0\n]+", files):
                if path:
                    added[path] = (commit, author, email, date)  # later chunks are older
        return added

    def branches_containing(
        self, commits: Iterable[str], folder: str
    ) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
        """``{commit: (local branches, remote branches)}`` containing each commit.

        One path-limited ``rev-list`` per branch (not one process per commit): each
        commit of interest touches ``folder``, so that walk is enough to see it.
        """
        wanted = set(commits)
        local: dict[str, list[str]] = {c: [] for c in wanted}
        remote: dict[str, list[str]] = {c: [] for c in wanted}
        for pattern, found in (("refs/heads", local), ("refs/remotes", remote)):
            for name in self.refs(pattern):
                out = self.run("rev-list", "--full-history", name, "--", folder or ".")
                for commit in wanted.intersection(out.split()):
                    found[commit].append(name)
        return {c: (tuple(sorted(local[c])), tuple(sorted(remote[c]))) for c in wanted}

    def first_parent_commits(self, ref: str, folder: str) -> set[str]:
        """Commits touching ``folder`` on ``ref``'s first-parent line (the commits made on
        that branch itself, not those merges brought in)."""
        return set(self.run("rev-list", "--first-parent", ref, "--", folder or ".").split())

    def provenance(self, folder: str, paths: Iterable[str]) -> dict[str, Provenance]:
        """:class:`Provenance` of each committed path under ``folder`` (uncommitted: absent)."""
        added = self.added_by(folder)
        wanted = {p: added[p] for p in paths if p in added}
        containing = self.branches_containing({v[0] for v in wanted.values()}, folder)
        return {
            path: Provenance(path, commit, author, email, date, *containing[commit])
            for path, (commit, author, email, date) in wanted.items()
        }


# -- the history of one file (for `gitmig verify`) -------------------------------------------


class CommitInfo(NamedTuple):
    """One commit as messages name it."""

    commit: str
    author: str
    #: ISO 8601 author date
    date: str
    subject: str


_COMMIT_FORMAT = "--format=%x01%H%x02%an%x02%aI%x02%s"


def _commits_with_raw(out: str) -> list[tuple[CommitInfo, list[str]]]:
    """``git log --raw`` output in ``_COMMIT_FORMAT``: each commit with its raw diff lines."""
    found = []
    for chunk in out.split("\x01"):
        if not chunk.strip():
            continue
        header, _, rest = chunk.partition("\n")
        commit, author, date, subject = header.split("\x02", 3)
        raw = [line for line in rest.splitlines() if line.startswith(":")]
        found.append((CommitInfo(commit, author, date, subject), raw))
    return found


def changes_after_blob(
    repo: Repository, path: str, blob: str, ref: str = "HEAD"
) -> tuple[list[CommitInfo], bool]:
    """Commits on ``ref`` that changed ``path`` after it had the content ``blob``.

    Newest first, from one ``git log --raw`` of the path: the walk stops at the commit
    that left the file with ``blob``. The flag says whether that commit was found; when it
    was not (the content was never committed), every commit that touched the path is
    returned.
    """
    if repo.head_commit() is None:
        return [], False
    out = repo.run(
        "log", "--raw", "--no-abbrev", "--no-renames", _COMMIT_FORMAT, ref, "--", path, strip=False
    )
    changes: list[CommitInfo] = []
    for info, raw in _commits_with_raw(out):
        # ":100644 100644 OLD NEW M\tpath": the content this commit left
        if any(line.split()[3] == blob for line in raw):
            return changes, True
        changes.append(info)
    return changes, False


def deleting_commit(
    repo: Repository, path: str, ref: str = "HEAD"
) -> tuple[CommitInfo, str | None] | None:
    """The commit on ``ref`` that deleted ``path`` (newest), and where it went if renamed."""
    if repo.head_commit() is None:
        return None
    out = repo.run("log", "-1", "--diff-filter=D", _COMMIT_FORMAT, ref, "--", path, strip=False)
    commits = _commits_with_raw(out)
    if not commits:
        return None
    info = commits[0][0]
    names = repo.run("show", "-M", "--name-status", "-z", "--format=", info.commit, strip=False)
    fields = [field for field in names.strip("\n").split("\0") if field]
    i = 0
    while i < len(fields):
        status = fields[i]
        if status.startswith(("R", "C")):  # a rename or copy names two paths
            if status.startswith("R") and fields[i + 1] == path:
                return info, fields[i + 2]
            i += 3
        else:
            i += 2
    return info, None


def refs_with_file(
    repo: Repository, folder: str, blob: str | None = None, path: str | None = None
) -> list[str]:
    """Branches, remote branches and tags whose tree under ``folder`` has a file with
    content ``blob`` (or, failing that, at ``path``)."""
    found = []
    for name in repo.refs("refs/heads", "refs/remotes", "refs/tags"):
        entries = repo.list_files(name, folder, recursive=True)
        if any(e.blob == blob or (path is not None and e.path == path) for e in entries):
            found.append(name)
    return found
