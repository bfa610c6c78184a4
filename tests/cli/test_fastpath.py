"""The click-free fast path prints exactly what the click CLI prints, and hands off the rest."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gitmig import fastpath
from gitmig.cli import cli
from tests.cli.conftest import Project


@pytest.fixture
def graph_project(project: Project) -> Project:
    root = project.new("root")
    project.new("one")
    project.new("two", "--head", root, "--splice", "--branch-label", "feat")
    return project


SAME_OUTPUT = [
    ["heads"],
    ["heads", "-v"],
    ["heads", "--json"],
    ["heads", "--resolve-dependencies"],
    ["history"],
    ["history", "--verbose"],
    ["history", "--json"],
    ["history", "-r", "base:heads"],
    ["branches"],
    ["branches", "-v"],
    ["check-heads"],
    ["check-heads", "--json"],
    ["-q", "check-heads"],
    ["history", "-r", "nope"],
    ["-n", "missing", "heads"],
]


@pytest.mark.parametrize("args", SAME_OUTPUT, ids=" ".join)
def test_fast_path_matches_click(
    graph_project: Project, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["-c", str(graph_project.ini), *args]
    code = fastpath.run(argv)
    fast = capsys.readouterr()
    assert code is not None, "the fast path should have handled this"
    slow = CliRunner().invoke(cli, argv)
    assert code == slow.exit_code
    assert fast.out == slow.stdout
    assert fast.err == slow.stderr


def test_divergent_heads_exit_1_on_both_paths(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project.new("root")
    project.new("one")
    project.new("two", "--head", root, "--splice")
    argv = ["-c", str(project.ini), "check-heads"]
    assert fastpath.run(argv) == 1
    assert "Divergent heads" in capsys.readouterr().out
    assert CliRunner().invoke(cli, argv).exit_code == 1


@pytest.mark.parametrize(
    "args",
    [
        ["heads", "--help"],
        ["--version"],
        ["new", "-m", "x"],
        ["-x", "a=1", "heads"],
        ["--raiseerr", "heads"],
        ["heads", "--verbose=1"],
        ["check-heads", "--against"],
        ["history", "-r"],
        ["-c"],
        [],
    ],
    ids=" ".join,
)
def test_anything_else_goes_to_click(args: list[str]) -> None:
    assert fastpath.run(args) is None


def test_click_environment_options_go_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITMIG_HEADS_VERBOSE", "1")
    assert fastpath.run(["heads"]) is None


def test_unexpected_errors_go_to_click(
    graph_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gitmig import command

    def boom(*args: object, **kw: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(command, "heads", boom)
    assert fastpath.run(["-c", str(graph_project.ini), "heads"]) is None
