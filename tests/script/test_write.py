"""Writing revision files: slugs, file names, literals and the script template's imports."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from gitmig import command
from gitmig.config import Config
from gitmig.exc import CommandError
from gitmig.script.base import ScriptDirectory
from gitmig.script.write import python_literal, revision_file_name, slugify, write_revision


def test_slugify_cuts_at_a_word_boundary() -> None:
    assert slugify("Add a column, to 'accounts'!", 40) == "add_a_column_to_accounts"
    assert slugify("a rather long message", 10) == "a_rather"
    assert slugify("supercalifragilistic", 5) == "super"
    assert slugify(None, 40) == ""


def test_file_name_tokens() -> None:
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    template = "%(year)d%(month).2d%(day).2d_%(hour).2d%(minute).2d%(second).2d_%(rev)s_%(slug)s"
    assert revision_file_name(template, "abc", "x", when) == "20260102_030405_abc_x.py"
    assert revision_file_name("%(epoch)s_%(rev)s", "abc", "", when) == "1767323045_abc.py"
    assert revision_file_name("%(rev)s_%(slug)s", "abc", "", when) == "abc.py"
    with pytest.raises(CommandError, match="file_template"):
        revision_file_name("%(nope)s", "abc", "", when)


def test_python_literal() -> None:
    assert python_literal(None) == "None"
    assert python_literal("a") == '"a"'
    assert python_literal(("a",)) == '("a",)'
    assert python_literal(("a", "b")) == '("a", "b")'


@pytest.fixture
def script_dir(tmp_path: Path) -> ScriptDirectory:
    bare = Config()
    bare.config_file_name = str(tmp_path / "gitmig.ini")
    command.init(bare, tmp_path / "migrations")
    return ScriptDirectory(tmp_path / "migrations")


def ruff_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", str(path)],
        capture_output=True,
        text=True,
    )


def test_generated_bodies_import_only_what_they_use(script_dir: ScriptDirectory) -> None:
    path = write_revision(
        script_dir,
        "a1",
        "index only",
        None,
        upgrades='op.create_index("ix", "t", ["c"])',
        downgrades='op.drop_index("ix", table_name="t")',
    )
    text = path.read_text()
    assert "from gitmig import op\n" in text and "import sqlalchemy" not in text
    assert "Revises:\n" in text  # no trailing space on a base revision
    result = ruff_check(path)
    assert result.returncode == 0, result.stdout


def test_hand_written_revisions_start_with_both_imports(script_dir: ScriptDirectory) -> None:
    text = write_revision(script_dir, "a1", "by hand", None).read_text()
    assert "import sqlalchemy as sa\nfrom gitmig import op\n" in text


@pytest.mark.parametrize(
    "message",
    [
        'has """triple""" quotes',
        'first line\n"""\nsecond line',
        r"import from C:\Users\data",
        'ends with a quote"',
        "ends with a backslash \\",
    ],
)
def test_any_message_gives_an_importable_revision(
    script_dir: ScriptDirectory, message: str
) -> None:
    import ast

    path = write_revision(script_dir, "a1", message, None)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree, clean=False) or ""
    assert docstring.startswith(message + "\n")
    # ... and the marker reader (heads, history, show) reads the message back unchanged
    from gitmig.script.markers import parse_revision_source

    rev = parse_revision_source(path.read_text(encoding="utf-8"), str(path))
    assert rev is not None
    assert rev.longdoc.startswith(message.strip() + "\n")
    if "\n" not in message:
        assert rev.doc == " ".join(message.split())


def test_a_broken_template_removes_the_file(script_dir: ScriptDirectory) -> None:
    from gitmig.exc import ScriptError

    script_dir.script_template.write_text('"""${message}\n\ndef upgrade(:\n', encoding="utf-8")
    with pytest.raises(ScriptError, match=r"not valid Python .*so it was removed") as info:
        write_revision(script_dir, "a1", "m", None)
    assert "script.py.mako" in str(info.value)
    assert not list(script_dir.version_locations[0].glob("*.py"))


def test_rev_id_longer_than_the_version_column_is_refused(script_dir: ScriptDirectory) -> None:
    from gitmig.exc import UsageError

    with pytest.raises(UsageError, match=r"40 characters long.*at most 32"):
        write_revision(script_dir, "a" * 40, "m", None)
    assert not list(script_dir.version_locations[0].glob("*.py"))


@pytest.mark.parametrize("rev_id", [".", "..", ".hidden", "__init__"])
def test_rev_id_giving_a_file_name_that_is_not_read_is_refused(
    script_dir: ScriptDirectory, rev_id: str
) -> None:
    from gitmig.exc import UsageError

    with pytest.raises(UsageError, match="does not read as a revision"):
        write_revision(script_dir, rev_id, "m", None)
    assert not list(script_dir.version_locations[0].glob("*.py"))


def test_a_template_that_fails_to_render_leaves_its_traceback(
    script_dir: ScriptDirectory,
) -> None:
    import re

    from gitmig.exc import ScriptError

    script_dir.script_template.write_text("<% z = x + y %>\n", encoding="utf-8")
    with pytest.raises(ScriptError) as info:
        write_revision(script_dir, "a1", "m", None)
    match = re.match(
        r"Template rendering failed; see (\S+) for a template-oriented", str(info.value)
    )
    assert match is not None and "script.py.mako" in str(info.value)
    traceback = Path(match.group(1))
    assert "<% z = x + y %>" in traceback.read_text(encoding="utf-8")
    traceback.unlink()
    assert not list(script_dir.version_locations[0].glob("*.py"))
