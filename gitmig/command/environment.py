"""Environment commands: the bundled templates, and ``init``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from gitmig.exc import CommandError, UsageError

if TYPE_CHECKING:
    from gitmig.config import Config

__all__ = ["InitResult", "TemplateInfo", "init", "list_templates"]


class TemplateInfo(NamedTuple):
    """One bundled environment template."""

    name: str
    description: str
    path: Path


class InitResult(NamedTuple):
    """What ``init`` laid down."""

    #: the files written, in order (the config file last, when it was written)
    files: list[Path]
    #: the config file the environment is configured in
    config_file: Path
    #: ``written``, ``exists`` (left as it is) or ``has-table`` (a [tool.gitmig] already there)
    config_status: str


def list_templates(config: Config) -> list[TemplateInfo]:
    """The bundled templates, each with the first line of its README."""
    root = Path(config.get_template_directory())  # a str from an Alembic-style override
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
    sqlalchemy_url: str | None = None,
) -> InitResult:
    """Lay down a new migration environment in ``directory`` from ``template``.

    The config file (``config.config_file_name``, or pyproject.toml for the ``pyproject``
    template) is written beside it unless it exists already.  ``sqlalchemy_url`` defaults
    to a placeholder the first command that connects refuses by name.
    """
    import shutil

    from gitmig.config import PLACEHOLDER_URL
    from gitmig.script.write import render_text

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
    if template == "pyproject" and config.toml_file_name:
        config_path = Path(config.toml_file_name)  # Config(ini, toml_file=...), as Alembic's
    else:
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
    # git does not track an empty folder: without a file in it, a teammate's fresh clone
    # would have no versions/ and `gitmig new` would fail there.
    (target / "versions" / ".gitkeep").write_text("", encoding="utf-8")
    written.append(target / "versions" / ".gitkeep")
    if package:
        for folder in (target, target / "versions"):
            (folder / "__init__.py").write_text("", encoding="utf-8")
            written.append(folder / "__init__.py")
    config_template = source / f"{config_name}.mako"
    location = _relative_location(target, config_path)
    if config_path.exists() and template != "pyproject":
        status = "exists"
    elif config_path.exists() and "[tool.gitmig" in config_path.read_text(encoding="utf-8"):
        status = "has-table"
    else:
        status = "written"
        text = render_text(
            config_template,
            script_location=location,
            sqlalchemy_url=sqlalchemy_url or PLACEHOLDER_URL,
        )
        if config_path.exists():  # append [tool.gitmig] to an existing pyproject.toml
            text = config_path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text
        config_path.write_text(text, encoding="utf-8")
        written.append(config_path)
    return InitResult(written, config_path, status)


def _relative_location(target: Path, config_path: Path) -> str:
    """script_location as written in the config: relative to the config file's folder."""
    base = config_path.resolve().parent
    try:
        relative = target.resolve().relative_to(base)
    except ValueError:
        return str(target.resolve())
    return f"%(here)s/{relative.as_posix()}"
