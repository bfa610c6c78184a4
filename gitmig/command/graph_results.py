"""What the graph commands return that is a record of several parts.

Kept apart from :mod:`gitmig.command.graph` because ``typing.NamedTuple`` imports
:mod:`typing`, which ``heads`` and ``history`` otherwise never load (about 4 ms at every
start); this module loads when one of these records is first built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from gitmig.script.base import Script
    from gitmig.script.lanes import Layout
    from gitmig.script.revision import RevisionMap

__all__ = ["CurrentHistory", "GraphNode", "GraphPicture"]


class CurrentHistory(NamedTuple):
    """``history --indicate-current``: the revisions, and the database's current ones."""

    #: revisions newest first
    scripts: list[Script]
    #: the version table's rows
    current: tuple[str, ...]


class GraphNode(NamedTuple):
    """One revision of :func:`graph`'s picture."""

    script: Script
    #: applied to the database (``None``: the database was not read)
    applied: bool | None
    #: the git branch that added its file (``--git``; ``None``: not asked, or not committed)
    branch: str | None


class GraphPicture(NamedTuple):
    """What :func:`graph` and ``history --graph`` draw: revisions newest first (the order
    a downgrade runs them), one row each, with the lanes that join them."""

    nodes: tuple[GraphNode, ...]
    layout: Layout
    #: ``(child, parent)`` down_revision links within the picture
    edges: tuple[tuple[str, str], ...]
    #: ``(revision, dependency)`` depends_on links within the picture
    dependencies: tuple[tuple[str, str], ...]
    #: the whole graph (labels, heads, branch points)
    graph: RevisionMap
    #: the database's version rows (``--db``), else empty
    current: tuple[str, ...]
    #: the git branches of ``--git``, in the order their colours are given
    branches: tuple[str, ...]
    #: whether the database was read, and whether git was asked
    db: bool
    git: bool
