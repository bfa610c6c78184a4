"""The one place where an error becomes a message and an exit code, for both entry paths.

The click CLI (:mod:`gitmig.cli`) and its fast path (:mod:`gitmig.fastpath`) both end a
failed command through :func:`handle`:

- a :class:`~gitmig.exc.GitmigError` prints its one-line message and exits with the
  class's ``exit_code`` (1; 2 for usage errors, with a pointer to ``--help``; 128+signal
  for an interrupted run, whose message says where the database stands);
- Ctrl-C outside a run prints ``interrupted`` and exits 130;
- a reader that goes away (``gitmig history | head``) ends the command quietly;
- anything else is a bug: one line naming a crash log that holds the traceback, the
  versions and the command line, exit 1. ``--raiseerr`` shows the traceback instead.

Every message goes through :func:`~gitmig.util.messaging.mask_url`: no password is printed.
"""

from __future__ import annotations

import os
import sys

from gitmig.exc import GitmigError, UsageError

__all__ = ["crash_log_path", "handle"]

#: exit code of a process that Ctrl-C (SIGINT) stopped, as shells report it
INTERRUPTED = 130


def _say(message: str) -> None:
    from gitmig.util.messaging import mask_url

    sys.stderr.write(f"gitmig: error: {mask_url(message)}\n")
    sys.stderr.flush()


def handle(err: BaseException, command: str | None, raiseerr: bool = False) -> int:
    """Report ``err`` (raised by ``gitmig COMMAND``) on stderr and return the exit code.

    With ``raiseerr`` every error but a closed pipe is raised again, for its traceback.
    """
    if isinstance(err, BrokenPipeError):
        # The reader went away: stop quietly, and keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    if raiseerr:
        raise err
    if isinstance(err, GitmigError):
        if isinstance(err, UsageError):
            where = f"gitmig {command}" if command else "gitmig"
            _say(f"{err}\nTry '{where} --help' for help.")
        else:
            _say(str(err))
        return err.exit_code
    if isinstance(err, KeyboardInterrupt):
        _say("interrupted (Ctrl-C)")
        return INTERRUPTED
    if not isinstance(err, Exception):
        raise err  # SystemExit and friends are not errors to report
    log = _write_crash_log(err)
    where = f"the traceback is in {log}" if log else "the crash log could not be written"
    _say(
        f"unexpected {type(err).__name__}: {err} "
        f"({where}; run again with --raiseerr to see the traceback here)"
    )
    return 1


def crash_log_path() -> str:
    """Where the last unexpected error's report goes: ``$XDG_CACHE_HOME/gitmig/crash.log``."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "gitmig", "crash.log")


def _write_crash_log(err: BaseException) -> str | None:
    """Write the crash report (overwriting the last one); its path, or None if unwritable."""
    import platform
    import time
    import traceback
    from importlib import metadata

    from gitmig import __version__
    from gitmig.util.messaging import mask_url

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    report = [
        "# gitmig crash report",
        f"time: {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
        f"command: {mask_url(' '.join(['gitmig', *sys.argv[1:]]))}",
        f"gitmig: {__version__}",
        f"python: {platform.python_version()} ({sys.executable})",
        f"sqlalchemy: {version('SQLAlchemy')}",
        f"platform: {platform.platform()}",
        "",
        mask_url("".join(traceback.format_exception(err))),
    ]
    path = crash_log_path()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as out:
            out.write("\n".join(report))
    except OSError:
        return None
    return path
