"""Reading the graph: heads, branch points, history, one revision, divergent heads.

These are the light commands: nothing here imports SQLAlchemy, Mako or the git layer
(unless a parent is missing here and git must say which ref has it).
"""

from __future__ import annotations

from collections import Counter

from gitmig.command._base import revision_graph, script_directory
from gitmig.exc import RevisionError, UsageError

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from gitmig.command.graph_results import CurrentHistory, GraphPicture
    from gitmig.config import Config
    from gitmig.script.base import Script
    from gitmig.script.divergence import Divergence

__all__ = [
    "branches",
    "check_heads",
    "graph",
    "heads",
    "history",
    "history_current",
    "history_graph",
    "show",
]


def heads(config: Config, resolve_dependencies: bool = False) -> list[Script]:
    """The head revisions (with ``resolve_dependencies``, only those nothing depends on)."""
    graph = revision_graph(config)
    ids = list(graph.heads)
    if resolve_dependencies:
        needed = {dep for rev in graph for dep in rev.dependencies}
        ids = [h for h in ids if h not in needed]
    return [script_directory(config).get_script(h) for h in ids]


def branches(config: Config) -> list[tuple[Script, list[Script]]]:
    """Branch points: each revision with more than one child, with its children."""
    script_dir = script_directory(config)
    graph = revision_graph(config)
    return [
        (script_dir.get_script(rev.revision), [script_dir.get_script(c) for c in children])
        for rev in graph
        if len(children := graph.children(rev.revision)) > 1
    ]


def history(config: Config, rev_range: str | None = None) -> list[Script]:
    """Revisions newest first, optionally limited to ``START:END`` (either side optional).

    ``current`` may stand for either side (``current:`` lists what an upgrade to the heads
    would run); the database is then read through env.py.
    """
    return _history(config, rev_range, None)


def history_current(config: Config, rev_range: str | None = None) -> CurrentHistory:
    """:func:`history` plus the database's current revisions (env.py runs to read them)."""
    from gitmig.command.graph_results import CurrentHistory

    rows = _current_rows(config)
    return CurrentHistory(_history(config, rev_range, rows), rows)


def _current_rows(config: Config) -> tuple[str, ...]:
    from gitmig.command.migrate import current

    return current(config).rows


def _history(config: Config, rev_range: str | None, rows: tuple[str, ...] | None) -> list[Script]:
    """``history``; ``rows`` are the database's rows (``None``: read them if needed)."""
    script_directory(config)  # a configuration error is reported before the database is read
    lower: str | None = None
    upper: str | None = None
    if rev_range:
        if ":" not in rev_range:
            raise UsageError(
                f"History range {rev_range!r} must be START:END (either side may be empty)"
            )
        lower, upper = (part.strip() or None for part in rev_range.split(":", 1))
    if "current" in (lower, upper) and rows is None:
        rows = _current_rows(config)
    if "current" in (lower, upper) and not rows:
        if upper == "current":
            return []  # the database is at base: nothing is at or below it
        lower = None
    selected = revision_graph(config).range(
        rows if lower == "current" else None if lower == "base" else lower,
        rows if upper == "current" else None if upper == "heads" else upper,
    )
    if not selected and lower and upper and "current" not in (lower, upper):
        # START above END (say head:base): an empty answer would pass for "nothing there",
        # and `lint` would lint nothing and succeed.
        raise RevisionError(
            f"Range {rev_range!r} names no revision: {lower} is not at or below {upper} on "
            f"one line of history; write START:END oldest first (e.g. {upper}:{lower})"
        )
    # The graph's revisions are the directory's scripts (get_script would look each up)
    return selected[::-1]  # type: ignore[return-value]


def show(config: Config, rev: str) -> list[Script]:
    """The revision(s) an identifier names: several for ``heads``, none for ``base`` or
    ``LABEL@base`` (as in Alembic). ``current`` reads the database (env.py runs)."""
    script_dir = script_directory(config)
    rows = _current_rows(config) if rev.strip() == "current" else ()
    ids = revision_graph(config).resolve(rev, rows)
    return [script_dir.get_script(rev_id) for rev_id in ids]


def check_heads(config: Config) -> list[Divergence]:
    """Heads that share a line of history and need a merge (empty when the graph is fine)."""
    return revision_graph(config).divergences()


