"""The click-free fast path prints exactly what the click CLI prints, and hands off the rest."""

from __future__ import annotations

import click
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
    ["history", "--git", "--json"],
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


def test_unexpected_errors_are_handled_once_not_rerun(
    graph_project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gitmig import command

    calls: list[object] = []

    def boom(*args: object, **kw: object) -> None:
        calls.append(args)
        raise RuntimeError("kaboom")

    monkeypatch.setattr(command, "heads", boom)
    assert fastpath.run(["-c", str(graph_project.ini), "heads"]) == 1
    err = capsys.readouterr().err
    assert calls == [calls[0]], "the command ran more than once"
    assert err.count("\n") == 1 and "unexpected RuntimeError: kaboom" in err
    assert "crash.log" in err and "Traceback" not in err


def _click_options(command: click.Command) -> dict[str, tuple[frozenset[str], bool, object]]:
    """dest -> (spellings, is a flag, default) for each option of a click command."""
    found = {}
    ctx = click.Context(command)
    for param in command.params:
        if isinstance(param, click.Option):
            spellings = frozenset(param.opts + param.secondary_opts)
            default = param.get_default(ctx) if not param.multiple else None
            if default is not None and not isinstance(default, (bool, str)):
                default = None  # click 8.3 spells "no default" as a sentinel
            found[param.name or ""] = (spellings, bool(param.is_flag), default)
    return found


def _fast_options(flags: dict[str, str], valued: dict[str, str]) -> dict[str, tuple]:
    found: dict[str, tuple] = {}
    for table, is_flag in ((flags, True), (valued, False)):
        for spelling, dest in table.items():
            spellings = found.get(dest, (frozenset(),))[0] | {spelling}
            found[dest] = (frozenset(spellings), is_flag, False if is_flag else None)
    return found


@pytest.mark.parametrize("name", sorted(fastpath._COMMANDS))
def test_fast_option_tables_match_the_click_commands(name: str) -> None:
    """Every option, flag and default of the click command, and nothing else."""
    flags, valued = fastpath._COMMANDS[name]
    command = cli.commands[name]
    clicks = _click_options(command)
    clicks.pop("help", None)
    assert _fast_options(flags, valued) == clicks
    repeatable = {p.name for p in command.params if isinstance(p, click.Option) and p.multiple}
    assert repeatable == {d for d in valued.values() if d in fastpath._REPEATABLE}
    assert not [p for p in command.params if isinstance(p, click.Argument)]


def test_fast_global_options_match_the_root_group() -> None:
    clicks = _click_options(cli)
    fast = _fast_options(fastpath._GLOBAL_FLAGS, fastpath._GLOBAL_VALUES)
    defaults = {"name": "gitmig"}
    for dest, (spellings, is_flag, _default) in fast.items():
        assert clicks[dest][:2] == (spellings, is_flag), dest
        assert clicks[dest][2] == defaults.get(dest, False if is_flag else None), dest
    assert set(clicks) - set(fast) == fastpath.CLICK_ONLY_GLOBALS
