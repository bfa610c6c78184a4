"""The git-aware commands: check-heads (against refs, staged), rebase, --since, blame.

They read the version folders as git sees them (:mod:`gitmig.git.divergence`) and return
reports; :mod:`gitmig.display` renders them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from gitmig.command._base import (
    is_upstream_ref,
    no_ref_supplies,
    open_repo,
    revision_graph,
    script_directory,
    snapshot_reader,
    supplied_parents,
    supplier_refs,
)
from gitmig.command.graph import history, show
from gitmig.exc import CommandError, MultipleHeadsError, UsageError

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.git.divergence import Comparison, RebasePlan, Snapshot, SnapshotReader, Supplied
    from gitmig.git.repo import Provenance, Repository
    from gitmig.lint.conflicts import SemanticCheck
    from gitmig.script.base import Script, ScriptDirectory
    from gitmig.script.divergence import Divergence
    from gitmig.script.revision import RevisionMap

__all__ = [
    "Blame",
    "HeadsCheck",
    "blame",
    "check_heads_report",
    "provenance",
    "rebase",
    "since_range",
]


class HeadsCheck:
    """What ``check-heads`` found: the graph here, the heads file, and each ``--against`` ref.

    (A plain class rather than a dataclass: building dataclasses costs milliseconds at
    import, and this module is on the light commands' path.)
    """

    def __init__(
        self,
        source: str,
        divergences: list[Divergence],
        head_file_problem: str | None = None,
        graph_problem: str | None = None,
    ) -> None:
        #: ``working tree`` or ``index``
        self.source = source
        #: heads on one line of history that need a merge, here alone
        self.divergences = divergences
        #: why the heads file (option head_file) disagrees with the graph, if it does
        self.head_file_problem = head_file_problem
        #: why the graph here cannot be built (a parent that no ref declares, a duplicate)
        self.graph_problem = graph_problem
        #: refs given but not compared, and why (``@{upstream}`` of a branch without one)
        self.skipped: list[str] = []
        #: one per ref compared against
        self.comparisons: list[Comparison] = []
        #: parents missing here that a git ref declares (right after `gitmig rebase`)
        self.supplied: list[Supplied] = []
        #: ref -> the semantic conflicts between what each side added (both added some)
        self.semantic: dict[str, SemanticCheck] = {}
        #: with --staged during a merge: HEAD against each commit being merged
        self.merging: list[SemanticCheck] = []

    @property
    def semantic_checks(self) -> list[SemanticCheck]:
        return [*self.semantic.values(), *self.merging]

    @property
    def ok(self) -> bool:
        return not (
            self.divergences
            or self.head_file_problem
            or self.graph_problem
            or any(not c.ok for c in self.comparisons)
            or any(check.certain for check in self.semantic_checks)
        )


def check_heads_report(
    config: Config,
    against: Sequence[str] | None = None,
    staged: bool = False,
    fix_head_file: bool = False,
) -> HeadsCheck:
    """Check the graph of the working tree (or the git index with ``staged``).

    Reports divergent heads, a heads file that disagrees with the graph, and for each ref
    in ``against`` what merging it would produce. ``against=None`` means the config's
    ``git_target`` refs, when inside a git repository; ``fix_head_file`` rewrites the heads
    file from the graph instead of reporting it.
    """
    script_dir = script_directory(config)
    targets = list(against or [])
    if against is None and config.get_list_option("git_target"):
        from gitmig.git.repo import find_worktree

        if find_worktree(script_dir.dir) is not None:
            targets = config.get_list_option("git_target")
    if not (staged or targets):
        graph = revision_graph(config)
        report = HeadsCheck("working tree", graph.divergences())
        report.supplied = supplied_parents(config)
        report.head_file_problem = _head_file_problem(config, script_dir, graph, fix_head_file)
        return report

    option = "--staged" if staged else "--against"
    from gitmig.exc import RevisionError
    from gitmig.git.divergence import compare, missing_parents

    with open_repo(script_dir, option) as repo:
        reader = snapshot_reader(repo, script_dir)
        ours = reader.index() if staged else reader.working_tree()
        report = HeadsCheck(ours.name, [])
        upstream = repo.upstream() if any(is_upstream_ref(ref) for ref in targets) else None
        refs = []
        for ref in targets:
            if is_upstream_ref(ref) and upstream is None:
                # A branch's first push has no upstream yet: nothing to diverge from.
                report.skipped.append(f"{ref}: the current branch has no upstream; not checked")
            else:
                refs.append(ref)
        own = ours
        ours = _complete(config, repo, reader, ours, report, refs)
        report.comparisons = [compare(reader, ours, ref) for ref in refs]
        _semantic(config, repo, reader, report, own, staged)
        try:
            graph = _graph_of(ours)
        except RevisionError as err:
            if not report.comparisons:
                raise
            # A parent that exists nowhere is already one line of each comparison (an orphan).
            missing = set(missing_parents(ours.revisions))
            if (
                ours.duplicates
                or not missing
                or any(
                    not missing <= {o.missing for o in c.orphans if o.side == "ours"}
                    for c in report.comparisons
                )
            ):
                report.graph_problem = str(err)
            return report
        report.divergences = graph.divergences()
        head_text = _staged_head_file(config, script_dir, repo) if staged else None
        report.head_file_problem = _head_file_problem(
            config, script_dir, graph, fix_head_file, head_text, staged
        )
    return report


def _complete(
    config: Config,
    repo: Repository,
    reader: SnapshotReader,
    ours: Snapshot,
    report: HeadsCheck,
    refs: Sequence[str],
) -> Snapshot:
    """``ours`` with the parents it lacks taken from the first git ref that declares them
    (``refs`` first; noted in ``report``). Without comparisons to report it, a parent that
    no ref declares is an error naming it."""
    from gitmig.git.divergence import find_supplier, missing_parents

    if ours.duplicates or not missing_parents(ours.revisions):
        return ours
    candidates = supplier_refs(config, repo, refs)
    found = find_supplier(reader, ours.revisions, candidates, ours.paths)
    if found is None:
        error = no_ref_supplies(reader, ours.revisions, candidates)
        if error is not None and not refs:
            raise error
        return ours
    report.supplied = found.supplied
    return found.complete(ours)


def _semantic(
    config: Config,
    repo: Repository,
    reader: SnapshotReader,
    report: HeadsCheck,
    own: Snapshot,
    staged: bool,
) -> None:
    """Semantic conflicts for each comparison, and with ``staged`` for a merge in progress:
    HEAD against MERGE_HEAD, reading their files from the index. ``own`` is this side as it
    is, without the parents a ref supplies (those belong to the ref's side). Ops are
    recorded (SQLAlchemy imported) only when both sides added revisions."""
    from gitmig.git.divergence import Snapshot

    pairs: list[tuple[Snapshot, Snapshot, str | None, Snapshot | None, str | None]] = [
        (own, c.theirs, c.merge_base, None, c.ref)
        for c in report.comparisons
        if c.added_ours and c.added_theirs
    ]
    index = own if staged else None
    head = repo.head_commit() if staged else None
    for merge_head in repo.merge_heads() if head else []:
        assert head is not None
        base_commit = repo.merge_base(head, merge_head)
        base = reader.at_commit(base_commit) if base_commit else Snapshot("none", None)
        here, there = reader.at_commit(head), reader.at_commit(merge_head)
        if set(here.revisions) - set(base.revisions) and set(there.revisions) - set(base.revisions):
            pairs.append((here, there, base_commit, index, None))
    if not pairs:
        return
    from gitmig.command._conflicts import SemanticChecker

    checker = SemanticChecker(config, reader)
    for ours, theirs, base_commit, content, ref in pairs:
        names = None if ref is not None else ("HEAD", "MERGE_HEAD")
        found = checker.check(ours, theirs, base_commit, content, names)
        if found is None:
            continue
        if ref is None:
            report.merging.append(found)
        else:
            report.semantic[ref] = found


def _graph_of(snapshot: Snapshot) -> RevisionMap:
    from gitmig.script.revision import RevisionMap, duplicate_id_error

    if snapshot.duplicates:
        rev_id, first, second = snapshot.duplicates[0]
        raise duplicate_id_error(rev_id, first, f"{second} (in the {snapshot.name})")
    return RevisionMap(snapshot.revisions.values())


def _staged_head_file(config: Config, script_dir: ScriptDirectory, repo: Repository) -> str | None:
    from gitmig.script.headfile import head_file_path

    path = head_file_path(config, script_dir)
    if path is None:
        return None
    relpath = repo.relative(path)
    folder = relpath.rpartition("/")[0]
    for entry in repo.staged_files(folder):
        if entry.path == relpath:
            return repo.read_blob(entry.blob).decode("utf-8", errors="replace")
    return None


def _head_file_problem(
    config: Config,
    script_dir: ScriptDirectory,
    graph: RevisionMap,
    fix: bool,
    text: str | None = None,
    staged: bool = False,
) -> str | None:
    from gitmig.script.headfile import check_head_file, head_file_path, write_head_file

    path = head_file_path(config, script_dir)
    if path is None:
        if fix:
            raise CommandError("--fix-head-file: no head_file option is set in the config")
        return None
    if fix:
        if graph.divergences():
            raise CommandError(
                "--fix-head-file: the graph has divergent heads; run `gitmig merge` first "
                "(it writes the heads file too)"
            )
        write_head_file(path, graph.heads)
        return None
    if not staged:
        text = path.read_text(encoding="utf-8") if path.is_file() else None
    return check_head_file(path, text, graph.heads, bool(graph.divergences()))


def rebase(config: Config, onto: str, dry_run: bool = False) -> RebasePlan:
    """Re-parent this branch's own revisions onto the head of git ref ``onto``.

    The revisions present here and absent at ``onto`` must form one chain; the first one's
    ``down_revision`` (and its ``Revises:`` line) is rewritten in place to ``onto``'s head,
    leaving every other byte alone. Returns the plan (``plan.noop`` when there was nothing
    to do); raises CommandError explaining a refusal.
    """
    from gitmig.git.divergence import plan_rebase
    from gitmig.script.headfile import head_file_path, write_head_file
    from gitmig.script.revision import duplicate_id_error
    from gitmig.script.rewrite import set_down_revision

    script_dir = script_directory(config)
    with open_repo(script_dir, "rebase") as repo:
        reader = snapshot_reader(repo, script_dir)
        ours = reader.working_tree()
        if ours.duplicates:
            raise duplicate_id_error(*ours.duplicates[0])
        upstream = repo.upstream()
        plan = plan_rebase(reader, ours, onto, exclude_refs=[upstream] if upstream else [])
    if plan.noop or dry_run:
        return plan
    assert plan.onto is not None
    first = plan.chain[0]
    assert first.path is not None
    path = Path(first.path)
    path.write_bytes(set_down_revision(path.read_bytes(), plan.onto, str(path)))
    script_dir.invalidate()
    # Before `git merge REF` the parent exists only at REF, so the heads file gets the heads
    # of the united graph (what the branch will have once merged).
    head_file = head_file_path(config, script_dir)
    if head_file is not None:
        write_head_file(head_file, plan.heads_after)
    return plan


class Blame(NamedTuple):
    """A revision and the git commit that added its file (``None``: not committed yet)."""

    script: Script
    provenance: Provenance | None


def provenance(
    config: Config, scripts: Sequence[Script], option: str = "history --git"
) -> list[Blame]:
    """Pair each script with who added it to git, when, and the branches containing it.

    ``option`` names what needs git in the error raised outside a repository.
    """
    script_dir = script_directory(config)
    with open_repo(script_dir, option) as repo:
        found: dict[str, Provenance] = {}
        relpaths = {s.revision: repo.relative(s.path) for s in scripts if s.path}
        for location in script_dir.version_locations:
            found.update(repo.provenance(repo.relative(location), relpaths.values()))
    return [Blame(s, found.get(relpaths.get(s.revision, ""))) for s in scripts]


def blame(config: Config, rev: str | None = None) -> list[Blame]:
    """Provenance of revision ``rev`` (every revision, newest first, when ``None``)."""
    scripts = show(config, rev) if rev else history(config)
    return provenance(config, scripts, "blame")


def since_range(config: Config, ref: str, target: str = "head") -> str:
    """``START:TARGET`` where START is the head of what this branch shares with git ref
    ``ref``: the revisions present both here and at ``ref``.

    ``upgrade --sql --since REF`` runs ``upgrade --sql START:TARGET``, so the offline SQL
    covers only the revisions this branch adds: before merging ``ref`` START is where the
    branch forked, after merging or rebasing onto it, ``ref``'s head. Right after
    ``gitmig rebase --onto REF`` the graph takes that head from ``ref`` itself. When the
    two share nothing, everything is new and the range is just ``TARGET``.
    """
    if ":" in target:
        raise UsageError(f"--since {ref} gives the START; the revision {target!r} must be END")
    from gitmig.script.revision import head_ids

    script_dir = script_directory(config)
    with open_repo(script_dir, "--since") as repo:
        theirs = snapshot_reader(repo, script_dir).at(ref)
    graph = revision_graph(config, prefer=[ref])
    heads = tuple(sorted(head_ids(rev for rev in graph if rev.revision in theirs.revisions)))
    if len(heads) > 1:
        raise MultipleHeadsError(
            f"--since {ref}: the graph at {ref} has several heads ({', '.join(heads)}); "
            "give START:END explicitly instead",
            heads,
        )
    return f"{heads[0]}:{target}" if heads else target
