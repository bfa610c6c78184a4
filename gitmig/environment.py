"""``gitmig.environment``: Alembic's short import path for :class:`EnvironmentContext`."""

from __future__ import annotations

from gitmig.runtime.environment import EnvironmentContext as EnvironmentContext

__all__ = ["EnvironmentContext"]
