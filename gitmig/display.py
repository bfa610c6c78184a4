"""Every piece of output: how command results read on a terminal, and as ``--json``.

Plain functions from a command's result to text, with no click and no I/O: the CLI and
its fast path (:mod:`gitmig.fastpath`) print the same thing because both print this.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from pathlib import Path
    from typing import Any

    from gitmig.command import (
        AdoptResult,
        Blame,
        CurrentState,
        FleetStatus,
        GraphPicture,
        HeadsCheck,
        InitResult,
        LintReport,
        TemplateInfo,
    )
    from gitmig.command.branch_sync import SyncPlan, SyncReport, SyncStep
    from gitmig.command.ledger import DryRun, LedgerLog, VerifyProblem, VerifyReport
    from gitmig.fleet import FleetResult, Progress
    from gitmig.git.divergence import Comparison, RebasePlan, Supplied
    from gitmig.git.repo import CommitInfo
    from gitmig.lint import Finding, Rule
    from gitmig.lint.conflicts import SemanticCheck, SideOp
    from gitmig.operations.ops import MigrateOperation
    from gitmig.runtime.ledger import LedgerEntry
    from gitmig.script.base import Script
    from gitmig.script.divergence import Divergence
    from gitmig.script.revision import RevisionMap


__all__ = [
    "FIX_HINT",
    "GRAPH_FORMATS",
    "adopt_text",
    "blame_text",
    "branches_text",
    "check_text",
    "comparison_fixes",
    "comparison_json",
    "comparison_lines",
    "current_text",
    "details",
    "divergence_lines",
    "dry_run_text",
    "fleet_progress_text",
    "fleet_result_text",
    "fleet_status_text",
    "graph_output",
    "graph_text",
    "heads_check_json",
    "heads_check_text",
    "history_line",
    "init_text",
    "installed_text",
    "ledger_log_text",
    "lint_rules_text",
    "lint_text",
    "rebase_text",
    "script_json",
    "scripts_text",
    "semantic_json",
    "semantic_lines",
    "show_base_text",
    "supplied_lines",
    "tagged_id",
    "tags",
    "templates_text",
    "verify_text",
    "written_text",
]

FIX_HINT = (
    "Fix it with one of:\n"
    '  gitmig merge -m "merge heads"     write a merge revision that joins them\n'
    "  gitmig rebase --onto REF          re-parent this branch's revisions onto REF's head\n"
    "                                    (or edit the first one's down_revision by hand)"
)


def tags(
    script: Script, graph: RevisionMap, current: Collection[str] = (), tree: bool = True
) -> str:
    """``(label) (head) (current) (branchpoint) (mergepoint)``, as they apply and in
    Alembic's order (``current``: the database's rows, for ``history --indicate-current``;
    without ``tree``, no branch or merge point, as ``heads`` prints them)."""
    rev_id = script.revision
    if rev_id not in graph.landmarks and rev_id not in current:
        return ""
    labels = graph.labels(rev_id)
    parts = [f"({', '.join(sorted(labels))})"] if labels else []
    if rev_id in graph.heads:
        parts.append("(head)")
    if rev_id in current:
        parts.append("(current)")
    if tree and graph.is_branch_point(rev_id):
        parts.append("(branchpoint)")
    if tree and len(script.parents) > 1:
        parts.append("(mergepoint)")
    return " ".join(parts)


def tagged_id(
    script: Script, graph: RevisionMap, current: Collection[str] = (), tree: bool = True
) -> str:
    """``id (tags)``, as ``current`` prints it (``heads``: without ``tree``)."""
    found = tags(script, graph, current, tree)
    return f"{script.revision} {found}" if found else script.revision


def _head_line(script: Script, graph: RevisionMap, current: Collection[str] = ()) -> str:
    return tagged_id(script, graph, current, tree=False)


def history_line(script: Script, graph: RevisionMap, current: Collection[str] = ()) -> str:
    """One history line: ``parent -> id (tags), message``."""
    parents = script.parents
    if len(parents) == 1:
        down = parents[0]
    elif not parents:
        down = "<base>"
    else:
        down = "(" + ", ".join(parents) + ")"
    return f"{down} -> {tagged_id(script, graph, current)}, {script.doc}"


def details(script: Script, graph: RevisionMap, current: Collection[str] = ()) -> str:
    """A revision's full description (``-v``), ending with a blank line."""
    lines = [f"Rev: {tagged_id(script, graph, current)}"]
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


