"""Alembic's commands and options that gitmig gained: edit, ensure-version, history -i,
show of LABEL@base and current, path_separator, and the hint for `from alembic import`."""

from __future__ import annotations

import sys
import textwrap

import pytest
from click.testing import CliRunner

from gitmig import command
from gitmig.cli import cli
from gitmig.exc import CommandError, ConfigError


def _invoke(project, *args, env=None):
    return CliRunner().invoke(cli, ["-c", str(project.ini), *args], env=env)


def _labelled(project):
    """r0 -> b1 (label bx) -> b2, and r0 -> c1 (label cx)."""
    project.table_rev("r0", None, message="root")
    project.table_rev("b1", "r0", labels="bx", message="b one")
    project.table_rev("b2", "b1", message="b two")
    project.table_rev("c1", "r0", labels="cx", message="c one")


# -- ensure-version ---------------------------------------------------------------------------


def test_ensure_version_creates_only_the_version_table(db_url, make_project):
    project = make_project(db_url)
    _labelled(project)
    assert "gitmig_version" not in project.tables()
    result = _invoke(project, "ensure_version")  # Alembic's spelling
    assert result.exit_code == 0, result.output
    assert "gitmig_version" in project.tables()
    assert not {"t_r0", "t_b1"} & project.tables()
    assert project.rows() == set()
    # A second time changes nothing, and keeps the rows a run wrote.
    command.upgrade(project.config(), "b1")
    command.ensure_version(project.config())
    assert project.rows() == {"b1"}


