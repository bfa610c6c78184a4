"""Read a revision file's markers without importing it.

A revision file declares ``revision``, ``down_revision``, ``branch_labels`` and ``depends_on``
as top-level literals.  Reading them must be fast (thousands of files on every ``gitmig heads``)
and must not run the file, so a line scanner handles the forms gitmig's and Alembic's templates
write (plain or annotated assignments, ``u""``/``''``/``""`` strings, one-line tuples and
lists); anything else falls back to a full parse with :mod:`ast`, which also pins down the line
of a marker that is not a literal.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeVar

from gitmig.exc import ScriptError
from gitmig.script.revision import Revision

if TYPE_CHECKING:
    import ast
    from collections.abc import Iterator

__all__ = [
    "MARKERS",
    "MarkerValues",
    "marker_values",
    "parse_revision_source",
    "revision_from_values",
    "top_level_assignments",
]

MARKERS = ("revision", "down_revision", "branch_labels", "depends_on")

# A top-level (unindented) marker assignment, optionally annotated: ``name[: annotation] = value``.
_ASSIGNMENT = re.compile(
    r"^(revision|down_revision|branch_labels|depends_on)[ \t]*(?::[^=\n]*)?=[ \t]*(.*?)[ \t]*$",
    re.MULTILINE,
)
_STRING = r"""[uU]?(?:"([^"\\\n]*)"|'([^'\\\n]*)')"""
_ONE_STRING = re.compile(rf"{_STRING}\Z")
_STRING_ITEM = re.compile(rf"\s*{_STRING}\s*(?:,|\Z)")
_DOCSTRING = re.compile(r'\A(?:\s*#[^\n]*\n)*\s*[rRuU]?("""|\'\'\')(.*?)\1', re.DOTALL)

_Value = str | tuple[str, ...] | None
MarkerValues = tuple[str, _Value, _Value, _Value, str, str]
_R = TypeVar("_R", bound=Revision)


class _NotSimple(Exception):
    """The line scanner cannot read this value; the ast parser must."""


def parse_revision_source(
    source: str | bytes,
    path: str,
    cls: type[_R] = Revision,  # type: ignore[assignment]
) -> _R | None:
    """Read the markers of one revision file.

    Returns ``None`` when the file declares no ``revision`` at all (a helper module or an
    ``__init__.py`` in the versions folder).  Raises :class:`~gitmig.exc.ScriptError`
    naming the file and line when a marker is not a literal or is missing.

    >>> rev = parse_revision_source('revision = "ab12"\\ndown_revision = None\\n', "x.py")
    >>> rev.revision, rev.parents
    ('ab12', ())
    """
    values = marker_values(source, path)
    return None if values is None else revision_from_values(values, path, cls)


def revision_from_values(
    values: MarkerValues,
    path: str,
    cls: type[_R] = Revision,  # type: ignore[assignment]
) -> _R:
    """Build a revision (or ``cls``) from what :func:`marker_values` returned."""
    revision, down_revision, branch_labels, depends_on, doc, longdoc = values
    return cls(revision, down_revision, branch_labels, depends_on, doc, longdoc, path)


def marker_values(source: str | bytes, path: str) -> MarkerValues | None:
    """The markers of one file as a plain tuple (``None`` if it declares no revision):
    ``(revision, down_revision, branch_labels, depends_on, doc, longdoc)``."""
    if isinstance(source, bytes):
        source = source.decode("utf-8", errors="replace")
    try:
        values = _scan(source)
    except _NotSimple:
        values = _parse_with_ast(source, path)
    if "revision" not in values:
        return None
    revision = values["revision"]
    if not isinstance(revision, str):
        raise ScriptError(f"{path}: 'revision' must be a string, not {revision!r}")
    if "down_revision" not in values:
        raise ScriptError(f"{path}: revision {revision} has no 'down_revision' marker")
    docstring = _docstring(source)
    return (
        revision,
        values["down_revision"],
        values.get("branch_labels"),
        values.get("depends_on"),
        _first_paragraph(docstring, source),
        docstring,
    )


def _scan(source: str) -> dict[str, _Value]:
    values: dict[str, _Value] = {}
    for match in _ASSIGNMENT.finditer(source):
        name, raw = match.group(1), match.group(2)
        if name in values:
            raise _NotSimple  # assigned twice: let ast decide which one counts
        values[name] = _literal(raw)
    return values


def _literal(raw: str) -> _Value:
    if raw == "None":
        return None
    one = _ONE_STRING.match(raw)
    if one:
        return one.group(1) if one.group(1) is not None else one.group(2)
    if len(raw) >= 2 and raw[0] + raw[-1] in ("()", "[]"):
        inner = raw[1:-1]
        items: list[str] = []
        pos = 0
        while pos < len(inner):
            item = _STRING_ITEM.match(inner, pos)
            if not item or item.end() == pos:
                if inner[pos:].strip():
                    raise _NotSimple
                break
            items.append(item.group(1) if item.group(1) is not None else item.group(2))
            pos = item.end()
        if raw[0] == "(" and len(items) == 1 and "," not in inner:
            return items[0]  # ("abc") is a parenthesised string, not a tuple
        return tuple(items)
    raise _NotSimple


def _parse_with_ast(source: str, path: str) -> dict[str, _Value]:
    import ast

    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as err:
        raise ScriptError(f"{path}:{err.lineno}: cannot parse revision file: {err.msg}") from err
    return {
        name: _ast_literal(value, name, path)
        for name, value in top_level_assignments(tree)
        if name in MARKERS
    }


def top_level_assignments(tree: ast.Module) -> Iterator[tuple[str, ast.expr]]:
    """``(name, value)`` of each plain or annotated ``name = value`` at a module's top level,
    in order (so the last one for a name is the one Python keeps)."""
    import ast

    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            yield target.id, value


def _ast_literal(node: ast.expr, name: str, path: str) -> _Value:
    import ast

    try:
        value = ast.literal_eval(node)
    except ValueError:
        value = _Invalid
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ScriptError(
        f"{path}:{node.lineno}: '{name}' must be a literal string, tuple of strings or None "
        f"(found {ast.unparse(node)!r}); gitmig reads markers without importing the file"
    )


_Invalid = object()


def _docstring(source: str) -> str:
    match = _DOCSTRING.match(source)
    return match.group(2).strip() if match else ""


def _first_paragraph(docstring: str, source: str) -> str:
    match = _DOCSTRING.match(source)
    if match and match.group(2).startswith(("\n\n", "\r\n\r\n")):
        return ""  # `new -m ""`: no message line; the header lines are not the message
    return " ".join(docstring.split("\n\n", 1)[0].split())
