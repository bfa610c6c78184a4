"""A project made with `gitmig init` in a temp dir, and a helper to run the CLI on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gitmig.cli import cli
from gitmig.script.markers import parse_revision_source


@dataclass
class Project:
    root: Path
    ini: Path
    versions: Path

    def run(self, *args: str, expect: int | None = 0) -> Result:
        result = CliRunner().invoke(cli, ["-c", str(self.ini), *args], catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, result.output
        return result

    def new(self, message: str, *args: str) -> str:
        """Make a revision and return its id."""
        output = self.run("new", "-m", message, *args).output
        path = Path(output.split("Generating ", 1)[1].split(" ... done")[0])
        rev = parse_revision_source(path.read_text(), str(path))
        assert rev is not None
        return rev.revision


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "migrations")])
    assert result.exit_code == 0, result.output
    return Project(tmp_path, tmp_path / "gitmig.ini", tmp_path / "migrations" / "versions")


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    return run
