"""The check functions called directly: what the stairway compares, branched histories,
and a database that is not empty."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gitmig.config import Config
from gitmig.testing import check_stairway, check_upgrade, empty_database
from gitmig.testing.schema import describe_differences
from tests.testing.demo import revision_source, write_project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(__import__("sys").modules, "models", raising=False)
    return tmp_path


def add_revision(root: Path, rev: str, parent: str | tuple[str, ...], up: str, down: str) -> None:
    source = revision_source(rev, parent, f"revision {rev}", up, down)
    (root / "migrations" / "versions" / f"{rev}.py").write_text(source, encoding="utf-8")


def test_the_stairway_names_each_part_a_downgrade_leaves_changed(
    project: Path, db_url: str
) -> None:
    """An index left behind and a nullability not restored, on each database."""
    ini = write_project(project, db_url)
    add_revision(
        project,
        "d4",
        "c3",
        '    op.create_index("ix_account_email", "account", ["email"])\n'
        '    with op.batch_alter_table("account") as batch_op:\n'
        '        batch_op.alter_column("name", existing_type=sa.String(50), nullable=True)\n',
        '    op.execute("SELECT 1")\n',
    )
    with pytest.raises(AssertionError) as caught:
        check_stairway(Config(ini))
    message = str(caught.value)
    assert message.startswith("revision d4 (revision d4), migrations/versions/d4.py: its downgrade")
    assert "table account: index ix_account_email ((email)) is extra" in message
    assert (
        "table account: column name is VARCHAR(50) NULL, expected VARCHAR(50) NOT NULL" in message
    )


def test_the_stairway_walks_branches_and_merges(project: Path, sqlite_url: str) -> None:
    """Each revision of two branches and their merge is stepped down alone; a broken
    downgrade on one branch is named, not its sibling."""
    ini = write_project(project, sqlite_url)
    add_revision(
        project,
        "x1",
        "c3",
        '    op.create_table("x", sa.Column("id", sa.Integer, primary_key=True))\n',
        '    op.drop_table("x")\n',
    )
    add_revision(
        project,
        "y1",
        "c3",
        '    op.create_table("y", sa.Column("id", sa.Integer, primary_key=True))\n',
        '    op.drop_table("y")\n',
    )
    add_revision(
        project,
        "m1",
        ("x1", "y1"),
        '    op.create_table("m", sa.Column("id", sa.Integer, primary_key=True))\n',
        '    op.drop_table("m")\n',
    )
    check_stairway(Config(ini))  # passes, and leaves the database empty
    check_upgrade(Config(ini))

    broken = project / "migrations" / "versions" / "y1.py"
    broken.write_text(
        broken.read_text().replace('op.drop_table("y")', 'op.execute("SELECT 1")'),
        encoding="utf-8",
    )
    with pytest.raises(AssertionError, match=r"(?s)revision y1 .*table y is extra") as caught:
        check_stairway(Config(ini), f"sqlite:///{project / 'second.db'}")
    assert "x1" not in str(caught.value)


def test_a_database_that_is_not_empty_is_refused_and_left_alone(project: Path, db_url: str) -> None:
    ini = write_project(project, db_url)
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE precious (id INTEGER PRIMARY KEY)"))
    try:
        config = Config(ini)
        with (
            pytest.raises(AssertionError, match=r"is not empty \(table precious\)"),
            empty_database(config),
        ):
            pytest.fail("the block must not run")
        with pytest.raises(AssertionError, match="is not empty"):
            check_stairway(config)
        with engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == ["precious"]
    finally:
        engine.dispose()


def test_the_url_argument_sets_the_database(project: Path, sqlite_url: str) -> None:
    ini = write_project(project, "driver://user:pass@localhost/dbname")
    check_upgrade(Config(ini), sqlite_url)
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        assert {"account", "invoice"} <= set(sa.inspect(conn).get_table_names())
    engine.dispose()


def test_differences_read_as_sentences() -> None:
    expected = {
        "table account": {"column id": "INTEGER NOT NULL", "column name": "VARCHAR(50) NOT NULL"},
        "table gone": {},
    }
    actual = {
        "table account": {
            "column id": "INTEGER NOT NULL",
            "column name": "VARCHAR(50) NULL",
            "column email": "VARCHAR(200) NULL",
        },
        "table new": {"column id": "INTEGER NOT NULL"},
    }
    assert describe_differences(expected, actual) == [
        "table account: column email (VARCHAR(200) NULL) is extra",
        "table account: column name is VARCHAR(50) NULL, expected VARCHAR(50) NOT NULL",
        "table gone is missing",
        "table new is extra (id)",
    ]
    assert describe_differences(actual, actual) == []
