"""``history --graph``: the lanes in the terminal, as ``git log --graph`` draws them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitmig.command.graph_results import GraphNode, GraphPicture
    from gitmig.script.lanes import Segment

__all__ = ["graph_text"]


def graph_text(picture: GraphPicture, line: Callable[[GraphNode], str]) -> str:
    """One line per revision (``*`` on its lane, then ``line(node)``), and between two
    rows the lines that join them (``|``, ``/``, ``\\``); a line moving over several
    lanes takes one text line per lane it moves."""
    out: list[str] = []
    rows = picture.layout.rows
    for row, node in zip(rows, picture.nodes, strict=True):
        cells = [" "] * (2 * picture.layout.width)
        for column in row.passing:
            cells[2 * column] = "|"
        cells[2 * row.column] = "*"
        out.append(f"{''.join(cells).rstrip()} {line(node)}".rstrip())
        out.extend(_between(row.below, picture.layout.width))
    return "".join(text + "\n" for text in out)


def _between(segments: tuple[Segment, ...], width: int) -> list[str]:
    """The text lines from one row down to the next (none when every line is straight
    and the next row continues them)."""
    if all(s.top == s.bottom for s in segments):
        return []
    height = max(abs(s.bottom - s.top) for s in segments)
    lines = [[" "] * (2 * width) for _ in range(height)]
    for s in segments:
        moves = abs(s.bottom - s.top)
        step = 1 if s.bottom > s.top else -1
        for k in range(height):
            # A line leaving the row's revision turns first, then goes straight down (a
            # fork); a lane passing by goes straight, then turns (a join, at the next row).
            j = k if s.child is not None else k - (height - moves)
            if j >= moves:
                cell, char = 2 * s.bottom, "|"
            elif j < 0:
                cell, char = 2 * s.top, "|"
            else:
                cell, char = 2 * s.top + step * (2 * j + 1), "\\" if step > 0 else "/"
            if lines[k][cell] in (" ", "|"):
                lines[k][cell] = char
    return ["".join(cells).rstrip() for cells in lines]
