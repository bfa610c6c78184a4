"""The revision graph across git refs: what a merge would produce, and the rebase plan.

A :class:`Snapshot` is the set of revision files of the version folders as seen in one
place: the working tree, the git index, or the tree of a ref (read from git objects, no
checkout). :func:`compare` unites two snapshots the way ``git merge`` would and reports
divergent heads, ids declared with different contents on the two sides, and revisions
whose parent exists on neither side. :func:`plan_rebase` computes the re-parenting that
``gitmig rebase --onto REF`` performs instead of a merge revision. Reports are data;
:mod:`gitmig.display` renders them.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from gitmig.exc import CommandError, GitError, RevisionError, ScriptError
from gitmig.script.revision import Revision, RevisionMap, head_ids
from gitmig.script.source import is_revision_file, read_revision

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from gitmig.git.repo import Repository, TreeEntry
    from gitmig.script.base import ScriptDirectory

__all__ = [
    "Comparison",
    "Completion",
    "DivergentHeads",
    "IdConflict",
    "Orphan",
    "RebasePlan",
    "Snapshot",
    "SnapshotReader",
    "Supplied",
    "compare",
    "complete_from",
    "find_supplier",
    "missing_parents",
    "plan_rebase",
    "unsupplied",
]


def _blob_id(data: bytes) -> str:
    """The id git gives a blob with this content (no git process needed)."""
    import hashlib

    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _relpath(path: str, prefixes: list[tuple[str, str]]) -> str | None:
    for disk, repo in prefixes:
        if path.startswith(disk):
            return repo + path[len(disk) :].replace(os.sep, "/")
    return None


def _copy(rev: Revision, path: str) -> Revision:
    return _reparented(rev, rev.down_revision, path)


def _reparented(
    rev: Revision, down_revision: str | Sequence[str] | None, path: str | None = None
) -> Revision:
    return Revision(
        rev.revision,
        down_revision,
        branch_labels=tuple(sorted(rev.branch_labels)),
        depends_on=rev.depends_on,
        doc=rev.doc,
        longdoc=rev.longdoc,
        path=rev.path if path is None else path,
    )


class Snapshot:
    """The revision files of the version folders in one place (work tree, index or ref)."""

    def __init__(self, name: str, commit: str | None) -> None:
        #: what a person calls this place: ``working tree``, ``index`` or the ref as given
        self.name = name
        #: the commit of a ref snapshot (``None`` for the working tree and the index)
        self.commit = commit
        #: revision id -> revision (``path`` is where it is declared)
        self.revisions: dict[str, Revision] = {}
        #: revision id -> git blob id of its file's content
        self.digests: dict[str, str] = {}
        #: revision id -> repository-relative path of its file
        self.paths: dict[str, str] = {}
        #: ids declared by two files of this snapshot: (id, first path, second path)
        self.duplicates: list[tuple[str, str, str]] = []

    def add(self, rev: Revision, digest: str, relpath: str) -> None:
        if rev.revision in self.revisions:
            self.duplicates.append((rev.revision, self.paths[rev.revision], relpath))
            return
        self.revisions[rev.revision] = rev
        self.digests[rev.revision] = digest
        self.paths[rev.revision] = relpath

    def heads(self) -> tuple[str, ...]:
        """Ids no revision of this snapshot names as down_revision (sorted)."""
        return tuple(sorted(head_ids(self.revisions.values())))


class SnapshotReader:
    """Reads snapshots of the version folders; parses each distinct blob only once."""

    def __init__(self, repo: Repository, script_dir: ScriptDirectory) -> None:
        self.repo = repo
        self.script_dir = script_dir
        self.locations = list(script_dir.version_locations)
        #: the version folders relative to the work tree (POSIX)
        self.folders = [repo.relative(p) for p in self.locations]
        self.recursive = script_dir.recursive_version_locations
        self._parsed: dict[str, Revision | None] = {}
        self._snapshots: dict[str, Snapshot] = {}
        self._working_tree: Snapshot | None = None

    def _parse(self, blob: str, shown_path: str) -> Revision | None:
        if blob not in self._parsed:
            data = self.repo.read_blob(blob)
            self._parsed[blob] = read_revision(data, shown_path)
        return self._parsed[blob]

    def _wanted(self, relpath: str, folder: str) -> bool:
        rest = relpath[len(folder) + 1 :] if folder else relpath
        parts = rest.split("/")
        if not self.recursive and len(parts) > 1:
            return False
        if any(part.startswith((".", "__")) for part in parts[:-1]):
            return False
        return is_revision_file(parts[-1])

    def working_tree(self) -> Snapshot:
        """The version folders as they are on disk.

        Markers come from the ScriptDirectory (and its marker cache). Each file's blob id,
        which lets a ref's identical files skip reading and parsing, comes from the git
        index when git sees the file unchanged, and is hashed from the file otherwise.
        """
        if self._working_tree is not None:
            return self._working_tree
        index: dict[str, str] = {}
        for folder in self.folders:
            for entry in self.repo.staged_files(folder, recursive=self.recursive):
                if entry.stage == 0:
                    index[entry.path] = entry.blob
        for path in self.repo.modified(self.folders):
            index.pop(path, None)
        prefixes = [
            (f"{loc}{os.sep}", f"{folder}/".lstrip("/"))
            for loc, folder in zip(map(str, self.locations), self.folders, strict=True)
        ]
        snap = Snapshot("working tree", None)
        for script in self.script_dir.scripts():
            assert script.path is not None
            relpath = _relpath(script.path, prefixes) or self.repo.relative(script.path)
            blob = index.get(relpath) or _blob_id(Path(script.path).read_bytes())
            rev = _copy(script, script.path)
            self._parsed.setdefault(blob, rev)
            snap.add(rev, blob, relpath)
        self._working_tree = snap
        return snap

    def index(self) -> Snapshot:
        """The version folders as staged in the git index."""
        with contextlib.suppress(ScriptError):
            self.working_tree()  # unchanged files need no reading from the object store
        snap = Snapshot("index", None)
        for folder in self.folders:
            entries = self.repo.staged_files(folder, recursive=self.recursive)
            for entry in entries:
                if entry.stage != 0 and self._wanted(entry.path, folder):
                    raise GitError(f"{entry.path} has an unresolved merge conflict in the index")
            self._fill(snap, [e for e in entries if e.stage == 0], folder, ":")
        return snap

    def at(self, ref: str) -> Snapshot:
        """The version folders in the tree of ``ref`` (a branch, remote branch, tag, id)."""
        commit = self.repo.resolve_commit(ref)
        return self.at_commit(commit, self.repo.short_name(ref) if "@" in ref else ref)

    def at_commit(self, commit: str, name: str | None = None) -> Snapshot:
        """The version folders in the tree of ``commit``."""
        cached = self._snapshots.get(commit)
        if cached is not None:
            return cached
        snap = Snapshot(name or commit[:12], commit)
        for folder in self.folders:
            entries = self.repo.list_files(commit, folder, recursive=self.recursive)
            self._fill(snap, entries, folder, f"{name or commit[:12]}:")
        self._snapshots[commit] = snap
        return snap

    def _fill(self, snap: Snapshot, entries: Iterable[TreeEntry], folder: str, where: str) -> None:
        for entry in entries:
            if not self._wanted(entry.path, folder):
                continue
            shown = f"{where}{entry.path}"
            try:
                rev = self._parse(entry.blob, shown)
            except ScriptError as err:
                raise ScriptError(f"in {snap.name}: {err}") from err
            if rev is not None:
                snap.add(_copy(rev, shown), entry.blob, entry.path)


class IdConflict(NamedTuple):
    """One revision id declared with different contents on the two sides."""

    revision: str
    ours: str
    theirs: str


class Orphan(NamedTuple):
    """A revision whose down_revision exists on neither side."""

    revision: str
    path: str
    side: str
    missing: str


class DivergentHeads(NamedTuple):
    """Heads a merge of the two sides would leave on one line of history."""

    heads: tuple[str, ...]
    #: for each head: ``ours``, ``theirs`` or ``both``
    sides: dict[str, str]
    common_ancestors: tuple[str, ...]


class Comparison:
    """What merging ``theirs`` (a ref) into ``ours`` (work tree or index) does to the graph."""

    def __init__(self, ours: Snapshot, theirs: Snapshot, merge_base: str | None) -> None:
        self.ours = ours
        self.theirs = theirs
        self.merge_base = merge_base
        #: ids each side added since the git merge-base, oldest first
        self.added_ours: tuple[str, ...] = ()
        self.added_theirs: tuple[str, ...] = ()
        self.divergent: list[DivergentHeads] = []
        self.conflicts: list[IdConflict] = []
        self.orphans: list[Orphan] = []
        #: the united graph could not be built for another reason (a cycle, a duplicate label)
        self.invalid: str | None = None
        #: heads of the united graph
        self.heads: tuple[str, ...] = ()
        #: no merge-base was found because this clone is shallow (not unrelated histories)
        self.shallow = False

    @property
    def ok(self) -> bool:
        return not (self.divergent or self.conflicts or self.orphans or self.invalid)

    @property
    def ref(self) -> str:
        return self.theirs.name


def compare(reader: SnapshotReader, ours: Snapshot, ref: str) -> Comparison:
    """Unite ``ours`` with the snapshot at ``ref`` and report what the merge would break."""
    theirs = reader.at(ref)
    assert theirs.commit is not None
    head = reader.repo.head_commit()
    base_commit = reader.repo.merge_base(head, theirs.commit) if head else None
    base = reader.at_commit(base_commit) if base_commit else Snapshot("none", None)
    result = Comparison(ours, theirs, base_commit)
    result.shallow = base_commit is None and head is not None and reader.repo.is_shallow()

    union: dict[str, Revision] = dict(theirs.revisions)
    for rev_id, rev in ours.revisions.items():
        if rev_id in theirs.revisions and theirs.digests[rev_id] != ours.digests[rev_id]:
            result.conflicts.append(IdConflict(rev_id, ours.paths[rev_id], theirs.paths[rev_id]))
        union[rev_id] = rev  # our version of a conflicting id stands in for both
    for rev_id, first, second in theirs.duplicates:
        result.conflicts.append(IdConflict(rev_id, second, f"{first} (both at {ref})"))

    for rev_id, rev in sorted(union.items()):
        for parent in rev.parents:
            if parent not in union:
                side = _side(rev_id, ours, theirs)
                path = (ours if side != "theirs" else theirs).paths[rev_id]
                result.orphans.append(Orphan(rev_id, path, side, parent))
    usable = _drop_orphans(union, {o.revision for o in result.orphans})

    try:
        graph = RevisionMap(_copy(rev, rev.path or "") for rev in usable.values())
    except RevisionError as err:
        result.invalid = str(err)
        return result
    result.heads = graph.heads
    for div in graph.divergences():
        sides = {h: _side(h, ours, theirs) for h in div.heads}
        if all(side != "theirs" for side in sides.values()):
            continue  # already divergent here without the ref: the work-tree check reports it
        result.divergent.append(DivergentHeads(div.heads, sides, div.common_ancestors))
    # (orphans and their descendants are not in the graph: they are reported above)
    result.added_ours = tuple(
        graph.sort(r for r in ours.revisions if r not in base.revisions and r in graph)
    )
    result.added_theirs = tuple(
        graph.sort(r for r in theirs.revisions if r not in base.revisions and r in graph)
    )
    return result


class Supplied(NamedTuple):
    """A parent that the revisions here name and that only a git ref declares."""

    #: the missing parent's id
    parent: str
    #: the revision here that names it, and that revision's file
    child: str
    path: str
    #: the ref that declares it (and every ancestor it needs)
    ref: str


def missing_parents(revisions: dict[str, Revision]) -> dict[str, Revision]:
    """``{parent: the first revision naming it}`` for parents absent from ``revisions``."""
    missing: dict[str, Revision] = {}
    for rev_id in sorted(revisions):
        for parent in revisions[rev_id].parents:
            if parent not in revisions:
                missing.setdefault(parent, revisions[rev_id])
    return missing


def complete_from(revisions: dict[str, Revision], theirs: Snapshot) -> list[Revision] | None:
    """The revisions of ``theirs`` that the missing parents of ``revisions`` need.

    That is each missing parent with its ancestry (and the dependencies of those) as
    declared at ``theirs``; ``None`` when ``theirs`` lacks one of them. After
    ``gitmig rebase --onto REF``, and before ``git merge REF``, REF supplies them.
    """
    wanted = list(missing_parents(revisions))
    if not wanted:
        return []
    found: dict[str, Revision] = {}
    while wanted:
        rev_id = wanted.pop()
        if rev_id in revisions or rev_id in found:
            continue
        rev = theirs.revisions.get(rev_id)
        if rev is None:
            return None
        found[rev_id] = rev
        wanted.extend(rev.parents)
        wanted.extend(d for d in rev.dependencies if d in theirs.revisions)
    return [found[k] for k in sorted(found)]


class Completion(NamedTuple):
    """What one git ref supplies to complete a graph whose parents are missing here."""

    supplied: list[Supplied]
    #: the ref's revisions to add (the missing parents and their ancestry)
    revisions: list[Revision]
    #: the ref's snapshot they come from
    snapshot: Snapshot

    def complete(self, ours: Snapshot) -> Snapshot:
        """``ours`` with the supplied revisions added (same name and commit)."""
        snap = Snapshot(ours.name, ours.commit)
        snap.revisions, snap.digests, snap.paths = (
            dict(ours.revisions),
            dict(ours.digests),
            dict(ours.paths),
        )
        snap.duplicates = list(ours.duplicates)
        for rev in self.revisions:
            snap.add(rev, self.snapshot.digests[rev.revision], self.snapshot.paths[rev.revision])
        return snap


def find_supplier(
    reader: SnapshotReader,
    revisions: dict[str, Revision],
    refs: Iterable[str],
    paths: dict[str, str] | None = None,
) -> Completion | None:
    """The first of ``refs`` that declares every missing parent of ``revisions``, or
    ``None`` when no ref does (or nothing is missing). Refs that do not resolve, or whose
    revision files cannot be read, are passed over. ``paths`` names the revisions' files
    in the notes (default: where each revision says it is declared)."""
    missing = missing_parents(revisions)
    if not missing:
        return None
    for theirs in _snapshots(reader, refs):
        extra = complete_from(revisions, theirs)
        if extra is not None:
            supplied = [
                Supplied(
                    parent,
                    child.revision,
                    (paths or {}).get(child.revision, child.where),
                    theirs.name,
                )
                for parent, child in missing.items()
            ]
            return Completion(supplied, extra, theirs)
    return None


def unsupplied(
    reader: SnapshotReader, revisions: dict[str, Revision], refs: Iterable[str]
) -> dict[str, Revision]:
    """The missing parents of ``revisions`` that none of ``refs`` declares, each with the
    first revision naming it."""
    missing = missing_parents(revisions)
    for theirs in _snapshots(reader, refs):
        missing = {k: v for k, v in missing.items() if k not in theirs.revisions}
    return missing


def _snapshots(reader: SnapshotReader, refs: Iterable[str]) -> Iterable[Snapshot]:
    seen: set[str] = set()
    for ref in refs:
        if ref in seen or not reader.repo.ref_exists(ref):
            continue
        seen.add(ref)
        try:
            yield reader.at(ref)
        except ScriptError:
            continue  # a branch with a broken revision file supplies nothing


def _side(rev_id: str, ours: Snapshot, theirs: Snapshot) -> str:
    here, there = rev_id in ours.revisions, rev_id in theirs.revisions
    return "both" if here and there else "ours" if here else "theirs"


def _drop_orphans(revs: dict[str, Revision], orphans: set[str]) -> dict[str, Revision]:
    """``revs`` without the orphans and everything that descends from them."""
    dropped = set(orphans)
    changed = True
    while changed:
        changed = False
        for rev_id, rev in revs.items():
            if rev_id not in dropped and any(p in dropped for p in rev.parents):
                dropped.add(rev_id)
                changed = True
    return {k: v for k, v in revs.items() if k not in dropped}


class RebasePlan(NamedTuple):
    """Re-parent this branch's own chain of revisions onto the head of a ref."""

    ref: str
    #: this branch's revisions (absent at the ref), oldest first
    chain: tuple[Revision, ...]
    #: the first revision's current down_revision
    old_parent: str | None
    #: the head at the ref it will revise instead
    onto: str | None
    #: heads of this branch's graph united with the ref's, once rebased
    heads_after: tuple[str, ...] = ()

    @property
    def noop(self) -> bool:
        """Nothing to rewrite: no own revisions, or already on top of the ref."""
        return not self.chain or self.old_parent == self.onto


