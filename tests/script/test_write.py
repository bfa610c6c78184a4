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
