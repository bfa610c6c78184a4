"""The optional heads file (config ``head_file``): the graph's head ids, one per line.

``gitmig new``, ``merge`` and ``rebase`` rewrite it, so two branches that each add a
revision on the same parent both change the same line: ``git merge`` then stops with a
textual conflict instead of silently producing a second head. ``check-heads`` fails when
the file and the graph disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from gitmig.config import Config
    from gitmig.script.base import ScriptDirectory

__all__ = ["HEADER", "check_head_file", "head_file_path", "read_head_file", "write_head_file"]

HEADER = (
    "# Head revision(s) of the migration graph, kept by gitmig (option head_file).\n"
    "# A git merge conflict here means both branches added revisions: resolve it with\n"
    "# `gitmig merge` (or `gitmig rebase --onto <branch>`), which rewrites this file.\n"
)
_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


def head_file_path(config: Config, script: ScriptDirectory) -> Path | None:
    """The configured heads file (relative paths are relative to the script directory)."""
    value = config.get_main_option("head_file")
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else script.dir / path


def read_head_file(text: str) -> tuple[tuple[str, ...], bool]:
    """``(ids, conflicted)``: the ids a heads file lists, and whether it has conflict markers."""
    ids, conflicted = [], False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(_CONFLICT_MARKERS):
            conflicted = True
        elif line and not line.startswith("#"):
            ids.append(line)
    return tuple(ids), conflicted


def write_head_file(path: Path, heads: Iterable[str]) -> bool:
    """Write the sorted ``heads``; returns whether the file changed."""
    text = HEADER + "".join(f"{h}\n" for h in sorted(heads))
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def check_head_file(
    path: Path, text: str | None, heads: Iterable[str], divergent: bool
) -> str | None:
    """Why the heads file disagrees with the graph's ``heads``, or ``None`` if it agrees.

    ``text`` is the file's content (``None``: missing); ``divergent`` says whether the graph
    has heads that need a merge, which decides the advice.
    """
    actual = tuple(sorted(heads))
    if text is None:
        return f"{path} (option head_file) is missing; run `gitmig check-heads --fix-head-file`"
    listed, conflicted = read_head_file(text)
    if conflicted:
        fix = (
            "run `gitmig merge -m MESSAGE` to join the heads (it rewrites the file)"
            if divergent
            else "the graph itself is fine, so run `gitmig check-heads --fix-head-file`"
        )
        return f"{path} has git merge conflict markers (both branches added revisions); {fix}"
    if tuple(sorted(listed)) != actual:
        return (
            f"{path} lists head(s) {', '.join(sorted(listed)) or 'none'} but the graph's "
            f"head(s) are {', '.join(actual) or 'none'}; if the graph is right, run "
            "`gitmig check-heads --fix-head-file`"
        )
    return None