def plan_rebase(
    reader: SnapshotReader, ours: Snapshot, ref: str, *, exclude_refs: Sequence[str] = ()
) -> RebasePlan:
    """The rebase of ``ours`` onto ``ref``; raises CommandError saying why it is refused.

    Refused when this branch's own revisions are not one chain, when one of them is
    present at ``ref``, on another remote branch or on a tag (it may be applied somewhere),
    or when their files have uncommitted changes. ``exclude_refs`` are remote branches
    that do not count (this branch's own upstream).
    """
    theirs = reader.at(ref)
    for rev_id in sorted(set(ours.revisions) & set(theirs.revisions)):
        if ours.digests[rev_id] != theirs.digests[rev_id]:
            raise CommandError(
                f"cannot rebase: revision {rev_id} exists at {ref} with different contents "
                f"({ours.paths[rev_id]} here, {theirs.paths[rev_id]} there); it is already "
                f"present at {ref}, so give this branch's file a new id first"
            )
    own = {k: v for k, v in ours.revisions.items() if k not in theirs.revisions}
    if not own:
        return RebasePlan(ref, (), None, None, theirs.heads())
    chain = _single_chain(own, ref)
    first = chain[0]
    if len(first.parents) != 1:
        what = "starts a new base" if not first.parents else "is a merge revision"
        raise CommandError(
            f"cannot rebase: this branch's first revision {first.revision} ({first.where}) "
            f"{what}; only a chain hanging off one revision can be moved"
        )
    old_parent = first.parents[0]
    try:
        their_graph = RevisionMap(_copy(r, r.path or "") for r in theirs.revisions.values())
    except RevisionError as err:
        raise CommandError(f"cannot rebase: the graph at {ref} is invalid: {err}") from err
    if old_parent not in their_graph:
        raise CommandError(
            f"cannot rebase: {first.where} revises {old_parent}, which does not exist at {ref}"
        )
    onto = [h for h in their_graph.heads if old_parent in their_graph.ancestors([h])]
    if len(onto) != 1:
        raise CommandError(
            f"cannot rebase: {ref} has {len(onto)} heads after {old_parent} "
            f"({', '.join(onto)}); merge them at {ref} first"
        )
    union = {**theirs.revisions, **ours.revisions}
    union[first.revision] = _reparented(first, onto[0])
    heads_after = tuple(sorted(head_ids(union.values())))
    plan = RebasePlan(ref, chain, old_parent, onto[0], heads_after)
    if plan.noop:
        return plan
    _refuse_if_published(reader, plan, ref, exclude_refs)
    paths = [ours.paths[r.revision] for r in chain]
    dirty = reader.repo.uncommitted(paths)
    if dirty:
        raise CommandError(
            "cannot rebase: uncommitted changes to " + ", ".join(dirty) + "; commit or stash them"
        )
    return plan


