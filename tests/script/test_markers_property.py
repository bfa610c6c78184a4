"""The marker reader agrees with Python's own parser on generated revision files.

Each file mixes real top-level marker assignments (plain, annotated, ``u''`` strings, tuples,
lists, multi-line, continued) with look-alikes that are not markers: marker lines inside
single, triple, raw, f- and bytes strings, docstrings, comments, function bodies, blocks,
call arguments and continuations.  The oracle walks the ``ast`` of the file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gitmig.exc import ScriptError
from gitmig.script import markers
from gitmig.script.markers import MARKERS, marker_values

ANNOTATIONS = (
    "",
    ": str",
    ": Union[str, None]",
    ": Union[str, Sequence[str], None]",
    ": Optional[str]",
    ": str | None",
    ": tuple[str, ...] | None",
    ': "str"',
    ":Union[\n    str, None]",
)
QUOTES = ('"', "'", 'u"', "u'", 'U"', 'r"', "r'", '"""', "'''", 'u"""')

ids = st.text(alphabet="abc019_,- #=", min_size=1, max_size=8)


@st.composite
def string_literal(draw: st.DrawFn) -> str:
    quote = draw(st.sampled_from(QUOTES))
    text = draw(ids)
    if draw(st.booleans()) and not quote.startswith(("r", "R")):
        text = draw(st.sampled_from(("\\x41", "\\'", '\\"', "\\\\"))) + text
    closing = quote.lstrip("uUrR")
    if closing in text or text.endswith(closing[0]):
        text = text.replace(closing[0], "")
    return f"{quote}{text}{closing}"


@st.composite
def sequence_literal(draw: st.DrawFn) -> str:
    items = draw(st.lists(string_literal(), max_size=3))
    opening, closing = draw(st.sampled_from(("()", "[]")))
    layout = draw(st.sampled_from(("one line", "lines", "lines with comments")))
    if layout == "one line":
        inner = ", ".join(items)
        if items and (draw(st.booleans()) or (opening == "(" and len(items) == 1)):
            inner += ","
        return f"{opening}{inner}{closing}"
    comment = "  # a parent" if layout == "lines with comments" else ""
    body = "".join(f"\n    {item},{comment}" for item in items)
    return f"{opening}{body}\n{closing}"


literal_values = st.one_of(
    st.just("None"),
    string_literal(),
    sequence_literal(),
    string_literal().map(lambda s: f"({s})"),  # a parenthesised string, not a tuple
    st.tuples(string_literal(), string_literal()).map(" ".join),  # implicit concatenation
    st.tuples(string_literal(), string_literal()).map(", ".join),  # a bare tuple
    string_literal().map(lambda s: f"\\\n    {s}"),  # the value on a continued line
)
bad_values = st.sampled_from(
    ('x.compute("a")', 'f"abc"', 'b"abc"', "1", '"a" + "b"', '("a", 1)', "{'a'}", "[[]]")
)


@st.composite
def marker_assignment(
    draw: st.DrawFn,
    name: str | None = None,
    values: st.SearchStrategy[str] = literal_values,
) -> str:
    name = name or draw(st.sampled_from(MARKERS))
    # mostly what templates write; now and then what only a parser can read
    annotation = draw(st.sampled_from(ANNOTATIONS[:7] * 3 + ANNOTATIONS[7:]))
    value = draw(values)
    tail = draw(st.sampled_from(("", "", "", "  # comment", "  # ' ( [", ";", "; x = 1")))
    return f"{name}{annotation} = {value}{tail}"


@st.composite
def look_alike(draw: st.DrawFn) -> str:
    """A chunk of code holding marker-like text that is not a top-level marker assignment."""
    line = draw(marker_assignment())
    single_line = line.replace("\n", " ").replace("\\", "")
    name = draw(st.sampled_from(MARKERS))
    prefix = draw(st.sampled_from(("", "r", "b", "f", "rb", "u", "F", "Rb")))
    quote = draw(st.sampled_from(('"""', "'''")))
    body = line if prefix.lower() != "rb" and "b" not in prefix.lower() else single_line
    if "f" in prefix.lower():
        body = body.replace("{", "{{").replace("}", "}}") + " {x!r}"
    if "b" in prefix.lower():
        body = body.encode("ascii", "ignore").decode()
    body = body.replace(quote, "").replace(quote[0] * 2, quote[0]).rstrip(quote[0] + "\\")
    choices = [
        f"x = {prefix}{quote}\n{body}\n{quote}",
        f"def upgrade() -> None:\n    op.execute({prefix}{quote}\n{body}\n{quote})",
        f"sql = {prefix}{quote}\\\n{body}{quote}",
        f"# {single_line}",
        f"if x:\n    {single_line}",
        f"def f():\n    {single_line}\n    return 1",
        f"class C:\n    {single_line}",
        f"if x: {single_line}",
        f"x = dict(\n{name}='a',\n)",
        f"x = [\n    1,\n{name}\n]",
        f"x = 1 + \\\n    2 \\\n    + len({name})",
        f"{name}s = 'plural'",
        f"{name}_id = 'other'",
        f"{name}: str",
        f"{name} += 'x'",
        f"{name} = down_revision = 'chained'",
        f"{name} == 'compared'",
        f"{name}.attribute = 'a'",
        f"{name}, other = 'a', 'b'",
        'x = \'it\\\'s\'; y = "say \\"hi\\""',
        "x = r'\\\\' + r\"\\\\\"",
        "x = '# ( [ {'  # ) ] }",
        f'x = f"{{y}} {name} = {{z!r}}"',
        f"x = {{\n    '{name}': 'value',\n}}",
    ]
    return draw(st.sampled_from(choices))