def script_json(
    script: Script, graph: RevisionMap, current: Collection[str] | None = None
) -> dict[str, Any]:
    """A revision as a JSON object (``--json``); ``is_current`` when ``current`` was read."""
    found: dict[str, Any] = {
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
    if current is not None:
        found["is_current"] = script.revision in current
    return found


def _json(value: object) -> str:
    import json

    return json.dumps(value, indent=2) + "\n"


def scripts_text(
    scripts: Iterable[Script],
    graph: RevisionMap,
    verbose: bool = False,
    as_json: bool = False,
    history: bool = False,
    current: Collection[str] | None = None,
) -> str:
    """Revisions one per line: ids with their label and head tags (as ``heads`` prints
    them, like Alembic's), history lines (``history``), details (``verbose``) or a JSON
    list (``as_json``); ``current`` marks the database's rows."""
    if as_json:
        return _json([script_json(s, graph, current) for s in scripts])
    if verbose:
        render = details
    elif history:
        render = history_line
    else:
        render = _head_line
    current = current or ()
    return "".join([f"{render(script, graph, current)}\n" for script in scripts])


def show_base_text(rev: str) -> str:
    """``show`` of ``base`` or ``LABEL@base``: a note that no revision is named."""
    return f"{rev.strip()} is the base, before any revision: nothing to show\n"


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


def comparison_fixes(comparison: Comparison) -> list[str]:
    """What to run or change to make the merge of a ref clean, one suggestion per line."""
    out = []
    for conflict in comparison.conflicts:
        out.append(
            f"give one of the two revisions {conflict.revision} a new id: change `revision` "
            f"in {conflict.ours} (and the down_revision of its children), or drop one file"
        )
    for orphan in comparison.orphans:
        out.append(
            f"fix the down_revision of {orphan.path}: {orphan.missing} is declared neither "
            f"in the {comparison.ours.name} nor at {comparison.ref}"
        )
    if comparison.divergent:
        ref = comparison.ref
        out.append(
            f"run `gitmig rebase --onto {ref}` to put this branch's revisions after "
            f"{ref}'s head (linear history), or `git merge {ref}` and then "
            '`gitmig merge -m "merge heads"`'
        )
    return out


def _ids(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "nothing"


def _side_op(name: str, where: SideOp) -> str:
    line = f":{where.line}" if where.line else ""
    return f"    {name}: {where.revision} ({where.path}{line}) {where.op}"


def semantic_lines(check: SemanticCheck) -> list[str]:
    """Semantic conflicts between two sides: certain ones, then likely ones (warnings)."""
    lines = []
    for conflict in [*check.certain, *check.likely]:
        what = "conflict" if conflict.certainty == "certain" else "warning"
        engine = f"[{conflict.engine}] " if conflict.engine else ""
        lines.append(f"  {what}: {engine}{conflict.subject}: {conflict.reason}")
        lines.append(_side_op(check.ours, conflict.ours))
        lines.append(_side_op(check.theirs, conflict.theirs))
    for missing in check.unrecorded:
        lines.append(
            f"  note: the ops of {missing.revision} ({missing.path}) could not all be recorded "
            f"offline, so they are checked only up to: {missing.reason}"
        )
    if check.certain:
        lines.append(
            "  fix: change one revision of each pair so that they no longer collide (this "
            "side's, if the other may already be applied somewhere): drop the op both make, "
            "or use a name of its own"
        )
    return lines


def semantic_json(check: SemanticCheck) -> dict[str, Any]:
    """Semantic conflicts between two sides, as JSON-ready data."""

    def side(where: SideOp) -> dict[str, Any]:
        return {"revision": where.revision, "path": where.path, "line": where.line, "op": where.op}

    return {
        "ours": check.ours,
        "theirs": check.theirs,
        "conflicts": [
            {
                "certainty": c.certainty,
                "subject": c.subject,
                "reason": c.reason,
                "engine": c.engine,
                "ours": side(c.ours),
                "theirs": side(c.theirs),
            }
            for c in check.conflicts
        ],
        "unrecorded": [
            {"side": u.side, "revision": u.revision, "path": u.path, "reason": u.reason}
            for u in check.unrecorded
        ],
    }


def comparison_lines(comparison: Comparison, semantic: SemanticCheck | None = None) -> list[str]:
    """What merging one ref would do to the graph (and, when both sides added revisions,
    where their ops collide), as lines of text."""
    ref = comparison.ref
    if comparison.merge_base:
        base = comparison.merge_base[:12]
    elif comparison.shallow:
        base = (
            "unknown: this clone is shallow; fetch the history with `git fetch --unshallow` "
            "(in CI: fetch-depth: 0)"
        )
    else:
        base = "none (unrelated histories)"
    lines = [f"against {ref} (git merge-base {base}):"]
    extra = semantic_lines(semantic) if semantic is not None else []
    if comparison.ok:
        heads = ", ".join(comparison.heads)
        if semantic is not None and semantic.certain:
            lines.append(f"  the merged graph is clean (head(s) {heads}), but its ops collide:")
        else:
            lines.append(f"  ok: merging {ref} leaves head(s) {heads}")
        return lines + extra
    order = {"ours": 0, "both": 1, "theirs": 2}
    for div in comparison.divergent:
        ranked = sorted(div.heads, key=lambda h: (order[div.sides[h]], h))  # ours first
        heads = ", ".join(f"{h} ({div.sides[h]})" for h in ranked)
        common = ", ".join(div.common_ancestors) or "none"
        lines.append(f"  divergent heads: {heads}; common ancestor: {common}")
    if comparison.divergent:
        lines.append(f"    added here since the merge-base: {_ids(comparison.added_ours)}")
        lines.append(f"    added at {ref} since the merge-base: {_ids(comparison.added_theirs)}")
    for conflict in comparison.conflicts:
        lines.append(
            f"  revision {conflict.revision} has different contents: {conflict.ours} "
            f"(here) and {conflict.theirs} (at {ref})"
        )
    for orphan in comparison.orphans:
        lines.append(
            f"  {orphan.path} ({orphan.side}): revision {orphan.revision} revises "
            f"{orphan.missing}, which exists on neither side"
        )
    if comparison.invalid:
        lines.append(f"  the merged graph is invalid: {comparison.invalid}")
    lines.extend(f"  fix: {fix}" for fix in comparison_fixes(comparison))
    return lines + extra


def comparison_json(
    comparison: Comparison, semantic: SemanticCheck | None = None
) -> dict[str, Any]:
    """What merging one ref would do to the graph, as JSON-ready data."""
    return {
        "ref": comparison.ref,
        "commit": comparison.theirs.commit,
        "merge_base": comparison.merge_base,
        "shallow": comparison.shallow,
        "ok": comparison.ok,
        "heads": list(comparison.heads),
        "added": {"ours": list(comparison.added_ours), "theirs": list(comparison.added_theirs)},
        "divergent": [
            {"heads": list(d.heads), "sides": d.sides, "common_ancestors": list(d.common_ancestors)}
            for d in comparison.divergent
        ],
        "conflicts": [
            {"revision": c.revision, "ours": c.ours, "theirs": c.theirs}
            for c in comparison.conflicts
        ],
        "orphans": [
            {"revision": o.revision, "path": o.path, "side": o.side, "missing": o.missing}
            for o in comparison.orphans
        ],
        "invalid": comparison.invalid,
        "fixes": comparison_fixes(comparison),
        "semantic": semantic_json(semantic) if semantic is not None else None,
    }


def heads_check_json(report: HeadsCheck) -> dict[str, object]:
    """A check-heads report as JSON-ready data."""
    return {
        "ok": report.ok,
        "source": report.source,
        "divergences": [
            {
                "heads": list(d.heads),
                "common_ancestors": list(d.common_ancestors),
                "added": {h: list(a) for h, a in d.added.items()},
            }
            for d in report.divergences
        ],
        "head_file": report.head_file_problem,
        "graph": report.graph_problem,
        "supplied": [
            {"parent": s.parent, "revision": s.child, "path": s.path, "ref": s.ref}
            for s in report.supplied
        ],
        "against": [comparison_json(c, report.semantic.get(c.ref)) for c in report.comparisons],
        "merging": [semantic_json(check) for check in report.merging],
        "skipped": report.skipped,
    }


def heads_check_text(report: HeadsCheck, as_json: bool = False, quiet: bool = False) -> str:
    """What ``check-heads`` prints for a report (``quiet`` drops the OK and skip notes)."""
    if as_json:
        return _json(heads_check_json(report))
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
        lines.extend(comparison_lines(comparison, report.semantic.get(comparison.ref)))
    for check in report.merging:
        lines.append(f"The merge in progress ({check.ours} with {check.theirs}):")
        lines.extend(semantic_lines(check) or ["  ok: no semantic conflicts"])
    if not quiet:
        lines.extend(supplied_lines(report.supplied))
        lines.extend(f"Skipped {note}" for note in report.skipped)
        if report.ok:
            where = f" ({report.source})" if report.source != "working tree" else ""
            lines.append(f"OK: every line of history has a single head{where}")
    return "".join(line + "\n" for line in lines)


def supplied_lines(supplied: Iterable[Supplied]) -> list[str]:
    """One note per parent that only a git ref declares (right after ``gitmig rebase``)."""
    return [
        f"Note: {s.parent}, the parent of {s.child} ({s.path}), comes from {s.ref}: "
        f"merge it (`git merge {s.ref}`) to run upgrade"
        for s in supplied
    ]


def _lines(lines: Iterable[str]) -> str:
    return "".join(line + "\n" for line in lines)


def templates_text(templates: Sequence[TemplateInfo]) -> str:
    """``list-templates``: each template with its description, then how to use one."""
    width = max(len(t.name) for t in templates)
    rows = [f"{info.name.ljust(width)}  {info.description}" for info in templates]
    return _lines([*rows, "", "Use: gitmig init --template <name> DIRECTORY"])


def init_text(result: InitResult, directory: str) -> str:
    """``init``: the files written, what became of the config file, and the next step."""
    lines = [f"  created {path}" for path in result.files]
    if result.config_status == "exists":
        lines.insert(0, f"{result.config_file} already exists; leaving it as it is")
    elif result.config_status == "has-table":
        lines.insert(0, f"{result.config_file} already has a [tool.gitmig] table; leaving it")
    lines.append(
        f"Migration environment ready in {directory}. Set sqlalchemy.url in the config file, "
        "then run 'gitmig new -m \"first revision\"'."
    )
    return _lines(lines)


def written_text(script: Script | None) -> str:
    """``new`` and ``merge``: the file written (``None``: the directives left none)."""
    if script is None:
        return "No revision written (process_revision_directives left none)\n"
    return f"Generating {script.path} ... done\n"


def installed_text(paths: Iterable[object]) -> str:
    """``hook install``: the hooks written."""
    return _lines(f"Installed {path}" for path in paths)


def rebase_text(plan: RebasePlan, onto: str, dry_run: bool) -> str:
    """``rebase``: what was (or, with ``dry_run``, would be) re-parented."""
    if not plan.chain:
        return f"Nothing to rebase: every revision here is also at {onto}\n"
    first = plan.chain[0]
    if plan.noop:
        return (
            f"Nothing to rebase: {first.revision} already revises {plan.onto}, the head at {onto}\n"
        )
    verb = "Would re-parent" if dry_run else "Re-parented"
    chain = " -> ".join(r.revision for r in plan.chain)
    return (
        f"{verb} {first.revision} ({first.path}) from {plan.old_parent} onto "
        f"{plan.onto}, the head at {onto}; chain: {chain}\n"
    )


def _blame_json(blame: Blame) -> dict[str, Any]:
    found = blame.provenance
    return {
        "revision": blame.script.revision,
        "path": blame.script.path,
        "message": blame.script.doc,
        "commit": found.commit if found else None,
        "author": found.author if found else None,
        "email": found.email if found else None,
        "date": found.date if found else None,
        "branches": list(found.branches) if found else [],
        "remote_branches": list(found.remote_branches) if found else [],
    }


def _provenance(blame: Blame) -> str:
    """Who committed the file, when, and which branches have it."""
    found = blame.provenance
    if found is None:
        return f"(not committed)  {blame.script.path}"
    where = ", ".join(found.branches) or "-"
    remote = ", ".join(found.remote_branches) or "-"
    return (
        f"{found.commit[:10]}  {found.date}  {found.author} <{found.email}>"
        f"  branches: {where}  remote: {remote}  {blame.script.doc}"
    )


def blame_text(
    blames: Sequence[Blame], graph: RevisionMap | None = None, as_json: bool = False
) -> str:
    """``blame`` (one line each), or ``history --git`` with ``graph`` (history lines, each
    followed by its provenance)."""
    if as_json:
        return _json([_blame_json(b) for b in blames])
    if graph is None:
        return _lines(f"{b.script.revision}  {_provenance(b)}" for b in blames)
    return _lines(f"{history_line(b.script, graph)}\n    {_provenance(b)}" for b in blames)


def current_text(state: CurrentState, graph: RevisionMap, verbose: bool = False) -> str:
    """``current``: each database's revision(s), or that it is at base.

    With several databases (the multidb template) each comes under its masked URL.
    """
    lines = []
    for db in state.databases:
        if verbose or len(state.databases) > 1:
            lines.append(f"Current revision(s) for {db.url}:")
        for script in db.scripts:
            lines.append(details(script, graph) if verbose else tagged_id(script, graph))
        if not db.rows:
            lines.append("base (no revision applied)")
    return _lines(lines)


def check_text(operations: Sequence[MigrateOperation]) -> str:
    """``check``: the operations autogenerate found (none: models and database agree)."""
    if not operations:
        return "No new upgrade operations detected.\n"
    from gitmig.autogenerate.render import describe_operation

    rows = [f"  - {describe_operation(operation)}" for operation in operations]
    return _lines(["New upgrade operations detected:", *rows])


def _shown_path(path: str) -> str:
    import os

    relative = os.path.relpath(path) if os.path.isabs(path) else path
    return path if relative.startswith("..") else relative


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "revision": finding.revision,
        "path": finding.path,
        "line": finding.line,
        "message": finding.message,
        "suppressed": finding.suppressed,
        "engine": finding.engine,
    }


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def lint_text(report: LintReport, as_json: bool = False, verbose: bool = False) -> str:
    """``lint``: one line per finding, how to fix each rule that fired, and a summary."""
    if as_json:
        return _json(
            {
                "scope": report.scope,
                "dialect": report.dialect,
                "revisions": report.revisions,
                "ok": report.ok,
                "errors": len(report.errors),
                "warnings": len(report.warnings),
                "suppressed": len(report.suppressed),
                "findings": [_finding_json(f) for f in report.findings],
            }
        )
    from gitmig.lint import RULES

    lines = []
    for finding in report.findings:
        if finding.suppressed is not None and not verbose:
            continue
        where = _shown_path(finding.path) + (f":{finding.line}" if finding.line else "")
        level = "allowed" if finding.suppressed is not None else finding.severity
        engine = f"{finding.engine}: " if finding.engine else ""
        text = f"{where}: {level} [{finding.rule}] {engine}{finding.message}"
        if finding.suppressed is not None:
            text += f" (reason: {finding.suppressed})"
        lines.append(text)
    fired = dict.fromkeys(f.rule for f in report.active)
    if fired:
        lines.append("")
        lines.append("How to fix (docs/safety.md has the details):")
        lines.extend(f"  {rule}: {RULES[rule].safe_alternative}" for rule in fired)
        lines.append(
            "  Or, when the change is safe here, say why in the revision file, on the line "
            "above the op: # gitmig: allow RULE -- reason"
        )
        lines.append("")
    summary = (
        f"Linted {_count(len(report.revisions), 'revision')} ({report.scope}) for "
        f"{report.dialect}: {_count(len(report.errors), 'error')}, "
        f"{_count(len(report.warnings), 'warning')}"
    )
    if report.suppressed:
        summary += f", {len(report.suppressed)} allowed with a reason"
    lines.append(summary + ".")
    return _lines(lines)


def lint_rules_text(rules: Sequence[Rule], as_json: bool = False) -> str:
    """``lint --rules``: every rule with its severity, dialects and what it is about."""
    if as_json:
        return _json(
            [
                {
                    "id": rule.id,
                    "severity": rule.severity,
                    "dialects": sorted(rule.dialects) if rule.dialects else None,
                    "lock": rule.lock,
                    "explanation": rule.explanation,
                    "safe_alternative": rule.safe_alternative,
                }
                for rule in rules
            ]
        )
    width = max(len(rule.id) for rule in rules)
    return _lines(
        f"{rule.id.ljust(width)}  {rule.severity:<7}  "
        f"{', '.join(sorted(rule.dialects)) if rule.dialects else 'all dialects'}"
        for rule in rules
    )


def adopt_text(result: AdoptResult) -> str:
    """``adopt``: each file's change as a unified diff, then what was (or would be) done."""
    import difflib

    root = result.config_file.parent

    def name(path: Path) -> str:
        # As git names them: relative to the project (the config file's folder).
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)

    out: list[str] = []
    for change in result.changes:
        out.extend(
            difflib.unified_diff(
                change.before.splitlines(keepends=True),
                change.after.splitlines(keepends=True),
                f"a/{name(change.based_on or change.path)}",
                f"b/{name(change.path)}",
            )
        )
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
    lines = []
    verb = "Would write" if result.dry_run else "Wrote"
    if result.config_status == "exists":
        lines.append(f"{result.config_file} already configures gitmig; leaving it as it is")
    else:
        lines.append(f"{verb} {result.config_file}")
    rewritten = [c for c in result.changes if c.path != result.config_file]
    verb = "Would rewrite" if result.dry_run else "Rewrote"
    lines.append(f"{verb} the alembic imports of {len(rewritten)} file(s)")
    version = result.version
    if result.dry_run:
        lines.append("Dry run: nothing was written and no database was read")
    elif version is None:
        lines.append("Database skipped: run `gitmig adopt` again where it is reachable")
    elif not version.rows:
        lines.append(
            f"{version.url}: no Alembic version rows; gitmig's version table is {version.table}"
        )
    elif version.mode == "keep":
        lines.append(
            f"{version.url}: kept {version.table} (at {', '.join(version.rows)}) as gitmig's "
            "version table"
        )
    elif version.copied:
        lines.append(
            f"{version.url}: copied {version.source}'s {', '.join(version.copied)} into "
            f"{version.table} ({version.source} is left as it is)"
        )
    else:
        lines.append(
            f"{version.url}: {version.table} took {version.source}'s {', '.join(version.rows)} "
            "over before; nothing copied"
        )
    if not result.dry_run:
        lines.append("Next: `gitmig current` should show the revision Alembic left")
    return "".join(out) + _lines(lines)


