"""An Alembic project's configuration, restated as gitmig's (for ``gitmig adopt``).

Alembic keeps its options in ``alembic.ini`` (an ``[alembic]`` section, plus logging), in
``[tool.alembic]`` of pyproject.toml, or in both (the ``pyproject`` template keeps the URL
and logging in the ini file). gitmig reads one file, so:

- with an ini file, ``gitmig.ini`` is written beside it: the same text (comments kept)
  with the section renamed ``[gitmig]``, Alembic's logger renamed, and any
  ``[tool.alembic]`` options moved into the section;
- with only ``[tool.alembic]``, a ``[tool.gitmig]`` copy of it is appended to pyproject.toml.

The options mean the same in both tools; nothing is dropped.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

from gitmig.exc import ConfigError

__all__ = ["AlembicConfig", "find_alembic_config", "gitmig_config"]

_SEPARATOR_JOINS = {"space": " ", "newline": "\n    ", "os": os.pathsep, ":": ":", ";": ";"}


class AlembicConfig(NamedTuple):
    """Where an Alembic project keeps its options."""

    #: alembic.ini (or the file given), if there is one
    ini: Path | None
    #: pyproject.toml, if it has a [tool.alembic] table
    toml: Path | None
    #: the ini section holding Alembic's options
    section: str

    @property
    def folder(self) -> Path:
        """The project folder (where gitmig's config is written)."""
        found = self.ini or self.toml
        assert found is not None
        return found.resolve().parent

    def python_files(self) -> list[Path]:
        """env.py, the script template and the revision files this configuration names."""
        from gitmig.config import Config
        from gitmig.util.paths import resolve_location

        config = Config(self.ini, ini_section=self.section) if self.ini else Config()
        table = _toml_table(self.toml) if self.toml else None
        here = str((self.toml or self.ini or Path(".")).resolve().parent)

        def option(name: str) -> str | None:
            if table is not None and name in table:
                return str(table[name]).replace("%(here)s", here)
            return config.get_main_option(name)

        def paths(name: str) -> list[str]:
            if table is not None and isinstance(table.get(name), list):
                return [str(item).replace("%(here)s", here) for item in table[name]]
            return config.get_list_option(name)

        location = option("script_location")
        if not location:
            raise ConfigError(f"{self.ini or self.toml}: no script_location option")
        script_dir = resolve_location(location.strip())
        versions = [resolve_location(v) for v in paths("version_locations")]
        recursive = (option("recursive_version_locations") or "").strip().lower() in (
            "true",
            "1",
            "yes",
            "on",
        )
        files = _python_files_of(script_dir, False)
        if (script_dir / "script.py.mako").is_file():
            files.append(script_dir / "script.py.mako")
        for folder in versions or [script_dir / "versions"]:
            files.extend(_python_files_of(folder, recursive))
        return list(dict.fromkeys(p.resolve() for p in files))


def find_alembic_config(
    explicit: str | Path | None = None, section: str = "alembic"
) -> AlembicConfig:
    """The Alembic configuration to adopt: ``explicit`` (an ini file or a pyproject.toml),
    else ``alembic.ini`` and/or ``pyproject.toml`` with ``[tool.alembic]`` in the current
    directory."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"No Alembic config file {str(path)!r} found")
        if path.suffix == ".toml":
            if _toml_table(path) is None:
                raise ConfigError(f"{path}: no [tool.alembic] table")
            ini = path.parent / "alembic.ini"
            return AlembicConfig(ini if ini.is_file() else None, path, section)
        pyproject = path.parent / "pyproject.toml"
        toml = pyproject if pyproject.is_file() and _toml_table(pyproject) else None
        return AlembicConfig(path, toml, section)
    ini, pyproject = Path("alembic.ini"), Path("pyproject.toml")
    toml = pyproject if pyproject.is_file() and _toml_table(pyproject) is not None else None
    if not ini.is_file() and toml is None:
        raise ConfigError(
            "No Alembic configuration here: no alembic.ini, and no [tool.alembic] in "
            "pyproject.toml; pass the file (gitmig adopt path/to/alembic.ini)"
        )
    return AlembicConfig(ini if ini.is_file() else None, toml, section)


def gitmig_config(source: AlembicConfig, version_table: str | None = None) -> tuple[Path, str]:
    """The gitmig config file to write for ``source`` and its full new text.

    ``version_table`` is recorded as the ``version_table`` option (gitmig then keeps using
    the table Alembic filled).
    """
    table = _toml_table(source.toml) if source.toml is not None else None
    if source.ini is not None:
        return source.folder / "gitmig.ini", _ini_text(source, table or {}, version_table)
    assert source.toml is not None
    text = source.toml.read_text(encoding="utf-8")
    block = _toml_block(text)
    if version_table:
        block.insert(1, f'version_table = "{version_table}"')
    return source.toml.resolve(), text.rstrip("\n") + "\n\n" + "\n".join(block).rstrip("\n") + "\n"


def _ini_text(source: AlembicConfig, table: dict[str, Any], version_table: str | None) -> str:
    assert source.ini is not None
    text = source.ini.read_text(encoding="utf-8")
    header = re.compile(rf"^\[{re.escape(source.section)}\][ \t]*$", re.MULTILINE)
    if not header.search(text):
        raise ConfigError(f"{source.ini}: no [{source.section}] section")
    added = _ini_lines(text, table)
    if version_table:
        added.append(f"version_table = {version_table}")
    text = header.sub(lambda _: "\n".join(["[gitmig]", *added]), text, count=1)
    if table.get("post_write_hooks") and "[post_write_hooks]" not in text:
        text = text.rstrip("\n") + "\n\n" + _hooks_section(table["post_write_hooks"])
    # Alembic's logger becomes gitmig's, so that the progress lines keep showing.
    text = re.sub(r"^\[logger_alembic\]", "[logger_gitmig]", text, flags=re.MULTILINE)
    text = re.sub(r"^(qualname[ \t]*=[ \t]*)alembic[ \t]*$", r"\1gitmig", text, flags=re.MULTILINE)
    return re.sub(
        r"^(keys\s*=.*)$",
        lambda m: re.sub(r"\balembic\b", "gitmig", m.group(1)),
        text,
        flags=re.MULTILINE,
    )


def _ini_lines(ini_text: str, table: dict[str, Any]) -> list[str]:
    """``[tool.alembic]``'s options as ini lines (lists joined by the file's separator)."""
    found = re.search(r"^path_separator\s*=\s*(\S+)", ini_text, re.MULTILINE)
    lines = []
    if found is None and any(isinstance(v, list) for v in table.values()):
        lines.append("path_separator = newline")
        join = _SEPARATOR_JOINS["newline"]
    else:
        join = _SEPARATOR_JOINS.get(found.group(1) if found else "newline", " ")
    for key, value in table.items():
        if key == "post_write_hooks" or isinstance(value, dict):
            continue
        if isinstance(value, list):
            items = [_ini_escape(str(item)) for item in value]
            rendered = (join.join(["", *items]) if "\n" in join else join.join(items)).rstrip()
        elif isinstance(value, bool):
            rendered = "true" if value else "false"
        else:
            rendered = _ini_escape(str(value))
        lines.append(f"{key} = {rendered}")
    return lines


def _ini_escape(value: str) -> str:
    # TOML values know only %(here)s; an ini file reads every other % as interpolation.
    return re.sub(r"%(?!\(here\)s)", "%%", value)


def _hooks_section(hooks: list[dict[str, Any]]) -> str:
    lines = ["[post_write_hooks]", f"hooks = {', '.join(str(h['name']) for h in hooks)}"]
    for hook in hooks:
        lines.extend(
            f"{hook['name']}.{key} = {_ini_escape(str(value))}"
            for key, value in hook.items()
            if key != "name"
        )
    return "\n".join(lines) + "\n"


def _toml_block(text: str) -> list[str]:
    """The lines of ``[tool.alembic]`` (and its sub-tables), renamed ``tool.gitmig``."""
    lines: list[str] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("["):
            name = line.strip().strip("[]").strip()
            inside = name == "tool.alembic" or name.startswith("tool.alembic.")
            if inside:
                line = line.replace("tool.alembic", "tool.gitmig", 1)
        if inside:
            lines.append(line)
    return lines


def _toml_table(path: Path) -> dict[str, Any] | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 only
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read config file: {err}") from None
    table = data.get("tool", {}).get("alembic")
    return table if isinstance(table, dict) else None


def _python_files_of(folder: Path, recursive: bool) -> list[Path]:
    if not folder.is_dir():
        return []
    found = folder.rglob("*.py") if recursive else folder.glob("*.py")
    return sorted(p for p in found if "__pycache__" not in p.parts)
