"""Writing revisions: ``new`` (alias ``revision``), with or without autogenerate, and ``merge``."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitmig.command._base import script_directory
from gitmig.exc import CommandError, UsageError
from gitmig.script.generate import (
    after_write,
    check_labels,
    check_new_id,
    new_revision,
    version_folder,
)

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.script.base import Script

__all__ = ["edit", "merge", "new", "revision"]


def new(
    config: Config,
    message: str | None = None,
    head: str | None = None,
    splice: bool = False,
    branch_label: str | Sequence[str] | None = None,
    depends_on: str | Sequence[str] | None = None,
    rev_id: str | None = None,
    version_path: str | os.PathLike[str] | None = None,
    autogenerate: bool = False,
    process_revision_directives: Callable[..., None] | None = None,
    sql: bool = False,
) -> Script | None:
    """Write a new revision file on top of the (single) head and return its script.

    With ``autogenerate``, env.py runs and the revision holds the operations that bring the
    database (which must be at head) to ``target_metadata``; with the config's
    ``revision_environment`` on, env.py runs without comparing anything (offline with
    ``sql``). ``process_revision_directives`` (like env.py's) may change or empty the list
    of revisions to write; with several, the last is returned, with none, ``None``.
    """
    written = _write(
        config,
        _options(message, head, splice, branch_label, depends_on, rev_id, version_path),
        autogenerate,
        sql,
        process_revision_directives,
    )
    return written[-1] if written else None


def revision(
    config: Config,
    message: str | None = None,
    autogenerate: bool = False,
    sql: bool = False,
    head: str | None = "head",
    splice: bool = False,
    branch_label: str | Sequence[str] | None = None,
    version_path: str | os.PathLike[str] | None = None,
    rev_id: str | None = None,
    depends_on: str | Sequence[str] | None = None,
    process_revision_directives: Callable[..., None] | None = None,
) -> Script | list[Script] | None:
    """:func:`new` with Alembic's signature and result: the script written, a list when
    ``process_revision_directives`` asked for several (or none)."""
    head = None if head == "head" else head  # gitmig's "on the single head"
    written = _write(
        config,
        _options(message, head, splice, branch_label, depends_on, rev_id, version_path),
        autogenerate,
        sql,
        process_revision_directives,
    )
    return written[0] if len(written) == 1 else written


def _options(
    message: str | None,
    head: str | None,
    splice: bool,
    branch_label: str | Sequence[str] | None,
    depends_on: str | Sequence[str] | None,
    rev_id: str | None,
    version_path: str | os.PathLike[str] | None,
) -> dict[str, Any]:
    """What a new revision is written with, as the writer takes it."""
    return {
        "message": message,
        "head": head,
        "splice": splice,
        "branch_label": branch_label,
        "depends_on": depends_on,
        "rev_id": rev_id,
        "version_path": os.fspath(version_path) if version_path is not None else None,
    }


def _write(
    config: Config,
    args: dict[str, Any],
    autogenerate: bool,
    sql: bool,
    process_revision_directives: Callable[..., None] | None,
) -> list[Script]:
    """Write the revision(s) ``args`` describe, running env.py when it is asked for."""
    script_dir = script_directory(config)
    environment = autogenerate or config.get_bool_option("revision_environment")
    if sql and autogenerate:
        raise UsageError("Using --sql with --autogenerate does not make any sense")
    if sql and not environment:
        raise UsageError(
            "Using --sql with the revision command when revision_environment is not "
            "configured does not make any sense"
        )
    if not environment:
        path = new_revision(
            config,
            script_dir,
            args["message"],
            args["head"],
            bool(args["splice"]),
            args["branch_label"],
            args["depends_on"],
            args["rev_id"],
            args["version_path"],
            {},
        )
        return [script_dir.script_at(path)]
    from gitmig.autogenerate.api import RevisionContext
    from gitmig.command.migrate import run_autogenerate, run_env

    revision_context = RevisionContext(config, script_dir, args, process_revision_directives)
    if autogenerate:
        run_autogenerate(script_dir, revision_context)
    else:
        run_env(
            config,
            script_dir,
            fn=revision_context.run_no_autogenerate,
            as_sql=sql,
            dont_mutate=True,
            revision_context=revision_context,
        )
    paths = [
        new_revision(
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
        for script in revision_context.generated_revisions
    ]
    return [script_dir.script_at(path) for path in paths]


def merge(
    config: Config,
    revisions: str | Sequence[str] = (),
    message: str | None = None,
    branch_label: str | Sequence[str] | None = None,
    rev_id: str | None = None,
    splice: bool = False,
) -> Script:
    """Write a merge revision whose down_revision is a tuple of ``revisions`` and return
    its script.

    With no ``revisions``, merges every head of the graph. Refuses when fewer than two
    revisions remain to merge, when one is an ancestor of another, and (without
    ``splice``) when one is not a head. With ``revision_environment`` on, env.py runs first.
    """
    from gitmig.script.write import write_revision

    script_dir = script_directory(config)
    graph = script_dir.revision_map
    named = (revisions,) if isinstance(revisions, str) else tuple(revisions)
    parents: list[str] = []
    for identifier in named or ("heads",):
        for rev in graph.resolve(identifier):
            if rev not in parents:
                parents.append(rev)
    if len(parents) < 2:
        if not parents:
            what = "no revisions"
        elif named:  # `merge b1 b1`: the graph may well have other heads
            what = f"{' '.join(named)} name a single revision ({parents[0]})"
        else:
            what = f"the graph has a single head ({parents[0]})"
        raise CommandError(f"Nothing to merge: {what}")
    for rev in parents:
        below = [p for p in parents if p != rev and rev in graph.ancestors([p], inclusive=False)]
        if below:
            raise CommandError(
                f"Cannot merge {rev} with {', '.join(below)}: it is already an ancestor of it"
            )
    not_heads = [rev for rev in parents if rev not in graph.heads]
    if not_heads and not splice:
        raise CommandError(
            f"Revision {', '.join(not_heads)} is not a head revision; please specify --splice "
            "to merge it anyway"
        )
    rev_id = check_new_id(graph, rev_id)
    labels = check_labels(graph, branch_label)
    if config.get_bool_option("revision_environment"):
        from gitmig.command.migrate import run_env

        run_env(config, script_dir, fn=lambda heads, context: [], dont_mutate=True)
    path = write_revision(
        script_dir,
        rev_id,
        message,
        tuple(parents),
        branch_labels=labels or None,
        version_path=version_folder(script_dir, None, parents),
    )
    after_write(config, script_dir, path)
    return script_dir.script_at(path)


def edit(config: Config, rev: str) -> list[Path]:
    """Open the revision file(s) ``rev`` names in ``$EDITOR`` (``current``: the database's).

    Returns the files opened, after the editor has exited.
    """
    from gitmig import util
    from gitmig.command.graph import show

    scripts = show(config, rev)
    if not scripts:
        if rev.strip() == "current":
            raise CommandError(
                "No current revisions: the database is at base, there is no revision to edit"
            )
        raise CommandError(f"No revision files indicated by symbol {rev!r} (it is the base)")
    paths = [Path(script.path) for script in scripts if script.path is not None]
    for path in paths:
        util.open_in_editor(os.fspath(path))  # looked up here, so that tests can replace it
    return paths
