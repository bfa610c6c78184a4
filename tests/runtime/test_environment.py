"""EnvironmentContext and the context proxy; MigrationContext's row maintenance offline."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

from gitmig import context
from gitmig.config import Config
from gitmig.exc import CommandError, MultipleHeadsError
from gitmig.runtime.environment import EnvironmentContext
from gitmig.runtime.migration import MigrationContext, MigrationStep


def test_context_proxy_outside_a_command():
    with pytest.raises(CommandError, match="only available while a gitmig command runs"):
        context.config  # noqa: B018


def test_environment_arguments():
    cfg = Config(cmd_opts=SimpleNamespace(x=["tenant=acme", "dry"], quiet=False))
    with EnvironmentContext(cfg, None, as_sql=True, tag="release-7") as env:
        assert context.config is cfg
        assert context.get_x_argument() == ["tenant=acme", "dry"]
        assert context.get_x_argument(as_dictionary=True) == {"tenant": "acme", "dry": ""}
        assert context.get_tag_argument() == "release-7"
        assert context.is_offline_mode()
        with pytest.raises(CommandError, match=r"must call context\.configure\(\)"):
            context.get_bind()
        context.configure(dialect_name="postgresql", compare_type=False, render_as_batch=True)
        assert env.get_context().opts["render_as_batch"] is True
        assert env.get_context().opts["compare_type"] is False
        assert context.get_bind() is None
    with pytest.raises(CommandError):
        context.config  # noqa: B018


def test_online_run_needs_a_connection():
    """configure() without one is allowed (env.py may only read its arguments, as in
    Alembic); running migrations, or their transaction, is refused by name."""
    with EnvironmentContext(Config(), None):
        context.configure(url="sqlite://")
        with pytest.raises(CommandError, match="without a connection"):
            context.run_migrations()
        with pytest.raises(CommandError, match="without a connection"):
            context.begin_transaction()


def _offline(steps, start=None, **opts):
    buffer = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql",
        opts={
            "as_sql": True,
            "output_buffer": buffer,
            "fn": lambda heads, ctx: steps,
            "starting_rev": start,
            **opts,
        },
    )
    with ctx.begin_transaction():
        ctx.run_migrations()
    return buffer.getvalue()


def test_row_changes_at_branch_points_and_merges():
    out = _offline(
        [
            MigrationStep("upgrade", ("a",), ("a", "b"), revision="b", down_revisions=("a",)),
            MigrationStep("upgrade", ("a", "b"), ("b", "c"), revision="c", down_revisions=("a",)),
            MigrationStep("upgrade", ("b", "c"), ("m",), revision="m", down_revisions=("b", "c")),
        ],
        start="a",
    )
    statements = [
        line.rstrip(";")
        for line in out.splitlines()
        if line.startswith(("INSERT", "UPDATE", "DELETE")) and "gitmig_ledger" not in line
    ]
    assert statements == [
        "INSERT INTO gitmig_version (version_num) VALUES ('b')",
        "UPDATE gitmig_version SET version_num='c' WHERE gitmig_version.version_num = 'a'",
        "UPDATE gitmig_version SET version_num='m' WHERE gitmig_version.version_num = 'b'",
        "DELETE FROM gitmig_version WHERE gitmig_version.version_num = 'c'",
    ]
    assert "-- Running upgrade b, c -> m" in out


def test_version_table_name_and_schema_offline():
    out = _offline(
        [MigrationStep("upgrade", (), ("a",), revision="a")],
        version_table="my_versions",
        version_table_schema="audit",
    )
    assert "CREATE TABLE audit.my_versions" in out
    assert "CONSTRAINT my_versions_pkc PRIMARY KEY (version_num)" in out
    assert "INSERT INTO audit.my_versions (version_num) VALUES ('a')" in out


def test_offline_autocommit_block_frames_commit_and_begin():
    def step(**kw):
        with ctx_holder[0].autocommit_block():
            ctx_holder[0].impl.execute("CREATE INDEX CONCURRENTLY ix ON t (c)")

    buffer = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql",
        opts={
            "as_sql": True,
            "output_buffer": buffer,
            "fn": lambda heads, c: [MigrationStep("upgrade", (), ("a",), "a", migration_fn=step)],
        },
    )
    ctx_holder = [ctx]
    with ctx.begin_transaction():
        ctx.run_migrations()
    out = buffer.getvalue()
    assert out.index("COMMIT;") < out.index("CONCURRENTLY") < out.rindex("BEGIN;")
    assert out.count("BEGIN;") == 2 and out.count("COMMIT;") == 2


def test_get_current_revision_with_several_heads():
    ctx = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "starting_rev": ("a", "b")}
    )
    with pytest.raises(MultipleHeadsError):
        ctx.get_current_revision()


def test_configure_adds_template_args_to_the_commands_dict():
    template_args = {"x": "x1", "y": "y1"}
    env = EnvironmentContext(Config(), None, as_sql=True, template_args=template_args)
    with env:
        context.configure(dialect_name="sqlite", template_args={"y": "y2", "q": "q1"})
    assert template_args == {"x": "x1", "y": "y2", "q": "q1"}
    assert env.get_context().opts["template_args"] is template_args