# -- the ledger: log, verify, dry runs ------------------------------------------------------


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


def _seconds(value: float | None) -> str:
    return f"{value:.3f} s" if value is not None else "-"


def _entry_json(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "revision": entry.revision,
        "direction": entry.direction,
        "checksum": entry.checksum,
        "git_blob": entry.blob,
        "path": entry.path,
        "started_at": entry.started_at.isoformat() if entry.started_at else None,
        "finished_at": entry.finished_at.isoformat() if entry.finished_at else None,
        "duration": entry.duration,
        "outcome": entry.outcome,
        "gitmig_version": entry.gitmig_version,
        "db_user": entry.db_user,
        "who": entry.who,
        "host": entry.host,
    }


def ledger_log_text(log: LedgerLog, as_json: bool = False) -> str:
    """``log``: one line per ledger row, newest first (when, what, how long, outcome)."""
    if as_json:
        return _json({"table": log.table, "entries": [_entry_json(e) for e in log.entries]})
    if not log.exists:
        return (
            f"No ledger ({log.table}) in this database yet: the next upgrade, downgrade or "
            "stamp creates it.\n"
        )
    if not log.entries:
        return f"The ledger {log.table} is empty.\n"
    lines = []
    for entry in log.entries:
        user = entry.db_user or "-"
        if entry.who:
            user += f" ({entry.who}@{entry.host})"
        lines.append(
            f"{_when(entry.finished_at)}  {entry.direction:<9} {entry.revision:<12} "
            f"{_seconds(entry.duration):>9}  {entry.outcome:<8}  {user}"
        )
    return _lines(lines)


