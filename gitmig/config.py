"""Configuration: ``gitmig.ini`` (a ``[gitmig]`` section) or ``[tool.gitmig]`` in pyproject.toml.

Both end up as the same thing: main options (strings) plus named sections (dicts of strings),
with ``%(here)s`` standing for the directory of the file.
"""

from __future__ import annotations

import configparser
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace

from gitmig.exc import ConfigError
from gitmig.util.messaging import mask_url

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["DEFAULT_CONFIG_FILE", "PLACEHOLDER_URL", "Config", "find_config_file"]

DEFAULT_CONFIG_FILE = "gitmig.ini"
PYPROJECT = "pyproject.toml"
#: the sqlalchemy.url that ``init`` writes until the user sets a real one
PLACEHOLDER_URL = "driver://user:pass@localhost/dbname"


def find_config_file(explicit: str | None = None, directory: str | Path = ".") -> Path:
    """The config file to use: ``explicit``, else ``$GITMIG_CONFIG``, else ``gitmig.ini`` in
    ``directory``, else its ``pyproject.toml`` if that has a ``[tool.gitmig]`` table."""
    chosen = explicit or os.environ.get("GITMIG_CONFIG")
    if chosen:
        return Path(chosen)
    directory = Path(directory)
    ini = directory / DEFAULT_CONFIG_FILE
    if ini.exists():
        return ini
    pyproject = directory / PYPROJECT
    if pyproject.exists():
        try:
            text = pyproject.read_text(encoding="utf-8", errors="replace")
        except OSError:
            # Let Config name the file and why it cannot be read, rather than say that
            # no config file exists.
            return pyproject
        if "[tool.gitmig" in text:
            return pyproject
    return ini


