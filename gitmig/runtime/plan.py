"""From the revision graph to the steps of a run (upgrade, downgrade, stamp).

Each step carries the version table's rows before and after it, computed from the graph:
after every step the rows are ``RevisionMap.heads_of(applied)``.  That gives Alembic's
behaviour at branch points (a new row), along a line (an update) and at merges (rows
deleted), whatever order the steps come in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from gitmig.exc import RevisionError
from gitmig.runtime.migration import MigrationStep

if TYPE_CHECKING:
    from gitmig.script.base import ScriptDirectory
    from gitmig.script.revision import Revision, RevisionMap

__all__ = ["downgrade_steps", "resolve_rows", "stamp_steps", "sync_steps", "upgrade_steps"]


def resolve_rows(
    graph: RevisionMap, heads: Iterable[str], exact: bool, version_table: str = "gitmig_version"
) -> tuple[str, ...]:
    """The version rows as full ids.

    Rows read from the database (``exact``) must name revisions of the scripts; an offline
    ``START`` may be any identifier (a prefix, a label, ``heads``).
    """
    heads = tuple(heads)
    if exact:
        unknown = [row for row in heads if row not in graph]
        if unknown:
            raise RevisionError(
                f"The database's version table {version_table} lists revision "
                f"{', '.join(unknown)}, which no revision file declares: the database is "
                "ahead of these scripts, or was migrated from another branch. Check out the "
                "code that migrated it, or overwrite the table with "
                "`gitmig stamp --purge REVISION`."
            )
        return heads
    rows: list[str] = []
    for identifier in heads:
        rows.extend(r for r in graph.resolve(identifier) if r not in rows)
    return tuple(rows)


def _script_step(
    script_dir: ScriptDirectory,
    rev: Revision,
    kind: str,
    from_rows: tuple[str, ...],
    to_rows: tuple[str, ...],
) -> MigrationStep:
    script = script_dir.get_script(rev.revision)

    def migrate(**kw: Any) -> None:
        script.run(kind, **kw)

    return MigrationStep(
        kind,
        from_rows,
        to_rows,
        revision=rev.revision,
        down_revisions=rev.parents,
        doc=rev.doc,
        path=rev.path,
        migration_fn=migrate,
    )


def upgrade_steps(
    script_dir: ScriptDirectory, rows: Sequence[str], target: str
) -> list[MigrationStep]:
    """Steps that take the database from version ``rows`` up to ``target``."""
    plan = script_dir.revision_map.upgrade_plan(rows, target)
    return _steps(script_dir, rows, plan, "upgrade")


def downgrade_steps(
    script_dir: ScriptDirectory, rows: Sequence[str], target: str
) -> list[MigrationStep]:
    """Steps that take the database from version ``rows`` down to ``target``."""
    plan = script_dir.revision_map.downgrade_plan(rows, target)
    return _steps(script_dir, rows, plan, "downgrade")


def sync_steps(
    script_dir: ScriptDirectory,
    rows: Sequence[str],
    remove: Iterable[str],
    heads: Sequence[str],
) -> tuple[list[MigrationStep], list[MigrationStep]]:
    """``(down, up)``: unapply ``remove`` (and what is applied on top of it), children
    first, then apply what ``heads`` need, on the graph of ``script_dir``.

    The graph holds both the revisions of the tree and those being removed; ``heads`` are
    the tree's heads, none of them a descendant of ``remove``.
    """
    graph = script_dir.revision_map
    applied = graph.ancestors(rows)
    gone = set(remove)
    todo = graph.descendants(gone) & applied if gone else set()
    down = _steps(
        script_dir, rows, [graph.get(r) for r in graph.run_order(todo, rows)], "downgrade"
    )
    after = down[-1].to_rows if down else tuple(rows)
    wanted = graph.ancestors(heads) - (applied - todo)
    plan = [graph.get(r) for r in reversed(graph.run_order(wanted, heads))]
    return down, _steps(script_dir, after, plan, "upgrade")


def _steps(
    script_dir: ScriptDirectory, rows: Sequence[str], plan: list[Revision], kind: str
) -> list[MigrationStep]:
    """One step per planned revision, each with the version rows before and after it.

    The rows after every step are ``heads_of(applied)``; they are kept up to date one
    revision at a time (only the revision's parents can change), not recomputed over the
    whole applied set, so a long plan stays linear.
    """
    graph = script_dir.revision_map
    applied = graph.ancestors(rows)
    heads = set(graph.heads_of(applied))
    current = tuple(rows)
    steps = []
    for rev in plan:
        if kind == "upgrade":
            applied.add(rev.revision)
            heads.difference_update(rev.parents)
            heads.add(rev.revision)
        else:
            applied.discard(rev.revision)
            heads.discard(rev.revision)
            heads.update(
                parent
                for parent in rev.parents
                if parent in applied and not any(c in applied for c in graph.children(parent))
            )
        after = tuple(graph.sort(heads))
        steps.append(_script_step(script_dir, rev, kind, current, after))
        current = after
    return steps


def stamp_steps(
    graph: RevisionMap, rows: Sequence[str], targets: Sequence[str], purge: bool = False
) -> list[MigrationStep]:
    """The one step that sets the version rows to ``targets`` without running anything.

    Each target replaces the rows on its own line of history (its ancestors and
    descendants) and leaves unrelated branches alone; ``base`` clears every row and
    ``LABEL@base`` that branch's rows.  With ``purge`` the old rows are ignored (and the
    table emptied first), which also stamps over revisions the scripts do not know.
    """
    before = () if purge else tuple(rows)
    new = set(before)
    for target in targets:
        label, _, ref = target.strip().rpartition("@")
        ids = graph.resolve(target, before)
        if not ids:
            if label and ref == "base":
                new = {r for r in new if label not in graph.labels(r)}
            else:
                new = set()
            continue
        for rev_id in ids:
            line = graph.ancestors([rev_id], include_dependencies=False) | graph.descendants(
                [rev_id], include_dependencies=False
            )
            new = (new - line) | {rev_id}
    # Stamping A and its descendant B at once keeps B only: rows are heads.
    below = graph.ancestors(new, include_dependencies=False, inclusive=False) if new else set()
    after = tuple(graph.sort(new - below))
    if after == tuple(graph.sort(before)) and not purge:
        return []
    return [MigrationStep("stamp", before, after)]
