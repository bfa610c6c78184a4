"""Turning config values into filesystem paths."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["resolve_location"]


def resolve_location(location: str) -> Path:
    """A path from a config value: a plain path, or ``package:folder`` inside an importable
    package (as Alembic allows for ``script_location``)."""
    package, sep, folder = location.partition(":")
    if (
        sep
        and package
        and not os.path.isabs(location)
        and "/" not in package
        and "\\" not in package
    ):
        import importlib.util

        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            return Path(next(iter(spec.submodule_search_locations))) / folder
    return Path(location)
