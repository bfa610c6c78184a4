"""upgrade / downgrade / stamp / current through command.* on real databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gitmig import command
from gitmig.exc import CommandError, MigrationError, RevisionError


def _linear(project, ids=("a", "b", "c")):
    down = None
    for rev in ids:
        project.table_rev(rev, down)
        down = rev


def test_upgrade_downgrade_current(db_url, make_project):
    project = make_project(db_url)
    _linear(project)
    cfg = project.config()

    assert command.current(cfg).rows == ()
    command.upgrade(cfg, "b")
    assert project.rows() == {"b"}
    assert {"t_a", "t_b"} <= project.tables() and "t_c" not in project.tables()

    command.upgrade(cfg)  # head
    state = command.current(cfg)
    assert state.rows == ("c",) and state.at_heads
    assert [s.revision for s in state.scripts] == ["c"]

    command.downgrade(cfg, "-1")
    assert project.rows() == {"b"} and "t_c" not in project.tables()
    command.downgrade(cfg, "base")
    assert project.rows() == set()
    assert not {"t_a", "t_b", "t_c"} & project.tables()

    command.upgrade(cfg, "+2")
    assert project.rows() == {"b"}
    command.upgrade(cfg, "c")  # a full id
    assert project.rows() == {"c"}


def test_current_check_heads(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _linear(project)
    cfg = project.config()
    command.upgrade(cfg, "b")
    with pytest.raises(CommandError, match=r"at b, not at the head\(s\) c"):
        command.current(cfg, check_heads=True)
    command.upgrade(cfg)
    assert command.current(cfg, check_heads=True).rows == ("c",)


def _branchy(project):
    """a -> b1 -> b2 (label left), a -> c1 (label right), m merges b2 and c1."""
    project.table_rev("a", None)
    project.table_rev("b1", "a", labels="left")
    project.table_rev("b2", "b1")
    project.table_rev("c1", "a", labels="right")
    project.table_rev("m", ("b2", "c1"))


def test_branches_and_merge_rows(db_url, make_project):
    project = make_project(db_url)
    _branchy(project)
    cfg = project.config()

    command.upgrade(cfg, "b2")
    assert project.rows() == {"b2"}
    command.upgrade(cfg, "c1")  # a second branch: a new row
    assert project.rows() == {"b2", "c1"}
    assert command.current(cfg).rows == ("b2", "c1")
    command.upgrade(cfg, "heads")  # past the merge: one row again
    assert project.rows() == {"m"}

    command.downgrade(cfg, "-1")  # unmerge
    assert project.rows() == {"b2", "c1"}
    command.downgrade(cfg, "left@base")  # one branch of two
    assert project.rows() == {"c1"}
    assert "t_b1" not in project.tables() and "t_c1" in project.tables()
    command.upgrade(cfg, "heads")
    assert project.rows() == {"m"}
    assert {"t_a", "t_b1", "t_b2", "t_c1", "t_m"} <= project.tables()


def test_stamp(db_url, make_project):
    project = make_project(db_url)
    _branchy(project)
    cfg = project.config()

    command.stamp(cfg, "heads")
    assert project.rows() == {"m"}
    assert "t_a" not in project.tables()  # nothing ran
    command.stamp(cfg, ["b2", "c1"])
    assert project.rows() == {"b2", "c1"}
    command.stamp(cfg, "b1")  # replaces its own line (b2), leaves c1
    assert project.rows() == {"b1", "c1"}
    command.stamp(cfg, "right@base")
    assert project.rows() == {"b1"}
    command.stamp(cfg, "base")
    assert project.rows() == set()
    command.stamp(cfg, "heads")
    command.stamp(cfg, ())  # no revision at all: base, as in Alembic
    assert project.rows() == set()


def test_unknown_revision_in_version_table(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _linear(project)
    cfg = project.config()
    command.upgrade(cfg, "a")
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE gitmig_version SET version_num = 'feedface99'"))
    engine.dispose()

    for call in (lambda: command.upgrade(cfg), lambda: command.current(cfg)):
        with pytest.raises(RevisionError, match="feedface99") as info:
            call()
        assert "no revision file declares" in str(info.value)
        assert "stamp --purge" in str(info.value)
    command.stamp(cfg, "a", purge=True)
    assert project.rows() == {"a"}


def test_version_row_changed_during_the_run(db_url, make_project):
    # b's upgrade removes a's row: the UPDATE of a -> b matches nothing, which the run reports.
    project = make_project(db_url)
    project.table_rev("a", None)
    project.rev("b", "a", up=["DELETE FROM gitmig_version"])
    project.table_rev("c", "b")
    cfg = project.config()
    command.upgrade(cfg, "a")
    with pytest.raises(MigrationError, match="has no row 'a' to change") as info:
        command.upgrade(cfg)
    assert "expected to match one row when updating 'a' to 'b'" in str(info.value)
    assert "; 0 found" in str(info.value)
    assert "changed while this run was going on" in str(info.value)


def test_import_error_names_the_file(sqlite_url, make_project):
    project = make_project(sqlite_url)
    project.table_rev("a", None)
    path = project.table_rev("b", "a")
    path.write_text("import no_such_module_here\n" + path.read_text(encoding="utf-8"))
    from gitmig.exc import MigrationError

    with pytest.raises(MigrationError, match=r"b_step\.py") as info:
        command.upgrade(project.config())
    assert "failed to import: ModuleNotFoundError" in str(info.value)
    assert project.rows() == set()  # a was rolled back with the run


def test_range_is_offline_only(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _linear(project)
    with pytest.raises(CommandError, match="only for --sql"):
        command.upgrade(project.config(), "a:c")
    with pytest.raises(CommandError, match="START:END"):
        command.downgrade(project.config(), "base", sql=True)


def test_on_version_apply(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _linear(project)
    seen = []

    def record(ctx, step, heads, run_args):
        seen.append((step.short_log, sorted(heads)))

    cfg = project.config(configure_opts={"on_version_apply": record})
    command.upgrade(cfg)
    assert seen == [
        ("upgrade <base> -> a, step a", ["a"]),
        ("upgrade a -> b, step b", ["b"]),
        ("upgrade b -> c, step c", ["c"]),
    ]
