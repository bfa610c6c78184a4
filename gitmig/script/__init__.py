"""Revision files on disk and the revision graph.

``Script`` and ``ScriptDirectory`` are importable from here, as from Alembic's
``alembic.script``; they load on first use so that the light commands, which import
``gitmig.script.markers``, stay light.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from typing import Any


__all__ = ["Script", "ScriptDirectory"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from gitmig.script import base

        return getattr(base, name)
    raise AttributeError(f"module 'gitmig.script' has no attribute {name!r}")
