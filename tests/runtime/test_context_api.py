"""MigrationContext's Alembic API used from scripts and tools: execute() and stamp()."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa

from gitmig import command, util
from gitmig.config import Config
from gitmig.runtime.migration import MigrationContext
from gitmig.script import ScriptDirectory


def _three_revisions(tmp_path: Path) -> tuple[ScriptDirectory, str, str, str]:
    config = Config(tmp_path / "gitmig.ini")
    command.init(config, tmp_path / "migrations")
    script = ScriptDirectory.from_config(config)
    a = script.generate_revision(util.rev_id(), "a", head="base").revision
    b = script.generate_revision(util.rev_id(), "b", head=a).revision
    c = script.generate_revision(util.rev_id(), "c", head=b).revision
    return script, a, b, c


def test_stamp_sets_the_rows_without_running(tmp_path: Path, db_url: str) -> None:
    script, a, b, c = _three_revisions(tmp_path)
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_heads() == ()
        context.stamp(script, b)  # creates the version table
        assert context.get_current_heads() == (b,)
        context.stamp(script, "head")
        assert context.get_current_heads() == (c,)
        context.stamp(script, a)  # down as well
        assert context.get_current_heads() == (a,)
        context.stamp(script, "base")
        assert context.get_current_heads() == ()
    engine.dispose()


def test_execute_online_and_offline(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        context = MigrationContext.configure(conn)
        context.execute("CREATE TABLE ctx_t (x INTEGER)")
        context.execute(sa.text("INSERT INTO ctx_t (x) VALUES (7)"))
        assert conn.scalar(sa.text("SELECT x FROM ctx_t")) == 7
        context.execute("DROP TABLE ctx_t")
    engine.dispose()
    buf = io.StringIO()
    offline = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buf}
    )
    offline.execute("UPDATE t SET x = 1")
    assert "UPDATE t SET x = 1;" in buf.getvalue()
