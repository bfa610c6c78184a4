"""Every command's --help: a summary that fits the command list, and named metavars."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import Result

from gitmig.cli import cli


def _commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, cmd in cli.commands.items():
        found.append((name, cmd))
        if isinstance(cmd, click.Group):
            found += [(f"{name} {sub}", subcmd) for sub, subcmd in cmd.commands.items()]
    return found


def test_the_command_list_shows_whole_summaries(run_cli: Callable[..., Result]) -> None:
    result = run_cli("--help")
    assert result.exit_code == 0
    listing = result.output.split("Commands:\n", 1)[1]
    assert "..." not in listing  # click cuts a long first docstring line with "..."


@pytest.mark.parametrize(("name", "cmd"), _commands(), ids=[n for n, _ in _commands()])
def test_no_option_shows_a_bare_type_as_metavar(
    name: str, cmd: click.Command, run_cli: Callable[..., Result]
) -> None:
    result = run_cli(*name.split(), "--help")
    assert result.exit_code == 0
    for option in cmd.params:
        if isinstance(option, click.Option) and not option.is_flag:
            assert option.metavar, f"{name} {option.opts}: give it a metavar (not TEXT)"
        assert option.help if isinstance(option, click.Option) else True


def test_a_directory_as_config_file(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    result = run_cli("-c", str(tmp_path), "upgrade")
    assert result.exit_code == 1
    assert f"{tmp_path}: is a directory, not a config file" in result.output
