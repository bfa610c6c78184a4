"""gitmig's Python API: one plain function per command (no click here).

Functions take a :class:`~gitmig.config.Config` first, return values, and raise
:class:`~gitmig.exc.GitmigError` subclasses for anything the user must fix.  Heavy libraries
(SQLAlchemy, Mako, the git layer) are imported inside the functions that need them, so that
``heads``, ``branches``, ``history`` and ``check-heads`` start fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from weakref import WeakKeyDictionary

from gitmig.exc import CommandError, MultipleHeadsError, UsageError

if TYPE_CHECKING:
    from gitmig.autogenerate.api import RevisionContext
    from gitmig.config import Config
    from gitmig.git.divergence import Comparison, RebasePlan, Snapshot, SnapshotReader
    from gitmig.git.repo import Provenance, Repository
    from gitmig.operations.ops import MigrateOperation
    from gitmig.runtime.migration import MigrationContext, MigrationStep
    from gitmig.script.base import Script, ScriptDirectory
    from gitmig.script.revision import Divergence, RevisionMap

__all__ = [
    "Blame",
    "CurrentState",
    "HeadsCheck",
    "TemplateInfo",
    "blame",
    "branches",
    "check",
    "check_heads",
    "check_heads_report",
    "current",
    "downgrade",
    "heads",
    "history",
    "hook_install",
    "init",
    "list_templates",
    "merge",
    "new",
    "provenance",
    "rebase",
    "revision",
    "script_directory",
    "show",
    "since_range",
    "stamp",
    "upgrade",
]


#: the sqlalchemy.url that ``init`` writes until the user sets a real one
PLACEHOLDER_URL = "driver://user:pass@localhost/dbname"

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
    sqlalchemy_url: str = PLACEHOLDER_URL,
) -> list[Path]:
    """Lay down a new migration environment in ``directory`` from ``template``.

    The config file (``config.config_file_name``, or pyproject.toml for the ``pyproject``
    template) is written beside it unless it exists already.  Returns the files written.
    """
    import shutil

    from gitmig.script.write import render_template

    templates = {t.name: t for t in list_templates(config)}
    if template not in templates:
        raise UsageError(
            f"No such template {template!r}; choose one of: {', '.join(sorted(templates))}"
        )
    source = templates[template].path
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CommandError(f"Directory {str(target)!r} already exists and is not empty")
    config_name = "pyproject.toml" if template == "pyproject" else "gitmig.ini"
    config_path = Path(config.config_file_name or config_name)
    if (config_path.suffix == ".toml") != (template == "pyproject"):
        # The file would hold the wrong format and fail to load on the next command.
        wanted = "a .toml file" if template == "pyproject" else "an ini file (or use -t pyproject)"
        raise UsageError(
            f"Config file {str(config_path)!r}: the {template!r} template writes {wanted}"
        )
    written: list[Path] = []
    (target / "versions").mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir()):
        if item.name.endswith(".mako") and item.name != "script.py.mako":
            continue  # config file templates are rendered below
        if item.is_file():
            shutil.copyfile(item, target / item.name)
            written.append(target / item.name)
    # Python's bytecode and gitmig's marker cache live in __pycache__: keep them out of git.
    (target / ".gitignore").write_text("__pycache__/\n", encoding="utf-8")
    written.append(target / ".gitignore")
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
    autogenerate: bool = False,
    process_revision_directives: Callable[..., None] | None = None,
) -> Path | None:
    """Write a new revision file on top of the (single) head and return its path.

    With ``autogenerate``, env.py runs and the revision holds the operations that bring the
    database (which must be at head) to ``target_metadata``.  ``process_revision_directives``
    (like env.py's) may change or empty the list of revisions to write; with several, the
    last path is returned, with none, ``None``.
    """
    script_dir = script_directory(config)
    if not autogenerate:
        return _write_new(
            config,
            script_dir,
            message,
            head,
            splice,
            branch_label,
            depends_on,
            rev_id,
            version_path,
            {},
        )
    from gitmig.autogenerate.api import RevisionContext

    revision_context = RevisionContext(
        config,
        script_dir,
        {
            "message": message,
            "head": head,
            "splice": splice,
            "branch_label": branch_label,
            "depends_on": depends_on,
            "rev_id": rev_id,
            "version_path": version_path,
        },
        process_revision_directives,
    )
    _run_autogenerate(script_dir, revision_context)
    path = None
    for script in revision_context.generated_revisions:
        path = _write_new(
            config,
            script_dir,
            script.message,
            script.head,
            bool(script.splice),
            script.branch_label,
            script.depends_on,
            script.rev_id,
            script.version_path,
            revision_context.template_args(script),
        )
    return path


def _run_autogenerate(script_dir: ScriptDirectory, revision_context: RevisionContext) -> None:
    """Run env.py with autogenerate's comparison as the migration function."""
    _run_env(
        revision_context.config,
        script_dir,
        fn=revision_context.run_autogenerate,
        as_sql=False,
        dont_mutate=True,
        revision_context=revision_context,
    )


def _write_new(
    config: Config,
    script_dir: ScriptDirectory,
    message: str | None,
    head: str | None,
    splice: bool,
    branch_label: str | Sequence[str] | None,
    depends_on: str | Sequence[str] | None,
    rev_id: str | None,
    version_path: str | None,
    template_args: dict[str, Any],
) -> Path:
    from gitmig.script.write import write_revision

    graph = script_dir.revision_map
    rev_id = _check_new_id(graph, rev_id)
    parents = _new_parents(graph, head, splice)
    labels = _check_labels(graph, branch_label)
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
        **template_args,
    )
    _after_write(config, script_dir, path)
    return path


