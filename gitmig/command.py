"""gitmig's Python API: one plain function per command (no click here).

Functions take a :class:`~gitmig.config.Config` first, return values, and raise
:class:`~gitmig.exc.GitmigError` subclasses for anything the user must fix.  Heavy libraries
(SQLAlchemy, Mako, GitPython) are imported inside the functions that need them, so that
``heads``, ``branches``, ``history`` and ``check-heads`` start fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from weakref import WeakKeyDictionary

from gitmig.exc import CommandError, MultipleHeadsError

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.runtime.migration import MigrationContext, MigrationStep
    from gitmig.script.base import Script, ScriptDirectory
    from gitmig.script.revision import Divergence

__all__ = [
    "CurrentState",
    "TemplateInfo",
    "branches",
    "check_heads",
    "current",
    "downgrade",
    "heads",
    "history",
    "init",
    "list_templates",
    "new",
    "revision",
    "script_directory",
    "show",
    "stamp",
    "upgrade",
]


_script_directories: WeakKeyDictionary[Config, ScriptDirectory] = WeakKeyDictionary()


def script_directory(config: Config) -> ScriptDirectory:
    """The ScriptDirectory of ``config``, built once per Config object.

    Commands that write revision files refresh its graph; build a new Config to see files
    changed by other means.
    """
    found = _script_directories.get(config)
    if found is None:
        from gitmig.script.base import ScriptDirectory

        found = _script_directories[config] = ScriptDirectory.from_config(config)
    return found


# -- environment ----------------------------------------------------------------------------


class TemplateInfo(NamedTuple):
    """One bundled environment template."""

    name: str
    description: str
    path: Path


def list_templates(config: Config) -> list[TemplateInfo]:
    """The bundled templates, each with the first line of its README."""
    root = config.get_template_directory()
    found = []
    for folder in sorted(p for p in root.iterdir() if (p / "README").is_file()):
        description = (folder / "README").read_text(encoding="utf-8").strip().splitlines()[0]
        found.append(TemplateInfo(folder.name, description, folder))
    return found


def init(
    config: Config,
    directory: str | Path,
    template: str = "generic",
    package: bool = False,
    sqlalchemy_url: str = "driver://user:pass@localhost/dbname",
) -> list[Path]:
    """Lay down a new migration environment in ``directory`` from ``template``.

    The config file (``config.config_file_name``, or pyproject.toml for the ``pyproject``
    template) is written beside it unless it exists already.  Returns the files written.
    """
    import shutil

    from gitmig.script.write import render_template

    templates = {t.name: t for t in list_templates(config)}
    if template not in templates:
        raise CommandError(
            f"No such template {template!r}; choose one of: {', '.join(sorted(templates))}"
        )
    source = templates[template].path
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CommandError(f"Directory {str(target)!r} already exists and is not empty")
    config_name = "pyproject.toml" if template == "pyproject" else "gitmig.ini"
    config_path = Path(config.config_file_name or config_name)
    if template == "pyproject" and config.config_file_name is None:
        config_path = Path(config_name)
    written: list[Path] = []
    (target / "versions").mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir()):
        if item.name.endswith(".mako") and item.name != "script.py.mako":
            continue  # config file templates are rendered below
        if item.is_file():
            shutil.copyfile(item, target / item.name)
            written.append(target / item.name)
    if package:
        for folder in (target, target / "versions"):
            (folder / "__init__.py").write_text("", encoding="utf-8")
            written.append(folder / "__init__.py")
    config_template = source / f"{config_name}.mako"
    location = _relative_location(target, config_path)
    if config_path.exists() and template != "pyproject":
        config.print_stdout(f"{config_path} already exists; leaving it as it is")
    elif config_path.exists() and "[tool.gitmig" in config_path.read_text(encoding="utf-8"):
        config.print_stdout(f"{config_path} already has a [tool.gitmig] table; leaving it")
    else:
        rendered = config_path.with_name(config_path.name + ".gitmig-new")
        render_template(
            config_template, rendered, script_location=location, sqlalchemy_url=sqlalchemy_url
        )
        text = rendered.read_text(encoding="utf-8")
        rendered.unlink()
        if config_path.exists():  # append [tool.gitmig] to an existing pyproject.toml
            text = config_path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text
        config_path.write_text(text, encoding="utf-8")
        written.append(config_path)
    return written


def _relative_location(target: Path, config_path: Path) -> str:
    """script_location as written in the config: relative to the config file's folder."""
    base = config_path.resolve().parent
    try:
        relative = target.resolve().relative_to(base)
    except ValueError:
        return str(target.resolve())
    return f"%(here)s/{relative.as_posix()}"