def _commit_line(info: CommitInfo) -> str:
    return f"{info.commit[:10]}  {info.date}  {info.author}  {info.subject}"


def _problem_json(problem: VerifyProblem) -> dict[str, Any]:
    return {
        "kind": problem.kind,
        "revision": problem.revision,
        "path": problem.path,
        "applied_at": problem.applied_at.isoformat() if problem.applied_at else None,
        "commits": [info._asdict() for info in problem.commits],
        "refs": list(problem.refs),
        "notes": list(problem.notes),
    }


def _problem_lines(problem: VerifyProblem) -> list[str]:
    applied = f"applied {_when(problem.applied_at)}" if problem.applied_at else "applied"
    notes = [f"  {note}" for note in problem.notes]
    commits = [f"    {_commit_line(info)}" for info in problem.commits]
    if problem.kind == "edited":
        head = f"EDITED  {problem.revision}: {problem.path} changed since it was {applied}"
        if commits:
            return [head, "  changed by:", *commits, *notes]
        return [head, *notes]
    if problem.kind == "gone":
        head = f"GONE    {problem.revision}: {problem.path} ({applied}) is no longer here"
        verb = "renamed away" if problem.notes else "deleted"
        return [head, f"  {verb} by:", *commits, *notes]
    head = (
        f"UNKNOWN {problem.revision}: {applied} on the database, but no revision file here "
        "declares it (applied from a branch that was never merged?)"
    )
    found = [f"  git has it on: {', '.join(problem.refs)}"] if problem.refs else []
    return [head, *found, *notes]


