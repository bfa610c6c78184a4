"""gitmig's Python API: one plain function per command (no click here).

Functions take a :class:`~gitmig.config.Config` first, return values, and raise
:class:`~gitmig.exc.GitmigError` subclasses for anything the user must fix.  Heavy libraries
(SQLAlchemy, Mako, GitPython) are imported inside the functions that need them, so that
``heads``, ``branches``, ``history`` and ``check-heads`` start fast.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitmig.exc import CommandError, MultipleHeadsError

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.script.base import Script, ScriptDirectory
    from gitmig.script.revision import Divergence

__all__ = [
    "TemplateInfo",
    "branches",
    "check_heads",
    "heads",
    "history",
    "init",
    "list_templates",
    "new",
    "revision",
    "show",
]


def _script_directory(config: Config) -> ScriptDirectory:
    from gitmig.script.base import ScriptDirectory

    return ScriptDirectory.from_config(config)


# -- environment ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateInfo:
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

    script_dir = _script_directory(config)
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
    script_dir = _script_directory(config)
    graph = script_dir.revision_map
    ids = list(graph.heads)
    if resolve_dependencies:
        needed = {dep for rev in graph for dep in rev.dependencies}
        ids = [h for h in ids if h not in needed]
    return [script_dir.get_script(h) for h in ids]


def branches(config: Config) -> list[tuple[Script, list[Script]]]:
    """Branch points: each revision with more than one child, with its children."""
    script_dir = _script_directory(config)
    graph = script_dir.revision_map
    return [
        (script_dir.get_script(rev.revision), [script_dir.get_script(c) for c in children])
        for rev in graph
        if len(children := graph.children(rev.revision)) > 1
    ]


def history(config: Config, rev_range: str | None = None) -> list[Script]:
    """Revisions newest first, optionally limited to ``START:END`` (either side optional)."""
    script_dir = _script_directory(config)
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
    script_dir = _script_directory(config)
    ids = script_dir.revision_map.resolve(rev)
    if not ids:
        raise CommandError(f"{rev!r} names no revision (it is the base)")
    return [script_dir.get_script(rev_id) for rev_id in ids]


def check_heads(config: Config) -> list[Divergence]:
    """Heads that share a line of history and need a merge (empty when the graph is fine)."""
    return _script_directory(config).revision_map.divergences()