# -- new revisions --------------------------------------------------------------------------


def new(
    config: Config,
    message: str | None = None,
    head: str | None = None,
    splice: bool = False,
    branch_label: str | Sequence[str] | None = None,
    depends_on: str | Sequence[str] | None = None,
    rev_id: str | None = None,
    version_path: str | None = None,
) -> Path:
    """Write a new revision file on top of the (single) head and return its path."""
    from gitmig.script.revision import is_valid_id, is_valid_label
    from gitmig.script.write import new_rev_id, write_revision

    script_dir = script_directory(config)
    graph = script_dir.revision_map
    rev_id = rev_id or new_rev_id()
    if not is_valid_id(rev_id):
        raise CommandError(
            f"Invalid --rev-id {rev_id!r}: use letters, digits, '_' and '.' only "
            "(and not head, heads, base or current)"
        )
    if rev_id in graph:
        raise CommandError(f"Revision {rev_id} already exists ({graph.get(rev_id).where})")
    parents = _new_parents(graph, head, splice)
    labels = [branch_label] if isinstance(branch_label, str) else list(branch_label or [])
    for label in labels:
        if not is_valid_label(label):
            raise CommandError(
                f"Invalid --branch-label {label!r}: labels may not be empty, reserved words, "
                "or hold '@', ':', '+', '-', ',' or spaces"
            )
        owner = graph.label_owner(label)
        if owner is not None:
            raise CommandError(
                f"Branch label {label!r} is already declared by {graph.get(owner).where}"
            )
    dependencies = [depends_on] if isinstance(depends_on, str) else list(depends_on or [])
    resolved_deps = [_resolve_single(graph, dep, "--depends-on") for dep in dependencies]
    folder = _version_folder(script_dir, version_path, parents)
    path = write_revision(
        script_dir,
        rev_id,
        message,
        parents[0] if len(parents) == 1 else (tuple(parents) or None),
        branch_labels=labels or None,
        depends_on=resolved_deps or None,
        version_path=folder,
    )
    _after_write(config, script_dir, path)
    return path


revision = new  # Alembic's name for the same command


def _after_write(config: Config, script_dir: ScriptDirectory, path: Path) -> None:
    from gitmig.script.hooks import run_post_write_hooks

    run_post_write_hooks(config, path)
    script_dir.invalidate()
    script_dir.revision_map  # noqa: B018 - re-read to validate the graph with the new file


def _new_parents(graph: object, head: str | None, splice: bool) -> tuple[str, ...]:
    from gitmig.script.revision import RevisionMap

    assert isinstance(graph, RevisionMap)
    if head is None:
        if len(graph.heads) > 1:
            raise MultipleHeadsError(
                f"Multiple heads are present ({', '.join(graph.heads)}); pass --head to "
                "choose the one to build on, or run 'gitmig merge' first",
                graph.heads,
            )
        return graph.heads
    parents = graph.resolve(head)
    for parent in parents:
        if parent not in graph.heads and not splice:
            raise CommandError(
                f"Revision {parent} is not a head revision; pass --splice to start a new "
                "branch from it"
            )
    return parents


def _resolve_single(graph: object, identifier: str, option: str) -> str:
    from gitmig.script.revision import RevisionMap

    assert isinstance(graph, RevisionMap)
    ids = graph.resolve(identifier)
    if len(ids) != 1:
        raise CommandError(f"{option} {identifier!r} must name exactly one revision")
    return ids[0]


def _version_folder(
    script_dir: ScriptDirectory, version_path: str | None, parents: Sequence[str]
) -> Path:
    if version_path is not None:
        wanted = Path(version_path).resolve()
        if wanted not in [p.resolve() for p in script_dir.version_locations]:
            raise CommandError(
                f"--version-path {version_path!r} is not one of the version_locations: "
                + ", ".join(str(p) for p in script_dir.version_locations)
            )
        return wanted
    if parents and len(script_dir.version_locations) > 1:
        parent_path = script_dir.get_script(parents[0]).path
        if parent_path:
            return Path(parent_path).parent
    return script_dir.version_locations[0]


