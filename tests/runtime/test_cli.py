"""The runner's commands through the click CLI: output, progress log, -q, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import gitmig
from gitmig.cli import cli


def _invoke(project, *args):
    return CliRunner().invoke(cli, ["-c", str(project.ini), *args])


def _linear(project):
    project.table_rev("a", None, message="create a")
    project.table_rev("b", "a", message="create b")
    project.table_rev("c", "b", message="create c")


def test_cli_upgrade_downgrade_stamp_current(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _linear(project)

    result = _invoke(project, "upgrade")
    assert result.exit_code == 0, result.output
    assert "Running upgrade <base> -> a, create a" in result.output
    assert "Running upgrade b -> c, create c" in result.output
    assert "the database is now at c." in result.output
    assert project.rows() == {"c"}

    result = _invoke(project, "current")
    assert result.exit_code == 0
    assert "c (head)" in result.output

    result = _invoke(project, "downgrade", "-1")
    assert result.exit_code == 0, result.output
    assert "Running downgrade c -> b, create c" in result.output
    assert project.rows() == {"b"}

    result = _invoke(project, "current", "--check-heads")
    assert result.exit_code == 1
    assert "not at the head(s) c" in result.output

    result = _invoke(project, "stamp", "a")
    assert result.exit_code == 0
    assert project.rows() == {"a"}
    assert "t_b" in project.tables()  # stamp runs nothing

    result = _invoke(project, "upgrade", "head")
    assert result.exit_code == 1  # t_b exists already: the failure is reported, not raised
    assert "Migration failed: upgrade a -> b, create b" in result.output
    assert project.rows() == {"a"}

    result = _invoke(project, "stamp", "--purge", "heads")
    assert result.exit_code == 0
    assert project.rows() == {"c"}


def test_cli_quiet_silences_progress(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _linear(project)
    result = CliRunner().invoke(cli, ["-q", "-c", str(project.ini), "upgrade"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert project.rows() == {"c"}


def test_cli_progress_without_logging_config(sqlite_url, make_project):
    # A config file without [loggers]: the CLI still shows one line per step.
    project = make_project(sqlite_url)
    _linear(project)
    text = project.ini.read_text(encoding="utf-8")
    project.ini.write_text(text[: text.index("[loggers]")], encoding="utf-8")
    # In a subprocess: pytest's own log capture would count as a configured handler here.
    done = subprocess.run(
        [sys.executable, "-m", "gitmig", "-c", str(project.ini), "upgrade", "b"],
        env=dict(os.environ, PYTHONPATH=str(Path(gitmig.__file__).resolve().parents[1])),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Running upgrade a -> b, create b" in done.stderr
    assert done.stderr.strip().endswith("Done: the database is now at b.")


def test_cli_sql_writes_script_to_stdout(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _linear(project)
    result = CliRunner().invoke(cli, ["-q", "-c", str(project.ini), "upgrade", "--sql", "a:c"])
    assert result.exit_code == 0, result.output
    assert "-- Running upgrade a -> b, create b" in result.output
    assert "CREATE TABLE gitmig_version" not in result.output
    assert project.tables() == set()


def test_cli_masks_password(postgresql_url, make_project):
    url = postgresql_url.replace("postgres@", "postgres:hunter2secret@")
    project = make_project(url)
    _linear(project)
    for args in (["upgrade"], ["current", "-v"], ["stamp", "nonexistent"]):
        result = _invoke(project, *args)
        assert "hunter2secret" not in result.output
    result = _invoke(project, "current", "-v")
    assert "postgres:***@" in result.output


def test_cli_masks_a_password_in_the_query_string(postgresql_url, make_project):
    # psycopg takes ?password=...; trust auth ignores it, so the run still connects.
    project = make_project(f"{postgresql_url}?password=hunter2secret")
    _linear(project)
    result = _invoke(project, "current", "-v")
    assert result.exit_code == 0, result.output
    assert "hunter2secret" not in result.output
    assert "?password=***:" in result.output


@pytest.mark.parametrize("args", [["downgrade", "--sql", "base"], ["upgrade", "a:c"]])
def test_cli_usage_errors(sqlite_url, make_project, args):
    project = make_project(sqlite_url)
    _linear(project)
    result = _invoke(project, *args)
    assert result.exit_code == 2
    assert "START:END" in result.output
    assert f"Try 'gitmig {args[0]} --help'" in result.output


@pytest.mark.parametrize(
    ("template", "section"),
    [("generic", "[gitmig]"), ("multidb", "[engine1]"), ("pyproject", "[tool.gitmig]")],
)
@pytest.mark.parametrize("args", [["upgrade"], ["upgrade", "--sql"], ["current"]])
def test_placeholder_url_names_the_option(tmp_path, monkeypatch, template, section, args):
    """A fresh `gitmig init` leaves a placeholder URL: say so, not "Can't load plugin"."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "-t", template, "migrations"]).exit_code == 0
    assert runner.invoke(cli, ["new", "-m", "first"]).exit_code == 0
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    config = "pyproject.toml" if template == "pyproject" else "gitmig.ini"
    assert f"{config}: {section} sqlalchemy.url is still the placeholder" in result.output
    assert "driver://user:***@localhost/dbname" in result.output  # masked, like any URL
    assert "Can't load plugin" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args", [["upgrade"], ["upgrade", "--sql"]])
