"""Reading markers without importing: gitmig's style, Alembic's styles, and bad files."""

from __future__ import annotations

import pytest

from gitmig.exc import ScriptError
from gitmig.script import markers
from gitmig.script.markers import parse_revision_source

GITMIG_STYLE = '''"""add accounts

Revision ID: 3f2a9c1d7b4e
Revises: 9d8c7b6a5f4e
Create Date: 2026-11-23 19:46:41.130319

"""
from gitmig import op
import sqlalchemy as sa

revision = "3f2a9c1d7b4e"
down_revision = "9d8c7b6a5f4e"
branch_labels = None
depends_on = None

def upgrade() -> None:
    raise RuntimeError("must not run")
'''

ALEMBIC_ANNOTATED = '''"""merge heads

Revision ID: 1a2b3c
Revises: aaa, bbb
"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '1a2b3c'
down_revision: Union[str, Sequence[str], None] = ('aaa', 'bbb')
branch_labels: Union[str, Sequence[str], None] = ('feature',)
depends_on: Union[str, Sequence[str], None] = None
'''

ALEMBIC_OLD = '''"""old style"""
revision = u'abc'
down_revision = u'def'
branch_labels = None
depends_on = [u'x1', u'x2']
'''


def test_gitmig_style() -> None:
    rev = parse_revision_source(GITMIG_STYLE, "v/3f2a.py")
    assert rev is not None
    assert (rev.revision, rev.parents, rev.dependencies) == ("3f2a9c1d7b4e", ("9d8c7b6a5f4e",), ())
    assert rev.doc == "add accounts"
    assert rev.path == "v/3f2a.py"


def test_alembic_annotated_merge() -> None:
    rev = parse_revision_source(ALEMBIC_ANNOTATED, "m.py")
    assert rev is not None
    assert rev.parents == ("aaa", "bbb")
    assert rev.down_revision == ("aaa", "bbb")
    assert rev.branch_labels == {"feature"}


def test_alembic_old_unicode_strings_and_lists() -> None:
    rev = parse_revision_source(ALEMBIC_OLD, "o.py")
    assert rev is not None
    assert (rev.revision, rev.parents, rev.dependencies) == ("abc", ("def",), ("x1", "x2"))


def test_multiline_tuple_falls_back_to_ast() -> None:
    source = 'revision = "m1"\ndown_revision = (\n    "a",\n    "b",\n)\n'
    rev = parse_revision_source(source, "m.py")
    assert rev is not None and rev.parents == ("a", "b")


def test_parenthesised_string_is_not_a_tuple() -> None:
    rev = parse_revision_source('revision = ("abc")\ndown_revision = None\n', "p.py")
    assert rev is not None and rev.revision == "abc"


def test_non_literal_marker_names_file_and_line() -> None:
    source = 'import x\nrevision = "a"\ndown_revision = x.compute()\n'
    with pytest.raises(ScriptError, match=r"bad\.py:3: 'down_revision' must be a literal"):
        parse_revision_source(source, "bad.py")


def test_missing_down_revision() -> None:
    with pytest.raises(ScriptError, match=r"x\.py: revision a has no 'down_revision'"):
        parse_revision_source('revision = "a"\n', "x.py")


def test_file_without_markers_is_not_a_revision() -> None:
    assert parse_revision_source("# helpers\nVALUE = 1\n", "__init__.py") is None


def test_syntax_error_in_a_marker_file() -> None:
    source = 'revision = "a"\ndown_revision = (\n'
    with pytest.raises(ScriptError, match=r"broken\.py:\d+: cannot parse"):
        parse_revision_source(source, "broken.py")


def test_indented_assignments_are_not_markers() -> None:
    source = 'revision = "a"\ndown_revision = None\ndef f():\n    revision = "zzz"\n'
    rev = parse_revision_source(source, "i.py")
    assert rev is not None and rev.revision == "a"


# An older Alembic template wrote no depends_on; the SQL in upgrade() holds marker-like lines.
SQL_LOOK_ALIKES = '''"""add nightly job

Revision ID: c3
Revises: b2
"""
from alembic import op

revision = 'c3'
down_revision = 'b2'
branch_labels = None


def upgrade():
    op.execute("""
INSERT INTO settings (key, value) VALUES ('schedule', $$
depends_on = 'nightly'
down_revision = 'zzz'
revision = 'zzz'
$$)
""")
    op.execute(r\'\'\'
branch_labels = ('x',)
\'\'\')
'''


def test_marker_lines_in_strings_are_not_markers(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parser(source: str, path: str) -> None:
        raise AssertionError("the scanner should decide this file alone")

    monkeypatch.setattr(markers, "_parse_with_ast", no_parser)
    rev = parse_revision_source(SQL_LOOK_ALIKES, "c3.py")
    assert rev is not None
    assert (rev.revision, rev.parents, rev.dependencies, rev.branch_labels) == (
        "c3",
        ("b2",),
        (),
        set(),
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # a parenthesised string with a comma in it is still a string
        ('revision = ("a,b")\ndown_revision = None\n', ("a,b", None)),
        ('revision = "a"\ndown_revision = ("x" "y")\n', ("a", "xy")),
        ('revision = "a"\ndown_revision = (\n    "x",  # one\n    "y",\n)\n', ("a", ("x", "y"))),
        ('revision = "a"\ndown_revision = \\\n    "x"\n', ("a", "x")),
        ('revision = "a"\r\ndown_revision: Union[str, None] = "x"\r\n', ("a", "x")),
        ('revision = "a"; down_revision = "x"\n', ("a", "x")),
        ('x = 1; revision = "b"\nrevision = "a"\ndown_revision = None\n', ("a", None)),
        ('revision = "a"\ndown_revision = None\nx = 1; down_revision = "y"\n', ("a", "y")),
        ('\\\nrevision = "a"\ndown_revision = None\n', ("a", None)),
        ('revision = "a"\ndown_revision = None\nif x: depends_on = "n"\n', ("a", None)),
        ('revision = "a"\ndown_revision = None\nx = dict(\ndepends_on="n")\n', ("a", None)),
        ('revision = "a"\ndown_revision = None\nrevision: str\n', ("a", None)),
        ('revision = "a"\ndown_revision = None\nrevision = "b"\n', ("b", None)),
    ],
)
def test_what_python_sees_is_what_counts(source: str, expected: tuple[object, ...]) -> None:
    values = markers.marker_values(source, "f.py")
    assert values is not None and values[:2] == expected


def test_a_misspelt_down_revision_is_suggested() -> None:
    with pytest.raises(ScriptError, match=r"found `down_revison` on line 2\)"):
        parse_revision_source('revision = "a"\ndown_revison = None\n', "x.py")


def test_windows_line_ends() -> None:
    source = GITMIG_STYLE.replace("\n", "\r\n").encode()
    rev = parse_revision_source(b"\xef\xbb\xbf" + source, "v/3f2a.py")  # and a BOM
    assert rev is not None
    assert (rev.revision, rev.parents, rev.doc) == (
        "3f2a9c1d7b4e",
        ("9d8c7b6a5f4e",),
        "add accounts",
    )