# -- inspecting the graph -------------------------------------------------------------------


def heads(config: Config, resolve_dependencies: bool = False) -> list[Script]:
    """The head revisions (with ``resolve_dependencies``, only those nothing depends on)."""
    script_dir = script_directory(config)
    graph = script_dir.revision_map
    ids = list(graph.heads)
    if resolve_dependencies:
        needed = {dep for rev in graph for dep in rev.dependencies}
        ids = [h for h in ids if h not in needed]
    return [script_dir.get_script(h) for h in ids]


def branches(config: Config) -> list[tuple[Script, list[Script]]]:
    """Branch points: each revision with more than one child, with its children."""
    script_dir = script_directory(config)
    graph = script_dir.revision_map
    return [
        (script_dir.get_script(rev.revision), [script_dir.get_script(c) for c in children])
        for rev in graph
        if len(children := graph.children(rev.revision)) > 1
    ]


def history(config: Config, rev_range: str | None = None) -> list[Script]:
    """Revisions newest first, optionally limited to ``START:END`` (either side optional)."""
    script_dir = script_directory(config)
    lower: str | None = None
    upper: str | None = None
    if rev_range:
        if ":" not in rev_range:
            raise CommandError(
                f"History range {rev_range!r} must be START:END (either side may be empty)"
            )
        lower, upper = (part.strip() or None for part in rev_range.split(":", 1))
    selected = script_dir.revision_map.range(
        None if lower == "base" else lower, None if upper == "heads" else upper
    )
    return [script_dir.get_script(rev.revision) for rev in reversed(selected)]


def show(config: Config, rev: str) -> list[Script]:
    """The revision(s) an identifier names (``heads`` may name several)."""
    script_dir = script_directory(config)
    ids = script_dir.revision_map.resolve(rev)
    if not ids:
        raise CommandError(f"{rev!r} names no revision (it is the base)")
    return [script_dir.get_script(rev_id) for rev_id in ids]


def check_heads(config: Config) -> list[Divergence]:
    """Heads that share a line of history and need a merge (empty when the graph is fine)."""
    return script_directory(config).revision_map.divergences()


# -- running migrations ---------------------------------------------------------------------


def _run_env(config: Config, script_dir: ScriptDirectory, **kw: Any) -> None:
    """Run env.py with an EnvironmentContext carrying the command's ``fn`` and options."""
    from gitmig.runtime.environment import EnvironmentContext

    with EnvironmentContext(config, script_dir, **kw):
        script_dir.run_env()


def _split_range(revision: str, sql: bool, command_name: str) -> tuple[str | None, str]:
    """``START:END`` -> (START, END); ranges are for offline mode only."""
    if ":" not in revision:
        return None, revision
    if not sql:
        raise CommandError(
            f"{command_name} {revision!r}: a START:END range is only for --sql (offline) mode; "
            "online, the start is what the database's version table says"
        )
    start, end = (part.strip() for part in revision.split(":", 1))
    if not end:
        raise CommandError(f"{command_name} {revision!r}: the range has no END revision")
    return start or None, end


def upgrade(
    config: Config,
    revision: str = "head",
    sql: bool = False,
    tag: str | None = None,
    lock_timeout: float | None = None,
) -> None:
    """Upgrade the database to ``revision`` (``head``, ``heads``, an id, ``LABEL@head``, +N...).

    With ``sql``, write the SQL instead (from base, or from START given as ``START:END``).
    The run holds the migration lock, waiting at most ``lock_timeout`` seconds for it.
    """
    from gitmig.runtime.plan import resolve_rows, upgrade_steps

    script_dir = script_directory(config)
    starting_rev, target = _split_range(revision, sql, "upgrade")
    graph = script_dir.revision_map

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        rows = resolve_rows(graph, heads, exact=not sql, version_table=context.version_table)
        return upgrade_steps(script_dir, rows, target)

    _run_env(
        config,
        script_dir,
        fn=fn,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=target,
        tag=tag,
        lock=not sql,
        lock_timeout=lock_timeout,
    )


