"""Broken files in a versions folder stop every graph command, with one line naming them;
marker-like text in strings changes nothing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitmig import command, fastpath
from gitmig.cli import cli
from gitmig.config import Config
from gitmig.exc import ScriptError
from gitmig.script import base


def revision(rev: str, down: str | None, body: str = "    pass") -> str:
    return (
        f'"""{rev} message\n\nRevision ID: {rev}\n"""\n'
        "from gitmig import op\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\n\n\n"
        f"def upgrade() -> None:\n{body}\n\n\ndef downgrade() -> None:\n    pass\n"
    )


# What the team-workflow issue reported: valid markers, a file that cannot be imported.
SYNTAX_ERROR = revision("c3", "b2").replace("def upgrade() -> None:", "def upgrade(:")
LINE = SYNTAX_ERROR.splitlines().index("def upgrade(:") + 1
MISSPELT = revision("c3", "b2").replace("revision = 'c3'", "revison = 'c3'")
# Flush-left marker lines inside the SQL of upgrade(), in a file without depends_on.
SQL_LOOK_ALIKES = revision(
    "c3",
    "b2",
    '    op.execute("""\nCREATE TABLE notes (x TEXT);\n'
    "depends_on = 'nightly'\ndown_revision = 'zzz'\n\"\"\")",
)


class Env:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.ini = root / "gitmig.ini"
        self.versions = root / "migrations" / "versions"

    def write(self, name: str, text: str) -> Path:
        path = self.versions / name
        path.write_text(text)
        return path

    def config(self) -> Config:
        return Config(str(self.ini))

    def cli(self, *args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli, ["-c", str(self.ini), *args])
        return result.exit_code, result.output

    def fast(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int | None, str]:
        code = fastpath.run(["-c", str(self.ini), *args])
        captured = capsys.readouterr()
        return code, captured.out + captured.err


@pytest.fixture(autouse=True)
def _python_writes_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(sys, "pycache_prefix", None)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "migrations")])
    assert result.exit_code == 0, result.output
    project = Env(tmp_path)
    project.write("a1_first.py", revision("a1", None))
    project.write("b2_second.py", revision("b2", "a1"))
    return project


def test_marker_lines_in_a_sql_string_change_nothing(env: Env) -> None:
    env.write("c3_third.py", SQL_LOOK_ALIKES)
    config = env.config()
    assert [s.revision for s in command.heads(config)] == ["c3"]
    assert [(s.revision, s.dependencies) for s in command.history(config)] == [
        ("c3", ()),
        ("b2", ()),
        ("a1", ()),
    ]
    code, output = env.cli("heads")
    assert (code, output) == (0, "c3 (head)\n")
    code, output = env.cli("history")
    assert code == 0 and output.splitlines()[0] == "b2 -> c3 (head), c3 message"


GRAPH_COMMANDS: list[tuple[str, Callable[[Config], object]]] = [
    ("heads", command.heads),
    ("history", command.history),
    ("check_heads", command.check_heads),
    ("branches", command.branches),
    ("new", lambda config: command.new(config, message="next")),
]


@pytest.mark.parametrize(("name", "call"), GRAPH_COMMANDS, ids=[n for n, _ in GRAPH_COMMANDS])
def test_a_syntax_error_stops_every_graph_command(
    env: Env, name: str, call: Callable[[Config], object]
) -> None:
    path = env.write("c3_third.py", SYNTAX_ERROR)
    with pytest.raises(ScriptError) as caught:
        call(env.config())
    assert str(caught.value) == f"{path}:{LINE}: SyntaxError: invalid syntax"
    assert sorted(p.name for p in env.versions.glob("*.py")) == [
        "a1_first.py",
        "b2_second.py",
        "c3_third.py",
    ]  # `new` wrote nothing on top of the broken file


@pytest.mark.parametrize("args", [["heads"], ["history"], ["check-heads"], ["new", "-m", "x"]])
def test_the_cli_fails_with_one_line(env: Env, args: list[str]) -> None:
    path = env.write("c3_third.py", SYNTAX_ERROR)
    code, output = env.cli(*args)
    assert code == 1
    assert output.splitlines() == [f"gitmig: error: {path}:{LINE}: SyntaxError: invalid syntax"]


@pytest.mark.parametrize("args", [["heads"], ["history"], ["check-heads"]])
def test_the_fast_path_fails_with_one_line(
    env: Env, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = env.write("c3_third.py", SYNTAX_ERROR)
    code, output = env.fast(capsys, *args)
    assert code == 1
    assert output.splitlines() == [f"gitmig: error: {path}:{LINE}: SyntaxError: invalid syntax"]


def test_check_heads_against_a_ref_fails_too(env: Env) -> None:
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "two"]):
        subprocess.run(["git", *args], cwd=env.root, check=True, capture_output=True)
    path = env.write("c3_third.py", SYNTAX_ERROR)
    code, output = env.cli("check-heads", "--against", "main")
    assert code == 1
    assert output.splitlines() == [f"gitmig: error: {path}:{LINE}: SyntaxError: invalid syntax"]


def test_a_misspelt_revision_marker(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    path = env.write("c3_third.py", MISSPELT)
    expected = (
        f"{path}: has upgrade(), downgrade() and down_revision but no 'revision' marker "
        "(did you mean `revision`? found `revison` on line 7)"
    )
    with pytest.raises(ScriptError, match=r"found `revison`") as caught:
        command.heads(env.config())
    assert str(caught.value) == expected
    assert env.fast(capsys, "heads") == (1, f"gitmig: error: {expected}\n")
    assert env.cli("history") == (1, f"gitmig: error: {expected}\n")


def test_helpers_and_init_files_stay_ignored(env: Env) -> None:
    env.write("__init__.py", "def upgrade():\n    pass\n")
    env.write(
        "helpers.py", "import sqlalchemy as sa\n\n\ndef column():\n    return sa.Column('x')\n"
    )
    assert [s.revision for s in command.heads(env.config())] == ["b2"]


def test_a_fixed_file_is_read_again_and_good_files_stay_cached(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = env.write("c3_third.py", SYNTAX_ERROR)
    with pytest.raises(ScriptError):
        command.heads(env.config())
    read: list[str] = []
    real = base.read_source

    def counting(source: bytes, shown: str) -> object:
        read.append(Path(shown).name)
        return real(source, shown)

    monkeypatch.setattr(base, "read_source", counting)
    with pytest.raises(ScriptError):
        command.heads(env.config())
    assert read == ["c3_third.py"]  # the good files' markers were cached despite the error
    path.write_text(revision("c3", "b2"))
    assert [s.revision for s in command.heads(env.config())] == ["c3"]


def test_staged_check_refuses_a_broken_staged_file(tmp_path: Path) -> None:
    """The pre-commit hook's check reads the index: a broken staged file stops it too."""
    import subprocess

    from click.testing import CliRunner

    from gitmig.cli import cli

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    ini = tmp_path / "gitmig.ini"
    assert (
        CliRunner().invoke(cli, ["-c", str(ini), "init", str(tmp_path / "migrations")]).exit_code
        == 0
    )
    broken = tmp_path / "migrations" / "versions" / "a1_first.py"
    broken.write_text('revision = "a1"\ndown_revision = None\n\n\ndef upgrade(:\n    pass\n')
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    broken.write_text('revision = "a1"\ndown_revision = None\n')  # fixed on disk, not staged
    result = CliRunner().invoke(cli, ["-c", str(ini), "check-heads", "--staged"])
    assert result.exit_code == 1
    assert "a1_first.py:5: SyntaxError" in result.output and "index" in result.output
