"""Writing a new revision file into a ScriptDirectory: the checks, the file, what follows.

The one path behind ``gitmig new``/``merge`` and ``ScriptDirectory.generate_revision``:
check the id, parents and labels against the graph, render the file, run the post-write
hooks, refresh the graph and the heads file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitmig.exc import CommandError, MultipleHeadsError, ResolutionError, UsageError

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.script.base import ScriptDirectory
    from gitmig.script.revision import RevisionMap

__all__ = ["after_write", "check_labels", "check_new_id", "new_revision", "version_folder"]


def new_revision(
    config: Config,
    script_dir: ScriptDirectory,
    message: str | None,
    head: str | Sequence[str] | None,
    splice: bool,
    branch_label: str | Sequence[str] | None,
    depends_on: str | Sequence[str] | None,
    rev_id: str | None,
    version_path: str | None,
    template_args: dict[str, Any],
) -> Path:
    """Check a new revision against the graph, write its file and return the path."""
    from gitmig.script.write import write_revision

    graph = _graph(script_dir)
    rev_id = check_new_id(graph, rev_id)
    parents = _new_parents(graph, head, splice)
    labels = check_labels(graph, branch_label)
    dependencies = [depends_on] if isinstance(depends_on, str) else list(depends_on or [])
    resolved_deps = [_resolve_single(graph, dep, "--depends-on") for dep in dependencies]
    folder = version_folder(script_dir, version_path, parents)
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
    after_write(config, script_dir, path)
    return path


def _graph(script_dir: ScriptDirectory) -> RevisionMap:
    """The graph a new revision joins: empty while no version folder exists yet."""
    if script_dir.has_version_folder():
        return script_dir.revision_map
    from gitmig.script.revision import RevisionMap

    return RevisionMap([])


def check_new_id(graph: RevisionMap, rev_id: str | None) -> str:
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


def check_labels(graph: RevisionMap, branch_label: str | Sequence[str] | None) -> list[str]:
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


def after_write(config: Config, script_dir: ScriptDirectory, path: Path) -> None:
    from gitmig.script.hooks import run_post_write_hooks

    run_post_write_hooks(config, path)
    script_dir.revision_written(path)
    _update_head_file(config, script_dir)  # also re-reads and validates the graph


def _update_head_file(config: Config, script_dir: ScriptDirectory) -> None:
    """Keep the optional heads file (option head_file) holding the graph's heads."""
    from gitmig.script.headfile import head_file_path, write_head_file

    graph = script_dir.revision_map
    path = head_file_path(config, script_dir)
    if path is not None:
        write_head_file(path, graph.heads)


def _new_parents(graph: object, head: str | Sequence[str] | None, splice: bool) -> tuple[str, ...]:
    from gitmig.script.revision import RevisionMap

    assert isinstance(graph, RevisionMap)
    if head is None:
        if len(graph.heads) > 1:
            raise MultipleHeadsError(
                "Multiple heads are present; please specify the head revision on which the "
                f"new revision should be based, or perform a merge (heads: "
                f"{', '.join(graph.heads)}; pass --head, or run 'gitmig merge' first)",
                graph.heads,
            )
        return graph.heads
    heads = (head,) if isinstance(head, str) else tuple(head)  # several: a merge
    parents = tuple(dict.fromkeys(p for one in heads for p in graph.resolve(one)))
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
    try:
        ids = graph.resolve(identifier)
    except ResolutionError as err:
        raise ResolutionError(
            f"Can't locate revision identified by {identifier!r} for {option}: {err}",
            identifier,
        ) from None
    if len(ids) != 1:
        raise UsageError(f"{option} {identifier!r} must name exactly one revision")
    return ids[0]


def version_folder(
    script_dir: ScriptDirectory, version_path: str | None, parents: Sequence[str]
) -> Path:
    """The folder a new revision goes to: ``version_path``, else its parent's, else the one.

    With several version folders and no parent to follow, ``version_path`` is required.
    """
    locations = script_dir._version_locations
    if version_path is None:
        if len(locations) == 1:
            return locations[0]
        for parent in parents:
            parent_path = script_dir.get_script(parent).path
            if parent_path:
                return Path(parent_path).parent.absolute()
        raise UsageError(
            "Multiple version locations present, please specify --version-path "
            f"(one of {', '.join(map(str, locations))})"
        )
    wanted = Path(version_path).absolute()
    # Spellings of one folder (a trailing separator, ``..``, a symlink) are the same folder.
    for location in locations:
        if os.path.normcase(os.path.realpath(location)) == os.path.normcase(
            os.path.realpath(wanted)
        ):
            return location
    raise UsageError(
        f"Path {Path(version_path)} is not represented in current version locations "
        f"(--version-path must be one of {', '.join(map(str, locations))})"
    )
