"""``graph --format dot``: Graphviz input (``gitmig graph --format dot | dot -Tsvg``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitmig.render._graph import branch_colour, caption

if TYPE_CHECKING:
    from gitmig.command.graph_results import GraphPicture

__all__ = ["graph_dot", "quote"]


def quote(text: str) -> str:
    """``text`` as a DOT quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def graph_dot(picture: GraphPicture) -> str:
    """Newest on top; an edge to each parent, a dashed one to each depends_on revision."""
    lines = [
        "digraph revisions {",
        "  rankdir=TB;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="monospace"];',
    ]
    for node in picture.nodes:
        rev = node.script.revision
        tags = caption(picture, node)
        label = rev + (f" {tags}" if tags else "")
        if node.script.doc:
            label += "\n" + node.script.doc
        attrs = []
        if node.branch:
            # the fill shows the branch: say "applied" in words
            label += f"\nbranch {node.branch}" + (", applied" if node.applied else "")
            attrs.append(f"fillcolor={quote(branch_colour(picture, node.branch) or '')}")
        elif node.applied:
            attrs.append('fillcolor="#2e7d32", fontcolor="#ffffff"')
        if rev in picture.graph.heads:
            attrs.append("penwidth=3")
        lines.append(f"  {quote(rev)} [{', '.join([f'label={quote(label)}', *attrs])}];")
    lines.extend(f"  {quote(child)} -> {quote(parent)};" for child, parent in picture.edges)
    lines.extend(
        f"  {quote(rev)} -> {quote(dep)} [style=dashed];" for rev, dep in picture.dependencies
    )
    lines.append("}")
    return "\n".join(lines) + "\n"
