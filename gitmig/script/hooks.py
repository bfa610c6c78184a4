"""Post-write hooks: programs run on every revision file gitmig writes (e.g. ``ruff format``).

Configured in ``[post_write_hooks]`` (or ``[[tool.gitmig.post_write_hooks]]``), as in Alembic::

    hooks = ruff
    ruff.type = exec            # or: console_scripts (entrypoint = ...), module (module = ...)
    ruff.executable = ruff
    ruff.options = format REVISION_SCRIPT_FILENAME
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from gitmig.exc import CommandError

if TYPE_CHECKING:
    from gitmig.config import Config

__all__ = ["run_post_write_hooks"]

_FILENAME_TOKEN = "REVISION_SCRIPT_FILENAME"


def _exec_command(name: str, opts: dict[str, str]) -> list[str]:
    executable = opts.get("executable")
    if not executable:
        raise CommandError(f"post-write hook {name!r} (type exec) needs '{name}.executable'")
    return [executable]


def _module_command(name: str, opts: dict[str, str]) -> list[str]:
    module = opts.get("module")
    if not module:
        raise CommandError(f"post-write hook {name!r} (type module) needs '{name}.module'")
    return [sys.executable, "-m", module]


def _console_scripts_command(name: str, opts: dict[str, str]) -> list[str]:
    from importlib.metadata import entry_points

    wanted = opts.get("entrypoint")
    if not wanted:
        raise CommandError(
            f"post-write hook {name!r} (type console_scripts) needs '{name}.entrypoint'"
        )
    found = [ep for ep in entry_points(group="console_scripts") if ep.name == wanted]
    if not found:
        raise CommandError(f"post-write hook {name!r}: no console script named {wanted!r}")
    module, _, attr = found[0].value.partition(":")
    call = f"import sys, {module} as m; sys.argv[0] = {wanted!r}; sys.exit(m.{attr}())"
    return [sys.executable, "-c", call]


_RUNNERS: dict[str, Callable[[str, dict[str, str]], list[str]]] = {
    "exec": _exec_command,
    "module": _module_command,
    "console_scripts": _console_scripts_command,
}


def run_post_write_hooks(config: Config, path: Path) -> None:
    """Run every configured hook on ``path``; a failing hook is a CommandError naming it.

    The file is written before the hooks run and kept when one fails; the error says so.
    """
    try:
        _run_hooks(config, path)
    except CommandError as err:
        raise CommandError(
            f"{err}\nThe new revision file was kept, as written before the hooks: {path}"
        ) from None


def _run_hooks(config: Config, path: Path) -> None:
    section = config.get_section("post_write_hooks")
    names = [n.strip() for n in section.get("hooks", "").split(",") if n.strip()]
    for name in names:
        opts = {
            key[len(name) + 1 :]: value
            for key, value in section.items()
            if key.startswith(f"{name}.")
        }
        kind = opts.get("type")
        runner = _RUNNERS.get(kind or "")
        if runner is None:
            raise CommandError(
                f"post-write hook {name!r}: unknown type {kind!r}; "
                f"use one of {', '.join(sorted(_RUNNERS))}"
            )
        options = shlex.split(opts.get("options", _FILENAME_TOKEN))
        if _FILENAME_TOKEN in options:
            options = [str(path) if o == _FILENAME_TOKEN else o for o in options]
        else:
            options.append(str(path))
        command = runner(name, opts) + options
        try:
            result = subprocess.run(
                command, cwd=opts.get("cwd") or None, capture_output=True, text=True, check=False
            )
        except OSError as err:
            raise CommandError(
                f"post-write hook {name!r} could not run {command[0]!r}: {err}"
            ) from None
        if result.returncode != 0:
            output = (result.stderr or result.stdout).strip()
            raise CommandError(
                f"post-write hook {name!r} failed (exit {result.returncode}) on {path}: {output}"
            )
