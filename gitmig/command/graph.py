"""Reading the graph: heads, branch points, history, one revision, divergent heads.

These are the light commands: nothing here imports SQLAlchemy, Mako or the git layer
(unless a parent is missing here and git must say which ref has it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from gitmig.command._base import revision_graph, script_directory
from gitmig.exc import RevisionError, UsageError

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.script.base import Script
    from gitmig.script.revision import Divergence

__all__ = [
    "CurrentHistory",
    "branches",
    "check_heads",
    "heads",
    "history",
    "history_current",
    "show",
]


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
    """Revisions newest first, optionally limited to ``START:END`` (either side optional).

    ``current`` may stand for either side (``current:`` lists what an upgrade to the heads
    would run); the database is then read through env.py.
    """
    return _history(config, rev_range, None)


class CurrentHistory(NamedTuple):
    """``history --indicate-current``: the revisions, and the database's current ones."""

    #: revisions newest first
    scripts: list[Script]
    #: the version table's rows
    current: tuple[str, ...]


def history_current(config: Config, rev_range: str | None = None) -> CurrentHistory:
    """:func:`history` plus the database's current revisions (env.py runs to read them)."""
    rows = _current_rows(config)
    return CurrentHistory(_history(config, rev_range, rows), rows)


def _current_rows(config: Config) -> tuple[str, ...]:
    from gitmig.command.migrate import current

    return current(config).rows


def _history(config: Config, rev_range: str | None, rows: tuple[str, ...] | None) -> list[Script]:
    """``history``; ``rows`` are the database's rows (``None``: read them if needed)."""
    script_dir = script_directory(config)
    lower: str | None = None
    upper: str | None = None
    if rev_range:
        if ":" not in rev_range:
            raise UsageError(
                f"History range {rev_range!r} must be START:END (either side may be empty)"
            )
        lower, upper = (part.strip() or None for part in rev_range.split(":", 1))
    if "current" in (lower, upper) and rows is None:
        rows = _current_rows(config)
    if "current" in (lower, upper) and not rows:
        if upper == "current":
            return []  # the database is at base: nothing is at or below it
        lower = None
    selected = revision_graph(config).range(
        rows if lower == "current" else None if lower == "base" else lower,
        rows if upper == "current" else None if upper == "heads" else upper,
    )
    if not selected and lower and upper and "current" not in (lower, upper):
        # START above END (say head:base): an empty answer would pass for "nothing there",
        # and `lint` would lint nothing and succeed.
        raise RevisionError(
            f"Range {rev_range!r} names no revision: {lower} is not at or below {upper} on "
            f"one line of history; write START:END oldest first (e.g. {upper}:{lower})"
        )
    return [script_dir.get_script(rev.revision) for rev in reversed(selected)]


def show(config: Config, rev: str) -> list[Script]:
    """The revision(s) an identifier names: several for ``heads``, none for ``base`` or
    ``LABEL@base`` (as in Alembic). ``current`` reads the database (env.py runs)."""
    script_dir = script_directory(config)
    rows = _current_rows(config) if rev.strip() == "current" else ()
    ids = revision_graph(config).resolve(rev, rows)
    return [script_dir.get_script(rev_id) for rev_id in ids]


def check_heads(config: Config) -> list[Divergence]:
    """Heads that share a line of history and need a merge (empty when the graph is fine)."""
    return revision_graph(config).divergences()
