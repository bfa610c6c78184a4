"""Shared utilities, and the names Alembic projects use from ``alembic.util``.

``CommandError`` here is :class:`gitmig.exc.GitmigError`, the root of every error a gitmig
command raises, because Alembic's commands report every failure as its ``CommandError``.
Everything loads on first use: the light commands import submodules of this package.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CommandError",
    "pyc_file_from_path",
    "rev_id",
    "sqla_2_1",
    "to_list",
    "to_tuple",
    "warn",
]


def __getattr__(name: str) -> Any:
    if name == "CommandError":
        from gitmig.exc import GitmigError

        return GitmigError
    if name == "warn":
        from gitmig.util.messaging import warn

        return warn
    if name == "sqla_2_1":
        # whether the installed SQLAlchemy is 2.1 or later (as ``alembic.util.sqla_2_1``)
        from importlib.metadata import version

        major, minor = (int(part) for part in version("sqlalchemy").split(".")[:2])
        return (major, minor) >= (2, 1)
    if name in __all__:
        from gitmig.util import lang

        return getattr(lang, name)
    raise AttributeError(f"module 'gitmig.util' has no attribute {name!r}")
