"""Comparators: functions that compare the models with the database and add operations.

They are dispatch tables, extensible like Alembic's: register a function for a target with
``comparators.dispatch_for(target, qualifier="default")``; ``qualifier`` may name a dialect
so the function runs only on that database.  Targets and signatures:

- ``"schema"``: ``fn(autogen_context, upgrade_ops, schemas)``
- ``"table"``: ``fn(autogen_context, modify_table_ops, schema, table_name, conn_table,
  metadata_table)``; ``conn_table`` is a :class:`~gitmig.autogenerate.reflect.ReflectedTable`
  (its ``.table`` is the SQLAlchemy ``Table``)
- ``"column"``: ``fn(autogen_context, alter_column_op, schema, table_name, column_name,
  conn_column, metadata_column)``; ``conn_column`` is the Inspector's column dictionary
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["Comparators", "comparators"]

_F = TypeVar("_F", bound=Callable[..., Any])

TARGETS = ("schema", "table", "column")


class Comparators:
    """Comparison functions by target, run in registration order."""

    def __init__(self) -> None:
        self._registry: dict[tuple[str, str], list[Callable[..., Any]]] = {}

    def dispatch_for(self, target: str, qualifier: str = "default") -> Callable[[_F], _F]:
        """Decorator: run the function for ``target`` (on dialect ``qualifier`` only)."""
        if target not in TARGETS:
            raise ValueError(f"unknown comparator target {target!r}; use one of {TARGETS}")

        def decorate(fn: _F) -> _F:
            self._registry.setdefault((target, qualifier), []).append(fn)
            return fn

        return decorate

    def dispatch(self, target: str, dialect_name: str | None = None) -> Callable[..., None]:
        """A function that calls every comparator registered for ``target`` (and dialect)."""
        fns = list(self._registry.get((target, "default"), ()))
        if dialect_name is not None:
            fns.extend(self._registry.get((target, dialect_name), ()))

        def run_all(*args: Any) -> None:
            for fn in fns:
                fn(*args)

        return run_all


#: the comparators autogenerate runs (import the compare modules to fill it)
comparators = Comparators()
