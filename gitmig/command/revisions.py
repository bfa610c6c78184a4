"""Writing revisions: ``new`` (alias ``revision``), with or without autogenerate, and ``merge``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitmig.command._base import script_directory
from gitmig.exc import CommandError, MultipleHeadsError, UsageError

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.script.base import ScriptDirectory
    from gitmig.script.revision import RevisionMap

__all__ = ["edit", "merge", "new", "revision"]


def new(
    config: Config,
    message: str | None = None,
    head: str | None = None,
    splice: bool = False,
    branch_label: str | Sequence[str] | None = None,
    depends_on: str | Sequence[str] | None = None,
    rev_id: str | None = None,
    version_path: str | None = None,
    autogenerate: bool = False,
    process_revision_directives: Callable[..., None] | None = None,
) -> Path | None:
    """Write a new revision file on top of the (single) head and return its path.

    With ``autogenerate``, env.py runs and the revision holds the operations that bring the
    database (which must be at head) to ``target_metadata``.  ``process_revision_directives``
    (like env.py's) may change or empty the list of revisions to write; with several, the
    last path is returned, with none, ``None``.
    """
    script_dir = script_directory(config)
    if not autogenerate:
        return _write_new(
            config,
            script_dir,
            message,
            head,
            splice,
            branch_label,
            depends_on,
            rev_id,
            version_path,
            {},
        )
    from gitmig.autogenerate.api import RevisionContext
    from gitmig.command.migrate import run_autogenerate

    revision_context = RevisionContext(
        config,
        script_dir,
        {
            "message": message,
            "head": head,
            "splice": splice,
            "branch_label": branch_label,
            "depends_on": depends_on,
            "rev_id": rev_id,
            "version_path": version_path,
        },
        process_revision_directives,
    )
    run_autogenerate(script_dir, revision_context)
    path = None
    for script in revision_context.generated_revisions:
        path = _write_new(
            config,
            script_dir,
            script.message,
            script.head,
            bool(script.splice),
            script.branch_label,
            script.depends_on,
            script.rev_id,
            script.version_path,
            revision_context.template_args(script),
        )
    return path


def _write_new(
    config: Config,
    script_dir: ScriptDirectory,
    message: str | None,
    head: str | None,
    splice: bool,
    branch_label: str | Sequence[str] | None,
    depends_on: str | Sequence[str] | None,
    rev_id: str | None,
    version_path: str | None,
    template_args: dict[str, Any],
) -> Path:
    from gitmig.script.write import write_revision

    graph = script_dir.revision_map
    rev_id = _check_new_id(graph, rev_id)
    parents = _new_parents(graph, head, splice)
    labels = _check_labels(graph, branch_label)
    dependencies = [depends_on] if isinstance(depends_on, str) else list(depends_on or [])
    resolved_deps = [_resolve_single(graph, dep, "--depends-on") for dep in dependencies]
    folder = _version_folder(script_dir, version_path, parents)
    path = write_revision(
        script_dir,
        rev_id,
        message,
        parents[0] if len(parents) == 1 else (tuple(parents) or None),
        branch_labels=labels or None,
        depends_on=resolved_deps or None,
        version_path=folder,
        **template_args,
    )
    _after_write(config, script_dir, path)
    return path


revision = new  # Alembic's name for the same command


def _check_new_id(graph: RevisionMap, rev_id: str | None) -> str:
    from gitmig.script.revision import is_valid_id
    from gitmig.script.write import new_rev_id

    # Only None means "generate one": an empty --rev-id (say, an unset shell variable) is
    # refused rather than quietly replaced by a random id.
    rev_id = new_rev_id() if rev_id is None else rev_id
    if not is_valid_id(rev_id):
        raise UsageError(
            f"Invalid --rev-id {rev_id!r}: use letters, digits, '_' and '.' only "
            "(and not head, heads, base or current)"
        )
    if rev_id in graph:
        raise CommandError(f"Revision {rev_id} already exists ({graph.get(rev_id).where})")
    return rev_id


def _check_labels(graph: RevisionMap, branch_label: str | Sequence[str] | None) -> list[str]:
    from gitmig.script.revision import is_valid_label

    labels = [branch_label] if isinstance(branch_label, str) else list(branch_label or [])
    for label in labels:
        if not is_valid_label(label):
            raise UsageError(
                f"Invalid --branch-label {label!r}: labels may not be empty, reserved words, "
                "or hold '@', ':', '+', '-', ',' or spaces"
            )
        owner = graph.label_owner(label)
        if owner is not None:
            raise CommandError(
                f"Branch label {label!r} is already declared by {graph.get(owner).where}"
            )
    return labels


def _after_write(config: Config, script_dir: ScriptDirectory, path: Path) -> None:
    from gitmig.script.hooks import run_post_write_hooks

    run_post_write_hooks(config, path)
    script_dir.invalidate()
    _update_head_file(config, script_dir)  # also re-reads and validates the graph


def _update_head_file(config: Config, script_dir: ScriptDirectory) -> None:
    """Keep the optional heads file (option head_file) holding the graph's heads."""
    from gitmig.script.headfile import head_file_path, write_head_file

    graph = script_dir.revision_map
    path = head_file_path(config, script_dir)
    if path is not None:
        write_head_file(path, graph.heads)


def _new_parents(graph: object, head: str | None, splice: bool) -> tuple[str, ...]:
    from gitmig.script.revision import RevisionMap

    assert isinstance(graph, RevisionMap)
    if head is None:
        if len(graph.heads) > 1:
            raise MultipleHeadsError(
                f"Multiple heads are present ({', '.join(graph.heads)}); pass --head to "
                "choose the one to build on, or run 'gitmig merge' first",
                graph.heads,
            )
        return graph.heads
    parents = graph.resolve(head)
    for parent in parents:
        if parent not in graph.heads and not splice:
            raise CommandError(
                f"Revision {parent} is not a head revision; pass --splice to start a new "
                "branch from it"
            )
    return parents


def _resolve_single(graph: object, identifier: str, option: str) -> str:
    from gitmig.script.revision import RevisionMap

    assert isinstance(graph, RevisionMap)
    ids = graph.resolve(identifier)
    if len(ids) != 1:
        raise UsageError(f"{option} {identifier!r} must name exactly one revision")
    return ids[0]


def _version_folder(
    script_dir: ScriptDirectory, version_path: str | None, parents: Sequence[str]
) -> Path:
    if version_path is not None:
        wanted = Path(version_path).resolve()
        if wanted not in [p.resolve() for p in script_dir.version_locations]:
            raise UsageError(
                f"--version-path {version_path!r} is not one of the version_locations: "
                + ", ".join(str(p) for p in script_dir.version_locations)
            )
        return wanted
    if parents and len(script_dir.version_locations) > 1:
        parent_path = script_dir.get_script(parents[0]).path
        if parent_path:
            return Path(parent_path).parent
    return script_dir.version_locations[0]


def merge(
    config: Config,
    revisions: Sequence[str] = (),
    message: str | None = None,
    branch_label: str | Sequence[str] | None = None,
    rev_id: str | None = None,
) -> Path:
    """Write a merge revision whose down_revision is a tuple of ``revisions``.

    With no ``revisions``, merges every head of the graph. Refuses when fewer than two
    revisions remain to merge, or when one is an ancestor of another.
    """
    from gitmig.script.write import write_revision

    script_dir = script_directory(config)
    graph = script_dir.revision_map
    parents: list[str] = []
    for identifier in revisions or ("heads",):
        for rev in graph.resolve(identifier):
            if rev not in parents:
                parents.append(rev)
    if len(parents) < 2:
        if not parents:
            what = "no revisions"
        elif revisions:  # `merge b1 b1`: the graph may well have other heads
            what = f"{' '.join(revisions)} name a single revision ({parents[0]})"
        else:
            what = f"the graph has a single head ({parents[0]})"
        raise CommandError(f"Nothing to merge: {what}")
    for rev in parents:
        below = [p for p in parents if p != rev and rev in graph.ancestors([p], inclusive=False)]
        if below:
            raise CommandError(
                f"Cannot merge {rev} with {', '.join(below)}: it is already an ancestor of it"
            )
    rev_id = _check_new_id(graph, rev_id)
    labels = _check_labels(graph, branch_label)
    path = write_revision(
        script_dir,
        rev_id,
        message,
        tuple(parents),
        branch_labels=labels or None,
        version_path=_version_folder(script_dir, None, parents),
    )
    _after_write(config, script_dir, path)
    return path


def edit(config: Config, rev: str) -> list[Path]:
    """Open the revision file(s) ``rev`` names in ``$EDITOR`` (``current``: the database's).

    Returns the files opened, after the editor has exited.
    """
    from gitmig.command.graph import show
    from gitmig.util.editor import open_in_editor

    scripts = show(config, rev)
    if not scripts:
        if rev.strip() == "current":
            raise CommandError("The database is at base: there is no current revision to edit")
        raise CommandError(f"{rev!r} names no revision file (it is the base)")
    paths = [Path(script.path) for script in scripts if script.path is not None]
    for path in paths:
        open_in_editor(path)
    return paths
