"""gitmig: database schema migrations for teams that live in git."""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

__all__ = ["__version__"]

#: The proxies scripts and env.py use, reachable as ``gitmig.op`` / ``gitmig.context`` after
#: a bare ``import gitmig`` (as ``alembic.op`` is); loaded on first use, both are light.
_PROXIES = frozenset({"op", "context"})


def __getattr__(name: str) -> ModuleType:
    if name in _PROXIES:
        return importlib.import_module(f"gitmig.{name}")
    raise AttributeError(f"module 'gitmig' has no attribute {name!r}")
