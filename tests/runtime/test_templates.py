"""The bundled environment templates, end to end: generic, async, multidb, pyproject."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import sqlalchemy as sa

from gitmig import command
from gitmig.config import Config


def _generated_revisions(project, cfg):
    """Two revisions written by `gitmig new` from the template's script.py.mako."""
    paths = []
    for name in ("one", "two"):
        path = command.new(cfg, message=f"create {name}", rev_id=f"rev_{name}")
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
    path = command.new(cfg, message="both", rev_id="m1")
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
