"""What every picture of the graph shares: captions, colours, collapsible runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitmig.command.graph_results import GraphNode, GraphPicture
    from gitmig.script.lanes import Segment

__all__ = ["LANE_COLOURS", "Run", "branch_colour", "caption", "line_colours", "runs"]

#: colours of lanes (by column) and of --git branches (by their order)
LANE_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
)
BRANCH_COLOURS = (
    "#aed6f1",
    "#f5b7b1",
    "#abebc6",
    "#d7bde2",
    "#fad7a0",
    "#a3e4d7",
    "#d5dbdb",
    "#f9e79f",
)


def line_colours(picture: GraphPicture) -> tuple[dict[str, str], Callable[[Segment], str]]:
    """The colour of each revision, and of each segment, by line of history.

    A revision continues the line of its first child (in row order) that names it as
    first parent, else starts a new line; a segment takes its parent's line, except a
    line ending in a join (a child's first parent on another line) keeps the child's.
    """
    line: dict[str, int] = {}
    count = 0
    for node in picture.nodes:
        rev = node.script.revision
        if rev not in line:
            line[rev] = count
            count += 1
        parents = node.script.parents
        if parents and parents[0] not in line:
            line[parents[0]] = line[rev]
    colour = {rev: LANE_COLOURS[n % len(LANE_COLOURS)] for rev, n in line.items()}
    first = {node.script.revision: node.script.parents[:1] for node in picture.nodes}

    def of(segment: Segment) -> str:
        if segment.child is not None and first[segment.child] == (segment.parent,):
            return colour[segment.child]
        return colour[segment.parent]

    return colour, of


class Run(NamedTuple):
    """Rows ``first`` to ``last`` (inclusive) of a linear run, shown as one row."""

    first: int
    last: int


def caption(picture: GraphPicture, node: GraphNode) -> str:
    """``(label) (head) (current) ...`` as ``history`` prints them (empty if none)."""
    from gitmig.display import tags

    return tags(node.script, picture.graph, picture.current)


def branch_colour(picture: GraphPicture, branch: str | None) -> str | None:
    """The fill of a revision added by git branch ``branch`` (``None``: no colour)."""
    if branch is None:
        return None
    return BRANCH_COLOURS[picture.branches.index(branch) % len(BRANCH_COLOURS)]


def runs(picture: GraphPicture, longer_than: int) -> list[Run]:
    """The runs of more than ``longer_than`` plain revisions, which a picture may fold.

    A plain revision has one parent and one child, on the rows next to it, with only
    straight lanes around it, and nothing to tell apart from its neighbours (no head,
    label, database row, or other colour): folding it hides nothing but ids.
    """
    if longer_than <= 0:
        return []
    rows = picture.layout.rows
    nodes = picture.nodes
    graph = picture.graph

    def plain(i: int) -> bool:
        if i == 0 or i == len(rows) - 1:
            return False
        script = nodes[i].script
        below_ok = all(s.top == s.bottom for s in rows[i].below)
        above_ok = all(s.top == s.bottom for s in rows[i - 1].below)
        return (
            below_ok
            and above_ok
            and script.parents == (rows[i + 1].revision,)
            and graph.children(script.revision) == (rows[i - 1].revision,)
            and script.revision not in graph.heads
            and not script.branch_labels
            and script.revision not in picture.current
            and nodes[i][1:] == nodes[i - 1][1:] == nodes[i + 1][1:]
        )

    found: list[Run] = []
    start: int | None = None
    for i in range(len(rows) + 1):
        if i < len(rows) and plain(i):
            start = i if start is None else start
            continue
        if start is not None and i - start > longer_than:
            found.append(Run(start, i - 1))
        start = None
    return found
