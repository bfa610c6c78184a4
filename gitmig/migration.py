"""``gitmig.migration``: Alembic's short import path for :class:`MigrationContext`."""

from __future__ import annotations

from gitmig.runtime.migration import HeadMaintainer as HeadMaintainer
from gitmig.runtime.migration import MigrationContext as MigrationContext
from gitmig.runtime.migration import MigrationStep as MigrationStep
from gitmig.runtime.migration import RevisionStep as RevisionStep
from gitmig.runtime.migration import StampStep as StampStep

__all__ = ["HeadMaintainer", "MigrationContext", "MigrationStep", "RevisionStep", "StampStep"]
