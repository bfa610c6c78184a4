"""``gitmig.util.exc``: the error name Alembic projects import from ``alembic.util.exc``.

``CommandError`` is :class:`gitmig.exc.GitmigError`, the root of every error a command
raises (see :mod:`gitmig.util`). gitmig's own classes live in :mod:`gitmig.exc`.
"""

from __future__ import annotations

from gitmig.exc import GitmigError as CommandError

__all__ = ["CommandError"]
