r"""Edit a revision file's ``down_revision`` in place, leaving every other byte untouched.

Used by ``gitmig rebase``: only the value of the ``down_revision`` assignment (plain or
annotated, e.g. Alembic's ``down_revision: Union[str, None] = "..."``) and the text after
``Revises:`` in the module docstring change. The new value keeps the old string's quote
character and prefix (``u"..."``).

>>> src = b"revision = 'bbb'\ndown_revision = u'aaa'  # parent\n"
>>> set_down_revision(src, "ccc", "x.py")
b"revision = 'bbb'\ndown_revision = u'ccc'  # parent\n"
"""

from __future__ import annotations

import ast
import re

from gitmig.exc import ScriptError
from gitmig.script.markers import top_level_assignments

__all__ = ["set_down_revision"]

_STRING_START = re.compile(rb"""\A([uUrR]?)('''|\"\"\"|'|")""")
_REVISES = re.compile(rb"^([ \t]*Revises:[ \t]*)([^\r\n]*?)[ \t]*(?=\r|\n|\Z)", re.MULTILINE)


def set_down_revision(source: bytes, new_parent: str, path: str) -> bytes:
    """``source`` with ``down_revision`` (and the ``Revises:`` line) set to ``new_parent``."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as err:
        raise ScriptError(f"{path}:{err.lineno}: cannot parse revision file: {err.msg}") from err
    starts = _line_starts(source)

    def offset(line: int, col: int) -> int:
        return starts[line - 1] + col  # ast columns are UTF-8 byte offsets

    target = _assignment(tree, "down_revision")
    if target is None:
        raise ScriptError(f"{path}: no top-level 'down_revision' assignment to rewrite")
    assert target.end_lineno is not None and target.end_col_offset is not None
    begin = offset(target.lineno, target.col_offset)
    end = offset(target.end_lineno, target.end_col_offset)
    style = _quote_style(source[begin:end])
    if style is None:
        revision = _assignment(tree, "revision")
        if revision is not None:
            rev_begin = offset(revision.lineno, revision.col_offset)
            style = _quote_style(source[rev_begin : rev_begin + 4])
    prefix, quote = style or (b"", b'"')
    new_value = prefix + quote + new_parent.encode() + quote
    out = source[:begin] + new_value + source[end:]
    return _rewrite_revises(out, tree, starts, new_parent)


def _line_starts(source: bytes) -> list[int]:
    starts = [0]
    for match in re.finditer(rb"\r\n|\r|\n", source):
        starts.append(match.end())
    return starts


def _assignment(tree: ast.Module, name: str) -> ast.expr | None:
    found = None
    for target, value in top_level_assignments(tree):
        if target == name:
            found = value  # the last assignment is the one Python keeps
    return found


def _quote_style(text: bytes) -> tuple[bytes, bytes] | None:
    match = _STRING_START.match(text)
    return (match.group(1), match.group(2)) if match else None


def _rewrite_revises(source: bytes, tree: ast.Module, starts: list[int], new: str) -> bytes:
    """Replace the id after ``Revises:`` in the module docstring (if it has that line).

    The docstring precedes the ``down_revision`` assignment, so its byte offsets from the
    original parse are still valid.
    """
    if not tree.body:
        return source
    first = tree.body[0]
    if not (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return source
    assert first.end_lineno is not None and first.end_col_offset is not None
    begin = starts[first.lineno - 1] + first.col_offset
    end = starts[first.end_lineno - 1] + first.end_col_offset
    match = _REVISES.search(source, begin, end)
    if match is None:
        return source
    return source[: match.start(2)] + new.encode() + source[match.end(2) :]
