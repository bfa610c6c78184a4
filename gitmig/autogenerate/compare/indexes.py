"""Indexes and unique constraints of an existing table: added, dropped or changed.

The rules, as Alembic applies them:

- indexes always have names; unique constraints may not.  Named objects match by their
  final SQL name (naming conventions applied, long names truncated as the database does),
  whether either side calls it an index or a unique constraint; an index that became a
  unique constraint (or back) is dropped and added.
- a unique constraint the model leaves unnamed matches a reflected one on the same set of
  columns; one the database has unnamed cannot be told apart from the others, so it is
  never dropped.
- a matched pair is compared by the dialect's rules (:meth:`DialectRules.compare_index`,
  :meth:`DialectRules.compare_unique`): uniqueness, columns and, where the database
  reflects them (PostgreSQL), expressions, sort order and options.  A changed one is
  dropped and created again.
- where the database cannot report unique constraints, none is added or dropped, nor a
  unique index dropped (it may be such a constraint).
- where it cannot reflect indexes on expressions (SQLite), a model expression index with no
  reflected index of its name is skipped, with a warning.
- MySQL reports each unique index as a unique constraint too: the model decides which of
  the two it is.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import sqlalchemy
from sqlalchemy import Index, UniqueConstraint

from gitmig.autogenerate.compare import comparators
from gitmig.autogenerate.compare.tables import parent_names
from gitmig.autogenerate.dialects import is_expression_index
from gitmig.operations.ops import (
    CreateIndexOp,
    CreateUniqueConstraintOp,
    DropConstraintOp,
    DropIndexOp,
)
from gitmig.util.messaging import warn

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Dialect

    from gitmig.autogenerate.context import AutogenContext
    from gitmig.autogenerate.dialects import DialectRules
    from gitmig.autogenerate.reflect import ReflectedTable
    from gitmig.operations.ops import ModifyTableOps

__all__ = ["compare_indexes_and_uniques", "final_name"]

log = logging.getLogger("gitmig.autogenerate")

_Item = Index | UniqueConstraint


def final_name(item: _Item, dialect: Dialect | None) -> str | None:
    """The name ``item`` gets in the database (convention applied, truncated to fit)."""
    if not isinstance(item.name, str):
        return None
    if dialect is None:
        return str(item.name)
    name = dialect.identifier_preparer.format_constraint(item, _alembic_quote=False)
    return str(name) if name is not None else None


def _unnamed(item: _Item) -> tuple[Any, ...]:
    """What identifies ``item`` apart from its name."""
    if isinstance(item, UniqueConstraint):
        return tuple(sorted(c.name for c in item.columns))
    return (bool(item.unique), *(getattr(e, "name", None) for e in item.expressions))


class _Changes:
    """The operations found for one table, each offered to ``include_object`` first."""

    def __init__(
        self,
        autogen_context: AutogenContext,
        modify_ops: ModifyTableOps,
        table_name: str,
        uniques_reflected: bool,
    ) -> None:
        self.run_object = autogen_context.run_object_filters
        self.ops = modify_ops.ops
        self.table_name = table_name
        self.uniques_reflected = uniques_reflected

    def added(self, item: _Item) -> None:
        if isinstance(item, Index):
            if self.run_object(item, item.name, "index", False, None):
                self.ops.append(CreateIndexOp.from_index(item))
                log.info("Detected added index %r on %r", item.name, self.table_name)
        elif self.uniques_reflected and self.run_object(
            item, _str(item.name), "unique_constraint", False, None
        ):
            self.ops.append(CreateUniqueConstraintOp.from_constraint(item))
            log.info("Detected added unique constraint %r on %r", item.name, self.table_name)

    def removed(self, item: _Item) -> None:
        if isinstance(item, Index):
            if item.unique and not self.uniques_reflected:
                return  # perhaps a unique constraint the database cannot report as one
            if self.run_object(item, item.name, "index", True, None):
                self.ops.append(DropIndexOp.from_index(item))
                log.info("Detected removed index %r on %r", item.name, self.table_name)
        elif self.run_object(item, _str(item.name), "unique_constraint", True, None):
            self.ops.append(DropConstraintOp.from_constraint(item))
            log.info("Detected removed unique constraint %r on %r", item.name, self.table_name)

    def changed(self, old: _Item, new: _Item, why: list[str]) -> None:
        kind = "index" if isinstance(new, Index) else "unique_constraint"
        if not self.run_object(new, _str(new.name), kind, False, old):
            return
        log.info("Detected changed %s %r on %r: %s", kind, old.name, self.table_name, why)
        if isinstance(old, Index) and isinstance(new, Index):
            self.ops.append(DropIndexOp.from_index(old))
            self.ops.append(CreateIndexOp.from_index(new))
        elif isinstance(old, UniqueConstraint) and isinstance(new, UniqueConstraint):
            self.ops.append(DropConstraintOp.from_constraint(old))
            self.ops.append(CreateUniqueConstraintOp.from_constraint(new))


def _str(name: object) -> str | None:
    return name if isinstance(name, str) else None


@comparators.dispatch_for("table")
def compare_indexes_and_uniques(
    autogen_context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: ReflectedTable,
    metadata_table: Table,
) -> None:
    """Indexes and unique constraints added, dropped or changed (see the module's rules)."""
    dialect = autogen_context.dialect
    rules = autogen_context.rules
    parents = parent_names(schema, table_name)
    md_uniques = [c for c in metadata_table.constraints if isinstance(c, UniqueConstraint)]
    md_indexes = list(metadata_table.indexes)
    uq_infos = [
        info
        for info in conn_table.unique_constraints
        if autogen_context.run_name_filters(info.get("name"), "unique_constraint", parents)
    ]
    ix_infos = [
        info
        for info in conn_table.indexes
        if autogen_context.run_name_filters(info["name"], "index", parents)
    ]
    uq_infos, ix_infos = _one_of_each(dialect, uq_infos, ix_infos, md_uniques, md_indexes)
    conn_uniques: list[UniqueConstraint] = [conn_table.object_for(i) for i in uq_infos]
    conn_indexes: list[Index] = [conn_table.object_for(i) for i in ix_infos]

    implicit = {info["name"] for info in conn_table.implicit_indexes}
    md_indexes = [ix for ix in md_indexes if ix.name not in implicit]
    if not rules.reflects_expression_indexes:
        md_indexes = _without_unreflected_expressions(dialect, md_indexes, conn_indexes)

    md_names: dict[str, _Item] = {}
    md_items: list[_Item] = [*md_uniques, *md_indexes]
    for item in md_items:
        name = final_name(item, dialect)
        if name is not None:
            md_names[name] = item
    conn_uniques_by_name = {str(uq.name): uq for uq in conn_uniques if isinstance(uq.name, str)}
    conn_indexes_by_name = {str(ix.name): ix for ix in conn_indexes if isinstance(ix.name, str)}
    conn_names: dict[str, _Item] = {**conn_uniques_by_name, **conn_indexes_by_name}
    doubled = conn_uniques_by_name.keys() & conn_indexes_by_name.keys()
    conn_uniques_by_sig = {_unnamed(uq): uq for uq in conn_uniques}
    md_uniques_by_sig = {_unnamed(uq): uq for uq in md_uniques}
    unnamed_md_uniques = {_unnamed(uq): uq for uq in md_uniques if final_name(uq, dialect) is None}
    md_index_sigs = {_unnamed(ix) for ix in md_indexes}

    changes = _Changes(autogen_context, modify_ops, table_name, conn_table.uniques_reflected)
    for name in sorted(conn_names.keys() - md_names.keys()):
        item = conn_names[name]
        if name in doubled:
            conn_uq, conn_ix = conn_uniques_by_name[name], conn_indexes_by_name[name]
            if _unnamed(conn_ix) not in md_index_sigs and _unnamed(conn_uq) not in (
                md_uniques_by_sig
            ):
                changes.removed(conn_uq)
                changes.removed(conn_ix)
        elif not (isinstance(item, UniqueConstraint) and _unnamed(item) in unnamed_md_uniques):
            changes.removed(item)

    for name in sorted(md_names.keys() & conn_names.keys()):
        model = md_names[name]
        if name in doubled:
            found: _Item = (
                conn_indexes_by_name[name]
                if isinstance(model, Index)
                else conn_uniques_by_name[name]
            )
        else:
            found = conn_names[name]
        if type(found) is not type(model):
            changes.removed(found)
            changes.added(model)
            continue
        differences, skipped = _differences(dialect, rules, model, found)
        if differences:
            changes.changed(found, model, differences)
        elif skipped:
            log.info("Cannot compare %r, assuming equal and skipping: %s", name, skipped)

    for uq in conn_uniques:
        if not isinstance(uq.name, str) and _unnamed(uq) not in md_uniques_by_sig:
            log.warning(
                "Unique constraint on %s(%s) has no name in the database; gitmig cannot drop it",
                table_name,
                ", ".join(c.name for c in uq.columns),
            )
    for name in sorted(md_names.keys() - conn_names.keys()):
        changes.added(md_names[name])
    for sig, uq in unnamed_md_uniques.items():
        if sig not in conn_uniques_by_sig:
            changes.added(uq)


def _differences(
    dialect: Dialect | None, rules: DialectRules, model: _Item, found: _Item
) -> tuple[list[str], list[str]]:
    """How ``model`` differs from ``found`` (of its kind), and why they cannot be compared."""
    if isinstance(model, Index) and isinstance(found, Index):
        assert dialect is not None
        return rules.compare_index(dialect, model, found)
    assert isinstance(model, UniqueConstraint) and isinstance(found, UniqueConstraint)
    return rules.compare_unique(model, found), []


def _one_of_each(
    dialect: Dialect | None,
    uq_infos: list[dict[str, Any]],
    ix_infos: list[dict[str, Any]],
    md_uniques: list[UniqueConstraint],
    md_indexes: list[Index],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Where the database reports a unique index also as a unique constraint (MySQL),
    keep what the model has: the constraint, the index, or (the model has both) both.
    """
    mirrored = [info for info in uq_infos if info.get("duplicates_index")]
    if not mirrored:
        return uq_infos, ix_infos
    md_uq_names = {final_name(uq, dialect) for uq in md_uniques} - {None}
    unnamed_md_sigs = {_unnamed(uq) for uq in md_uniques if final_name(uq, dialect) is None}
    md_unique_ix_names = {final_name(ix, dialect) for ix in md_indexes if ix.unique}
    drop_uqs: set[int] = set()
    drop_ixs: set[str] = set()
    for info in mirrored:
        name = info["name"]
        if name not in md_uq_names:
            if tuple(sorted(info["column_names"])) not in unnamed_md_sigs:
                drop_uqs.add(id(info))
        elif name not in md_unique_ix_names:
            drop_ixs.add(name)
    return (
        [info for info in uq_infos if id(info) not in drop_uqs],
        [info for info in ix_infos if not (info.get("unique") and info["name"] in drop_ixs)],
    )


def _without_unreflected_expressions(
    dialect: Dialect | None, md_indexes: list[Index], conn_indexes: list[Index]
) -> list[Index]:
    """The model's indexes less those on expressions this database cannot reflect."""
    conn_names = {ix.name for ix in conn_indexes}
    kept = []
    for index in md_indexes:
        if index.name not in conn_names and is_expression_index(index):
            warn(
                f"autogenerate skipping metadata-specified expression-based index "
                f"{index.name!r}; dialect {dialect.name if dialect else None!r} under "
                f"SQLAlchemy {sqlalchemy.__version__} can't reflect these indexes so they "
                "can't be compared",
                stacklevel=2,
            )
            continue
        kept.append(index)
    return kept
