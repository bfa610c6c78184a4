"""Fixtures for the fleet: a project with two revisions, and fleets on the three servers.

Revision r1 creates a ``log`` table and records itself in it; r2 records itself too (so a
test can count how often each ran on each target), fails on a target whose log holds
``poison``, and sleeps when the ``log`` holds ``slow`` (for the interrupt and the
concurrency bound).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import MARIADB_URL, POSTGRESQL_URL, _require_server
from tests.runtime.conftest import Project

R2_BODY = """
bind = op.get_bind()
marks = {r[0] for r in bind.execute(sa.text("SELECT rev FROM log"))}
if "poison" in marks:
    raise RuntimeError("poisoned target")
if "slow" in marks:
    if bind.dialect.name == "postgresql":
        op.execute("SELECT pg_sleep(0.3)")
    else:
        import time
        time.sleep(0.3)
op.execute("INSERT INTO log (rev) VALUES ('r2')")
"""


class Fleet:
    """A project, its targets file, and direct access to each target."""

    def __init__(self, project: Project, lines: list[tuple[str, str, str | None]]) -> None:
        self.project = project
        self.lines = lines
        self.targets_file = project.root / "targets.txt"
        self.targets_file.write_text(
            "# the test fleet\n" + "".join(f"{n} {u}{' ' + s if s else ''}\n" for n, u, s in lines),
            encoding="utf-8",
        )

    def config(self):  # type: ignore[no-untyped-def]
        return self.project.config()

    def execute(self, name: str, sql: str) -> list[tuple[object, ...]]:
        """Run ``sql`` on target ``name`` (in its schema, for a schema target)."""
        _, url, schema = next(line for line in self.lines if line[0] == name)
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                if schema:
                    conn.execute(sa.text(f'SET search_path TO "{schema}"'))
                result = conn.execute(sa.text(sql))
                return [tuple(r) for r in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def rows(self, name: str) -> set[str]:
        try:
            return {r[0] for r in self.execute(name, "SELECT version_num FROM gitmig_version")}
        except sa.exc.DBAPIError:
            return set()

    def log(self, name: str) -> list[str]:
        return sorted(str(r[0]) for r in self.execute(name, "SELECT rev FROM log"))

    @property
    def names(self) -> list[str]:
        return [n for n, _, _ in self.lines]


def _project(root: Path, url: str) -> Project:
    project = Project(root, url)
    project.rev(
        "r1",
        None,
        up=["CREATE TABLE log (rev VARCHAR(20))", "INSERT INTO log (rev) VALUES ('r1')"],
        down_sql=["DROP TABLE log"],
    )
    project.rev("r2", "r1", up_body=R2_BODY, down_sql=["DELETE FROM log WHERE rev = 'r2'"])
    return project


@pytest.fixture
def make_fleet(tmp_path: Path) -> Callable[[list[tuple[str, str, str | None]]], Fleet]:
    def make(lines: list[tuple[str, str, str | None]]) -> Fleet:
        root = tmp_path / "project"
        root.mkdir()
        return Fleet(_project(root, lines[0][1]), lines)

    return make


@pytest.fixture
def sqlite_fleet(tmp_path: Path, make_fleet: Callable[..., Fleet]) -> Fleet:
    """50 SQLite databases."""
    folder = tmp_path / "dbs"
    folder.mkdir()
    return make_fleet(
        [(f"s{i:02d}", f"sqlite:///{folder / f's{i:02d}.db'}", None) for i in range(50)]
    )


@pytest.fixture
def pg_schema_fleet(postgresql_url: str, make_fleet: Callable[..., Fleet]) -> Fleet:
    """20 PostgreSQL schemas on one database."""
    engine = sa.create_engine(postgresql_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for i in range(20):
            conn.execute(sa.text(f"CREATE SCHEMA tenant{i:02d}"))
    engine.dispose()
    return make_fleet([(f"p{i:02d}", postgresql_url, f"tenant{i:02d}") for i in range(20)])


@pytest.fixture
def mariadb_fleet(make_fleet: Callable[..., Fleet]) -> Iterator[Fleet]:
    """10 MariaDB databases."""
    _require_server(MARIADB_URL, "MariaDB", "GITMIG_TEST_MARIADB")
    names = [f"gitmig_f_{uuid.uuid4().hex[:10]}" for _ in range(10)]
    admin = sa.create_engine(MARIADB_URL)
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f"CREATE DATABASE `{name}`"))
    base = sa.engine.make_url(MARIADB_URL)
    try:
        yield make_fleet(
            [
                (f"m{i}", base.set(database=name).render_as_string(hide_password=False), None)
                for i, name in enumerate(names)
            ]
        )
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """env.py's fileConfig() replaces handlers; undo it after a test."""
    import logging

    loggers = [logging.getLogger(), logging.getLogger("gitmig"), logging.getLogger("sqlalchemy")]
    saved = [(lg, lg.level, list(lg.handlers), lg.propagate, lg.disabled) for lg in loggers]
    yield
    for lg, level, handlers, propagate, disabled in saved:
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.propagate = propagate
        lg.disabled = disabled


__all__ = ["POSTGRESQL_URL", "Fleet"]
