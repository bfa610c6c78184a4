"""Small functions that Alembic projects call through ``alembic.util``, under ``gitmig.util``."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from typing import Any

__all__ = ["pyc_file_from_path", "rev_id", "to_list", "to_tuple"]


def rev_id() -> str:
    """A fresh revision id (12 hex digits), as ``gitmig new`` makes them."""
    from gitmig.script.write import new_rev_id

    return new_rev_id()


def to_list(value: Any, default: list[Any] | None = None) -> list[Any]:
    """``value`` as a list: None gives ``default``, a string gives ``[value]``."""
    if value is None:
        return default if default is not None else []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def to_tuple(value: Any, default: tuple[Any, ...] | None = None) -> tuple[Any, ...]:
    """``value`` as a tuple: None gives ``default``, a string gives ``(value,)``."""
    if value is None:
        return default if default is not None else ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(value)
    return (value,)


def pyc_file_from_path(path: str) -> str | None:
    """The bytecode file Python wrote for the source file ``path``, if there is one.

    That is the ``__pycache__`` file, or a ``.pyc`` beside the source; None when neither
    exists (or ``path`` is not a ``.py`` file).
    """
    if not path.endswith(".py"):
        return None
    for candidate in (importlib.util.cache_from_source(path), path + "c"):
        if os.path.exists(candidate):
            return candidate
    return None