def verify_text(report: VerifyReport, as_json: bool = False) -> str:
    """``verify``: each problem with its commits or refs, then a one-line verdict."""
    if as_json:
        return _json(
            {
                "ok": report.ok,
                "table": report.table,
                "rows": list(report.rows),
                "checked": list(report.checked),
                "unrecorded": list(report.unrecorded),
                "problems": [_problem_json(p) for p in report.problems],
                "accepted": (
                    {"revision": report.accepted[0], "checksum": report.accepted[1].checksum}
                    if report.accepted
                    else None
                ),
            }
        )
    lines = []
    if report.accepted is not None:
        revision, stamp = report.accepted
        lines.append(f"Accepted {revision}: {stamp.path} recorded with checksum {stamp.checksum}")
    for problem in report.problems:
        lines.extend(_problem_lines(problem))
    if report.unrecorded:
        lines.append(
            f"Not verifiable ({len(report.unrecorded)}): no checksum recorded (applied before "
            f"the ledger existed, or stamped): {', '.join(report.unrecorded)}"
        )
    if not report.ledger_exists:
        lines.append(f"No ledger ({report.table}) in this database yet: nothing to compare.")
    if report.ok:
        lines.append(
            f"OK: {len(report.checked)} applied revision(s) match the checksums in {report.table}"
        )
    else:
        lines.append(
            f"FAILED: {len(report.problems)} applied revision(s) differ from what the database "
            "ran; review them, then `gitmig verify --accept REV` for an edit that is fine"
        )
    return _lines(lines)


