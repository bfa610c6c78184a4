"""``graph --format svg``: the lanes drawn by gitmig, one row per revision.

Each row is a strip (its node, and the halves of the lines above and below it), so that
:mod:`gitmig.render.graph_html` can fold rows away and the strips still join.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from gitmig.render._graph import Run, branch_colour, caption, line_colours, runs

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitmig.command.graph_results import GraphNode, GraphPicture
    from gitmig.script.lanes import Row, Segment

    Paint = tuple[dict[str, str], Callable[[Segment], str]]

__all__ = ["ROW", "folded_strip", "graph_svg", "lane_width", "node_label", "paint", "strip"]

ROW = 28  # pixels per row
COLUMN = 18  # pixels per lane
MARGIN = 12
APPLIED = "#1b5e20"  # revisions applied to the database
FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"


def lane_width(picture: GraphPicture) -> int:
    """The width of the lanes' part of a row."""
    return 2 * MARGIN + COLUMN * max(picture.layout.width - 1, 0)


def _x(column: int) -> float:
    return MARGIN + COLUMN * column


def _half(segment: Segment, upper: bool, index: int, colour: str) -> str:
    """One half of a line between two rows, as a path in a strip's coordinates: the
    lower half of the strip (``upper``: the line leaves this row), or the upper half."""
    x0, x1 = _x(segment.top), _x(segment.bottom)
    xm = (x0 + x1) / 2
    # The halves of one cubic from (x0, row centre) to (x1, next row's centre), split at
    # its middle, which lies on the strips' border.
    if upper:
        y0 = ROW / 2
        d = (
            f"M{x0:g},{y0:g} C{x0:g},{y0 + ROW / 4:g} "
            f"{(x0 + xm) / 2:g},{ROW * 7 / 8:g} {xm:g},{ROW:g}"
        )
    else:
        d = f"M{xm:g},0 C{(xm + x1) / 2:g},{ROW / 8:g} {x1:g},{ROW / 4:g} {x1:g},{ROW / 2:g}"
    child = f" data-child={quoteattr(segment.child)}" if segment.child else ""
    return (
        f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2"'
        f" data-row={quoteattr(str(index))} data-parent={quoteattr(segment.parent)}{child}/>"
    )


def node_label(picture: GraphPicture, node: GraphNode) -> str:
    """The text beside a node: ``id (tags) message``."""
    tags = caption(picture, node)
    return f"{node.script.revision}{' ' + tags if tags else ''}  {node.script.doc}"


def paint(picture: GraphPicture) -> Paint:
    """The colours of a picture's revisions and segments (see ``line_colours``)."""
    return line_colours(picture)


def strip(picture: GraphPicture, index: int, paint: Paint) -> str:
    """Row ``index`` as SVG elements in its own coordinates (0 to ROW high)."""
    colours, of = paint
    rows = picture.layout.rows
    row: Row = rows[index]
    node = picture.nodes[index]
    parts: list[str] = []
    if index > 0:
        parts.extend(_half(s, False, index - 1, of(s)) for s in rows[index - 1].below)
    parts.extend(_half(s, True, index, of(s)) for s in row.below)
    fill = branch_colour(picture, node.branch) or "#ffffff"
    stroke = colours[node.script.revision]
    x = _x(row.column)
    radius = 6 if node.script.revision in picture.graph.heads else 5
    title = escape(f"{node.script.revision}: {node.script.doc} ({node.script.path})")
    parts.append(
        f'<circle id={quoteattr("rev-" + node.script.revision)} cx="{x:g}" cy="{ROW / 2:g}"'
        f' r="{radius}" fill="{fill}" stroke="{stroke}" stroke-width="2">'
        f"<title>{title}</title></circle>"
    )
    if node.applied:  # a dot inside, so that a --git colour still shows
        parts.append(
            f'<circle class="applied" cx="{x:g}" cy="{ROW / 2:g}" r="2.5" fill="{APPLIED}"/>'
        )
    if node.script.revision in picture.current:
        parts.append(
            f'<circle cx="{x:g}" cy="{ROW / 2:g}" r="{radius + 3}" fill="none" '
            f'stroke="{APPLIED}" stroke-width="1.5"/>'
        )
    return "".join(parts)


def folded_strip(picture: GraphPicture, run: Run, paint: Paint) -> str:
    """The row standing for folded rows ``run``: their lanes, straight through."""
    of = paint[1]
    row = picture.layout.rows[run.first]
    parts: list[str] = []
    for s in row.below:  # straight (the run is plain): the lanes by these rows
        x = _x(s.top)
        parts.append(
            f'<path d="M{x:g},0 L{x:g},{ROW:g}" stroke="{of(s)}" stroke-width="2"'
            ' stroke-dasharray="3,3" fill="none"/>'
        )
    return "".join(parts)


def _text(x: float, y: float, text: str, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return f'<text x="{x:g}" y="{y:g}"{weight}>{escape(text)}</text>'


def _legend(picture: GraphPicture) -> list[str]:
    """Lines saying what the colours mean (--git, --db)."""
    found: list[str] = []
    if picture.git:
        found.extend(f"branch {name}" for name in picture.branches)
    if picture.db:
        found.append("applied to the database (dotted; ringed: its version rows)")
    return found


def graph_svg(picture: GraphPicture, collapse: int = 0) -> str:
    """The whole picture as one SVG document; runs of more than ``collapse`` plain
    revisions are folded into one row saying how many."""
    folded = {run.first: run for run in runs(picture, collapse)}
    colours = paint(picture)
    lanes = lane_width(picture)
    body: list[str] = []
    y = 0
    index = 0
    longest = 0
    while index < len(picture.nodes):
        if index in folded:
            run = folded[index]
            count = run.last - run.first + 1
            body.append(
                f'<g transform="translate(0,{y})">{folded_strip(picture, run, colours)}</g>'
            )
            text = f"... {count} revisions ({picture.nodes[run.last].script.revision} to "
            text += f"{picture.nodes[run.first].script.revision})"
            body.append(_text(lanes, y + ROW / 2 + 4, text))
            index = run.last + 1
        else:
            body.append(f'<g transform="translate(0,{y})">{strip(picture, index, colours)}</g>')
            text = node_label(picture, picture.nodes[index])
            body.append(_text(lanes, y + ROW / 2 + 4, text))
            index += 1
        longest = max(longest, len(text))
        y += ROW
    for i, line in enumerate(_legend(picture)):
        colour = APPLIED
        if picture.git and i < len(picture.branches):
            colour = branch_colour(picture, picture.branches[i]) or colour
        body.append(
            f'<rect x="{MARGIN - 6}" y="{y + 8}" width="12" height="12" fill="{colour}"'
            ' stroke="#555"/>'
        )
        body.append(_text(MARGIN + 14, y + 18, line))
        longest = max(longest, len(line))
        y += ROW
    width = lanes + 8 * longest + MARGIN
    height = max(y, ROW)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="13">\n'
        f'<rect width="100%" height="100%" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n"
    )
