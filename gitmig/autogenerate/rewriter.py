"""Rewriter: a ``process_revision_directives`` hook built from per-operation functions.

Example::

    writer = Rewriter()

    @writer.rewrites(ops.AddColumnOp)
    def add_column_nullable(context, revision, op):
        op.column.nullable = True
        return op

    context.configure(..., process_revision_directives=writer)

A function returns the operation, a replacement, or a list of operations (empty, or
``None``, to drop it).  ``writer.chain(other)`` runs ``other`` (another Rewriter or any
``process_revision_directives`` function) after ``writer``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from gitmig.operations import ops

__all__ = ["Rewriter"]

_F = TypeVar("_F", bound=Callable[..., Any])

#: what ``process_revision_directives`` is: ``(context, revision, directives) -> None``
Directives = Callable[[Any, Any, list[ops.MigrationScript]], None]


class Rewriter:
    """Rewrites generated operations by class; usable as ``process_revision_directives``.

    Every directive is offered to the functions, outermost first: each ``MigrationScript``,
    its ``UpgradeOps`` and ``DowngradeOps``, their operations, and the operations inside
    those (a ``ModifyTableOps``' own), including those a function returned.  An operation
    this rewriter produced is not rewritten by it again, so running it twice over the same
    directives changes only what is new.
    """

    def __init__(self) -> None:
        self._rewrites: dict[type[Any], Callable[..., Any]] = {}
        self._chained: tuple[Directives, ...] = ()
        self._done: weakref.WeakSet[ops.MigrateOperation] = weakref.WeakSet()

    def rewrites(self, op_cls: type[Any]) -> Callable[[_F], _F]:
        """Decorator: rewrite operations of ``op_cls`` (and its subclasses) with the function."""

        def decorate(fn: _F) -> _F:
            self._rewrites[op_cls] = fn
            return fn

        return decorate

    def chain(self, other: Directives) -> Rewriter:
        """A rewriter that runs this one, then ``other`` (a Rewriter or any such hook)."""
        combined = Rewriter()
        combined._rewrites = self._rewrites
        combined._done = self._done
        combined._chained = (*self._chained, other)
        return combined

    def __call__(self, context: Any, revision: Any, directives: list[ops.MigrationScript]) -> None:
        rewritten: list[Any] = []
        for script in directives:
            rewritten.extend(self._traverse(context, revision, script))
        directives[:] = rewritten
        for hook in self._chained:
            hook(context, revision, directives)

    def _traverse(self, context: Any, revision: Any, op_: Any) -> list[Any]:
        """``op_`` rewritten, each result with its contents rewritten in turn."""
        results = list(self._rewrite(context, revision, op_))
        for result in results:
            if isinstance(result, ops.MigrationScript):
                result.upgrade_ops = self._traverse_lists(
                    context, revision, result.upgrade_ops_list, "UpgradeOps"
                )
                result.downgrade_ops = self._traverse_lists(
                    context, revision, result.downgrade_ops_list, "DowngradeOps"
                )
            elif isinstance(result, ops.OpContainer):
                inner: list[ops.MigrateOperation] = []
                for child in result.ops:
                    inner.extend(self._traverse(context, revision, child))
                result.ops[:] = inner
        return results

    def _traverse_lists(
        self, context: Any, revision: Any, containers: Sequence[Any], kind: str
    ) -> list[Any]:
        out: list[Any] = []
        for container in containers:
            results = self._traverse(context, revision, container)
            if len(results) != 1:
                raise ValueError(
                    f"a rewrite of {kind} must return one {kind}, not {len(results)} items"
                )
            out.append(results[0])
        return out

    def _rewrite(self, context: Any, revision: Any, op_: Any) -> Iterator[Any]:
        fn = next((self._rewrites[k] for k in type(op_).__mro__ if k in self._rewrites), None)
        if fn is None or op_ in self._done:
            yield op_
            return
        result = fn(context, revision, op_)
        if result is None:
            return
        for item in result if isinstance(result, (list, tuple)) else [result]:
            self._done.add(item)
            yield item
