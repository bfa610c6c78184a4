"""Rewriter: a ``process_revision_directives`` hook built from per-operation functions.

Example::

    writer = Rewriter()

    @writer.rewrites(ops.AddColumnOp)
    def add_column_nullable(context, revision, op):
        op.column.nullable = True
        return op

    context.configure(..., process_revision_directives=writer)

A function returns the operation, a replacement, or a list of operations (empty to drop
it).  ``writer.chain(other)`` runs ``other`` after ``writer``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from gitmig.operations import ops

__all__ = ["Rewriter"]

_F = TypeVar("_F", bound=Callable[..., Any])


class Rewriter:
    """Rewrites generated operations by class; usable as ``process_revision_directives``."""

    def __init__(self) -> None:
        self._rewrites: dict[type[Any], Callable[..., Any]] = {}
        self._chained: Rewriter | None = None

    def rewrites(self, op_cls: type[Any]) -> Callable[[_F], _F]:
        """Decorator: rewrite operations of ``op_cls`` (and its subclasses) with the function."""

        def decorate(fn: _F) -> _F:
            self._rewrites[op_cls] = fn
            return fn

        return decorate

    def chain(self, other: Rewriter) -> Rewriter:
        """A rewriter that runs this one, then ``other``."""
        combined = Rewriter()
        combined._rewrites = dict(self._rewrites)
        combined._chained = other
        if self._chained is not None:
            combined._chained = self._chained.chain(other)
        return combined

    def __call__(
        self, context: Any, revision: Any, directives: Sequence[ops.MigrationScript]
    ) -> None:
        for script in directives:
            for container in [*script.upgrade_ops_list, *script.downgrade_ops_list]:
                self._rewrite_container(context, revision, container)
        if self._chained is not None:
            self._chained(context, revision, directives)

    def _rewrite_container(self, context: Any, revision: Any, container: ops.OpContainer) -> None:
        new_ops: list[ops.MigrateOperation] = []
        for op_ in container.ops:
            if isinstance(op_, ops.OpContainer):
                self._rewrite_container(context, revision, op_)
            result = self._rewrite(context, revision, op_)
            new_ops.extend(result)
        container.ops[:] = new_ops

    def _rewrite(
        self, context: Any, revision: Any, op_: ops.MigrateOperation
    ) -> list[ops.MigrateOperation]:
        for klass in type(op_).__mro__:
            fn = self._rewrites.get(klass)
            if fn is not None:
                result = fn(context, revision, op_)
                if result is None:
                    return []
                return list(result) if isinstance(result, (list, tuple)) else [result]
        return [op_]
