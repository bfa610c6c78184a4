"""MigrationContext's Alembic API used from scripts and tools: execute() and stamp()."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from gitmig import command, util
from gitmig.config import Config
from gitmig.exc import CommandError, MultipleHeadsError
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


def test_the_version_table_comes_from_the_impl(db_url: str) -> None:
    from gitmig.ddl.impl import DefaultImpl, impl_for_dialect

    keyed = MigrationContext.configure(dialect_name="sqlite", opts={"version_table": "v"})
    assert [c.name for c in keyed._version.primary_key] == ["version_num"]
    assert keyed._version.primary_key.name == "v_pkc"
    unkeyed = MigrationContext.configure(dialect_name="sqlite", opts={"version_table_pk": False})
    assert len(unkeyed._version.primary_key) == 0
    assert isinstance(unkeyed.impl, DefaultImpl)
    assert impl_for_dialect("sqlite").version_table_impl is DefaultImpl.version_table_impl
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        context = MigrationContext.configure(conn, opts={"version_table_pk": False})
        context._ensure_version_table()
        assert (
            sa.inspect(conn).get_pk_constraint(context.version_table)["constrained_columns"] == []
        )
        context._version.drop(conn)
    engine.dispose()


def test_a_dialect_may_lay_out_its_own_version_table() -> None:
    from sqlalchemy.dialects import registry
    from sqlalchemy.engine import default

    from gitmig.ddl.impl import DefaultImpl

    class _Dialect(default.DefaultDialect):
        name = "gitmig_test_custom"

    class _Impl(DefaultImpl):
        __dialect__ = "gitmig_test_custom"

        def version_table_impl(self, **kw: object) -> sa.Table:
            table = super().version_table_impl(**kw)  # type: ignore[arg-type]
            table.append_column(sa.Column("applied_at", sa.DateTime()))
            return table

    registry.impls["gitmig_test_custom"] = lambda: _Dialect
    context = MigrationContext.configure(dialect_name="gitmig_test_custom")
    assert [c.name for c in context._version.columns] == ["version_num", "applied_at"]


def test_starting_rev_is_refused_online(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"starting_rev": "boo"})
        with pytest.raises(CommandError, match="starting_rev 'boo' is for offline"):
            context.get_current_heads()
    engine.dispose()


def test_offline_a_connection_only_lends_its_dialect(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        buf = io.StringIO()
        context = MigrationContext.configure(
            conn, opts={"as_sql": True, "starting_rev": "q", "output_buffer": buf}
        )
        assert context.bind is None and context.dialect is conn.dialect
        assert context.get_current_heads() == ("q",)
        context.execute("UPDATE t SET x = 1")
        assert "UPDATE t SET x = 1;" in buf.getvalue()
    engine.dispose()


def test_several_heads_name_the_version_table() -> None:
    context = MigrationContext.configure(
        dialect_name="sqlite",
        opts={"as_sql": True, "starting_rev": ("a", "b"), "version_table": "vt"},
    )
    with pytest.raises(MultipleHeadsError, match="Version table 'vt' has more than one head"):
        context.get_current_revision()


def test_a_version_row_that_does_not_match_once_is_reported(db_url: str) -> None:
    from unittest import mock

    from gitmig.exc import MigrationError
    from gitmig.runtime.migration import MigrationStep

    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        context = MigrationContext.configure(
            conn, opts={"version_table": "vt", "version_table_pk": False}
        )
        context._ensure_version_table()
        conn.execute(context._version.insert(), [{"version_num": "a"}, {"version_num": "a"}])
        step = MigrationStep("stamp", ("a",), ("b",))
        with pytest.raises(
            MigrationError, match="expected to match one row when updating 'a' to 'b' in 'vt'; 2"
        ):
            context._update_version(step)
        gone = MigrationStep("stamp", ("x",), ())
        with pytest.raises(MigrationError, match="when deleting 'x' in 'vt'; 0 found"):
            context._update_version(gone)
        # A driver that cannot count matched rows is taken at its word.
        with mock.patch.object(conn.dialect, "supports_sane_rowcount", False):
            context._update_version(gone)
        context._version.drop(conn)
    engine.dispose()
