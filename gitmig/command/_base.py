"""What every command module shares: the Config's ScriptDirectory and the git repository.

Private to :mod:`gitmig.command`; heavy modules are imported inside the functions.
"""

from __future__ import annotations

import re
from weakref import WeakKeyDictionary

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from gitmig.config import Config
    from gitmig.exc import RevisionError
    from gitmig.git.divergence import Completion, SnapshotReader, Supplied
    from gitmig.git.repo import Repository
    from gitmig.script.base import ScriptDirectory
    from gitmig.script.revision import Revision, RevisionMap


__all__ = [
    "is_upstream_ref",
    "no_ref_supplies",
    "open_repo",
    "revision_graph",
    "script_directory",
    "snapshot_reader",
    "supplied_parents",
    "supplier_refs",
]

_script_directories: WeakKeyDictionary[Config, ScriptDirectory] = WeakKeyDictionary()
#: configs whose graph was completed with parents from a git ref, and what the ref supplied
_supplied: WeakKeyDictionary[Config, list[Supplied]] = WeakKeyDictionary()


def script_directory(config: Config) -> ScriptDirectory:
    """The ScriptDirectory of ``config``, built once per Config object.

    Commands that write revision files refresh its graph; build a new Config to see files
    changed by other means.
    """
    found = _script_directories.get(config)
    if found is None:
        from gitmig.script.base import ScriptDirectory

        found = _script_directories[config] = ScriptDirectory.from_config(config)
    return found


def open_repo(script_dir: ScriptDirectory, option: str) -> Repository:
    """The git repository holding the migration environment (``option`` needs one)."""
    from gitmig.exc import GitError
    from gitmig.git.repo import open_repository

    try:
        return open_repository(script_dir.dir)
    except GitError as err:
        raise GitError(f"{option} needs git: {err}") from None


def snapshot_reader(repo: Repository, script_dir: ScriptDirectory) -> SnapshotReader:
    """A reader of the version folders' snapshots in ``repo`` (work tree, index, refs)."""
    from gitmig.git.divergence import SnapshotReader

    return SnapshotReader(repo, script_dir)


def supplier_refs(config: Config, repo: Repository, first: Iterable[str] = ()) -> list[str]:
    """Where to look for parents missing here: ``first``, the config's ``git_target``, the
    branch's upstream, then every local and remote branch."""
    upstream = repo.upstream()
    refs = [*first, *config.get_list_option("git_target"), *([upstream] if upstream else [])]
    refs = [ref for ref in refs if not is_upstream_ref(ref) or upstream]
    return [*refs, *repo.refs("refs/heads", "refs/remotes")]


_UPSTREAM = re.compile(r"\A(?:HEAD)?@\{(?:u|upstream)\}\Z")


def is_upstream_ref(ref: str) -> bool:
    """Whether ``ref`` names the current branch's upstream (``@{u}``, ``@{upstream}``)."""
    return bool(_UPSTREAM.match(ref))


def revision_graph(
    config: Config, complete: bool = True, prefer: Sequence[str] = ()
) -> RevisionMap:
    """The graph of the revision files, completed from git when a parent is missing here.

    Right after ``gitmig rebase --onto REF``, and until ``git merge REF``, the first
    revision of the branch names a parent that only REF declares. With ``complete`` the
    graph then takes that parent (and its ancestry) from the first ref that declares it
    (:func:`supplied_parents` says which; ``prefer`` are the refs to try first); without,
    as for an online run that would need those files, the error names the ref to merge. A
    parent that no ref declares stays the graph's error.
    """
    from gitmig.exc import RevisionError

    script_dir = script_directory(config)
    if config in _supplied and not complete:
        raise _needs_merge(_supplied[config])
    try:
        return script_dir.revision_map
    except RevisionError as err:
        found = _find_supplier(config, script_dir, err, prefer)
        if not complete:
            raise _needs_merge(found.supplied) from None
        from gitmig.script.base import Script
        from gitmig.script.revision import RevisionMap

        foreign = [_as_script(Script, rev) for rev in found.revisions]
        graph = RevisionMap([*script_dir.scripts(), *foreign])
        # The ScriptDirectory serves this graph from now on (get_script, the runtime's plan).
        script_dir._revision_map = graph
        _supplied[config] = found.supplied
        return graph


def supplied_parents(config: Config) -> list[Supplied]:
    """What :func:`revision_graph` took from a git ref to complete the graph (or nothing)."""
    return list(_supplied.get(config, []))


def _find_supplier(
    config: Config, script_dir: ScriptDirectory, err: RevisionError, prefer: Sequence[str]
) -> Completion:
    """What a git ref supplies to complete the graph; or the graph's own error ``err`` when
    it has another problem, and an error naming the parent when no ref has it."""
    from gitmig.git.divergence import find_supplier, missing_parents
    from gitmig.git.repo import find_worktree

    revisions: dict[str, Revision] = {s.revision: s for s in script_dir.scripts()}
    if not missing_parents(revisions) or find_worktree(script_dir.dir) is None:
        raise err
    from gitmig.exc import GitError

    try:
        with open_repo(script_dir, "reading the graph") as repo:
            reader = snapshot_reader(repo, script_dir)
            refs = supplier_refs(config, repo, prefer)
            found = find_supplier(reader, revisions, refs)
            if found is None:
                raise no_ref_supplies(reader, revisions, refs) or err
    except GitError:
        raise err from None  # git cannot help (not installed, say): the graph's own error
    return found


def no_ref_supplies(
    reader: SnapshotReader, revisions: dict[str, Revision], refs: Sequence[str]
) -> RevisionError | None:
    """The error for a missing parent that none of ``refs`` declares (``None``: each one
    is declared somewhere, though by no single ref)."""
    from gitmig.exc import RevisionError
    from gitmig.git.divergence import unsupplied

    for parent, child in unsupplied(reader, revisions, refs).items():
        return RevisionError(
            f"{child.where}: down_revision refers to {parent}, which no revision file "
            "declares, here or on any git branch"
        )
    return None


def _as_script(cls: type[Revision], rev: Revision) -> Revision:
    return cls(
        rev.revision,
        rev.down_revision,
        branch_labels=tuple(sorted(rev.branch_labels)),
        depends_on=rev.depends_on,
        doc=rev.doc,
        longdoc=rev.longdoc,
        path=rev.path,
    )


def _needs_merge(supplied: list[Supplied]) -> RevisionError:
    from gitmig.exc import RevisionError

    first = supplied[0]
    return RevisionError(
        f"{first.path}: down_revision refers to {first.parent}, which comes from "
        f"{first.ref}: merge it (`git merge {first.ref}`) to run upgrade"
    )
