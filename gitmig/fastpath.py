"""A click-free start for the read-only graph commands.

``heads``, ``history``, ``branches`` and ``check-heads`` run many times a day (in hooks, CI
jobs and shell prompts), and importing click and building the full command line costs more
than reading a thousand revision files.  The console script offers the arguments here first;
this module understands only the plain forms of those commands and hands anything else
(``--help``, ``-x``, ``--raiseerr``, ``--opt=value``, another command, options set through
``GITMIG_*`` variables) to the click CLI, which accepts a superset and prints the same
output. The option tables below are checked against the click commands' parameters by
``tests/cli/test_fastpath.py``, so the two parsers cannot drift; both end errors through
:func:`gitmig.error_handler.handle`.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from types import SimpleNamespace

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from typing import Any, NoReturn

    from gitmig.config import Config


__all__ = ["main", "run"]

_GLOBAL_VALUES = {"-c": "config_file", "--config": "config_file", "-n": "name", "--name": "name"}
_GLOBAL_FLAGS = {"-q": "quiet", "--quiet": "quiet"}
# Root options the fast path leaves to click (it hands the whole command line over).
CLICK_ONLY_GLOBALS = frozenset({"x", "raiseerr", "version"})

# command -> (flags, options taking a value), each mapping spellings to a keyword
_COMMANDS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "heads": (
        {
            "-v": "verbose",
            "--verbose": "verbose",
            "--json": "as_json",
            "--resolve-dependencies": "resolve_dependencies",
        },
        {},
    ),
    "history": (
        {
            "-v": "verbose",
            "--verbose": "verbose",
            "--json": "as_json",
            "--git": "with_git",
            "--graph": "draw",
            "-i": "indicate_current",
            "--indicate-current": "indicate_current",
        },
        {"-r": "rev_range", "--rev-range": "rev_range"},
    ),
    "branches": ({"-v": "verbose", "--verbose": "verbose"}, {}),
    "check-heads": (
        {"--json": "as_json", "--staged": "staged", "--fix-head-file": "fix_head_file"},
        {"--against": "against"},
    ),
}
# options that may be given several times (collected in a list)
_REPEATABLE = frozenset({"against"})

# Options click would read from the environment (auto_envvar_prefix="GITMIG").
_CLICK_ENV_PREFIXES = (
    "GITMIG_HEADS_",
    "GITMIG_HISTORY_",
    "GITMIG_BRANCHES_",
    "GITMIG_CHECK_HEADS_",
)
_CLICK_ENV_NAMES = ("GITMIG_NAME", "GITMIG_QUIET", "GITMIG_X", "GITMIG_RAISEERR")


def _parse(argv: Sequence[str]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """``(command, global options, command options)``, or None if this is not a plain form."""
    root: dict[str, Any] = {"config_file": None, "name": "gitmig", "quiet": False}
    args = list(argv)
    while args and args[0] in _GLOBAL_VALUES.keys() | _GLOBAL_FLAGS.keys():
        option = args.pop(0)
        if option in _GLOBAL_FLAGS:
            root[_GLOBAL_FLAGS[option]] = True
        elif args and not args[0].startswith("-"):
            root[_GLOBAL_VALUES[option]] = args.pop(0)
        else:
            return None
    if not args or args[0] not in _COMMANDS:
        return None
    name = args.pop(0)
    flags, valued = _COMMANDS[name]
    options: dict[str, Any] = {}
    while args:
        option = args.pop(0)
        if option in flags:
            options[flags[option]] = True
        elif option in valued and args and not args[0].startswith("-"):
            key, value = valued[option], args.pop(0)
            if key in _REPEATABLE:
                options.setdefault(key, []).append(value)
            else:
                options[key] = value
        else:
            return None
    return name, root, options


def _heads(config: Config, verbose: bool = False, as_json: bool = False, **kw: bool) -> int:
    from gitmig import command, display

    scripts = command.heads(config, **kw)
    graph = command.revision_graph(config)
    _write(display.scripts_text(scripts, graph, verbose=verbose, as_json=as_json))
    _notes(config)
    return 0


def _history(
    config: Config,
    verbose: bool = False,
    as_json: bool = False,
    with_git: bool = False,
    rev_range: str | None = None,
    indicate_current: bool = False,
    draw: bool = False,
) -> int:
    from gitmig import command, display

    if draw:
        picture = command.history_graph(
            config, rev_range, indicate_current, verbose, as_json, with_git
        )
        _write(display.graph_text(picture))
        _notes(config)
        return 0
    if indicate_current:
        scripts, current = command.history_current(config, rev_range)
    else:
        scripts, current = command.history(config, rev_range), None
    graph = command.revision_graph(config)
    if with_git:
        _write(display.blame_text(command.provenance(config, scripts), graph, as_json=as_json))
    else:
        _write(
            display.scripts_text(
                scripts, graph, verbose=verbose, as_json=as_json, history=True, current=current
            )
        )
    _notes(config)
    return 0


def _branches(config: Config, verbose: bool = False) -> int:
    from gitmig import command, display

    points = command.branches(config)
    _write(display.branches_text(points, command.revision_graph(config), verbose))
    _notes(config)
    return 0


def _check_heads(
    config: Config,
    as_json: bool = False,
    against: list[str] | None = None,
    staged: bool = False,
    fix_head_file: bool = False,
) -> int:
    from gitmig import command, display

    report = command.check_heads_report(
        config, against=against, staged=staged, fix_head_file=fix_head_file
    )
    _write(display.heads_check_text(report, as_json=as_json, quiet=config.quiet))
    return 0 if report.ok else 1


_HANDLERS: dict[str, Callable[..., int]] = {
    "heads": _heads,
    "history": _history,
    "branches": _branches,
    "check-heads": _check_heads,
}


def _notes(config: Config) -> None:
    """On stderr, as the CLI: parents the graph took from a git ref."""
    from gitmig import command, display

    for line in display.supplied_lines(command.supplied_parents(config)):
        sys.stderr.write(line + "\n")


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def run(argv: Sequence[str]) -> int | None:
    """Run a plain graph command and return its exit code; None if click must handle it.

    Once the arguments are accepted here, the command runs once, here: its errors go to
    the same handler the click CLI uses.
    """
    if any(key.startswith(_CLICK_ENV_PREFIXES) or key in _CLICK_ENV_NAMES for key in os.environ):
        return None
    parsed = _parse(argv)
    if parsed is None:
        return None
    name, root, options = parsed
    from gitmig.config import Config, find_config_file

    try:
        config = Config(
            file_=find_config_file(root["config_file"]),
            ini_section=root["name"],
            cmd_opts=SimpleNamespace(x=[], quiet=root["quiet"], raiseerr=False),
        )
        return _HANDLERS[name](config, **options)
    except (Exception, KeyboardInterrupt) as err:
        from gitmig.error_handler import handle

        return handle(err, name)


def main() -> None:
    """The ``gitmig`` console script: the fast path when it applies, else the click CLI.

    Ctrl-C before a command has started (while the arguments are parsed or click loads) is
    reported like one during it: a line and exit 130, never a traceback.
    """
    # A light command is a short process that builds thousands of small objects and frees
    # none of them before it exits: the cyclic collector would only walk them again and
    # again (10 ms of 90 at 5000 revisions). Other commands run with it, as usual.
    gc.disable()
    try:
        code = run(sys.argv[1:])
        if code is None:
            gc.enable()
            from gitmig.cli import main as cli_main

            cli_main()
            return
    except KeyboardInterrupt as err:
        from gitmig.error_handler import handle

        code = handle(err, None)
    _leave(code)


# Loaded only by a command that may hold what must be closed or flushed at exit.
_HOLDERS = ("logging", "sqlalchemy", "threading")


def _leave(code: int) -> NoReturn:
    """Exit with ``code``.  A light command that stayed light (no database, no logging, no
    thread, no exit handler) exits at once once its output is flushed, without freeing one
    by one the thousands of objects it built: at 5000 revisions that was a fifth of
    ``history``'s time."""
    import atexit

    quiet = not any(name in sys.modules for name in _HOLDERS)
    if quiet and getattr(atexit, "_ncallbacks", lambda: 1)() == 0:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stream: the usual exit reports nothing more either
        else:
            os._exit(code)
    sys.exit(code)
