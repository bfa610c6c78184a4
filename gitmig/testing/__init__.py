"""Test a project's migrations from its own pytest suite (see ``docs/testing.md``).

The checks are plain functions raising AssertionError, naming the revision and what
differs::

    from gitmig.config import Config
    from gitmig.testing import check_stairway

    def test_downgrades_undo_upgrades(tmp_path):
        check_stairway(Config("gitmig.ini"), f"sqlite:///{tmp_path}/scratch.db")

The pytest plugin (:mod:`gitmig.testing.plugin`, registered as ``gitmig``) adds them as
ready-made tests when enabled (``gitmig_tests = true`` or ``--gitmig``). Importing this
package imports neither SQLAlchemy nor pytest: the checks import what they need.
"""

from __future__ import annotations

from gitmig.testing.checks import check_lint as check_lint
from gitmig.testing.checks import check_models_match as check_models_match
from gitmig.testing.checks import check_single_head as check_single_head
from gitmig.testing.checks import check_stairway as check_stairway
from gitmig.testing.checks import check_upgrade as check_upgrade
from gitmig.testing.checks import empty_database as empty_database

__all__ = [
    "check_lint",
    "check_models_match",
    "check_single_head",
    "check_stairway",
    "check_upgrade",
    "empty_database",
]
