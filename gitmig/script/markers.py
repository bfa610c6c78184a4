"""Read a revision file's markers without importing it.

A revision file declares ``revision``, ``down_revision``, ``branch_labels`` and ``depends_on``
as top-level literals.  Reading them must be fast (thousands of files on every ``gitmig heads``)
and must not run the file.  Only real top-level assignments count: a flush-left
``depends_on = 'nightly'`` inside a triple-quoted SQL string, a comment or a function body is
not a marker.

A scanner does the common case.  A regular expression finds the lines that could start a
marker assignment; the scanner then follows the file's strings, comments, brackets and line
continuations up to the last of them, so it knows which candidates start a logical line at
the top level.  Their values are read by regular expressions, or by :func:`ast.literal_eval`
of the value alone.  Where the scanner cannot decide (a marker after ``;`` or a backslash
continuation, an unusual annotation, a value that is not a literal, an f-string that may nest
quotes) the whole file is parsed with :mod:`ast`, the definition the scanner agrees with,
which also pins down the line of a marker that is not a literal.
"""

from __future__ import annotations

import functools
import re
import sys

from gitmig.exc import ScriptError
from gitmig.script.revision import Revision

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    import ast
    from collections.abc import Iterable, Iterator
    from typing import TypeVar

__all__ = [
    "MARKERS",
    "MarkerValues",
    "marker_values",
    "parse_revision_source",
    "revision_from_values",
    "suggest_name",
    "top_level_assignments",
    "top_level_names",
]

MARKERS = ("revision", "down_revision", "branch_labels", "depends_on")

# What the scanner follows, each token after a run of other code: strings, comments,
# continuations, brackets, ';' and, inside a marker statement, the newline that ends it.
# String bodies are "unrolled loops", so an unterminated string fails in linear time.  A
# string's prefix does not change where it ends (a backslash escapes the next character even
# in a raw string), so the prefix is skipped as code.
_TOKENS = r"""
    [^'"\#()\[\]{};\\%s]*
    (?:(?P<string>
        '''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''
        |\"\"\"[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*\"\"\"
        |'[^'\\\n]*(?:\\[\s\S][^'\\\n]*)*'
        |"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"
        )
    |(?P<comment>\#[^\n]*)
    |(?P<continuation>\\\n)
    |(?P<open>[(\[{])
    |(?P<close>[)\]}])
    |(?P<semicolon>;)
    |(?P<stray>['"\\])
    |(?P<end>\Z)
    %s)
"""
_STRING = r"""[uU]?(?:"([^"\\\n]*)"|'([^'\\\n]*)')"""
_SIMPLE_STRING = r"""[uU]?(?:"[^"\\\n]*"|'[^'\\\n]*')"""
_SIMPLE_ITEMS = rf"[ \t]*(?:{_SIMPLE_STRING}[ \t]*,[ \t]*)*(?:{_SIMPLE_STRING}[ \t]*)?"
# From Python 3.12 (PEP 701) an f-string may hold strings quoted as itself, which the token
# pattern cannot follow: a file with such a string is left to ast (3.14's t-strings alike).
_NESTED_FSTRINGS = sys.version_info >= (3, 12)

_Value = str | tuple[str, ...] | None
MarkerValues = tuple[str, _Value, _Value, _Value, str, str]
if TYPE_CHECKING:
    _R = TypeVar("_R", bound=Revision)


class _NotSimple(Exception):
    """The scanner cannot decide; the ast parser must."""


