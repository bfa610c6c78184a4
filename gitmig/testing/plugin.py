"""The pytest plugin ``gitmig`` (entry point ``pytest11``): fixtures and ready-made tests.

Always there, and cheap (this module imports only pytest and the standard library):

- ``gitmig_database_url``: a scratch database for the migration tests. Default: the
  ``gitmig_database_url`` ini option, else ``$GITMIG_TEST_DATABASE_URL``, else a new
  SQLite file in the test's temp dir. Override the fixture to create one per test.
- ``gitmig_config``: the project's :class:`~gitmig.config.Config` (ini option
  ``gitmig_config``, else found as the ``gitmig`` command finds it), its
  ``sqlalchemy.url`` set to ``gitmig_database_url``.

Only when enabled (ini option ``gitmig_tests = true``, or a list of test names; or
``--gitmig``) does collection change: the tests of :mod:`gitmig.testing.suite` are added,
marked ``gitmig``, to the first directory pytest collects (``testpaths``, or the directory
given), as ``<dir>/gitmig.testing::test_...``; fixtures in that directory's conftest.py
apply to them.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from gitmig.config import Config

__all__ = ["NAMES", "gitmig_config", "gitmig_database_url"]

#: the ready-made tests, as ``gitmig_tests`` names them, in the order they run
NAMES = ("single_head", "upgrade", "stairway", "models_match", "lint")
#: the environment variable naming a scratch database
URL_VARIABLE = "GITMIG_TEST_DATABASE_URL"
_TRUE = ("true", "yes", "on", "1", "all")
_FALSE = ("false", "no", "off", "0")
_enabled_key = pytest.StashKey[tuple[str, ...]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gitmig", "gitmig migration tests (docs/testing.md)")
    group.addoption(
        "--gitmig",
        action="store_true",
        default=False,
        help="Add gitmig's ready-made migration tests (single head, upgrade, stairway, "
        "models match, lint).",
    )
    parser.addini(
        "gitmig_tests",
        "Add gitmig's ready-made migration tests: true, or the names of those to add "
        f"({' '.join(NAMES)}).",
        type="args",
        default=[],
    )
    parser.addini(
        "gitmig_config",
        "The gitmig config file (gitmig.ini or pyproject.toml), relative to the ini file; "
        "default: gitmig.ini or pyproject.toml of the rootdir.",
        default="",
    )
    parser.addini(
        "gitmig_database_url",
        f"URL of a scratch database for the migration tests (else ${URL_VARIABLE}, else a "
        "new SQLite file per test).",
        default="",
    )


def _chosen(config: pytest.Config) -> tuple[str, ...]:
    """The ready-made tests to add (none unless enabled)."""
    values = [str(v) for v in config.getini("gitmig_tests")]
    flag = bool(config.getoption("gitmig"))
    if len(values) == 1 and values[0].lower() in _TRUE + _FALSE:
        return NAMES if values[0].lower() in _TRUE or flag else ()
    unknown = [v for v in values if v not in NAMES]
    if unknown:
        raise pytest.UsageError(
            f"ini option gitmig_tests: {', '.join(unknown)} names no gitmig test; give true "
            f"or some of: {' '.join(NAMES)}"
        )
    if values:
        return tuple(name for name in NAMES if name in values)
    return NAMES if flag else ()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "gitmig: gitmig's ready-made migration tests")
    chosen = _chosen(config)
    config.stash[_enabled_key] = chosen
    if chosen:
        config.pluginmanager.register(_Attach(), "gitmig-ready-made-tests")


class _Attach:
    """Adds the ready-made tests to the first directory collected as an initial path."""

    def __init__(self) -> None:
        self.done = False

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(
        self, collector: pytest.Collector
    ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        report = yield
        if (
            not self.done
            and report.passed
            and isinstance(collector, pytest.Directory)
            and collector.session.isinitpath(collector.path)
        ):
            self.done = True
            report.result.append(_ReadyMade.from_parent(collector, path=_virtual(collector)))
        return report


def _virtual(directory: pytest.Directory) -> Path:
    # A name no real file has: the tests live in gitmig, not in the user's tree.
    return directory.path / "gitmig.testing"


class _ReadyMade(pytest.Module):
    """The module :mod:`gitmig.testing.suite`, shown as ``<dir>/gitmig.testing``."""

    def collect(self) -> Iterator[pytest.Item]:
        from gitmig.testing import suite

        self.obj = suite
        for name in self.config.stash[_enabled_key]:
            test = suite.TESTS[name]
            item = pytest.Function.from_parent(self, name=test.__name__, callobj=test)
            item.add_marker("gitmig")
            yield item


@pytest.fixture
def gitmig_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of the database the migration tests run on; it must start empty."""
    url = str(request.config.getini("gitmig_database_url")) or os.environ.get(URL_VARIABLE)
    return url or f"sqlite:///{tmp_path / 'gitmig_scratch.db'}"


@pytest.fixture
def gitmig_config(request: pytest.FixtureRequest, gitmig_database_url: str) -> Config:
    """The project's gitmig Config, migrating ``gitmig_database_url``."""
    from gitmig.config import Config, find_config_file
    from gitmig.exc import ConfigError

    pytest_config = request.config
    option = str(pytest_config.getini("gitmig_config"))
    base = pytest_config.inipath.parent if pytest_config.inipath else pytest_config.rootpath
    path = base / option if option else find_config_file(None, pytest_config.rootpath)
    try:
        config = Config(path)
        # The file is read on first use (as Alembic's Config does): here, inside the try.
        config.set_main_option("sqlalchemy.url", gitmig_database_url)
    except ConfigError as err:
        problem = str(err)
    else:
        return config
    pytest.fail(f"{problem} (gitmig.testing: set the gitmig_config ini option)", pytrace=False)
