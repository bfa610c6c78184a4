"""Build the minimal SQLAlchemy schema objects an operation needs.

Operations name tables and columns by string; SQLAlchemy's DDL constructs want ``Table``,
``Column`` and ``Constraint`` objects.  :class:`SchemaObjects` makes just enough of them (stub
tables with ``NullType`` columns, referent tables for foreign keys), honouring the naming
convention of the migration's ``target_metadata`` when there is one.  Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Constraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnElement, TextClause
from sqlalchemy.types import NULLTYPE

if TYPE_CHECKING:
    from sqlalchemy.schema import ForeignKey
    from sqlalchemy.sql.schema import SchemaItem

    from gitmig.runtime.migration import MigrationContext

__all__ = ["SchemaObjects"]

#: ``type_`` names accepted by ``drop_constraint``, and the construct each one stands for
CONSTRAINT_TYPES: dict[str | None, type[Constraint]] = {
    None: Constraint,
    "foreignkey": ForeignKeyConstraint,
    "primary": PrimaryKeyConstraint,
    "unique": UniqueConstraint,
    "check": CheckConstraint,
}


class SchemaObjects:
    """Factory of stub schema objects bound to one migration context (or none)."""

    def __init__(self, migration_context: MigrationContext | None = None) -> None:
        self.migration_context = migration_context

    def metadata(self) -> MetaData:
        """A fresh ``MetaData`` carrying the target metadata's naming convention, if any."""
        kw: dict[str, Any] = {}
        if self.migration_context is not None:
            target = self.migration_context.opts.get("target_metadata")
            # multi-database setups pass a list of MetaData; the first one's convention wins
            if isinstance(target, Sequence) and target:
                target = target[0]
            convention = getattr(target, "naming_convention", None)
            if convention is not None:
                kw["naming_convention"] = convention
        return MetaData(**kw)

    def primary_key_constraint(
        self,
        name: str | None,
        table_name: str,
        cols: Sequence[str],
        schema: str | None = None,
        **dialect_kw: Any,
    ) -> PrimaryKeyConstraint:
        table = Table(table_name, self.metadata(), *self._stub_columns(cols), schema=schema)
        pk = PrimaryKeyConstraint(*[table.c[c] for c in cols], name=name, **dialect_kw)
        table.append_constraint(pk)
        return pk

    def foreign_key_constraint(
        self,
        name: str | None,
        source: str,
        referent: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        initially: str | None = None,
        match: str | None = None,
        **dialect_kw: Any,
    ) -> ForeignKeyConstraint:
        metadata = self.metadata()
        source_cols = list(local_cols)
        if source == referent and source_schema == referent_schema:
            source_cols += [c for c in remote_cols if c not in source_cols]
        else:
            Table(referent, metadata, *self._stub_columns(remote_cols), schema=referent_schema)
        table = Table(source, metadata, *self._stub_columns(source_cols), schema=source_schema)
        qualified = f"{referent_schema}.{referent}" if referent_schema else referent
        fk = ForeignKeyConstraint(
            list(local_cols),
            [f"{qualified}.{c}" for c in remote_cols],
            name=name,
            onupdate=onupdate,
            ondelete=ondelete,
            deferrable=deferrable,
            initially=initially,
            match=match,
            link_to_name=True,
            **dialect_kw,
        )
        table.append_constraint(fk)
        return fk

    def unique_constraint(
        self,
        name: str | None,
        source: str,
        local_cols: Sequence[str],
        schema: str | None = None,
        **kw: Any,
    ) -> UniqueConstraint:
        table = Table(source, self.metadata(), *self._stub_columns(local_cols), schema=schema)
        uq = UniqueConstraint(*[table.c[c] for c in local_cols], name=name, **kw)
        table.append_constraint(uq)
        return uq

    def check_constraint(
        self,
        name: str | None,
        source: str,
        condition: str | ColumnElement[Any] | TextClause,
        schema: str | None = None,
        **kw: Any,
    ) -> CheckConstraint:
        # the stub column only gives the table a body; ALTER ... ADD CONSTRAINT never shows it
        table = Table(source, self.metadata(), Column("x", Integer), schema=schema)
        ck = CheckConstraint(condition, name=name, **kw)
        table.append_constraint(ck)
        return ck

    def generic_constraint(
        self,
        name: str | None,
        table_name: str,
        type_: str | None,
        schema: str | None = None,
        **kw: Any,
    ) -> Constraint:
        """A named constraint of kind ``type_`` (see ``CONSTRAINT_TYPES``), for dropping it."""
        if type_ not in CONSTRAINT_TYPES:
            raise ValueError(
                f"constraint type {type_!r} is not one of "
                f"{', '.join(repr(k) for k in CONSTRAINT_TYPES)}"
            )
        table = Table(table_name, self.metadata(), Column("x", Integer), schema=schema)
        const: Constraint
        if type_ == "foreignkey":
            const = ForeignKeyConstraint([], [], name=name)
        elif type_ == "check":
            const = CheckConstraint(text(""), name=name)
        else:
            const = CONSTRAINT_TYPES[type_](name=name)
        table.append_constraint(const)
        return const

    def table(self, name: str, *columns: SchemaItem, **kw: Any) -> Table:
        """A ``Table`` holding ``columns`` (and constraints/indexes given among them).

        ``_constraints_included=True`` says the constraints of ``unique=True``/``index=True``
        columns are already among ``columns``, so the flags must not add them twice.
        """
        metadata = self.metadata()
        constraints_included = bool(kw.pop("_constraints_included", False))
        cols = [c._copy() if c.table is not None else c for c in columns if isinstance(c, Column)]
        if constraints_included:
            for col in cols:
                col.unique = False
                col.index = False
        table = Table(name, metadata, *cols, **kw)
        for elem in columns:
            if getattr(elem, "_type_bound", False):
                continue  # a type's own CHECK (Boolean, Enum): the column brings it along
            if isinstance(elem, Constraint | Index):
                # Index.table, Constraint.parent: the table the element is bound to, if any
                parent = elem.table if isinstance(elem, Index) else getattr(elem, "parent", None)
                if parent is not None and parent is not table:
                    elem = elem._copy(target_table=table)  # type: ignore[union-attr]
                if isinstance(elem, Index):
                    if elem.table is None:
                        elem._set_parent(table)
                else:
                    table.append_constraint(elem)
        for fk in table.foreign_keys:
            self._ensure_table_for_fk(metadata, fk)
        return table

    def column(self, name: str, type_: Any, **kw: Any) -> Column[Any]:
        return Column(name, type_, **kw)

    def index(
        self,
        name: str | None,
        tablename: str | None,
        columns: Sequence[str | TextClause | ColumnElement[Any]],
        schema: str | None = None,
        **kw: Any,
    ) -> Index:
        """An ``Index`` on a stub table; strings are column names, other elements expressions."""
        names = [c for c in columns if isinstance(c, str)]
        # covered columns (postgresql_include=, mssql_include=) must exist on the stub too
        names += [
            c
            for key, value in kw.items()
            if key.endswith("_include")
            for c in value or ()
            if isinstance(c, str)
        ]
        table = Table(
            tablename or "no_table", self.metadata(), *self._stub_columns(names), schema=schema
        )
        exprs: list[Any] = [
            table.c[c] if isinstance(c, str) else _on_table(c, table) for c in columns
        ]
        idx = Index(name, *exprs, _table=table, **kw)
        return idx

    @staticmethod
    def _stub_columns(names: Sequence[str]) -> list[Column[Any]]:
        seen: dict[str, Column[Any]] = {}
        for n in names:
            if n not in seen:
                seen[n] = Column(n, NULLTYPE)
        return list(seen.values())

    @staticmethod
    def _ensure_table_for_fk(metadata: MetaData, fk: ForeignKey) -> None:
        """Give ``fk``'s referent a stub table in ``metadata`` so its DDL compiles."""
        if not isinstance(fk._colspec, str):
            return
        schema, tname, colname = fk._column_tokens
        if tname is None or colname is None:
            return
        key = f"{schema}.{tname}" if schema else tname
        referent = metadata.tables.get(key)
        if referent is None:
            referent = Table(tname, metadata, schema=schema)
        if colname not in referent.c:
            referent.append_column(Column(colname, NULLTYPE))


def _on_table(expression: Any, table: Table) -> Any:
    """``expression`` with the columns of any other table replaced by ``table``'s (added to it
    as ``NullType`` stubs when missing): an ``Index`` takes the columns of one table only.
    """
    if not isinstance(expression, ColumnElement):
        return expression

    def replace(element: Any, **kw: Any) -> Any:
        if isinstance(element, Column) and isinstance(element.table, Table):
            if element.table is table:
                return None
            if element.name not in table.c:
                table.append_column(Column(element.name, NULLTYPE))
            return table.c[element.name]
        return None

    return visitors.replacement_traverse(expression, {}, replace)
