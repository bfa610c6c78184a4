"""Reading the graph: heads, branch points, history, one revision, divergent heads.

These are the light commands: nothing here imports SQLAlchemy, Mako or the git layer
(unless a parent is missing here and git must say which ref has it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitmig.command._base import revision_graph, script_directory
from gitmig.exc import CommandError, UsageError

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.script.base import Script
    from gitmig.script.revision import Divergence

__all__ = ["branches", "check_heads", "heads", "history", "show"]


def heads(config: Config, resolve_dependencies: bool = False) -> list[Script]:
    """The head revisions (with ``resolve_dependencies``, only those nothing depends on)."""
    graph = revision_graph(config)
    ids = list(graph.heads)
    if resolve_dependencies:
        needed = {dep for rev in graph for dep in rev.dependencies}
        ids = [h for h in ids if h not in needed]
    return [script_directory(config).get_script(h) for h in ids]


def branches(config: Config) -> list[tuple[Script, list[Script]]]:
    """Branch points: each revision with more than one child, with its children."""
    script_dir = script_directory(config)
    graph = revision_graph(config)
    return [
        (script_dir.get_script(rev.revision), [script_dir.get_script(c) for c in children])
        for rev in graph
        if len(children := graph.children(rev.revision)) > 1
    ]


def history(config: Config, rev_range: str | None = None) -> list[Script]:
    """Revisions newest first, optionally limited to ``START:END`` (either side optional)."""
    script_dir = script_directory(config)
    lower: str | None = None
    upper: str | None = None
    if rev_range:
        if ":" not in rev_range:
            raise UsageError(
                f"History range {rev_range!r} must be START:END (either side may be empty)"
            )
        lower, upper = (part.strip() or None for part in rev_range.split(":", 1))
    if "current" in (lower, upper):
        # As in Alembic, `current` is where the database stands: env.py reads it.
        at = _database_revision(config, rev_range)
        if upper == "current" and at is None:
            return []  # the database is at base: nothing is at or below it
        lower, upper = (at if part == "current" else part for part in (lower, upper))
    selected = revision_graph(config).range(
        None if lower == "base" else lower, None if upper == "heads" else upper
    )
    return [script_dir.get_script(rev.revision) for rev in reversed(selected)]


def _database_revision(config: Config, rev_range: str | None) -> str | None:
    """The one revision the database is at (``None``: base), for ``history -r current:``."""
    from gitmig.command.migrate import current

    rows = current(config).rows
    if len(rows) > 1:
        raise CommandError(
            f"history -r {rev_range}: the database is at several revisions "
            f"({', '.join(rows)}); name one of them instead of current"
        )
    return rows[0] if rows else None


def show(config: Config, rev: str) -> list[Script]:
    """The revision(s) an identifier names (``heads`` may name several)."""
    script_dir = script_directory(config)
    ids = revision_graph(config).resolve(rev)
    if not ids:
        raise CommandError(f"{rev!r} names no revision (it is the base)")
    return [script_dir.get_script(rev_id) for rev_id in ids]


def check_heads(config: Config) -> list[Divergence]:
    """Heads that share a line of history and need a merge (empty when the graph is fine)."""
    return revision_graph(config).divergences()
