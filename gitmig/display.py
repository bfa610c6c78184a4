"""How command results read on a terminal (and as JSON).

Plain functions returning text, with no click: the CLI and its fast path
(:mod:`gitmig.fastpath`) print the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gitmig.command import HeadsCheck
    from gitmig.script.base import Script
    from gitmig.script.revision import Divergence, RevisionMap

__all__ = [
    "FIX_HINT",
    "branches_text",
    "details",
    "divergence_lines",
    "heads_check_text",
    "history_line",
    "script_json",
    "scripts_text",
    "tagged_id",
    "tags",
]

FIX_HINT = (
    "Fix it with one of:\n"
    '  gitmig merge -m "merge heads"     write a merge revision that joins them\n'
    "  gitmig rebase --onto REF          re-parent this branch's revisions onto REF's head\n"
    "                                    (or edit the first one's down_revision by hand)"
)


def tags(script: Script, graph: RevisionMap) -> str:
    """``(label) (head) (mergepoint) (branchpoint)``, as they apply."""
    parts = []
    labels = sorted(graph.labels(script.revision))
    if labels:
        parts.append(f"({', '.join(labels)})")
    if script.revision in graph.heads:
        parts.append("(head)")
    if script.is_merge_point:
        parts.append("(mergepoint)")
    if len(graph.children(script.revision)) > 1:
        parts.append("(branchpoint)")
    return " ".join(parts)


def tagged_id(script: Script, graph: RevisionMap) -> str:
    """``id (tags)``, as ``heads`` and ``current`` print it."""
    found = tags(script, graph)
    return f"{script.revision}{' ' + found if found else ''}"


def history_line(script: Script, graph: RevisionMap) -> str:
    """One history line: ``parent -> id (tags), message``."""
    if not script.parents:
        down = "<base>"
    elif len(script.parents) == 1:
        down = script.parents[0]
    else:
        down = "(" + ", ".join(script.parents) + ")"
    return f"{down} -> {tagged_id(script, graph)}, {script.doc}"


def details(script: Script, graph: RevisionMap) -> str:
    """A revision's full description (``-v``), ending with a blank line."""
    lines = [f"Rev: {tagged_id(script, graph)}"]
    lines.append(f"Parent: {', '.join(script.parents) or '<base>'}")
    if script.dependencies:
        lines.append(f"Also depends on: {', '.join(script.dependencies)}")
    children = graph.children(script.revision)
    if len(children) > 1:
        lines.append(f"Branches into: {', '.join(children)}")
    if script.is_merge_point:
        lines.append(f"Merges: {', '.join(script.parents)}")
    labels = sorted(graph.labels(script.revision))
    if labels:
        lines.append(f"Branch names: {', '.join(labels)}")
    lines.append(f"Path: {script.path}")
    lines.append("")
    lines.extend(f"    {text}".rstrip() for text in script.longdoc.splitlines())
    return "\n".join(lines) + "\n"


def script_json(script: Script, graph: RevisionMap) -> dict[str, Any]:
    """A revision as a JSON object (``--json``)."""
    return {
        "revision": script.revision,
        "down_revision": list(script.parents),
        "depends_on": list(script.dependencies),
        "branch_labels": sorted(script.branch_labels),
        "branches": sorted(graph.labels(script.revision)),
        "is_head": script.revision in graph.heads,
        "is_merge_point": script.is_merge_point,
        "message": script.doc,
        "path": script.path,
    }


def _json(value: object) -> str:
    import json

    return json.dumps(value, indent=2) + "\n"


def scripts_text(
    scripts: Iterable[Script],
    graph: RevisionMap,
    verbose: bool = False,
    as_json: bool = False,
    history: bool = False,
) -> str:
    """Revisions one per line: ids with tags, history lines (``history``), details
    (``verbose``) or a JSON list (``as_json``)."""
    if as_json:
        return _json([script_json(s, graph) for s in scripts])
    if verbose:
        render = details
    elif history:
        render = history_line
    else:
        render = tagged_id
    return "".join(render(script, graph) + "\n" for script in scripts)


def branches_text(
    points: Iterable[tuple[Script, list[Script]]], graph: RevisionMap, verbose: bool = False
) -> str:
    """Branch points, each followed by its children."""
    lines = []
    for point, children in points:
        lines.append(details(point, graph) if verbose else history_line(point, graph))
        lines.extend(f"    -> {history_line(child, graph)}" for child in children)
    return "".join(line + "\n" for line in lines)


def divergence_lines(divergence: Divergence) -> list[str]:
    """Divergent heads, their common ancestor and what each side added."""
    lines = [f"Divergent heads on one line of history: {', '.join(divergence.heads)}"]
    lines.append(f"  common ancestor: {', '.join(divergence.common_ancestors) or '<base>'}")
    for head, added in divergence.added.items():
        lines.append(f"  {head} adds: {', '.join(added)}")
    return lines


def heads_check_text(report: HeadsCheck, as_json: bool = False, quiet: bool = False) -> str:
    """What ``check-heads`` prints for a report (``quiet`` drops the OK and skip notes)."""
    if as_json:
        return _json(report.to_json())
    lines: list[str] = []
    for divergence in report.divergences:
        lines.extend(divergence_lines(divergence))
    if report.divergences:
        lines.append(FIX_HINT)
    if report.graph_problem:
        lines.append(f"The graph in the {report.source} is incomplete: {report.graph_problem}")
    if report.head_file_problem:
        lines.append(f"Heads file: {report.head_file_problem}")
    for comparison in report.comparisons:
        lines.extend(comparison.describe())
    if not quiet:
        lines.extend(f"Skipped {note}" for note in report.skipped)
        if report.ok:
            where = f" ({report.source})" if report.source != "working tree" else ""
            lines.append(f"OK: every line of history has a single head{where}")
    return "".join(line + "\n" for line in lines)