def dry_run_text(dry: DryRun) -> str:
    """``upgrade/downgrade --dry-run``: the plan as SQL comments, then the SQL itself."""
    from gitmig.runtime.migration import describe_rows

    lines = [
        f"-- Dry run: {dry.direction} {dry.target} on {dry.url or 'the database'}",
        f"-- The database is at {describe_rows(dry.rows)}.",
    ]
    if not dry.steps:
        lines.append("-- Nothing to do.")
        return _lines(lines)
    lines.append(f"-- {len(dry.steps)} step(s) would run, in this order:")
    lines.extend(f"--   {step.short_log}" for step in dry.steps)
    for revision in dry.reading:
        lines.append(
            f"-- revision {revision} read the database (in a read-only transaction, rolled back)"
        )
    for revision, reason in dry.skipped:
        lines.append(f"-- cannot be dry-run: revision {revision}: {reason}")
    lines.append("-- Nothing was changed: no lock was taken and nothing was written.")
    return _lines(lines) + "\n" + dry.sql


# -- sync -----------------------------------------------------------------------------------


def _sync_step_json(step: SyncStep) -> dict[str, Any]:
    return {
        "revision": step.revision,
        "message": step.doc,
        "source": step.source,
        "path": step.path,
    }


def _sync_step_line(direction: str, step: SyncStep) -> str:
    line = f"  {direction:<4} {step.revision}"
    if step.doc:
        line += f"  {step.doc}"
    if step.source is not None:
        line += f"  (script from {step.source}: {step.path})"
    return line


