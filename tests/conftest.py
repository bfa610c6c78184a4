"""Shared fixtures: isolated git identity, and throwaway databases on the real servers.

Server tests use a database of their own (created and dropped per test), so parallel runs
never see each other.  Without a server they skip, saying how to enable them; with
``GITMIG_REQUIRE_SERVERS=1`` (set by ``.ci/run`` under CI) a missing server fails instead.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# pytest's plugin-testing fixture, for gitmig.testing's tests (tests/testing/); only the
# top-level conftest may name plugins.
pytest_plugins = ["pytester"]

POSTGRESQL_URL = os.environ.get(
    "GITMIG_TEST_POSTGRESQL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_URL = os.environ.get("GITMIG_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test")
REQUIRE_SERVERS = os.environ.get("GITMIG_REQUIRE_SERVERS") == "1"
DIALECTS = ("sqlite", "postgresql", "mariadb")


@pytest.fixture(autouse=True)
def _isolated_git_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Give git a known identity and an empty HOME, whatever the developer's machine has."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GITMIG_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Test Author")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "test@example.com")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")


@functools.cache
def _server_problem(url: str) -> str | None:
    """``None`` if the server at ``url`` answers, else why not."""
    from sqlalchemy import create_engine, text

    connect_args = {"connect_timeout": 3}
    try:
        engine = create_engine(url, connect_args=connect_args)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as err:  # any failure means "not usable here"
        return f"{type(err).__name__}: {err}".splitlines()[0]
    return None


def _require_server(url: str, name: str, env_var: str) -> None:
    problem = _server_problem(url)
    if problem is None:
        return
    message = (
        f"{name} is not reachable at {url} ({problem}); start it (see docs/development.md) "
        f"or point {env_var} at one"
    )
    if REQUIRE_SERVERS:
        pytest.fail(message)
    pytest.skip(message)


def _scratch_name() -> str:
    return f"gitmig_t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    _require_server(POSTGRESQL_URL, "PostgreSQL", "GITMIG_TEST_POSTGRESQL")
    name = _scratch_name()
    admin = create_engine(POSTGRESQL_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRESQL_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """URL of a fresh, empty MariaDB database, dropped after the test."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    _require_server(MARIADB_URL, "MariaDB", "GITMIG_TEST_MARIADB")
    name = _scratch_name()
    admin = create_engine(MARIADB_URL)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}`"))
    try:
        yield make_url(MARIADB_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a fresh SQLite database file in the test's temp dir."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(params=DIALECTS)
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh database on each of SQLite, PostgreSQL and MariaDB in turn."""
    name = request.param
    url: str = request.getfixturevalue(f"{name}_url")
    return url
