"""The smaller promises of the team workflow: fresh clones, shallow clones, a missing git,
`history -r current:`, empty messages, and an init that leaves only its own files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitmig.cli import cli
from tests.git.conftest import TeamRepo
from tests.git.helpers import git


def test_a_fresh_clone_can_add_a_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    monkeypatch.chdir(origin)
    git(origin, "init", "-q", "-b", "main")
    result = CliRunner().invoke(cli, ["init", "migrations"])
    assert result.exit_code == 0, result.output
    assert "created migrations/versions/.gitkeep" in result.output
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "gitmig init")  # no revision yet: versions/ is empty

    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    monkeypatch.chdir(clone)
    assert (clone / "migrations" / "versions").is_dir()
    result = CliRunner().invoke(cli, ["new", "-m", "first", "--rev-id", "c1"])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(cli, ["heads"]).output == "c1 (head)\n"


def test_init_writes_only_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init", "migrations"])
    assert result.exit_code == 0, result.output
    found = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert found == [
        "gitmig.ini",
        "migrations",
        "migrations/.gitignore",
        "migrations/README",
        "migrations/env.py",
        "migrations/script.py.mako",
        "migrations/versions",
        "migrations/versions/.gitkeep",
    ]


def test_shallow_clone_names_the_missing_history(forked: TeamRepo, tmp_path: Path) -> None:
    clone = tmp_path / "ci"
    git(
        tmp_path,
        "clone",
        "-q",
        "--depth",
        "1",
        "--no-single-branch",
        f"file://{forked.root}",
        str(clone),
    )
    git(clone, "checkout", "-q", "feature-a")
    ci = TeamRepo(clone, clone / "gitmig.ini", clone / "migrations" / "versions")
    result = ci.run("check-heads", "--against", "origin/main", expect=1)
    first = result.stdout.splitlines()[0]
    assert "unrelated histories" not in first
    assert "this clone is shallow" in first and "git fetch --unshallow" in first
    assert "divergent heads: a2 (ours), m1 (theirs)" in result.stdout
    assert ci.json("check-heads", "--against", "origin/main", expect=1)["against"][0]["shallow"]
    git(clone, "fetch", "-q", "--unshallow")
    assert (
        "this clone is shallow"
        not in ci.run("check-heads", "-A", "origin/main", expect=None).output
    )


def _fake_git(folder: Path, script: str | None) -> str:
    folder.mkdir()
    if script is not None:
        fake = folder / "git"
        fake.write_text(f"#!/bin/sh\n{script}\n")
        fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return str(folder)


def test_a_missing_git_is_named(
    forked: TeamRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _fake_git(tmp_path / "nogit", None))
    result = forked.run("check-heads", "--against", "main", expect=1)
    assert "cannot run git" in result.stderr and "is git installed" in result.stderr
    assert "does not name a commit" not in result.stderr


def test_a_broken_git_is_named(
    forked: TeamRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "PATH", _fake_git(tmp_path / "badgit", "echo 'git: bad install' >&2\nexit 3")
    )
    result = forked.run("check-heads", "--against", "main", expect=1)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert (
        lines[0].startswith("gitmig: error: `git ")
        and "(exit 3)" in lines[0]
        and "bad install" in lines[0]
    )


def test_history_from_current_reads_the_database(team: TeamRepo, sqlite_url: str) -> None:
    team.new("one", "--rev-id", "r1")
    team.new("two", "--rev-id", "r2")
    team.set_url(sqlite_url)
    assert team.run("history", "-r", "current:").stdout.splitlines()[0].startswith("r1 -> r2")
    assert team.run("history", "-r", ":current").stdout == ""  # the database is at base
    team.run("upgrade", "r1")
    out = team.run("history", "-r", "current:").stdout.splitlines()
    assert [line.split(",")[0] for line in out] == ["r1 -> r2 (head)", "r0 -> r1"]
    out = team.run("history", "-r", ":current").stdout.splitlines()
    assert [line.split(" -> ")[1].split(",")[0] for line in out] == ["r1", "r0"]


def test_an_empty_message_is_shown_empty(team: TeamRepo) -> None:
    team.new("", "--rev-id", "nomsg")
    assert (team.versions / "nomsg.py").read_text().startswith('"""\n\nRevision ID: nomsg')
    assert team.run("history").stdout.splitlines()[0] == "r0 -> nomsg (head), "
    assert team.json("heads")[0]["message"] == ""


def test_a_blank_message_is_shown_empty_not_as_the_header(team: TeamRepo) -> None:
    team.new("   ", "--rev-id", "blank")
    assert team.run("history").stdout.splitlines()[0] == "r0 -> blank (head), "
    assert team.json("heads")[0]["message"] == ""
