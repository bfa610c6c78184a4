"""The ``op`` proxy of revision scripts: ``from gitmig import op``.

Every attribute is looked up on the :class:`~gitmig.operations.Operations` object installed
for the running migration (``Operations.context(...)``), so ``op.add_column(...)`` works in
``upgrade()``/``downgrade()`` exactly as in Alembic.
"""

from __future__ import annotations

from typing import Any

__all__: list[str] = []


#: An Operations object assigned here (``op._proxy = Operations(ctx)``, as Alembic's test
#: fixtures do) answers when no migration has installed one.
_proxy: Any = None


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from gitmig.operations import Operations

    if name == "Operations":  # the class itself, as Alembic's op module has it
        return Operations
    if _proxy is not None and not Operations.installed():
        return getattr(_proxy, name)
    return getattr(Operations.current(), name)
