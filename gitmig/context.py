"""``from gitmig import context`` in ``env.py``: the running command's EnvironmentContext.

Attribute access is forwarded (PEP 562) to the :class:`~gitmig.runtime.environment.
EnvironmentContext` that the command installed before running ``env.py``, so
``context.configure(...)``, ``context.run_migrations()``, ``context.config`` and the rest
work as in Alembic.
"""

from __future__ import annotations

from typing import Any

__all__: list[str] = []


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from gitmig.runtime.environment import current_environment

    return getattr(current_environment(), name)