revision = new  # Alembic's name for the same command


def _check_new_id(graph: RevisionMap, rev_id: str | None) -> str:
    from gitmig.script.revision import is_valid_id
    from gitmig.script.write import new_rev_id

    rev_id = rev_id or new_rev_id()
    if not is_valid_id(rev_id):
        raise UsageError(
            f"Invalid --rev-id {rev_id!r}: use letters, digits, '_' and '.' only "
            "(and not head, heads, base or current)"
        )
    if rev_id in graph:
        raise CommandError(f"Revision {rev_id} already exists ({graph.get(rev_id).where})")
    return rev_id


def _check_labels(graph: RevisionMap, branch_label: str | Sequence[str] | None) -> list[str]:
    from gitmig.script.revision import is_valid_label

    labels = [branch_label] if isinstance(branch_label, str) else list(branch_label or [])
    for label in labels:
        if not is_valid_label(label):
            raise UsageError(
                f"Invalid --branch-label {label!r}: labels may not be empty, reserved words, "
                "or hold '@', ':', '+', '-', ',' or spaces"
            )
        owner = graph.label_owner(label)
        if owner is not None:
            raise CommandError(
                f"Branch label {label!r} is already declared by {graph.get(owner).where}"
            )
    return labels


def _after_write(config: Config, script_dir: ScriptDirectory, path: Path) -> None:
    from gitmig.script.hooks import run_post_write_hooks

    run_post_write_hooks(config, path)
    script_dir.invalidate()
    _update_head_file(config, script_dir)  # also re-reads and validates the graph


def _update_head_file(config: Config, script_dir: ScriptDirectory) -> None:
    """Keep the optional heads file (option head_file) holding the graph's heads."""
    from gitmig.script.headfile import head_file_path, write_head_file

    graph = script_dir.revision_map
    path = head_file_path(config, script_dir)
    if path is not None:
        write_head_file(path, graph.heads)


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
        raise UsageError(f"{option} {identifier!r} must name exactly one revision")
    return ids[0]


