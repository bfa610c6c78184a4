"""A gitmig project inside a real git repository, with a helper to run the CLI on it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from gitmig.cli import cli
from gitmig.script.markers import parse_revision_source
from tests.git.helpers import commit_all, git


@dataclass
class TeamRepo:
    root: Path
    ini: Path
    versions: Path

    def run(self, *args: str, expect: int | None = 0) -> Result:
        result = CliRunner().invoke(cli, ["-c", str(self.ini), *args], catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, result.output
        return result

    def json(self, *args: str, expect: int = 0) -> Any:
        return json.loads(self.run(*args, "--json", expect=expect).stdout)

    def new(self, message: str, *args: str) -> str:
        """Make a revision with `gitmig new` and return its id."""
        output = self.run("new", "-m", message, *args).output
        path = Path(output.split("Generating ", 1)[1].split(" ... done")[0])
        rev = parse_revision_source(path.read_text(), str(path))
        assert rev is not None
        return rev.revision

    def git(self, *args: str) -> str:
        return git(self.root, *args)

    def commit(self, message: str) -> str:
        return commit_all(self.root, message)

    def path_of(self, rev: str) -> Path:
        (path,) = self.versions.glob(f"{rev}_*.py")
        return path

    def set_url(self, url: str) -> None:
        text = self.ini.read_text()
        self.ini.write_text(
            "\n".join(
                f"sqlalchemy.url = {url}" if line.startswith("sqlalchemy.url") else line
                for line in text.splitlines()
            )
        )

    def set_option(self, name: str, value: str) -> None:
        text = self.ini.read_text()
        self.ini.write_text(text.replace("[gitmig]\n", f"[gitmig]\n{name} = {value}\n", 1))


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TeamRepo:
    """A repository on `main` with one committed revision, `r0`."""
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("__pycache__/\n")  # gitmig caches markers there
    result = CliRunner().invoke(cli, ["init", str(root / "migrations")])
    assert result.exit_code == 0, result.output
    repo = TeamRepo(root, root / "gitmig.ini", root / "migrations" / "versions")
    repo.new("base", "--rev-id", "r0")
    repo.commit("base revision")
    return repo


@pytest.fixture
def forked(team: TeamRepo) -> TeamRepo:
    """main adds m1 on r0; feature-a adds a1 -> a2 on r0; feature-b adds b1 on r0.

    Left checked out on feature-a.
    """
    team.git("checkout", "-q", "-b", "feature-a")
    team.new("a one", "--rev-id", "a1")
    team.new("a two", "--rev-id", "a2")
    team.commit("feature a")
    team.git("checkout", "-q", "-b", "feature-b", "main")
    team.new("b one", "--rev-id", "b1")
    team.commit("feature b")
    team.git("checkout", "-q", "main")
    team.new("main one", "--rev-id", "m1")
    team.commit("main m1")
    team.git("checkout", "-q", "feature-a")
    return team