class Config:
    """Options for one gitmig project, read from a config file (or set in code).

    Built as Alembic builds its ``Config`` (same positional order and attributes). Nothing
    is read until an option is first asked for, so a ``Config`` may be made before its
    file is written (``init`` does that). ``Config()`` with no file is an empty
    configuration for programmatic use; call :meth:`set_main_option` to fill it.

    ``file_`` is ``gitmig.ini`` (or a ``pyproject.toml`` with ``[tool.gitmig]``);
    ``toml_file`` is a pyproject.toml read beside an ini file, its values under the ini's.
    The main section is ``ini_section``; when that is ``gitmig`` and a file has only an
    ``[alembic]`` section (``[tool.alembic]`` table), that one is read, so an Alembic
    project's config works as it is. ``config_args`` are extra ``%(name)s`` values for ini
    interpolation; ``output_buffer`` is where offline (``--sql``) SQL goes.
    """

    def __init__(
        self,
        file_: str | os.PathLike[str] | None = None,
        toml_file: str | os.PathLike[str] | None = None,
        ini_section: str = "gitmig",
        output_buffer: TextIO | None = None,
        stdout: TextIO | None = None,
        cmd_opts: Any = None,
        config_args: Mapping[str, Any] | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        self.config_file_name: str | None = os.fspath(file_) if file_ is not None else None
        self.toml_file_name: str | None = os.fspath(toml_file) if toml_file is not None else None
        self.config_ini_section = ini_section
        self.output_buffer = output_buffer
        self._stdout = stdout
        self.cmd_opts = cmd_opts if cmd_opts is not None else SimpleNamespace(x=[], quiet=False)
        self.config_args: dict[str, Any] = dict(config_args or {})
        if self.config_file_name is not None:
            # As in Alembic: the config file's folder, the value of ``%(here)s``.
            self.config_args["here"] = str(Path(self.config_file_name).resolve().parent)
        #: free-form values shared with env.py (e.g. ``attributes["connection"]``)
        self.attributes: dict[str, Any] = attributes if attributes is not None else {}
        self._loaded = False
        self._main_values: dict[str, str] = {}
        self._section_values: dict[str, dict[str, str]] = {}
        self._ini: tuple[Path, configparser.ConfigParser] | None = None

    def copy(self, **main_options: str) -> Config:
        """A copy whose options can change without touching this one (the file is read first).

        ``main_options`` are set on the copy as they are: no ``%(here)s`` expansion, so a
        URL with a literal ``%`` (a URL-encoded password) is kept as given.
        """
        import copy

        self._ensure_loaded()
        clone = copy.copy(self)
        clone._main_values = {**self._main_values, **main_options}
        clone._section_values = {name: dict(v) for name, v in self._section_values.items()}
        clone.attributes = dict(self.attributes)
        return clone

    # -- loading ----------------------------------------------------------------------------

    @property
    def _main(self) -> dict[str, str]:
        self._ensure_loaded()
        return self._main_values

    @property
    def _sections(self) -> dict[str, dict[str, str]]:
        self._ensure_loaded()
        return self._section_values

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        # Set first: loading sets options through the same dicts, and a failed load is
        # not retried with half the values in place.
        self._loaded = True
        toml_read = False
        if self.toml_file_name is not None and Path(self.toml_file_name).is_file():
            toml_path = Path(self.toml_file_name)
            # Beside an ini file, as Alembic's toml_file: the whole [tool.gitmig] table.
            self._load_toml(toml_path, str(toml_path.resolve().parent), beside_ini=True)
            toml_read = True
        if self.config_file_name is not None:
            ini = Path(self.config_file_name)
            # With a pyproject.toml read, the ini file is optional (it may hold only logging).
            if not (toml_read and not ini.exists()):
                self._load(ini)

    def _load(self, path: Path) -> None:
        if path.is_dir():
            raise ConfigError(
                f"{path}: is a directory, not a config file (gitmig.ini or pyproject.toml)"
            )
        if not path.is_file():
            raise ConfigError(
                f"No config file {str(path)!r} found; run 'gitmig init DIR' to create one, "
                "or pass -c/--config (or set GITMIG_CONFIG)"
            )
        here = self.config_args["here"] = str(path.resolve().parent)
        if path.suffix == ".toml":
            self._load_toml(path, here)
        else:
            self._load_ini(path, here)

    @staticmethod
    def _read_text(path: Path) -> str:
        """The config file's text; an unreadable file is named with the reason.

        (configparser.read() skips a file it cannot open, which would report an unreadable
        file as one without a [gitmig] section.)
        """
        try:
            return path.read_text(encoding="utf-8")
        except OSError as err:
            raise ConfigError(f"{path}: cannot read config file: {err.strerror}") from None
        except UnicodeDecodeError as err:
            raise ConfigError(f"{path}: cannot read config file: {err}") from None

    def _load_ini(self, path: Path, here: str) -> None:
        text = self._read_text(path)
        parser = configparser.ConfigParser(defaults={**self.config_args, "here": here})
        try:
            parser.read_string(text, source=str(path))
        except (configparser.Error, UnicodeDecodeError) as err:
            message = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ConfigError(mask_url(f"{path}: cannot read config file: {message}")) from None
        if not parser.has_section(self.config_ini_section) and self._alembic_fallback(
            parser.has_section("alembic")
        ):
            self.config_ini_section = "alembic"
        if not parser.has_section(self.config_ini_section):
            raise ConfigError(
                f"{path}: no [{self.config_ini_section}] section "
                f"(sections found: {', '.join(parser.sections()) or 'none'})"
            )
        # Other sections (logging, hooks) are read when asked for, so that a mistake in
        # one of them only breaks what uses it.
        defaults = set(self.config_args)
        main = self._section_dict(path, parser, self.config_ini_section)
        self._main_values.update({k: v for k, v in main.items() if k not in defaults})
        self._ini = (path, parser)

    @staticmethod
    def _section_dict(path: Path, parser: configparser.ConfigParser, name: str) -> dict[str, str]:
        try:
            return {key: parser.get(name, key) for key in parser.options(name) if key != "here"}
        except configparser.InterpolationSyntaxError as err:
            # configparser's message quotes the value, which may hold a password.
            raise ConfigError(
                f"{path}: [{name}] {err.option}: a literal '%' must be written '%%' in an ini "
                "file (a URL-encoded password character such as %21 is written %%21)"
            ) from None
        except configparser.InterpolationMissingOptionError as err:
            raise ConfigError(
                f"{path}: [{name}] {err.option}: %({err.reference})s names no option of the "
                "section; write a literal '%' as '%%'"
            ) from None
        except configparser.Error as err:
            raise ConfigError(mask_url(f"{path}: [{name}]: {str(err).splitlines()[0]}")) from None

    def _alembic_fallback(self, has_alembic: bool) -> bool:
        """Whether to read Alembic's section instead of the missing ``[gitmig]`` one."""
        return self.config_ini_section == "gitmig" and has_alembic

    def _load_toml(self, path: Path, here: str, beside_ini: bool = False) -> None:
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10 only
            import tomli as tomllib
        text = self._read_text(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: cannot read config file: {err}") from None
        tool = data.get("tool", {})
        table: Any = tool.get("gitmig")
        section = "gitmig" if beside_ini else self.config_ini_section
        if (
            table is None
            and section in ("gitmig", "alembic")
            and isinstance(tool.get("alembic"), dict)
        ):
            table = tool["alembic"]  # an Alembic project's [tool.alembic]
        elif section != "gitmig" and isinstance(table, dict):
            table = table.get(section)
        if not isinstance(table, dict) and beside_ini:
            return
        if not isinstance(table, dict):
            section = "tool.gitmig" + (
                f".{self.config_ini_section}" if self.config_ini_section != "gitmig" else ""
            )
            raise ConfigError(f"{path}: no [{section}] table")
        for key, value in table.items():
            if key == "post_write_hooks" and isinstance(value, list):
                self._section_values["post_write_hooks"] = _hooks_from_toml(path, value, here)
            elif isinstance(value, dict):
                self._section_values[key] = {k: _toml_scalar(v, here) for k, v in value.items()}
            else:
                self._main_values[key] = _toml_scalar(value, here)

    # -- access -----------------------------------------------------------------------------

    @property
    def here(self) -> Path:
        """The directory of the config file (the current directory without one)."""
        if self.config_file_name is None:
            return Path.cwd()
        return Path(self.config_file_name).resolve().parent

    def get_main_option(self, name: str, default: str | None = None) -> str | None:
        """A key of the main section (``[gitmig]`` / ``[tool.gitmig]``)."""
        return self._main.get(name, default)

    def set_main_option(self, name: str, value: str) -> None:
        """Set a key of the main section (``%(here)s`` is expanded)."""
        self._main[name] = value.replace("%(here)s", str(self.here))

    def remove_main_option(self, name: str) -> None:
        """Remove a key of the main section (nothing happens if it is not set)."""
        self._main.pop(name, None)

    def get_section(self, name: str, default: dict[str, str] | None = None) -> dict[str, str]:
        """A whole section as a dict (``default``, or empty, if absent)."""
        if name == self.config_ini_section:
            return dict(self._main)
        if name not in self._sections and self._ini and self._ini[1].has_section(name):
            self._sections[name] = self._section_dict(*self._ini, name)
        return dict(self._sections.get(name, default if default is not None else {}))

    def get_section_option(self, section: str, name: str, default: str | None = None) -> str | None:
        """One key of a named section."""
        values = self.get_section(section)
        if section not in self._sections and section != self.config_ini_section:
            raise ConfigError(f"{self.config_file_name}: no [{section}] section")
        return values.get(name, default)

    def set_section_option(self, section: str, name: str, value: str) -> None:
        """Set one key of a named section, creating the section if needed."""
        self._sections.setdefault(section, {})[name] = value

    def get_int_option(self, name: str, default: int) -> int:
        """A main-section key that must be an integer."""
        raw = self.get_main_option(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(
                f"{self.config_file_name}: option {name!r} must be a whole number, not {raw!r}"
            ) from None

    def get_bool_option(self, name: str, default: bool = False) -> bool:
        """A main-section key that must be a boolean (true/false, yes/no, on/off, 1/0)."""
        raw = self.get_main_option(name)
        if raw is None or raw.strip() == "":
            return default
        value = raw.strip().lower()
        if value in ("true", "yes", "on", "1"):
            return True
        if value in ("false", "no", "off", "0"):
            return False
        raise ConfigError(
            f"{self.config_file_name}: option {name!r} must be true or false, not {raw!r}"
        )

    def get_list_option(self, name: str) -> list[str]:
        """A main-section key holding a list separated by spaces, commas or os.pathsep.

        ``version_locations`` and ``prepend_sys_path`` are split on ``path_separator``
        instead when it is set (``version_locations`` also honours the older
        ``version_path_separator``), so that paths may hold spaces; TOML arrays are lists.
        """
        raw = self.get_main_option(name) or ""
        separator = self._path_separator(name)
        if separator is None and self._toml_list(raw):
            separator = "\n"
        if separator is not None:
            return [item.strip() for item in raw.split(separator) if item.strip()]
        for separator in (",", os.pathsep, "\n"):
            raw = raw.replace(separator, " ")
        return raw.split()

    def _path_separator(self, name: str) -> str | None:
        """The separator the config sets for the path list ``name`` (None: not set)."""
        for option in _SEPARATOR_OPTIONS.get(name, ()):
            value = self.get_main_option(option)
            if value is None or not value.strip():
                continue
            value = value.strip()
            if value not in _SEPARATORS:
                raise ConfigError(
                    f"{self.config_file_name}: option {option!r} must be one of "
                    f"{', '.join(_SEPARATORS)}, not {value!r}"
                )
            return _SEPARATORS[value]
        return None

    def _toml_list(self, raw: str) -> bool:
        # TOML arrays are stored one item a line (see _toml_scalar).
        return "\n" in raw and (self.config_file_name or "").endswith(".toml")

    def get_template_directory(self) -> Path:
        """Where the bundled environment templates live."""
        from gitmig.util.templates import template_root

        return template_root()

    @property
    def stdout(self) -> TextIO:
        """Where :meth:`print_stdout` writes (the current ``sys.stdout`` unless one was given)."""
        return self._stdout if self._stdout is not None else sys.stdout

    @stdout.setter
    def stdout(self, stream: TextIO | None) -> None:
        self._stdout = stream

    @property
    def quiet(self) -> bool:
        return bool(getattr(self.cmd_opts, "quiet", False))

    @property
    def x_arguments(self) -> list[str]:
        """The raw ``-x`` values given on the command line."""
        return list(getattr(self.cmd_opts, "x", None) or [])

    def print_stdout(self, text: str, *args: object) -> None:
        """Print a line for the user unless ``-q`` was given."""
        if not self.quiet:
            self.stdout.write((text % args if args else text) + "\n")


# path_separator's values, as Alembic spells them
_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
# the path lists that honour a separator option, and the options they read, first wins
_SEPARATOR_OPTIONS = {
    "version_locations": ("path_separator", "version_path_separator"),
    "prepend_sys_path": ("path_separator",),
}


def _toml_scalar(value: object, here: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        # One item a line, each line ended: items may hold spaces (paths), and the line
        # break marks even a one-item array as a list (see Config.get_list_option).
        return "".join(_toml_scalar(item, here) + "\n" for item in value)
    return str(value).replace("%(here)s", here)


def _hooks_from_toml(path: Path, hooks: list[Any], here: str) -> dict[str, str]:
    """Turn ``[[tool.gitmig.post_write_hooks]]`` tables into the ini section's shape."""
    section: dict[str, str] = {}
    names: list[str] = []
    for hook in hooks:
        if not isinstance(hook, Mapping) or "name" not in hook:
            raise ConfigError(f"{path}: every [[tool.gitmig.post_write_hooks]] needs a 'name'")
        name = str(hook["name"])
        names.append(name)
        for key, value in hook.items():
            if key != "name":
                section[f"{name}.{key}"] = _toml_scalar(value, here)
    section["hooks"] = ", ".join(names)
    return section
