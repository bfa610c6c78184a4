"""Light commands start fast: they must not import SQLAlchemy, Mako or GitPython."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import gitmig
from tests.cli.conftest import Project

REPO_ROOT = Path(gitmig.__file__).resolve().parents[1]
HEAVY = ("sqlalchemy", "mako", "git")
#: What a light command needs of gitmig.command: the graph commands and their helpers.
LIGHT_COMMAND_MODULES = {"gitmig.command", "gitmig.command._base", "gitmig.command.graph"}


def imported_modules(*args: str, cwd: Path) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gitmig", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    modules = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            modules.add(line.rsplit("|", 1)[1].strip())
    assert "gitmig" in modules
    return modules


@pytest.mark.parametrize("command", ["heads", "branches", "history", "check-heads"])
def test_light_commands_do_not_import_heavy_libraries(project: Project, command: str) -> None:
    project.new("one")
    project.new("two")
    modules = imported_modules("-c", str(project.ini), command, cwd=project.root)
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == [], f"`gitmig {command}` imported {heavy[:5]}"
    assert "click" not in modules, f"`gitmig {command}` did not take the fast path"
    # the command package loads a module when one of its names is first used
    loaded = {m for m in modules if m.startswith("gitmig.command")}
    assert loaded <= LIGHT_COMMAND_MODULES | {"gitmig.command.git_flows"}, sorted(loaded)
    assert "dataclasses" not in modules, f"`gitmig {command}` imported dataclasses"


@pytest.mark.parametrize("command", ["heads", "branches", "history"])
def test_graph_listings_do_not_import_typing(project: Project, command: str) -> None:
    # typing (and so typing.NamedTuple) costs about 4 ms at every start; the modules these
    # commands load keep their type-only imports under TYPE_CHECKING
    project.new("one")
    assert "typing" not in imported_modules("-c", str(project.ini), command, cwd=project.root)


def test_offline_upgrade_imports_only_its_dialect(project: Project) -> None:
    # SQLAlchemy's PostgreSQL dialect alone takes ~25 ms to import: no SQLite run needs it
    ini = project.ini.read_text(encoding="utf-8")
    project.ini.write_text(
        ini.replace("driver://user:pass@localhost/dbname", "sqlite:///app.db"), encoding="utf-8"
    )
    project.new("one")
    modules = imported_modules("-c", str(project.ini), "upgrade", "head", "--sql", cwd=project.root)
    assert "sqlalchemy.dialects.sqlite" in modules
    others = tuple(
        f"sqlalchemy.dialects.{name}" for name in ("postgresql", "mysql", "mssql", "oracle")
    )
    assert not [m for m in modules if m.startswith(others)]


def test_python_dash_m_gitmig_runs(project: Project) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "gitmig", "--version"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0 and "gitmig, version" in result.stdout


def test_a_closed_pipe_is_not_an_error_message(project: Project) -> None:
    # more history than a pipe buffers, so the writer sees the reader go away
    down = None
    for i in range(1500):
        rev = f"r{i:05d}"
        (project.versions / f"{rev}.py").write_text(
            f'"""revision number {i} with a longer message"""\n'
            f"revision = {rev!r}\ndown_revision = {down!r}\n"
        )
        down = rev
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "gitmig", "-c", str(project.ini), "history"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()
        stderr = process.stderr.read().decode()
    assert "unexpected" not in stderr and "Traceback" not in stderr