def test_missing_url_names_the_option(sqlite_url, make_project, args):
    project = make_project(sqlite_url)
    text = project.ini.read_text(encoding="utf-8")
    project.ini.write_text(text.replace(f"sqlalchemy.url = {sqlite_url}", ""), encoding="utf-8")
    result = _invoke(project, *args)
    assert result.exit_code == 1
    assert "gitmig.ini: [gitmig] sqlalchemy.url is not set" in result.output
    assert "KeyError" not in result.output


@pytest.mark.parametrize(
    "args", [["upgrade"], ["upgrade", "--sql"], ["downgrade", "base"], ["stamp", "a"], ["current"]]
)
def test_env_py_that_never_runs_migrations_is_an_error(sqlite_url, make_project, args):
    """Otherwise the command "succeeds" having done nothing at all."""
    project = make_project(sqlite_url)
    project.table_rev("a", None)
    env_py = project.root / "migrations" / "env.py"
    text = env_py.read_text(encoding="utf-8")
    env_py.write_text(text.replace("context.run_migrations()", "pass"), encoding="utf-8")
    result = _invoke(project, *args)
    assert result.exit_code == 1
    assert f"{env_py} did not call context.run_migrations(); nothing was done" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["stamp", "--sql", "--purge", "a"],
        ["upgrade", "--sql", "--lock-timeout", "5"],
        ["stamp", "--sql", "--lock-timeout", "5", "a"],
        ["upgrade", "a:"],
        ["history", "-r", "a"],
        ["init", "-t", "nope", "elsewhere"],
    ],
)
def test_usage_errors_exit_2_with_a_pointer_to_help(sqlite_url, make_project, args):
    project = make_project(sqlite_url)
    _linear(project)
    result = _invoke(project, *args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("gitmig: error: ")
    assert result.output.endswith(f"Try 'gitmig {args[0]} --help' for help.\n")


def test_blame_outside_git_names_blame(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _linear(project)
    result = _invoke(project, "blame")
    assert result.exit_code == 1
    assert "gitmig: error: blame needs git: not inside a git repository" in result.output


def test_stamp_purge_overwrites_rows_the_scripts_do_not_know(sqlite_url, make_project):
    """The unknown-revision error tells the user to run `stamp --purge`: it must work."""
    import sqlalchemy as sa

    project = make_project(sqlite_url)
    _linear(project)
    assert _invoke(project, "upgrade", "b").exit_code == 0
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE gitmig_version SET version_num = 'zz9'"))
    engine.dispose()
    result = _invoke(project, "current")
    assert result.exit_code == 1 and "`gitmig stamp --purge REVISION`" in result.output
    result = _invoke(project, "stamp", "--purge", "b")
    assert result.exit_code == 0, result.output
    assert project.rows() == {"b"}


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://app:hunter2secret@127.0.0.1:1/app",
        "mysql+pymysql://app:hunter2secret@127.0.0.1:1/app",
    ],
)
def test_unreachable_database_is_one_line_without_password(make_project, url):
    project = make_project(url)
    _linear(project)
    result = _invoke(project, "upgrade")
    assert result.exit_code == 1
    assert result.output.startswith("gitmig: error: ")
    assert "env.py: cannot connect to the database: " in result.output
    assert result.output.count("\n") == 1, result.output
    assert "hunter2secret" not in result.output and "sqlalche.me" not in result.output


def test_mistyped_options_are_refused_not_read_as_revisions(sqlite_url, make_project):
    # upgrade/downgrade/stamp let "-1" through as a revision; nothing else may pass as one.
    project = make_project(sqlite_url)
    _linear(project)
    assert _invoke(project, "upgrade").exit_code == 0

    result = _invoke(project, "downgrade", "--verbose", "base")
    assert result.exit_code == 2
    assert "No such option '--verbose'" in result.output

    result = _invoke(project, "downgrade", "--sq", "-1")
    assert result.exit_code == 2
    assert "Did you mean '--sql'?" in result.output

    result = _invoke(project, "stamp", "-q", "base")
    assert result.exit_code == 2
    assert "-q is an option of gitmig itself: write it before the command (gitmig -q stamp" in (
        result.output
    )
    result = _invoke(project, "upgrade", "head", "-x", "a=b")
    assert result.exit_code == 2
    assert "(gitmig -x KEY=VALUE upgrade ...)" in result.output
    assert project.rows() == {"c"}  # nothing ran

    # An option's value may look like an option; "-1" is still a revision.
    result = _invoke(project, "downgrade", "--tag", "-x", "--lock-timeout=5", "-1")
    assert result.exit_code == 0, result.output
    assert project.rows() == {"b"}