def _sync_plan_lines(plan: SyncPlan, dry_run: bool) -> list[str]:
    from gitmig.runtime.migration import describe_rows

    where = plan.url or "the database"
    if not plan.down and not plan.up:
        return [f"{where} is in sync: at {describe_rows(plan.heads)}, this tree's heads."]
    counts = f"{len(plan.down)} down, {len(plan.up)} up"
    if dry_run:
        head = f"Sync plan for {where} ({counts}): from {describe_rows(plan.rows)}"
    else:
        head = f"Synced {where} ({counts}): from {describe_rows(plan.rows)}"
    lines = [f"{head} to {describe_rows(plan.heads)}."]
    lines.extend(_sync_step_line("down", step) for step in plan.down)
    lines.extend(_sync_step_line("up", step) for step in plan.up)
    return lines


def sync_text(report: SyncReport, as_json: bool = False) -> str:
    """``sync``: per database, the revisions that came (or would come) down and up."""
    if as_json:
        return _json(
            {
                "dry_run": report.dry_run,
                "in_sync": report.in_sync,
                "databases": [
                    {
                        "url": plan.url,
                        "rows": list(plan.rows),
                        "heads": list(plan.heads),
                        "down": [_sync_step_json(step) for step in plan.down],
                        "up": [_sync_step_json(step) for step in plan.up],
                    }
                    for plan in report.databases
                ],
            }
        )
    lines = [line for plan in report.databases for line in _sync_plan_lines(plan, report.dry_run)]
    if report.dry_run and not report.in_sync:
        lines.append("Nothing was changed (dry run).")
    return _lines(lines)


# -- fleet ----------------------------------------------------------------------------------


def _rows_text(rows: Iterable[str] | None) -> str:
    if rows is None:
        return "?"
    return ", ".join(rows) or "base"


def fleet_status_text(status: FleetStatus, as_json: bool = False) -> str:
    """One line per target (revision, at head or how many pending), then a summary."""
    if as_json:
        return _json(
            {
                "heads": list(status.heads),
                "at_head": status.at_head,
                "targets": [
                    {
                        "name": t.target.name,
                        "url": t.target.shown_url,
                        "schema": t.target.schema,
                        "revisions": list(t.rows),
                        "at_head": t.at_head,
                        "pending": t.pending,
                        "error": t.error or None,
                    }
                    for t in status.targets
                ],
            }
        )
    width = max((len(t.target.name) for t in status.targets), default=0)
    lines = []
    for t in status.targets:
        where = t.target.shown_url + (f" schema {t.target.schema}" if t.target.schema else "")
        if t.error:
            state = f"error: {t.error}"
        elif t.at_head:
            state = f"{_rows_text(t.rows)} (head)"
        else:
            state = f"{_rows_text(t.rows)}, {t.pending} pending"
        lines.append(f"{t.target.name:<{width}}  {state}  [{where}]")
    behind = sum(1 for t in status.targets if not t.at_head and not t.error)
    broken = sum(1 for t in status.targets if t.error)
    head = len(status.targets) - behind - broken
    summary = f"{len(status.targets)} target(s): {head} at head, {behind} behind"
    lines.append(summary + (f", {broken} unreadable" if broken else ""))
    return _lines(lines)


