"""``graph --format mermaid``: a flowchart that GitHub and GitLab render in comments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitmig.render._graph import branch_colour, caption

if TYPE_CHECKING:
    from gitmig.command.graph_results import GraphPicture

__all__ = ["graph_mermaid"]

# Mermaid's own entity spelling, inside a quoted label.
_ENTITIES = str.maketrans({'"': "#34;", "<": "#60;", ">": "#62;", "#": "#35;"})


def _label(text: str) -> str:
    return text.translate(_ENTITIES)


def graph_mermaid(picture: GraphPicture) -> str:
    """Newest on top; ``-->`` to each parent, ``-.->`` to each depends_on revision."""
    ids = {node.script.revision: f"r{i}" for i, node in enumerate(picture.nodes)}
    lines = ["flowchart TD"]
    classes: dict[str, list[str]] = {}
    for node in picture.nodes:
        rev = node.script.revision
        tags = caption(picture, node)
        text = _label(rev) + (f" {_label(tags)}" if tags else "")
        if node.script.doc:
            text += f"<br/>{_label(node.script.doc)}"
        if node.branch:
            # the fill shows the branch: say "applied" in words
            text += f"<br/>branch {_label(node.branch)}" + (", applied" if node.applied else "")
        lines.append(f'  {ids[rev]}["{text}"]')
        if rev in picture.graph.heads:
            classes.setdefault("head", []).append(ids[rev])
        if node.branch:
            name = f"branch{picture.branches.index(node.branch)}"
            classes.setdefault(name, []).append(ids[rev])
        elif node.applied:
            classes.setdefault("applied", []).append(ids[rev])
    lines.extend(f"  {ids[child]} --> {ids[parent]}" for child, parent in picture.edges)
    lines.extend(f"  {ids[rev]} -.-> {ids[dep]}" for rev, dep in picture.dependencies)
    styles = {"head": "stroke-width:3px", "applied": "fill:#2e7d32,color:#ffffff"}
    for i, name in enumerate(picture.branches):
        styles[f"branch{i}"] = f"fill:{branch_colour(picture, name)}"
    for name, members in classes.items():
        lines.append(f"  classDef {name} {styles[name]}")
        lines.append(f"  class {','.join(members)} {name}")
    return "\n".join(lines) + "\n"