def _version_folder(
    script_dir: ScriptDirectory, version_path: str | None, parents: Sequence[str]
) -> Path:
    if version_path is not None:
        wanted = Path(version_path).resolve()
        if wanted not in [p.resolve() for p in script_dir.version_locations]:
            raise UsageError(
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
            raise UsageError(
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


# -- autogenerate -------------------------------------------------------------------------


def check(config: Config) -> list[MigrateOperation]:
    """The operations autogenerate would write now (empty when models and database agree).

    Runs env.py like ``new --autogenerate`` but writes nothing; the database must be at head.
    """
    from gitmig.autogenerate.api import RevisionContext

    script_dir = script_directory(config)
    revision_context = RevisionContext(config, script_dir, {"head": "head"})
    _run_autogenerate(script_dir, revision_context)
    return revision_context.operations()


# -- running migrations ---------------------------------------------------------------------


def _run_env(
    config: Config,
    script_dir: ScriptDirectory,
    fn: Callable[[tuple[str, ...], MigrationContext], Any],
    **kw: Any,
) -> None:
    """Run env.py with an EnvironmentContext carrying the command's ``fn`` and options.

    Raises ScriptError when env.py never calls ``context.run_migrations()`` (the command
    would otherwise succeed having done nothing), and ConfigError when env.py failed because
    ``sqlalchemy.url`` is missing or still the placeholder ``init`` wrote.
    """
    from gitmig.exc import ScriptError
    from gitmig.runtime.environment import EnvironmentContext

    calls: list[tuple[str, ...]] = []

    def counted(heads: tuple[str, ...], context: MigrationContext) -> Any:
        calls.append(heads)
        return fn(heads, context)

    try:
        with EnvironmentContext(config, script_dir, fn=counted, **kw):
            script_dir.run_env()
    except ScriptError as err:
        _explain_url_problem(config, err)
        _explain_connection_failure(script_dir, err)
        raise
    if not calls:
        raise ScriptError(
            f"{script_dir.env_py_location} did not call context.run_migrations(); nothing was done"
        )


def _explain_url_problem(config: Config, err: BaseException) -> None:
    """Raise ConfigError if env.py's failure ``err`` comes from a missing or placeholder URL."""
    from sqlalchemy.exc import ArgumentError

    from gitmig.exc import ConfigError

    where = config.config_file_name or "the config"
    example = "set it to your database's URL (e.g. postgresql+psycopg://user@localhost/app)"
    cause = err.__cause__
    # The main section, and the per-database sections of the multidb template.
    sections = [config.config_ini_section, *config.get_list_option("databases")]
    for section in sections:
        url = (config.get_section(section).get("sqlalchemy.url") or "").strip()
        if url == PLACEHOLDER_URL and isinstance(cause, ArgumentError):
            raise ConfigError(
                f"{where}: [{_section_label(config, section)}] sqlalchemy.url is still the "
                f"placeholder {PLACEHOLDER_URL!r}; {example}"
            ) from None
    missing_url = (isinstance(cause, KeyError) and cause.args == ("url",)) or (
        isinstance(cause, ValueError) and "needs a connection, a url" in str(cause)
    )
    if missing_url and not config.get_main_option("sqlalchemy.url"):
        raise ConfigError(
            f"{where}: [{_section_label(config, config.config_ini_section)}] "
            f"sqlalchemy.url is not set; {example}"
        ) from None


def _explain_connection_failure(script_dir: ScriptDirectory, err: BaseException) -> None:
    """Raise a shorter ScriptError when env.py failed because it could not connect.

    SQLAlchemy's message repeats the exception class and adds a link line; the driver's own
    words (host, port, why) are what the user needs.
    """
    from sqlalchemy.exc import DBAPIError

    from gitmig.exc import ScriptError

    cause = err.__cause__
    if not isinstance(cause, DBAPIError) or cause.statement is not None:
        return  # not a failure to connect (a statement env.py ran itself)
    lines = str(cause.orig if cause.orig is not None else cause).splitlines()
    reason = "; ".join(" ".join(line.split()) for line in lines if line.strip())
    raise ScriptError(
        f"{script_dir.env_py_location}: cannot connect to the database: {reason}"
    ) from cause


def _section_label(config: Config, section: str) -> str:
    """How ``section`` is spelled in the config file (an ini section or a TOML table)."""
    if not (config.config_file_name or "").endswith(".toml"):
        return section
    return "tool.gitmig" if section == config.config_ini_section else f"tool.gitmig.{section}"


def _check_offline_lock(command_name: str, sql: bool, lock_timeout: float | None) -> None:
    if sql and lock_timeout is not None:
        raise UsageError(
            f"{command_name} --lock-timeout cannot be used with --sql: offline mode connects "
            "to nothing and takes no lock"
        )


def _split_range(revision: str, sql: bool, command_name: str) -> tuple[str | None, str]:
    """``START:END`` -> (START, END); ranges are for offline mode only."""
    if ":" not in revision:
        return None, revision
    if not sql:
        raise UsageError(
            f"{command_name} {revision!r}: a START:END range is only for --sql (offline) mode; "
            "online, the start is what the database's version table says"
        )
    start, end = (part.strip() for part in revision.split(":", 1))
    if not end:
        raise UsageError(f"{command_name} {revision!r}: the range has no END revision")
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
    _migrate(config, "upgrade", revision, sql, tag, lock_timeout)


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
    _migrate(config, "downgrade", revision, sql, tag, lock_timeout)


def _migrate(
    config: Config,
    direction: str,
    revision: str,
    sql: bool,
    tag: str | None,
    lock_timeout: float | None,
) -> None:
    from gitmig.runtime.plan import downgrade_steps, resolve_rows, upgrade_steps

    _check_offline_lock(direction, sql, lock_timeout)
    script_dir = script_directory(config)
    starting_rev, target = _split_range(revision, sql, direction)
    if direction == "downgrade" and sql and starting_rev is None:
        raise UsageError(
            f"downgrade --sql {revision!r}: give the range as START:END (e.g. head:base); "
            "offline there is no database to read the start from"
        )
    graph = script_dir.revision_map
    make_steps = upgrade_steps if direction == "upgrade" else downgrade_steps

    def fn(heads: tuple[str, ...], context: MigrationContext) -> list[MigrationStep]:
        rows = resolve_rows(graph, heads, exact=not sql, version_table=context.version_table)
        return make_steps(script_dir, rows, target)

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
        raise UsageError("stamp needs at least one revision")
    if purge and sql:
        raise UsageError("stamp --purge cannot be used with --sql (offline) mode")
    _check_offline_lock("stamp", sql, lock_timeout)
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
    state = found[-1]
    if check_heads and not state.at_heads:
        from gitmig.util.messaging import format_ids

        raise CommandError(
            f"The database is at {format_ids(state.rows)}, not at the head(s) "
            f"{format_ids(state.heads)}: run `gitmig upgrade heads`"
        )
    return state


# -- git-aware commands ---------------------------------------------------------------------


def _open_repo(script_dir: ScriptDirectory, option: str) -> Repository:
    """The git repository holding the migration environment (``option`` needs one)."""
    from gitmig.exc import GitError
    from gitmig.git.repo import open_repository

    try:
        return open_repository(script_dir.dir)
    except GitError as err:
        raise GitError(f"{option} needs git: {err}") from None


def _reader(repo: Repository, script_dir: ScriptDirectory) -> SnapshotReader:
    from gitmig.git.divergence import SnapshotReader

    return SnapshotReader(repo, script_dir)


class HeadsCheck:
    """What ``check-heads`` found: the graph here, the heads file, and each ``--against`` ref.

    (A plain class rather than a dataclass: building dataclasses costs milliseconds at
    import, and this module is on the light commands' path.)
    """

    def __init__(
        self,
        source: str,
        divergences: list[Divergence],
        head_file_problem: str | None = None,
        graph_problem: str | None = None,
    ) -> None:
        #: ``working tree`` or ``index``
        self.source = source
        #: heads on one line of history that need a merge, here alone
        self.divergences = divergences
        #: why the heads file (option head_file) disagrees with the graph, if it does
        self.head_file_problem = head_file_problem
        #: the graph here lacks a parent that only the compared refs have
        self.graph_problem = graph_problem
        #: refs given but not compared, and why (``@{upstream}`` of a branch without one)
        self.skipped: list[str] = []
        #: one per ref compared against
        self.comparisons: list[Comparison] = []

    @property
    def ok(self) -> bool:
        return not (
            self.divergences
            or self.head_file_problem
            or self.graph_problem
            or any(not c.ok for c in self.comparisons)
        )

    def to_json(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return {
            "ok": self.ok,
            "source": self.source,
            "divergences": [
                {
                    "heads": list(d.heads),
                    "common_ancestors": list(d.common_ancestors),
                    "added": {h: list(a) for h, a in d.added.items()},
                }
                for d in self.divergences
            ],
            "head_file": self.head_file_problem,
            "graph": self.graph_problem,
            "against": [c.to_json() for c in self.comparisons],
            "skipped": self.skipped,
        }


_UPSTREAM = re.compile(r"\A(?:HEAD)?@\{(?:u|upstream)\}\Z")


def check_heads_report(
    config: Config,
    against: Sequence[str] | None = None,
    staged: bool = False,
    fix_head_file: bool = False,
) -> HeadsCheck:
    """Check the graph of the working tree (or the git index with ``staged``).

    Reports divergent heads, a heads file that disagrees with the graph, and for each ref
    in ``against`` what merging it would produce. ``against=None`` means the config's
    ``git_target`` refs, when inside a git repository; ``fix_head_file`` rewrites the heads
    file from the graph instead of reporting it.
    """
    script_dir = script_directory(config)
    targets = list(against or [])
    if against is None and config.get_list_option("git_target"):
        from gitmig.git.repo import find_worktree

        if find_worktree(script_dir.dir) is not None:
            targets = config.get_list_option("git_target")
    if not (staged or targets):
        graph = script_dir.revision_map
        report = HeadsCheck("working tree", graph.divergences())
        report.head_file_problem = _head_file_problem(config, script_dir, graph, fix_head_file)
        return report

    option = "--staged" if staged else "--against"
    from gitmig.exc import RevisionError
    from gitmig.git.divergence import compare

    with _open_repo(script_dir, option) as repo:
        reader = _reader(repo, script_dir)
        ours = reader.index() if staged else reader.working_tree()
        report = HeadsCheck(ours.name, [])
        for ref in targets:
            if _UPSTREAM.match(ref) and not repo.ref_exists(ref):
                # A branch's first push has no upstream yet: nothing to diverge from.
                report.skipped.append(f"{ref}: the current branch has no upstream; not checked")
                continue
            report.comparisons.append(compare(reader, ours, ref))
        try:
            graph = _graph_of(ours)
        except RevisionError as err:
            if not report.comparisons:
                raise
            # Typical right after `gitmig rebase --onto REF` and before `git merge REF`: a
            # parent that exists only at REF. Report it with the comparisons, don't stop.
            report.graph_problem = str(err)
            found_at = [
                c.ref
                for c in report.comparisons
                if _missing_parents(ours) <= set(c.theirs.revisions)
            ]
            if found_at and _missing_parents(ours):
                report.graph_problem += (
                    f"; it exists at {', '.join(found_at)}: merge that (`git merge`) to bring it in"
                )
            return report
        report.divergences = graph.divergences()
        head_text = _staged_head_file(config, script_dir, repo) if staged else None
        report.head_file_problem = _head_file_problem(
            config, script_dir, graph, fix_head_file, head_text, staged
        )
    return report


def _missing_parents(snapshot: Snapshot) -> set[str]:
    return {
        parent
        for rev in snapshot.revisions.values()
        for parent in rev.parents
        if parent not in snapshot.revisions
    }


def _graph_of(snapshot: Snapshot) -> RevisionMap:
    from gitmig.exc import RevisionError
    from gitmig.script.revision import RevisionMap

    if snapshot.duplicates:
        rev_id, first, second = snapshot.duplicates[0]
        raise RevisionError(
            f"Duplicate revision id {rev_id}: declared by {first} and by {second} "
            f"(in the {snapshot.name})"
        )
    return RevisionMap(snapshot.revisions.values())


def _staged_head_file(config: Config, script_dir: ScriptDirectory, repo: Repository) -> str | None:
    from gitmig.script.headfile import head_file_path

    path = head_file_path(config, script_dir)
    if path is None:
        return None
    relpath = repo.relative(path)
    folder = relpath.rpartition("/")[0]
    for entry in repo.staged_files(folder):
        if entry.path == relpath:
            return repo.read_blob(entry.blob).decode("utf-8", errors="replace")
    return None


def _head_file_problem(
    config: Config,
    script_dir: ScriptDirectory,
    graph: RevisionMap,
    fix: bool,
    text: str | None = None,
    staged: bool = False,
) -> str | None:
    from gitmig.script.headfile import check_head_file, head_file_path, write_head_file

    path = head_file_path(config, script_dir)
    if path is None:
        if fix:
            raise CommandError("--fix-head-file: no head_file option is set in the config")
        return None
    if fix:
        if graph.divergences():
            raise CommandError(
                "--fix-head-file: the graph has divergent heads; run `gitmig merge` first "
                "(it writes the heads file too)"
            )
        write_head_file(path, graph.heads)
        return None
    if not staged:
        text = path.read_text(encoding="utf-8") if path.is_file() else None
    return check_head_file(path, text, graph.heads, bool(graph.divergences()))


def merge(
    config: Config,
    revisions: Sequence[str] = (),
    message: str | None = None,
    branch_label: str | Sequence[str] | None = None,
    rev_id: str | None = None,
) -> Path:
    """Write a merge revision whose down_revision is a tuple of ``revisions``.

    With no ``revisions``, merges every head of the graph. Refuses when fewer than two
    revisions remain to merge, or when one is an ancestor of another.
    """
    from gitmig.script.write import write_revision

    script_dir = script_directory(config)
    graph = script_dir.revision_map
    parents: list[str] = []
    for identifier in revisions or ("heads",):
        for rev in graph.resolve(identifier):
            if rev not in parents:
                parents.append(rev)
    if len(parents) < 2:
        what = f"the graph has a single head ({parents[0]})" if parents else "no revisions"
        raise CommandError(f"Nothing to merge: {what}")
    for rev in parents:
        below = [p for p in parents if p != rev and rev in graph.ancestors([p], inclusive=False)]
        if below:
            raise CommandError(
                f"Cannot merge {rev} with {', '.join(below)}: it is already an ancestor of it"
            )
    rev_id = _check_new_id(graph, rev_id)
    labels = _check_labels(graph, branch_label)
    path = write_revision(
        script_dir,
        rev_id,
        message,
        tuple(parents),
        branch_labels=labels or None,
        version_path=_version_folder(script_dir, None, parents),
    )
    _after_write(config, script_dir, path)
    return path


def rebase(config: Config, onto: str, dry_run: bool = False) -> RebasePlan:
    """Re-parent this branch's own revisions onto the head of git ref ``onto``.

    The revisions present here and absent at ``onto`` must form one chain; the first one's
    ``down_revision`` (and its ``Revises:`` line) is rewritten in place to ``onto``'s head,
    leaving every other byte alone. Returns the plan (``plan.noop`` when there was nothing
    to do); raises CommandError explaining a refusal.
    """
    from gitmig.exc import RevisionError
    from gitmig.git.divergence import plan_rebase
    from gitmig.script.headfile import head_file_path, write_head_file
    from gitmig.script.rewrite import set_down_revision

    script_dir = script_directory(config)
    with _open_repo(script_dir, "rebase") as repo:
        reader = _reader(repo, script_dir)
        ours = reader.working_tree()
        if ours.duplicates:
            rev_id, first_path, second_path = ours.duplicates[0]
            raise RevisionError(
                f"Duplicate revision id {rev_id}: declared by {first_path} and by {second_path}"
            )
        upstream = repo.upstream()
        plan = plan_rebase(reader, ours, onto, exclude_refs=[upstream] if upstream else [])
    if plan.noop or dry_run:
        return plan
    assert plan.onto is not None
    first = plan.chain[0]
    assert first.path is not None
    path = Path(first.path)
    path.write_bytes(set_down_revision(path.read_bytes(), plan.onto, str(path)))
    script_dir.invalidate()
    # Before `git merge REF` the parent exists only at REF, so the heads file gets the heads
    # of the united graph (what the branch will have once merged).
    head_file = head_file_path(config, script_dir)
    if head_file is not None:
        write_head_file(head_file, plan.heads_after)
    return plan


class Blame(NamedTuple):
    """A revision and the git commit that added its file (``None``: not committed yet)."""

    script: Script
    provenance: Provenance | None


def provenance(
    config: Config, scripts: Sequence[Script], option: str = "history --git"
) -> list[Blame]:
    """Pair each script with who added it to git, when, and the branches containing it.

    ``option`` names what needs git in the error raised outside a repository.
    """
    script_dir = script_directory(config)
    with _open_repo(script_dir, option) as repo:
        found: dict[str, Provenance] = {}
        relpaths = {s.revision: repo.relative(s.path) for s in scripts if s.path}
        for location in script_dir.version_locations:
            found.update(repo.provenance(repo.relative(location), relpaths.values()))
    return [Blame(s, found.get(relpaths.get(s.revision, ""))) for s in scripts]


def blame(config: Config, rev: str | None = None) -> list[Blame]:
    """Provenance of revision ``rev`` (every revision, newest first, when ``None``)."""
    scripts = show(config, rev) if rev else history(config)
    return provenance(config, scripts, "blame")


_HOOK_SCRIPT = """#!/bin/sh
# {marker} ({hook_type}), written by `gitmig hook install`.
# {purpose}
INSTALL_PYTHON={python}
{command}
if [ -x "$INSTALL_PYTHON" ] && "$INSTALL_PYTHON" -c "import gitmig" 2>/dev/null; then
    exec "$INSTALL_PYTHON" -m gitmig {config_args}check-heads $CHECK_ARGS
elif command -v gitmig >/dev/null 2>&1; then
    exec gitmig {config_args}check-heads $CHECK_ARGS
else
    echo "gitmig {hook_type} hook: gitmig is not installed (looked for $INSTALL_PYTHON)" >&2
    exit 1
fi
"""
HOOK_MARKER = "gitmig check-heads hook"


def hook_install(config: Config, pre_push: bool = False, force: bool = False) -> Path:
    """Write a native git hook running ``check-heads`` (pre-commit, or pre-push).

    The pre-commit hook checks the staged graph; the pre-push hook checks against the
    branch's upstream (plain ``check-heads`` when it has none). An existing different hook
    is never replaced without ``force``. Returns the hook's path.
    """
    import shlex
    import sys

    script_dir = script_directory(config)
    hook_type = "pre-push" if pre_push else "pre-commit"
    with _open_repo(script_dir, "hook install") as repo:
        hooks = repo.git_path("hooks")
        config_args = ""
        if config.config_file_name:
            config_args = f"-c {shlex.quote(repo.relative(config.config_file_name))} "
        if config.config_ini_section != "gitmig":
            config_args += f"-n {shlex.quote(config.config_ini_section)} "
    if pre_push:
        purpose = "Refuses a push whose migration graph would diverge from the upstream's."
        command_line = (
            'if git rev-parse --verify --quiet "@{upstream}" >/dev/null; then\n'
            "    CHECK_ARGS='--against @{upstream}'\nelse\n    CHECK_ARGS=''\nfi"
        )
    else:
        purpose = "Refuses a commit whose staged migration graph has divergent heads."
        command_line = "CHECK_ARGS='--staged'"
    text = _HOOK_SCRIPT.format(
        marker=HOOK_MARKER,
        hook_type=hook_type,
        purpose=purpose,
        python=shlex.quote(sys.executable),
        command=command_line,
        config_args=config_args,
    )
    path = hooks / hook_type
    if path.exists() and path.read_text(encoding="utf-8", errors="replace") != text and not force:
        raise CommandError(
            f"{path} already exists and is not this gitmig hook; pass --force to replace it "
            "(or call `gitmig check-heads` from it yourself)"
        )
    hooks.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


def since_range(config: Config, ref: str, target: str = "head") -> str:
    """``START:TARGET`` where START is the head of the graph where this branch forked from
    git ref ``ref`` (their merge-base; ``ref`` itself once the branch has merged it).

    ``upgrade --sql --since REF`` runs ``upgrade --sql START:TARGET``, so the offline SQL
    covers only the revisions this branch adds, whether or not it has merged ``ref`` since.
    When there are no revisions at that point, everything is new and the range is just
    ``TARGET``.
    """
    if ":" in target:
        raise UsageError(f"--since {ref} gives the START; the revision {target!r} must be END")
    script_dir = script_directory(config)
    with _open_repo(script_dir, "--since") as repo:
        reader = _reader(repo, script_dir)
        head = repo.head_commit()
        fork = repo.merge_base(head, repo.resolve_commit(ref)) if head else None
        heads = (reader.at_commit(fork, ref) if fork else reader.at(ref)).heads()
    if len(heads) > 1:
        raise MultipleHeadsError(
            f"--since {ref}: the graph at {ref} has several heads ({', '.join(heads)}); "
            "give START:END explicitly instead",
            heads,
        )
    return f"{heads[0]}:{target}" if heads else target
