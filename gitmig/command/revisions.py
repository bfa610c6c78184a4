"""Writing revisions: ``new`` (alias ``revision``), with or without autogenerate, and ``merge``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gitmig.command._base import script_directory
from gitmig.exc import CommandError
from gitmig.script.generate import (
    after_write,
    check_labels,
    check_new_id,
    new_revision,
    version_folder,
)

if TYPE_CHECKING:
    from gitmig.config import Config

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
        return new_revision(
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
        path = new_revision(
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


revision = new  # Alembic's name for the same command


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
    rev_id = check_new_id(graph, rev_id)
    labels = check_labels(graph, branch_label)
    path = write_revision(
        script_dir,
        rev_id,
        message,
        tuple(parents),
        branch_labels=labels or None,
        version_path=version_folder(script_dir, None, parents),
    )
    after_write(config, script_dir, path)
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