def test_ensure_version_sql_writes_the_create_table(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _labelled(project)
    result = _invoke(project, "ensure-version", "--sql")
    assert result.exit_code == 0, result.output
    assert "CREATE TABLE gitmig_version" in result.output
    assert "gitmig_version_pkc PRIMARY KEY (version_num)" in result.output
    assert "t_r0" not in result.output
    assert "gitmig_version" not in project.tables()


# -- history -i / current in ranges -----------------------------------------------------------


def test_history_indicate_current(db_url, make_project):
    project = make_project(db_url)
    _labelled(project)
    command.upgrade(project.config(), "b1")

    result = _invoke(project, "history", "-i")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "r0 -> b1 (bx) (current), b one" in lines
    assert "b1 -> b2 (bx) (head), b two" in lines
    assert sum("(current)" in line for line in lines) == 1

    result = _invoke(project, "history", "--indicate-current", "-v")
    assert "Rev: b1 (bx) (current)" in result.output

    found = command.history_current(project.config())
    assert found.current == ("b1",)
    assert [s.revision for s in found.scripts][-1] == "r0"


def test_history_json_says_which_is_current(sqlite_url, make_project):
    import json

    project = make_project(sqlite_url)
    _labelled(project)
    command.upgrade(project.config(), "c1")
    data = json.loads(_invoke(project, "history", "-i", "--json").stdout)
    assert {d["revision"]: d["is_current"] for d in data} == {
        "r0": False,
        "b1": False,
        "b2": False,
        "c1": True,
    }
    plain = json.loads(_invoke(project, "history", "--json").stdout)
    assert "is_current" not in plain[0]


def test_history_range_from_current(db_url, make_project):
    project = make_project(db_url)
    _labelled(project)
    cfg = project.config()
    # At base, `current:` is everything and `:current` nothing.
    assert len(command.history(cfg, "current:")) == 4
    assert command.history(cfg, ":current") == []
    command.upgrade(cfg, "b1")
    assert [s.revision for s in command.history(cfg, "current:")] == ["b2", "b1"]
    assert [s.revision for s in command.history(cfg, ":current")] == ["b1", "r0"]
    result = _invoke(project, "history", "-r", "current:")
    assert result.exit_code == 0, result.output
    assert [line.split(" -> ")[1].split(" ")[0] for line in result.stdout.splitlines()] == [
        "b2",
        "b1",
    ]


def test_history_indicate_current_through_the_fast_path(sqlite_url, make_project, monkeypatch):
    from gitmig import fastpath

    project = make_project(sqlite_url)
    _labelled(project)
    command.upgrade(project.config(), "b2")
    out: list[str] = []
    monkeypatch.setattr(fastpath, "_write", out.append)
    assert fastpath.run(["-c", str(project.ini), "history", "-i"]) == 0
    assert "b1 -> b2 (bx) (head) (current), b two\n" in out[0]


# -- show -------------------------------------------------------------------------------------


def test_show_label_at_base_names_no_revision(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _labelled(project)
    assert command.show(project.config(), "bx@base") == []
    assert command.show(project.config(), "base") == []
    result = _invoke(project, "show", "cx@base")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "cx@base is the base" in result.stderr
    assert _invoke(project, "-q", "show", "cx@base").stderr == ""
    result = _invoke(project, "show", "nope@base")
    assert result.exit_code == 1
    assert "No such branch label: 'nope'" in result.output


def test_show_current(db_url, make_project):
    project = make_project(db_url)
    _labelled(project)
    command.upgrade(project.config(), "heads")
    result = _invoke(project, "show", "current")
    assert result.exit_code == 0, result.output
    assert "Rev: b2 (bx) (head)" in result.output
    assert "Rev: c1 (cx) (head)" in result.output


# -- edit -------------------------------------------------------------------------------------


def _fake_editor(tmp_path, code=0):
    """An editor that appends a line to the file it is given, and exits with ``code``."""
    editor = tmp_path / "fake-editor.py"
    editor.write_text(
        "import sys\n"
        "with open(sys.argv[-1], 'a') as f:\n"
        "    f.write('# edited\\n')\n"
        f"sys.exit({code})\n"
    )
    return f"{sys.executable} {editor}"


def test_edit_opens_the_revision_file(sqlite_url, make_project, tmp_path):
    project = make_project(sqlite_url)
    path = project.table_rev("r0", None)
    project.table_rev("r1", "r0")
    result = _invoke(project, "edit", "r0", env={"EDITOR": _fake_editor(tmp_path)})
    assert result.exit_code == 0, result.output
    assert path.read_text().endswith("# edited\n")
    assert not (project.versions / "r1_step.py").read_text().endswith("# edited\n")


def test_edit_current_and_errors(db_url, make_project, tmp_path, monkeypatch):
    project = make_project(db_url)
    project.table_rev("r0", None)
    path = project.table_rev("r1", "r0")
    cfg = project.config()
    monkeypatch.setenv("EDITOR", _fake_editor(tmp_path))
    with pytest.raises(CommandError, match="No current revisions: the database is at base"):
        command.edit(cfg, "current")
    command.upgrade(cfg)
    assert command.edit(cfg, "current") == [path]
    assert path.read_text().endswith("# edited\n")
    with pytest.raises(CommandError, match="No revision files indicated by symbol 'base'"):
        command.edit(cfg, "base")
    monkeypatch.setenv("EDITOR", _fake_editor(tmp_path, code=3))
    result = _invoke(project, "edit", "r0")
    assert result.exit_code == 1
    assert "exited with status 3" in result.output
    assert "Traceback" not in result.output


def test_edit_without_an_editor(sqlite_url, make_project, tmp_path, monkeypatch):
    project = make_project(sqlite_url)
    project.table_rev("r0", None)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = _invoke(project, "edit", "r0")
    assert result.exit_code == 1
    assert "set the EDITOR (or VISUAL) environment variable" in result.output


# -- path_separator ---------------------------------------------------------------------------


def _two_folders_with_spaces(project):
    one = project.root / "versions one"
    two = project.root / "versions two"
    for folder in (one, two):
        folder.mkdir()
    project.versions = one
    project.table_rev("a", None)
    project.versions = two
    project.table_rev("b", "a")
    return one, two


@pytest.mark.parametrize(
    ("option", "separator"),
    [("path_separator", "newline"), ("version_path_separator", ";"), ("path_separator", "os")],
)
def test_version_locations_with_spaces(sqlite_url, make_project, option, separator):
    import os

    project = make_project(sqlite_url)
    one, two = _two_folders_with_spaces(project)
    joined = {"newline": "\n    ", ";": ";", "os": os.pathsep}[separator]
    text = project.ini.read_text()
    project.ini.write_text(
        text.replace(
            "[gitmig]\n",
            f"[gitmig]\n{option} = {separator}\nversion_locations = {one}{joined}{two}\n",
            1,
        )
    )
    cfg = project.config()
    assert [s.revision for s in command.heads(cfg)] == ["b"]
    command.upgrade(cfg)
    assert project.rows() == {"b"}


def test_version_locations_toml_array_with_spaces(sqlite_url, make_project):
    project = make_project(sqlite_url)
    one, two = _two_folders_with_spaces(project)
    toml = project.root / "pyproject.toml"
    toml.write_text(
        textwrap.dedent(
            f"""
            [tool.gitmig]
            script_location = "{project.root / "migrations"}"
            version_locations = ["{one}", "{two}"]
            "sqlalchemy.url" = "{sqlite_url}"
            """
        )
    )
    from gitmig.config import Config

    assert [s.revision for s in command.history(Config(toml))] == ["b", "a"]
    toml.write_text(toml.read_text().replace(f'["{one}", "{two}"]', f'["{one}"]'))
    assert [s.revision for s in command.history(Config(toml))] == ["a"]


def test_path_separator_must_be_known(sqlite_url, make_project):
    project = make_project(sqlite_url)
    text = project.ini.read_text()
    project.ini.write_text(text.replace("[gitmig]\n", "[gitmig]\npath_separator = comma\n", 1))
    with pytest.raises(ConfigError, match=r"gitmig.ini: option 'path_separator' must be one of"):
        command.heads(project.config())


# -- revisions that still import Alembic ------------------------------------------------------

FAKE_ALEMBIC_OP = """
def __getattr__(name):
    # What Alembic's proxy does outside an Alembic run.
    raise NameError(
        f"Can't invoke function {name!r}, as the proxy object has not yet been established "
        "for the Alembic 'Operations' class.  Try placing this code inside a callable."
    )
"""


def _alembic_revision(project):
    path = project.rev("a", None, up=["CREATE TABLE t_a (id INTEGER PRIMARY KEY)"])
    path.write_text(path.read_text().replace("from gitmig import op", "from alembic import op"))
    return path


@pytest.fixture
def fake_alembic(tmp_path, monkeypatch):
    """An importable ``alembic`` whose ``op`` fails as Alembic's proxy does."""
    package = tmp_path / "site" / "alembic"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "op.py").write_text(FAKE_ALEMBIC_OP)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    yield
    for name in [n for n in sys.modules if n == "alembic" or n.startswith("alembic.")]:
        del sys.modules[name]


def test_revision_importing_alembic_without_alembic(sqlite_url, make_project, monkeypatch):
    project = make_project(sqlite_url)
    path = _alembic_revision(project)
    monkeypatch.setitem(sys.modules, "alembic", None)  # as if Alembic were not installed
    result = _invoke(project, "upgrade")
    assert result.exit_code == 1
    assert f"{path}: imports from alembic; change `from alembic import ...` to" in result.output
    assert "gitmig adopt" in result.output
    assert "Traceback" not in result.output
    assert project.rows() == set()


def test_revision_importing_alembic_with_alembic_installed(db_url, make_project, fake_alembic):
    project = make_project(db_url)
    path = _alembic_revision(project)
    result = _invoke(project, "upgrade")
    assert result.exit_code == 1
    assert f"{path}: imports from alembic; change `from alembic import ...`" in result.output
    assert "proxy object" not in result.output
    assert project.rows() == set()


def test_env_py_importing_alembic(sqlite_url, make_project, fake_alembic):
    project = make_project(sqlite_url)
    env_py = project.root / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "from gitmig import context", "from alembic import op as context"
        )
    )
    result = _invoke(project, "upgrade")
    assert result.exit_code == 1
    assert f"{env_py}: imports from alembic" in result.output


def test_other_name_errors_are_reported_as_they_are(sqlite_url, make_project):
    project = make_project(sqlite_url)
    project.rev("a", None, up_body="undefined_name()")
    result = _invoke(project, "upgrade")
    assert result.exit_code == 1
    assert "NameError: name 'undefined_name' is not defined" in result.output
    assert "imports from alembic" not in result.output