def _single_chain(own: dict[str, Revision], ref: str) -> tuple[Revision, ...]:
    children: dict[str, list[str]] = {k: [] for k in own}
    roots = []
    for rev in own.values():
        inside = [p for p in rev.parents if p in own]
        if inside and len(rev.parents) > 1:
            raise CommandError(
                f"cannot rebase: this branch's revisions include the merge revision "
                f"{rev.revision} ({rev.where}); they must be a single chain"
            )
        for p in inside:
            children[p].append(rev.revision)
        if not inside:
            roots.append(rev.revision)
    forks = {k: v for k, v in children.items() if len(v) > 1}
    if len(roots) != 1 or forks:
        detail = (
            ", ".join(
                f"{r} (revises {', '.join(own[r].parents) or 'nothing'})" for r in sorted(roots)
            )
            + " start separate lines"
            if len(roots) != 1
            else "; ".join(f"{', '.join(sorted(v))} all revise {k}" for k, v in forks.items())
        )
        raise CommandError(
            f"cannot rebase onto {ref}: this branch's revisions are not a single chain "
            f"({detail}); run `gitmig merge` after `git merge {ref}` instead"
        )
    chain = [own[roots[0]]]
    while children[chain[-1].revision]:
        chain.append(own[children[chain[-1].revision][0]])
    return tuple(chain)


def _refuse_if_published(
    reader: SnapshotReader, plan: RebasePlan, ref: str, exclude_refs: Sequence[str]
) -> None:
    ids = {r.revision for r in plan.chain}
    skip = {ref, *exclude_refs, reader.repo.short_name(ref)}
    for name in reader.repo.refs("refs/remotes", "refs/tags"):
        if name in skip:
            continue
        found = ids & set(reader.at(name).revisions)
        if found:
            raise CommandError(
                f"cannot rebase: revision(s) {', '.join(sorted(found))} already exist at "
                f"{name}; they may have been applied to a database from there, so rewriting "
                "them is refused. Use `gitmig merge` instead"
            )
