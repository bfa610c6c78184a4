"""``gitmig.migration``: Alembic's short import path for :class:`MigrationContext`."""

from __future__ import annotations

from gitmig.runtime.migration import MigrationContext as MigrationContext
from gitmig.runtime.migration import MigrationStep as MigrationStep

__all__ = ["MigrationContext", "MigrationStep"]
