"""``graph --format html``: the SVG lanes in one page, long runs folded until clicked.

Self-contained: inline CSS and a few lines of inline JavaScript, no external script.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from gitmig.render._graph import branch_colour, caption, runs
from gitmig.render.graph_svg import APPLIED, FONT, ROW, folded_strip, lane_width, paint, strip

if TYPE_CHECKING:
    from gitmig.command.graph_results import GraphPicture

__all__ = ["graph_html"]

_STYLE = f"""
body {{ font-family: {FONT}; font-size: 13px; margin: 1em; }}
.row {{ display: flex; align-items: center; height: {ROW}px; white-space: pre; }}
.row svg {{ flex: none; }}
.id {{ font-weight: bold; }}
.tags {{ color: #a04000; }}
.fold {{ cursor: pointer; color: #1f4e9c; }}
.fold:hover {{ text-decoration: underline; }}
.hidden {{ display: none; }}
.legend span {{ display: inline-block; width: 12px; height: 12px; border: 1px solid #555;
  margin-right: 6px; vertical-align: middle; }}
"""

_SCRIPT = """
document.querySelectorAll('.fold').forEach(function (fold) {
  fold.addEventListener('click', function () {
    document.querySelectorAll('.run-' + fold.dataset.run).forEach(function (row) {
      row.classList.remove('hidden');
    });
    fold.classList.add('hidden');
  });
});
"""


def _svg(width: int, inner: str) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{ROW}">{inner}</svg>'


def graph_html(picture: GraphPicture, collapse: int = 5) -> str:
    """A page showing the picture; runs of more than ``collapse`` plain revisions are
    folded into one row, which unfolds when clicked."""
    width = lane_width(picture)
    folded = {run.first: run for run in runs(picture, collapse)}
    colours = paint(picture)
    inside: dict[int, int] = {}
    for n, run in enumerate(folded.values()):
        inside.update((i, n) for i in range(run.first, run.last + 1))
    rows: list[str] = []
    for index, node in enumerate(picture.nodes):
        if index in folded:
            run = folded[index]
            n = inside[index]
            text = escape(
                f"... {run.last - run.first + 1} revisions "
                f"({picture.nodes[run.last].script.revision} to {node.script.revision})"
                " - click to show"
            )
            drawn = _svg(width, folded_strip(picture, run, colours))
            rows.append(f'<div class="row fold" data-run="{n}">{drawn}{text}</div>')
        hidden = f" hidden run-{inside[index]}" if index in inside else ""
        tags = caption(picture, node)
        rows.append(
            f'<div class="row{hidden}" id="row-{escape(node.script.revision)}">'
            f"{_svg(width, strip(picture, index, colours))}"
            f'<span class="id">{escape(node.script.revision)}</span>'
            + (f' <span class="tags">{escape(tags)}</span>' if tags else "")
            + f"  {escape(node.script.doc)}</div>"
        )
    legend: list[str] = []
    if picture.git:
        legend.extend(
            f'<div><span style="background:{branch_colour(picture, name)}"></span>'
            f"branch {escape(name)}</div>"
            for name in picture.branches
        )
    if picture.db:
        legend.append(
            f'<div><span style="background:{APPLIED}"></span>applied to the database '
            "(dotted; ringed: its version rows)</div>"
        )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        "<title>gitmig: revision graph</title>"
        f"<style>{_STYLE}</style></head>\n<body>\n"
        + "\n".join(rows)
        + (f'\n<div class="legend">{"".join(legend)}</div>' if legend else "")
        + f"\n<script>{_SCRIPT}</script>\n</body></html>\n"
    )