def downgrade(
    config: Config,
    revision: str,
    sql: bool = False,
    tag: str | None = None,
    lock_timeout: float | None = None,
) -> None:
    """Downgrade the database to ``revision`` (``base``, an id, ``-1``, ``LABEL@base``...).

    With ``sql``, ``revision`` must be ``START:END`` (there is no database to start from).
    """
    from gitmig.runtime.plan import downgrade_steps, resolve_rows

    script_dir = script_directory(config)
    starting_rev, target = _split_range(revision, sql, "downgrade")
    if sql and starting_rev is None:
        raise CommandError(
            f"downgrade --sql {revision!r}: give the range as START:END (e.g. head:base); "
            "offline there is no database to read the start from"
        )
    graph = script_dir.revision_map

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        rows = resolve_rows(graph, heads, exact=not sql, version_table=context.version_table)
        return downgrade_steps(script_dir, rows, target)

    _run_env(
        config,
        script_dir,
        fn=fn,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=target,
        tag=tag,
        lock=not sql,
        lock_timeout=lock_timeout,
    )


def stamp(
    config: Config,
    revision: str | Sequence[str],
    sql: bool = False,
    tag: str | None = None,
    purge: bool = False,
    lock_timeout: float | None = None,
) -> None:
    """Set the version table to ``revision`` (one or several) without running migrations.

    Each target replaces the rows on its own line of history; ``base`` empties the table.
    ``purge`` empties it first, which also overwrites revisions the scripts do not know.
    """
    from gitmig.runtime.plan import resolve_rows, stamp_steps

    script_dir = script_directory(config)
    targets = [revision] if isinstance(revision, str) else list(revision)
    if not targets:
        raise CommandError("stamp needs at least one revision")
    if purge and sql:
        raise CommandError("stamp --purge cannot be used with --sql (offline) mode")
    starting_rev = None
    if sql and len(targets) == 1:
        starting_rev, targets[0] = _split_range(targets[0], sql, "stamp")
    graph = script_dir.revision_map

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        rows = resolve_rows(graph, heads, exact=not sql, version_table=context.version_table)
        return stamp_steps(graph, rows, targets, purge=purge)

    _run_env(
        config,
        script_dir,
        fn=fn,
        as_sql=sql,
        starting_rev=starting_rev,
        destination_rev=tuple(targets),
        tag=tag,
        lock=not sql,
        purge=purge,
        lock_timeout=lock_timeout,
    )


class CurrentState(NamedTuple):
    """Where a database stands: its version rows and the scripts' heads."""

    #: the version table's rows (the applied heads), in graph order
    rows: tuple[str, ...]
    #: the scripts for ``rows``
    scripts: tuple[Script, ...]
    #: the heads of the scripts
    heads: tuple[str, ...]
    #: the database URL, password masked
    url: str | None

    @property
    def at_heads(self) -> bool:
        """True when the database is on every head of the scripts."""
        return set(self.rows) == set(self.heads)


def current(config: Config, check_heads: bool = False, verbose: bool = False) -> CurrentState:
    """Read the database's current revision(s) (the version table; nothing is changed).

    With ``check_heads``, raise CommandError unless the database is on every head.
    ``verbose`` is accepted for Alembic compatibility (the CLI prints the details).
    """
    from gitmig.runtime.plan import resolve_rows

    script_dir = script_directory(config)
    graph = script_dir.revision_map
    found: list[CurrentState] = []

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        rows = resolve_rows(graph, heads, exact=True, version_table=context.version_table)
        rows = tuple(graph.sort(rows))
        bind = context.bind
        url = bind.engine.url.render_as_string(hide_password=True) if bind is not None else None
        scripts = tuple(script_dir.get_script(row) for row in rows)
        found.append(CurrentState(rows, scripts, graph.heads, url))
        return []

    _run_env(config, script_dir, fn=fn, as_sql=False, dont_mutate=True)
    if not found:
        raise CommandError(
            f"{script_dir.env_py_location} did not call context.run_migrations(); "
            "gitmig current cannot read the database"
        )
    state = found[-1]
    if check_heads and not state.at_heads:
        from gitmig.util.messaging import format_ids

        raise CommandError(
            f"The database is at {format_ids(state.rows)}, not at the head(s) "
            f"{format_ids(state.heads)}: run `gitmig upgrade heads`"
        )
    return state