@st.composite
def revision_file(draw: st.DrawFn) -> str:
    """A revision's markers (now and then one missing, repeated or not a literal) shuffled
    among look-alikes, under a docstring that may hold marker lines too."""
    header = [
        draw(marker_assignment("revision", string_literal())),
        draw(marker_assignment("down_revision")),
    ]
    header += [draw(marker_assignment(name)) for name in MARKERS[2:] if draw(st.booleans())]
    mishap = draw(st.sampled_from(("none",) * 6 + ("drop", "repeat", "bad value")))
    if mishap == "drop":
        header.pop(draw(st.integers(0, len(header) - 1)))
    elif mishap == "repeat":
        header.append(draw(marker_assignment()))
    elif mishap == "bad value":
        header.append(draw(marker_assignment(values=bad_values)))
    others = draw(st.lists(st.one_of(look_alike(), st.just("import sqlalchemy as sa")), max_size=6))
    chunks = draw(st.permutations(header + others))
    docstring = draw(st.sampled_from(("", '"""add things\n\nRevision ID: x\n"""\n')))
    if draw(st.booleans()):
        docstring = f'"""a message\n\n{draw(marker_assignment())}\n"""\n'
    source = docstring + "\n".join(chunks) + draw(st.sampled_from(("\n", "")))
    if draw(st.integers(0, 9)) == 0:
        source = source.replace("\n", "\r\n")
    return source


def oracle(source: str) -> object:
    """What the markers are, by Python's parser: ``None`` (no revision), "error", or values."""
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if not (isinstance(target, ast.Name) and target.id in MARKERS):
            continue
        try:
            literal = ast.literal_eval(value)
        except (ValueError, TypeError):
            return "error"
        if isinstance(literal, list):
            literal = tuple(literal)
        ok = literal is None or isinstance(literal, str)
        ok = ok or (isinstance(literal, tuple) and all(isinstance(i, str) for i in literal))
        if not ok:
            return "error"
        found[target.id] = literal
    if "revision" not in found:
        return None
    if not isinstance(found["revision"], str) or "down_revision" not in found:
        return "error"
    return tuple(found.get(name) for name in MARKERS)


def read(source: str) -> object:
    try:
        values = marker_values(source, "gen.py")
    except ScriptError:
        return "error"
    return None if values is None else values[:4]


def compiles(source: str) -> bool:
    try:
        compile(source, "gen.py", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(revision_file())
def test_reader_agrees_with_ast(source: str) -> None:
    assume(compiles(source))
    assert read(source) == oracle(source), source


@pytest.mark.parametrize(
    "source",
    [
        'revision = "a"\ndown_revision = None\nx = f"""\n{y}\ndepends_on = "n"\n"""\n',
        'x = f"{y}"\nrevision = "a"\ndown_revision = None\n',
    ],
)
def test_nested_fstrings_go_to_ast(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """From Python 3.12 an f-string can nest its own quotes, so the scanner hands it to ast."""
    monkeypatch.setattr(markers, "_NESTED_FSTRINGS", True)
    with pytest.raises(markers._NotSimple):
        markers._scan(source)
    assert read(source) == ("a", None, None, None)


# Names that real modules assign as literals, standing in for the markers.
STAND_INS = ("__all__", "__version__", "__author__", "__docformat__")


def test_scanner_agrees_with_ast_on_the_standard_library() -> None:
    """The scanner's view of strings, comments, brackets and continuations, checked on the
    modules of the standard library with names they really assign in place of the markers."""
    patterns = markers._patterns(STAND_INS)
    folder = Path(ast.__file__).parent
    decided = 0
    for path in sorted(folder.glob("*.py")):
        if path.stat().st_size > 40_000:
            continue  # the big ones add time, not cases
        source = path.read_text(encoding="utf-8", errors="replace")
        try:
            tree = ast.parse(source)
        except SyntaxError:  # e.g. a lib2to3 fixture of Python 2 code
            continue
        expected: dict[str, object] = {}
        for name, node in markers.top_level_assignments(tree):
            if name in STAND_INS:
                try:
                    value = ast.literal_eval(node)
                except ValueError:
                    value = None  # not a literal: the scanner must hand the file to ast
                    expected["!"] = True
                expected[name] = tuple(value) if isinstance(value, list) else value
        try:
            found = markers._scan(source, patterns)
        except markers._NotSimple:
            continue
        decided += 1
        assert "!" not in expected and found == expected, path
    assert decided > 100
