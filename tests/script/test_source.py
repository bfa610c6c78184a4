"""The per-file check: a pure function of the source text and the name to show."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitmig.script.source import (
    check_source,
    is_revision_file,
    read_source,
    revision_file_names,
)

GOOD = 'revision = "a3"\ndown_revision = "b2"\n\ndef upgrade():\n    pass\n'


def test_a_good_file_has_markers_and_no_problem() -> None:
    values, problem = read_source(GOOD, "a3.py")
    assert problem is None
    assert values is not None and values[:2] == ("a3", "b2")
    assert check_source(GOOD.encode(), "a3.py") is None


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            'revision = "a3"\ndown_revision = None\n\ndef upgrade(:\n    pass\n',
            "v/a3.py:4: SyntaxError: invalid syntax",
        ),
        (
            'revision = "a3"\ndown_revision = None\n\ndef upgrade():\npass\n',
            "v/a3.py:5: IndentationError: expected an indented block after function "
            "definition on line 4",
        ),
        (
            'revision = "a3"\ndown_revision = None\nreturn 1\n',
            "v/a3.py:3: SyntaxError: 'return' outside function",
        ),
        (
            'revision = "a3"\ndown_revision = None\nx = """\n',
            "v/a3.py:3: SyntaxError: unterminated triple-quoted string literal (detected at "
            "line 3)",
        ),
    ],
)
def test_a_file_that_does_not_compile(source: str, message: str) -> None:
    assert read_source(source, "v/a3.py") == (None, message)
    assert check_source(source.encode(), "v/a3.py") == message


def test_a_file_that_does_not_decode() -> None:
    problem = check_source(b'revision = "a3"\ndown_revision = None\nx = "\xff"\n', "a3.py")
    assert problem is not None and problem.startswith("a3.py:")
    assert "can't decode byte 0xff" in problem and "\n" not in problem


def test_a_compile_warning_is_not_a_problem() -> None:
    # the import that runs the file shows the warning; the check must not (nor fail on it
    # when warnings are errors, as they are under this test suite)
    assert check_source(GOOD + 'pattern = "\\d+"\n', "a3.py") is None


def test_marker_problems_come_as_messages() -> None:
    source = 'revision = "a3"\ndown_revision = compute()\n'
    assert check_source(source, "a3.py") == (
        "a3.py:2: 'down_revision' must be a literal string, tuple of strings or None "
        "(found 'compute()'); gitmig reads markers without importing the file"
    )


def test_a_misspelt_revision_marker_is_suggested() -> None:
    source = 'revison = "a3"\ndown_revision = "b2"\n\ndef upgrade():\n    pass\n'
    assert check_source(source, "v/a3.py") == (
        "v/a3.py: has upgrade() and down_revision but no 'revision' marker "
        "(did you mean `revision`? found `revison` on line 1)"
    )


def test_revision_like_file_without_a_revision() -> None:
    source = "def upgrade():\n    pass\n\ndef downgrade():\n    pass\n"
    assert check_source(source, "v/x.py") == (
        "v/x.py: has upgrade() and downgrade() but no 'revision' marker; "
        'add revision = "<id>", or move the file out of the versions folder'
    )


@pytest.mark.parametrize(
    "source",
    [
        "",
        "# helpers for the revisions\nVALUE = 1\n",
        "from .common import *\n",
        "def helper():\n    revision = 'local'\n    return revision\n",
        "revisions = ['a', 'b']\nversion = 1\n",
    ],
)
def test_helpers_are_no_revisions_and_no_problem(source: str) -> None:
    assert read_source(source, "v/helpers.py") == (None, None)


@given(st.lists(st.text(alphabet=".py_initx\n", max_size=12), max_size=30))
def test_a_listing_is_filtered_as_each_name_is(names: list[str]) -> None:
    # Alembic's rule: every .py file but __init__.py, hidden files and editor lock files
    expected = sorted(n for n in names if n.endswith(".py") and not n.startswith((".", "__init__")))
    assert revision_file_names(names) == expected
    assert [n for n in sorted(names) if is_revision_file(n)] == expected