def graph(
    config: Config,
    rev_range: str | None = None,
    db: bool = False,
    git: bool = False,
    current: tuple[str, ...] | None = None,
) -> GraphPicture:
    """The revision graph as a picture: rows in run order (newest first) and their lanes.

    ``rev_range`` is ``START:END`` as :func:`history` takes. With ``db`` the database is
    read through env.py (as ``current``) and applied revisions are marked; ``current``
    may give its rows instead. With ``git``, each revision carries the branch that added
    its file. Git does not record that, so: the trunk (the first ``git_target`` that is a
    branch, else ``main`` or ``master``) when the commit adding the file lies on the
    trunk's first-parent line, or when only the trunk holds it; else, of the other
    branches holding that commit, the one holding the fewest of the pictured revisions
    (the most specific; on a tie, the first by name).
    """
    from gitmig.command.graph_results import GraphNode, GraphPicture
    from gitmig.script.lanes import layout
    from gitmig.script.revision import head_ids

    if db and current is None:
        current = _current_rows(config)
    scripts = _history(config, rev_range, current)
    revisions = revision_graph(config)
    selected = {s.revision for s in scripts}
    order = revisions.run_order(selected, head_ids(scripts)) if scripts else []
    by_id = {s.revision: s for s in scripts}
    parents = {rev: tuple(p for p in by_id[rev].parents if p in selected) for rev in order}
    applied = revisions.ancestors(current) if current else set()
    branch = _branches_of(config, [by_id[rev] for rev in order]) if git else {}
    nodes = tuple(
        GraphNode(by_id[rev], (rev in applied) if current is not None else None, branch.get(rev))
        for rev in order
    )
    return GraphPicture(
        nodes=nodes,
        layout=layout(order, parents),
        edges=tuple((rev, p) for rev in order for p in parents[rev]),
        dependencies=tuple(
            (rev, d) for rev in order for d in by_id[rev].dependencies if d in selected
        ),
        graph=revisions,
        current=tuple(current or ()),
        branches=tuple(sorted(set(branch.values()))),
        db=current is not None,
        git=git,
    )


def _branches_of(config: Config, scripts: list[Script]) -> dict[str, str]:
    """Each revision's adding branch, as :func:`graph` defines it (uncommitted: left out)."""
    from gitmig.command._base import open_repo
    from gitmig.command.git_flows import provenance

    adding: dict[str, tuple[str, tuple[str, ...]]] = {}
    for blame in provenance(config, scripts, "graph --git"):
        found = blame.provenance
        if found is not None and (found.branches or found.remote_branches):
            adding[blame.script.revision] = (
                found.commit,
                found.branches or found.remote_branches,
            )
    names = {name for _, held in adding.values() for name in held}
    trunk = next(
        (t for t in (*config.get_list_option("git_target"), "main", "master") if t in names),
        None,
    )
    on_trunk: set[str] = set()
    if trunk is not None:
        script_dir = script_directory(config)
        with open_repo(script_dir, "graph --git") as repo:
            for location in script_dir.version_locations:
                on_trunk |= repo.first_parent_commits(trunk, repo.relative(location))
    sizes = Counter(name for _, held in adding.values() for name in held)
    found_branch: dict[str, str] = {}
    for rev, (commit, held) in adding.items():
        others = [name for name in held if name != trunk]
        if trunk in held and (commit in on_trunk or not others):
            found_branch[rev] = trunk
        else:
            found_branch[rev] = min(others, key=lambda name: (sizes[name], name))
    return found_branch


def history_graph(
    config: Config,
    rev_range: str | None = None,
    indicate_current: bool = False,
    verbose: bool = False,
    as_json: bool = False,
    with_git: bool = False,
) -> GraphPicture:
    """``history --graph``: :func:`graph`'s picture of ``rev_range``, with the database's
    rows when ``indicate_current``. One line per revision: ``verbose``, ``as_json`` and
    ``with_git`` are refused."""
    given = [name for name, on in (("-v", verbose), ("--json", as_json), ("--git", with_git)) if on]
    if given:
        raise UsageError(
            f"history --graph draws one line per revision: leave out {', '.join(given)}"
        )
    return graph(config, rev_range, current=_current_rows(config) if indicate_current else None)
