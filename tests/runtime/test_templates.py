"""The bundled environment templates, end to end: generic, async, multidb, pyproject."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import sqlalchemy as sa

from gitmig import command
from gitmig.config import Config


def _generated_revisions(project, cfg):
    """Two revisions written by `gitmig new` from the template's script.py.mako."""
    paths = []
    for name in ("one", "two"):
        script = command.new(cfg, message=f"create {name}", rev_id=f"rev_{name}")
        assert script is not None and script.path is not None
        path = Path(script.path)
        text = path.read_text(encoding="utf-8")
        text = text.replace(
            "def upgrade() -> None:\n    pass",
            f'def upgrade() -> None:\n    op.execute("CREATE TABLE t_{name} (id INTEGER)")',
        ).replace(
            "def downgrade() -> None:\n    pass",
            f'def downgrade() -> None:\n    op.execute("DROP TABLE t_{name}")',
        )
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _round_trip(project, cfg):
    _generated_revisions(project, cfg)
    command.upgrade(cfg)
    assert project.rows() == {"rev_two"}
    assert {"t_one", "t_two"} <= project.tables()
    assert command.current(cfg).rows == ("rev_two",)
    command.downgrade(cfg, "base")
    assert project.rows() == set() and not {"t_one", "t_two"} & project.tables()
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        command.upgrade(cfg, sql=True)
    assert "CREATE TABLE t_two (id INTEGER);" in buffer.getvalue()


def test_generic_template(postgresql_url, make_project):
    project = make_project(postgresql_url)
    _round_trip(project, project.config())


def test_async_template(postgresql_url, make_project):
    # postgresql+psycopg works with create_async_engine (psycopg 3 is async-capable).
    project = make_project(postgresql_url, template="async")
    assert "async_engine_from_config" in (project.root / "migrations" / "env.py").read_text()
    _round_trip(project, project.config())


def test_async_template_with_given_connection(sqlite_url, make_project):
    # config.attributes["connection"]: a sync connection handed in by the caller.
    project = make_project(sqlite_url, template="async")
    _generated_revisions(project, project.config())
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        command.upgrade(project.config(connection=conn))
    engine.dispose()
    assert project.rows() == {"rev_two"}


def test_multidb_template(postgresql_url, sqlite_url, make_project, tmp_path, monkeypatch):
    project = make_project(postgresql_url, template="multidb")
    text = project.ini.read_text(encoding="utf-8")
    head, _, tail = text.partition("[engine2]\nsqlalchemy.url = ")
    project.ini.write_text(
        head + f"[engine2]\nsqlalchemy.url = {sqlite_url}" + tail[tail.index("\n") :],
        encoding="utf-8",
    )
    cfg = project.config()
    script = command.new(cfg, message="both", rev_id="m1")
    assert script is not None and script.path is not None
    path = Path(script.path)
    text = path.read_text(encoding="utf-8")
    for name in ("engine1", "engine2"):
        text = text.replace(
            f"def upgrade_{name}() -> None:\n    pass",
            f'def upgrade_{name}() -> None:\n    op.execute("CREATE TABLE t_{name} (id INTEGER)")',
        )
    path.write_text(text, encoding="utf-8")

    command.upgrade(cfg)
    assert project.rows() == {"m1"}
    assert "t_engine1" in project.tables() and "t_engine2" not in project.tables()
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) == {
            "gitmig_ledger",
            "gitmig_version",
            "t_engine2",
        }
        assert conn.execute(sa.text("SELECT version_num FROM gitmig_version")).scalar() == "m1"
    engine.dispose()

    state = command.current(cfg)
    assert [db.rows for db in state.databases] == [("m1",), ("m1",)]
    assert [db.url for db in state.databases] == [postgresql_url, sqlite_url] and state.at_heads

    monkeypatch.chdir(tmp_path)
    command.upgrade(cfg, sql=True)
    assert "CREATE TABLE t_engine1" in (tmp_path / "engine1.sql").read_text()
    assert "CREATE TABLE t_engine2" in (tmp_path / "engine2.sql").read_text()


def test_pyproject_template(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bare = Config()
    command.init(bare, tmp_path / "migrations", template="pyproject", sqlalchemy_url=sqlite_url)
    cfg = Config(tmp_path / "pyproject.toml")
    command.new(cfg, message="first", rev_id="p1")
    command.upgrade(cfg)
    assert command.current(cfg).rows == ("p1",)


def test_multidb_current_lists_every_engine(postgresql_url, sqlite_url, make_project):
    from click.testing import CliRunner

    from gitmig.cli import cli

    secret = postgresql_url.replace("postgres@", "postgres:s3cret@")
    project = make_project(secret, template="multidb")
    text = project.ini.read_text(encoding="utf-8")
    head, _, tail = text.partition("[engine2]\nsqlalchemy.url = ")
    project.ini.write_text(
        head + f"[engine2]\nsqlalchemy.url = {sqlite_url}" + tail[tail.index("\n") :],
        encoding="utf-8",
    )
    cfg = project.config()
    command.new(cfg, message="both", rev_id="m1")
    command.upgrade(cfg)
    command.downgrade(project.config(), "base")
    engine = sa.create_engine(postgresql_url)
    with engine.begin() as conn:  # engine1 alone moves on: the two now disagree
        conn.execute(sa.text("INSERT INTO gitmig_version (version_num) VALUES ('m1')"))
    engine.dispose()

    result = CliRunner().invoke(cli, ["-c", str(project.ini), "current"])
    assert result.exit_code == 0, result.output
    masked = postgresql_url.replace("postgres@", "postgres:***@")
    assert result.stdout == (
        f"Current revision(s) for {masked}:\nm1 (head)\n"
        f"Current revision(s) for {sqlite_url}:\nbase (no revision applied)\n"
    )
    checked = CliRunner().invoke(cli, ["-c", str(project.ini), "current", "--check-heads"])
    assert checked.exit_code == 1 and "s3cret" not in checked.output
    assert f"{sqlite_url} is at base, not at the head(s) m1" in checked.output


def test_async_extra_brings_greenlet():
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    assert any(dep.startswith("greenlet") for dep in extras["async"])
    readme = Path(__file__).resolve().parents[2] / "templates" / "async" / "README"
    assert "gitmig[async]" in readme.read_text()


def test_missing_greenlet_names_the_extra(tmp_path):
    from gitmig.config import Config
    from gitmig.exc import ScriptError
    from gitmig.runtime.explain import explain_env_failure

    env_py = tmp_path / "env.py"
    err = ScriptError(f"{env_py}: failed to run")
    # What SQLAlchemy's asyncio extension raises without greenlet.
    err.__cause__ = ImportError(
        "The SQLAlchemy asyncio module requires that the Python 'greenlet' library is installed."
    )
    better = explain_env_failure(Config(), env_py, err)
    assert better is not None
    assert str(better) == (
        f"{env_py}: SQLAlchemy's asyncio support needs the greenlet package: "
        "pip install 'gitmig[async]'"
    )