class _Patterns:
    """The scanner's searches for one set of names (the markers; others in tests)."""

    __slots__ = ("continued", "line", "semicolon", "simple", "statement")

    def __init__(
        self,
        line: re.Pattern[str],
        continued: re.Pattern[str],
        semicolon: re.Pattern[str],
        statement: re.Pattern[str],
        simple: re.Pattern[str],
    ) -> None:
        #: where an assignment could start: a line that begins with a name; a line after
        #: lines holding only a backslash continuation; a ';'.  (Three searches: one pattern
        #: with alternatives is several times slower, and the last two are rare.)
        self.line = line
        self.continued = continued
        self.semicolon = semicolon
        #: ``name =`` or ``name: annotation =``, with a plain annotation such as ``str``,
        #: ``Union[str, Sequence[str], None]`` or ``str | None``
        self.statement = statement
        #: the usual marker line, read in one go: a plain annotation, then None, a string or
        #: a one-line tuple or list of strings with no quote or backslash inside, maybe a
        #: comment
        self.simple = simple


def _patterns(names: Iterable[str]) -> _Patterns:
    name = "|".join(map(re.escape, names))
    return _Patterns(
        re.compile(rf"^(?:{name})\b", re.MULTILINE),
        re.compile(rf"^(?:[ \t]*\\\n)+[ \t]*(?=(?:{name})\b)", re.MULTILINE),
        re.compile(rf";(?=(?:[ \t]|\\\n)*(?:{name})\b)"),
        re.compile(rf"({name})[ \t]*(?::([ \t\w\[\].,|]*))?=(?!=)"),
        re.compile(
            rf"({name})[ \t]*(?::[ \t\w\[\].,|]*)?=(?!=)[ \t]*"
            rf"(None|{_SIMPLE_STRING}|\({_SIMPLE_ITEMS}\)|\[{_SIMPLE_ITEMS}\])"
            r"[ \t]*(?:#[^\n]*)?(?:\n|\Z)"
        ),
    )


class _Regexes:
    __slots__ = (
        "docstring",
        "formatted",
        "markers",
        "one_string",
        "statement_token",
        "string_item",
        "token",
    )

    def __init__(
        self,
        token: re.Pattern[str],
        statement_token: re.Pattern[str],
        one_string: re.Pattern[str],
        string_item: re.Pattern[str],
        docstring: re.Pattern[str],
        formatted: re.Pattern[str],
        markers: _Patterns,
    ) -> None:
        self.token = token  # newlines are other code
        self.statement_token = statement_token  # the newline that ends a statement is a token
        self.one_string = one_string
        self.string_item = string_item
        self.docstring = docstring
        self.formatted = formatted  # in a string's prefix
        self.markers = markers


@functools.cache
def _regexes() -> _Regexes:
    """The scanner's compiled expressions, compiled on first use: a run whose markers all
    come from the cache never needs them, and compiling them costs 2 ms at every start."""
    return _Regexes(
        re.compile(_TOKENS % ("", ""), re.VERBOSE),
        re.compile(_TOKENS % (r"\n", r"|(?P<newline>\n)"), re.VERBOSE),
        re.compile(rf"{_STRING}\Z"),
        re.compile(rf"\s*{_STRING}\s*(,?)"),
        re.compile(r'\A(?:\s*#[^\n]*\n)*\s*[rRuU]?("""|\'\'\')(.*?)\1', re.DOTALL),
        re.compile("[fFtT]"),
        _patterns(MARKERS),
    )


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
    source = _text(source)
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
        raise ScriptError(
            f"{path}: revision {revision} has no 'down_revision' marker"
            + suggest_name(source, "down_revision")
        )
    docstring = _docstring(source)
    return (
        revision,
        values["down_revision"],
        values.get("branch_labels"),
        values.get("depends_on"),
        _first_paragraph(docstring, source),
        docstring,
    )


