"""The ready-made tests, one per check of :mod:`gitmig.testing`.

The plugin adds them when enabled (``gitmig_tests = true``, ``--gitmig``); a test module
may also import them (``from gitmig.testing.suite import test_stairway``) to run them with
its own fixtures. They use two fixtures, ``gitmig_config`` and ``gitmig_database_url``
(:mod:`gitmig.testing.plugin` has the defaults; override either in a conftest.py). The
database tests start from an empty database and clean up after themselves
(:func:`gitmig.testing.empty_database`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from gitmig.exc import GitmigError
from gitmig.testing.checks import (
    check_lint,
    check_models_match,
    check_single_head,
    check_stairway,
    check_upgrade,
    empty_database,
)

if TYPE_CHECKING:
    from gitmig.config import Config

__all__ = [
    "TESTS",
    "test_lint",
    "test_models_match",
    "test_single_head",
    "test_stairway",
    "test_upgrade",
]


def _run(check: Callable[[Config], None], config: Config) -> None:
    try:
        check(config)
    except (AssertionError, GitmigError) as err:
        message = str(err)
    else:
        return
    # Outside the except block, and without pytest's traceback: the message says it all.
    pytest.fail(message, pytrace=False)


def _checked_on_empty_database(config: Config, check: Callable[[Config], None]) -> None:
    with empty_database(config):
        check(config)


def _on_empty_database(check: Callable[[Config], None], config: Config) -> None:
    _run(lambda cfg: _checked_on_empty_database(cfg, check), config)


def test_single_head(gitmig_config: Config) -> None:
    """No line of history has two heads."""
    _run(check_single_head, gitmig_config)


def test_upgrade(gitmig_config: Config) -> None:
    """An empty database upgrades from base to the heads."""
    _on_empty_database(check_upgrade, gitmig_config)


def test_stairway(gitmig_config: Config) -> None:
    """Each revision's downgrade undoes its upgrade (up, down, up again, one by one)."""
    _on_empty_database(check_stairway, gitmig_config)


def test_models_match(gitmig_config: Config) -> None:
    """The database the migrations build matches the models (``gitmig check``)."""
    _on_empty_database(check_models_match, gitmig_config)


def test_lint(gitmig_config: Config) -> None:
    """No revision breaks an error-level lint rule (``gitmig lint --all``)."""
    _run(check_lint, gitmig_config)


#: name (as ``gitmig_tests`` takes it) -> test, in the order they run
TESTS: dict[str, Callable[[Config], None]] = {
    "single_head": test_single_head,
    "upgrade": test_upgrade,
    "stairway": test_stairway,
    "models_match": test_models_match,
    "lint": test_lint,
}
