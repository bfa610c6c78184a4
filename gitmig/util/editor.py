"""Opening a file in the user's text editor (``gitmig edit``)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from gitmig.exc import CommandError

__all__ = ["find_editor", "open_in_editor"]

# Tried in order when neither EDITOR nor VISUAL is set.
_FALLBACKS = ("sensible-editor", "editor", "nano", "vim", "vi", "code", "notepad")


def find_editor(environ: Mapping[str, str] | None = None) -> list[str]:
    """The editor command: ``$EDITOR``, else ``$VISUAL`` (both may carry arguments, as in
    ``code --wait``), else the first of a few common editors found on ``PATH``."""
    env = os.environ if environ is None else environ
    for var in ("EDITOR", "VISUAL"):
        value = env.get(var, "").strip()
        if value:
            # A path with spaces (C:\Program Files\...) is one word, not a command line.
            return [value] if Path(value).is_file() else shlex.split(value)
    search = env.get("PATH")
    for name in _FALLBACKS:
        found = shutil.which(name, path=search)
        if found:
            return [found]
    raise CommandError("No text editor found: set the EDITOR (or VISUAL) environment variable")


def open_in_editor(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> None:
    """Open ``path`` in the editor and wait for it to exit; a failure is a CommandError."""
    editor = find_editor(environ)
    try:
        code = subprocess.call([*editor, os.fspath(path)])
    except OSError as err:
        raise CommandError(f"Cannot run the editor {editor[0]!r}: {err.strerror or err}") from None
    if code != 0:
        raise CommandError(f"The editor {editor[0]!r} exited with status {code} on {path}")