def _scan(source: str, patterns: _Patterns | None = None) -> dict[str, _Value]:
    """The top-level marker assignments (of ``patterns``' names, by default the markers), as
    Python would see them; raises :class:`_NotSimple` where that takes a parser."""
    regexes = _regexes()
    if patterns is None:
        patterns = regexes.markers
    plain, in_statement = regexes.token, regexes.statement_token
    if "\r" in source:
        source = source.replace("\r\n", "\n")  # as Python reads it
        if "\r" in source:
            raise _NotSimple  # old Mac line ends
    if "\f" in source:
        raise _NotSimple  # a form feed resets the indentation count: leave that to ast
    candidates = [(m.start(), m.start()) for m in patterns.line.finditer(source)]
    rare: list[tuple[int, int]] = []
    if "\\\n" in source:
        rare += [(m.start(), m.end()) for m in patterns.continued.finditer(source)]
    if ";" in source:
        rare += [(m.start(), m.start()) for m in patterns.semicolon.finditer(source)]
    if rare:
        # a line of only a continuation starts the same statement as the line after it
        starts = {name_at: at for at, name_at in candidates + rare}
        candidates = sorted((at, name_at) for name_at, at in starts.items())
    values: dict[str, _Value] = {}
    if not candidates:
        return values
    count, next_candidate, next_at = len(candidates), 0, candidates[0][0]
    pattern, pos, depth = plain, 0, 0
    continued = -1  # where the last backslash continuation ended
    statement: int | None = None  # where the marker statement being read starts
    value_end: int | None = None  # where its value ends, if before the end of its line
    while True:
        token = pattern.match(source, pos)
        assert token is not None  # every character is other code or starts a token
        kind = token.lastgroup
        assert kind is not None
        start = token.start(kind)
        while next_at <= start:  # the candidates before this token
            at, name_at = candidates[next_candidate]
            next_candidate += 1
            next_at = candidates[next_candidate][0] if next_candidate < count else len(source) + 1
            if at < pos or depth:
                continue  # inside a string or a comment, or part of an expression in brackets
            if source[at] == ";" or at == continued:
                raise _NotSimple  # a statement after ';' or '\': top level or not takes a parser
            statement = name_at
            break
        if statement is not None and pattern is plain:
            simple = patterns.simple.match(source, statement)
            if simple is None:
                # read on from the statement's start, seeing the newline that ends it
                pattern, pos = in_statement, statement
                continue
            values[simple.group(1)] = _literal(simple.group(2))
            statement, pos = None, simple.end()
            if next_candidate == count:
                return values
            continue
        pos = token.end()
        if kind == "newline":
            if depth == 0:
                assert statement is not None
                _record(
                    values, source, patterns, statement, start if value_end is None else value_end
                )
                statement = value_end = None
                pattern = plain
                if next_candidate == count:
                    return values  # the rest of the file cannot hold a marker
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth < 0:
                raise _NotSimple
        elif kind == "continuation":
            continued = pos
        elif kind in ("comment", "semicolon"):
            if depth == 0 and statement is not None and value_end is None:
                value_end = start  # the value ends before a trailing comment or ';'
        elif kind == "string":
            if (
                _NESTED_FSTRINGS
                and "{" in token[kind]
                and regexes.formatted.search(source, start - 2, start)
            ):
                raise _NotSimple
        elif kind == "stray":
            raise _NotSimple
        else:  # the end of the file
            if statement is not None:
                _record(
                    values, source, patterns, statement, pos if value_end is None else value_end
                )
            return values


def _record(
    values: dict[str, _Value], source: str, patterns: _Patterns, start: int, end: int
) -> None:
    match = patterns.statement.match(source, start, end)
    if match is None or "lambda" in (match.group(2) or ""):
        raise _NotSimple  # e.g. `revision: "str" = ...`, `revision = x = ...`, `revision += ...`
    values[match.group(1)] = _literal(source[match.end() : end].strip())