def fleet_progress_text(progress: Progress, live: bool) -> str:
    """A live status line (``live``: rewritten in place), else a plain line per target."""
    if live:
        return (
            f"\r\x1b[K{progress.done} done, {progress.skipped} skipped, "
            f"{progress.failed} failed, {progress.running} running, {progress.pending} "
            f"pending  {progress.elapsed:.1f} s"
            + (f"  (stopping: {progress.stopping})" if progress.stopping else "")
        )
    finished = progress.finished
    if finished is None:
        return ""
    line = f"{finished.status:<7} {finished.target.name}  {_rows_text(finished.before)}"
    line += f" -> {_rows_text(finished.after)}  {finished.duration:.2f} s"
    if finished.error:
        line += f"  {finished.error}"
    return line + "\n"


def fleet_result_text(result: FleetResult, as_json: bool = False) -> str:
    """The run's summary: counts, each failure's report, the state file, how to retry."""
    if as_json:
        return _json(
            {
                "run": result.run,
                "action": result.action,
                "revision": result.revision,
                "state_file": result.state_file,
                "stopped": result.stopped or None,
                "elapsed": round(result.elapsed, 3),
                "targets": [
                    {
                        "name": o.target.name,
                        "url": o.target.shown_url,
                        "schema": o.target.schema,
                        "status": o.status,
                        "before": list(o.before) if o.before is not None else None,
                        "after": list(o.after) if o.after is not None else None,
                        "duration": round(o.duration, 3),
                        "error": o.error or None,
                    }
                    for o in result.outcomes
                ],
            }
        )
    lines = []
    for o in result.outcomes:
        if o.status == "failed":
            lines.append(f"FAILED {o.target.name} [{o.target.shown_url}]:")
            lines.extend(f"  {line}" for line in (o.report or o.error).splitlines())
    why = {
        "failure": "stopped after a failure (--continue-on-error goes on)",
        "canary": "stopped: a canary target failed",
        "interrupted": "interrupted: no new target was started; running ones finished",
    }
    counts = (
        f"fleet {result.action} {result.revision}: {result.count('done')} done, "
        f"{result.count('skipped')} skipped, {result.count('failed')} failed, "
        f"{result.count('not-run')} not run, in {result.elapsed:.1f} s"
    )
    lines.append(counts)
    if result.stopped:
        lines.append(why[result.stopped])
    lines.append(f"State: {result.state_file}")
    if not result.ok:
        lines.append(
            f"Retry the failed and not-run targets: gitmig fleet {result.action} "
            f"{result.revision} --retry-failed {result.run}"
        )
    return _lines(lines)


#: ``graph --format`` choices, the first the default
GRAPH_FORMATS = ("mermaid", "dot", "svg", "html")


def graph_output(picture: GraphPicture, fmt: str = "mermaid", collapse: int | None = None) -> str:
    """``graph``: the picture in ``fmt``; ``svg`` and ``html`` fold runs of more than
    ``collapse`` plain revisions (default: html folds runs of more than 5, svg none)."""
    if fmt == "mermaid":
        from gitmig.render.graph_mermaid import graph_mermaid

        return graph_mermaid(picture)
    if fmt == "dot":
        from gitmig.render.graph_dot import graph_dot

        return graph_dot(picture)
    if fmt == "svg":
        from gitmig.render.graph_svg import graph_svg

        return graph_svg(picture, collapse or 0)
    if fmt == "html":
        from gitmig.render.graph_html import graph_html

        return graph_html(picture, 5 if collapse is None else collapse)
    from gitmig.exc import UsageError

    raise UsageError(f"Unknown graph format {fmt!r}: use one of {', '.join(GRAPH_FORMATS)}")


def graph_text(picture: GraphPicture) -> str:
    """``history --graph``: history lines beside the lanes, as ``git log --graph``."""
    from gitmig.render.graph_text import graph_text as draw

    return draw(picture, lambda node: history_line(node.script, picture.graph, picture.current))