def _literal(raw: str) -> _Value:
    if raw == "None":
        return None
    regexes = _regexes()
    one_string, string_item = regexes.one_string, regexes.string_item
    one = one_string.match(raw)
    if one:
        return one.group(1) if one.group(1) is not None else one.group(2)
    if len(raw) >= 2 and raw[0] + raw[-1] in ("()", "[]"):
        inner = raw[1:-1]
        items: list[str] = []
        comma = False
        pos = 0
        while pos < len(inner):
            item = string_item.match(inner, pos)
            if item is None:
                if inner[pos:].strip():
                    return _evaluate(raw)
                break
            if not comma and items:
                return _evaluate(raw)  # two strings in a row: implicit concatenation
            items.append(item.group(1) if item.group(1) is not None else item.group(2))
            comma = bool(item.group(3))
            pos = item.end()
        if raw[0] == "(" and len(items) == 1 and not comma:
            return items[0]  # ("abc") is a parenthesised string, not a tuple
        return tuple(items)
    return _evaluate(raw)


def _evaluate(raw: str) -> _Value:
    """The value of one marker's expression, read by ast alone (not the whole file)."""
    if not raw:
        raise _NotSimple
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. an invalid escape; the file's import warns
            value = ast.literal_eval(f"({raw}\n)")
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise _NotSimple from None
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (tuple, list)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise _NotSimple  # not a marker's type: the whole-file parse says where


def _parse_with_ast(source: str, path: str) -> dict[str, _Value]:
    tree = _parse(source, path)
    return {
        name: _ast_literal(value, name, path)
        for name, value in top_level_assignments(tree)
        if name in MARKERS
    }


def _parse(source: str, path: str) -> ast.Module:
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source, filename=path)
    except SyntaxError as err:
        raise ScriptError(f"{path}:{err.lineno}: cannot parse revision file: {err.msg}") from err


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


def top_level_names(tree: ast.Module) -> dict[str, int]:
    """Every name a module's top level binds by assignment or ``def``/``class``, with the
    line of its first binding."""
    import ast

    names: dict[str, int] = {}
    for node in tree.body:
        targets: Iterable[ast.expr] = ()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.setdefault(node.name, node.lineno)
        elif isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = (node.target,)
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    names.setdefault(name.id, name.lineno)
    return names


def suggest_name(source: str | bytes | ast.Module, wanted: str) -> str:
    """``" (did you mean `wanted`? found `wnated` on line 3)"`` when the module's top level
    binds a name close to ``wanted`` (other markers aside), else ``""``."""
    import ast
    import difflib

    try:
        tree = source if isinstance(source, ast.Module) else _parse(_text(source), "")
    except ScriptError:
        return ""
    names = top_level_names(tree)
    close = difflib.get_close_matches(wanted, [n for n in names if n not in MARKERS], n=1)
    if not close:
        return ""
    return f" (did you mean `{wanted}`? found `{close[0]}` on line {names[close[0]]})"


def _text(source: str | bytes) -> str:
    """The source as Python reads it: decoded, without a BOM, with ``\n`` line ends."""
    if isinstance(source, bytes):
        source = source.decode("utf-8-sig", errors="replace")
    return source.replace("\r\n", "\n") if "\r" in source else source


def _ast_literal(node: ast.expr, name: str, path: str) -> _Value:
    import ast

    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, MemoryError, RecursionError):
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
    match = _regexes().docstring.match(source)
    if not match:
        return ""
    text = match.group(2)
    if "\\" in text and source[match.start(1) - 1 : match.start(1)] not in ("r", "R"):
        # `new -m` escapes backslashes and quotes (write.docstring_text): show the message
        # as Python reads it, not as it is spelt in the file.
        import ast
        import warnings

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "\d" in a hand-written docstring
                text = ast.literal_eval(match.group(1) + text + match.group(1))
        except (SyntaxError, ValueError):
            pass  # left to the compile check; show the text as written
    return str(text).strip()


def _first_paragraph(docstring: str, source: str) -> str:
    match = _regexes().docstring.match(source)
    # `new -m ""` (or a message of blanks): no message line; the header lines are not it.
    if match and match.group(2).lstrip(" \t").startswith(("\n\n", "\r\n\r\n")):
        return ""
    return " ".join(docstring.split("\n\n", 1)[0].split())
