"""Batch mode: collect changes to one table, then ALTER it or rebuild it ("move and copy").

SQLite's ALTER TABLE cannot change types, nullability, defaults or constraints, so
``batch_alter_table`` rebuilds the table: create ``_alembic_tmp_<table>`` with the new shape,
copy every row across, drop the old table, rename the new one into place and recreate the
indexes.  Named and unnamed unique/check constraints and foreign keys are carried over from
the reflected table (or from ``copy_from`` offline).
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Constraint,
    ForeignKeyConstraint,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.schema import DefaultClause
from sqlalchemy.sql.base import _NONE_NAME
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import SchemaType, to_instance

from gitmig.exc import UnsupportedOperationError
from gitmig.operations.schemaobj import SchemaObjects

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

    from gitmig.ddl.impl import DefaultImpl
    from gitmig.operations.base import AbstractOperations

__all__ = ["ApplyBatchImpl", "BatchOperationsImpl"]

_RECREATE = ("auto", "always", "never")


class BatchOperationsImpl:
    """Stands in for the dialect impl inside a batch block: records calls, runs them at the end.

    ``batch`` is the list of recorded calls as ``(method name, args, kwargs)``; the dialect's
    ``requires_recreate_in_batch`` reads it to choose between ALTERs and a rebuild.
    """

    def __init__(
        self,
        operations: AbstractOperations,
        table_name: str,
        schema: str | None,
        recreate: str,
        copy_from: Table | None,
        table_args: tuple[Any, ...],
        table_kwargs: Mapping[str, Any],
        reflect_args: tuple[Any, ...],
        reflect_kwargs: Mapping[str, Any],
        naming_convention: Mapping[str, str] | None,
        partial_reordering: Sequence[tuple[str, ...]],
    ) -> None:
        if recreate not in _RECREATE:
            raise ValueError(f"recreate must be one of {', '.join(_RECREATE)}, not {recreate!r}")
        self.operations = operations
        self.table_name = table_name
        self.schema = schema
        self.recreate = recreate
        self.copy_from = copy_from
        self.table_args = table_args
        self.table_kwargs = dict(table_kwargs)
        self.reflect_args = reflect_args
        self.reflect_kwargs = dict(reflect_kwargs)
        self.naming_convention = naming_convention
        self.partial_reordering = [tuple(p) for p in partial_reordering]
        self.batch: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    @property
    def impl(self) -> DefaultImpl:
        return self.operations.migration_context.impl

    def _record(self, method: str, args: tuple[Any, ...], kw: dict[str, Any]) -> None:
        self.batch.append((method, args, kw))

    def add_column(self, *args: Any, **kw: Any) -> None:
        self._record("add_column", args, kw)

    def drop_column(self, *args: Any, **kw: Any) -> None:
        self._record("drop_column", args, kw)

    def alter_column(self, *args: Any, **kw: Any) -> None:
        self._record("alter_column", args, kw)

    def add_constraint(self, const: Constraint) -> None:
        self._record("add_constraint", (const,), {})

    def drop_constraint(self, const: Constraint, **kw: Any) -> None:
        self._record("drop_constraint", (const,), kw)

    def create_index(self, index: Index, **kw: Any) -> None:
        self._record("create_index", (index,), kw)

    def drop_index(self, index: Index, **kw: Any) -> None:
        self._record("drop_index", (index,), kw)

    def create_table_comment(self, table: Table) -> None:
        self._record("create_table_comment", (table,), {})

    def drop_table_comment(self, table: Table) -> None:
        self._record("drop_table_comment", (table,), {})

    def _should_recreate(self) -> bool:
        if self.recreate == "auto":
            return self.impl.requires_recreate_in_batch(self)
        return self.recreate == "always"

    def flush(self) -> None:
        """Apply the recorded changes: one ALTER per change, or a rebuild."""
        if not self.batch:
            return
        if not self._should_recreate():
            for name, args, kw in self.batch:
                getattr(self.impl, name)(*args, **kw)
            return
        table = self._existing_table()
        apply = ApplyBatchImpl(
            self.impl,
            table,
            self.table_args,
            self.table_kwargs,
            self.copy_from is None,
            self.partial_reordering,
        )
        for name, args, kw in self.batch:
            getattr(apply, name)(*args, **kw)
        apply._create(self.impl)

    def _existing_table(self) -> Table:
        metadata = MetaData(naming_convention=dict(self.naming_convention or {}) or None)
        if self.copy_from is not None:
            return self.copy_from.to_metadata(metadata)
        if self.impl.as_sql:
            raise UnsupportedOperationError(
                f"batch_alter_table({self.table_name!r}) must rebuild the table, and in "
                "offline (--sql) mode there is no database to read its current shape from: "
                "pass copy_from=Table(...) describing the table as it is before this step"
            )
        bind = self.operations.get_bind()
        table = Table(
            self.table_name,
            metadata,
            *self.reflect_args,
            schema=self.schema,
            autoload_with=bind,
            **self.reflect_kwargs,
        )
        self.impl.correct_reflected_table(table, bind)
        return table


def _identifier_pattern(name: str) -> re.Pattern[str]:
    """``name`` as a bare or quoted identifier, not as part of a longer one or a string."""
    quoted = "|".join(re.escape(q + name + e) for q, e in ('""', "``", "[]"))
    return re.compile(rf"{quoted}|(?<![\w.'\"`\[]){re.escape(name)}(?![\w'\"`\]])")


def _mentions(sql: str, name: str) -> bool:
    return _identifier_pattern(name).search(sql) is not None


def _rename_in_sql(sql: str, renames: Mapping[str, str], impl: DefaultImpl) -> str:
    """Rewrite column names in a CHECK's SQL text after columns were renamed."""
    quote = impl.dialect.identifier_preparer.quote
    # one pass over all names at once, so a->b, b->c does not become a->c
    pattern = re.compile("|".join(f"(?:{_identifier_pattern(old).pattern})" for old in renames))

    def replace(match: re.Match[str]) -> str:
        token = match.group(0).strip('"`[]')
        return quote(renames.get(token, token))

    return pattern.sub(replace, sql)


def _constraint_columns(const: Constraint) -> list[str]:
    if isinstance(const, ForeignKeyConstraint):
        return [e.parent.name for e in const.elements]
    return [c.name for c in getattr(const, "columns", ())]


class ApplyBatchImpl:
    """Applies recorded changes to an in-memory copy of the table, then rebuilds it."""

    def __init__(
        self,
        impl: DefaultImpl,
        table: Table,
        table_args: tuple[Any, ...],
        table_kwargs: Mapping[str, Any],
        reflected: bool = False,
        partial_reordering: Sequence[tuple[str, ...]] = (),
    ) -> None:
        # Alembic's positional order; ``reflected`` says the table was read from the
        # database rather than given as copy_from (kept for callers, not needed here).
        self.impl = impl
        self.table = table
        self.table_args = table_args
        self.table_kwargs = dict(table_kwargs)
        self.reflected = reflected
        self.reorder = list(partial_reordering)
        self.temp_table_name = self._calc_temp_name(table.name)
        #: the table as rebuilt, under the temporary name; set by ``_create``
        self.new_table: Table | None = None
        self.comment = table.comment
        self.columns: dict[str, Column[Any]] = {}
        #: new column name -> the old column (expression) its data comes from
        self.transfers: dict[str, ColumnElement[Any]] = {}
        self.priority: dict[str, float] = {}
        self.order_edges: set[tuple[str, str]] = set()
        for position, col in enumerate(table.c):
            copy = col._copy()
            # the table's types (PostgreSQL ENUMs) exist already and outlive the rebuild:
            # neither creating the copy nor dropping the old table may create or drop them
            for column in (col, copy):
                if isinstance(column.type, SchemaType):
                    column.type._create_events = False
            copy.index = False  # indexes are rebuilt from table.indexes, after the rename
            copy.unique = False  # uniques are carried as table constraints below
            self.columns[col.name] = copy
            self.transfers[col.name] = col
            self.priority[col.name] = position
        pk = table.primary_key
        self.pk_name = pk.name if pk is not None and isinstance(pk.name, str) else None
        self.named_constraints: dict[str, Constraint] = {}
        self.unnamed_constraints: list[Constraint] = []
        # a CHECK in table_args restates the table's unnamed reflected CHECKs (Alembic's
        # remedy for them): carrying both would check twice
        restated = any(isinstance(arg, CheckConstraint) for arg in table_args)
        for const in table.constraints:
            if isinstance(const, PrimaryKeyConstraint) or getattr(const, "_type_bound", False):
                continue  # the primary key lives in the column flags; type-bound ones in types
            if restated and reflected and isinstance(const, CheckConstraint) and not const.name:
                continue
            self._keep_constraint(const)
        self.indexes: dict[str, Index] = {
            str(ix.name): ix for ix in table.indexes if ix.name is not None
        }
        self.new_indexes: dict[str, Index] = {}
        #: indexes that went with a dropped column
        self.dropped_with_columns: set[str] = set()
        self.renames: dict[str, str] = {}

    @classmethod
    def _calc_temp_name(cls, table_name: str) -> str:
        """The rebuilt table's name until the swap: Alembic's, so that a script cleaning up
        after an interrupted rebuild (``DROP TABLE _alembic_tmp_x``) works unchanged."""
        return f"_alembic_tmp_{table_name}"[:50]

    # -- recorded operations ------------------------------------------------------------

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        copy = column._copy()
        # Column._copy() keeps column-level CHECKs but not foreign keys, and the flags would
        # name their constraints after the temporary table: take all of them from the stub
        # table the column was built on instead, named by the naming convention
        copy.index = copy.unique = False
        stub = column.table
        if isinstance(stub, Table):
            for const in stub.constraints:
                # a type's own CHECK (Boolean, Enum) comes back with the copied type
                if not isinstance(const, PrimaryKeyConstraint) and not getattr(
                    const, "_type_bound", False
                ):
                    self._keep_constraint(const)
            for ix in stub.indexes:
                self.new_indexes[str(ix.name)] = ix
        self.columns[column.name] = copy
        self.priority[column.name] = max(self.priority.values(), default=-1) + 1
        self._place(column.name, insert_before, insert_after)

    def _forget(self, const: Constraint) -> None:
        if isinstance(const.name, str) and self.named_constraints.get(const.name) is const:
            del self.named_constraints[const.name]
        else:
            self.unnamed_constraints.remove(const)

    def _keep_constraint(self, const: Constraint) -> None:
        if isinstance(const.name, str):
            self.named_constraints[const.name] = const
        else:
            self.unnamed_constraints.append(const)

    def _place(self, name: str, before: str | None, after: str | None) -> None:
        if before:
            self.order_edges.add((name, before))
            self.priority[name] = self.priority[before] - 0.5
        if after:
            self.order_edges.add((after, name))
            self.priority[name] = self.priority[after] + 0.5

    def drop_column(self, table_name: str, column: Column[Any] | str, **kw: Any) -> None:
        name = column if isinstance(column, str) else column.name
        if name not in self.columns:
            raise UnsupportedOperationError(
                f"batch drop_column: table {self.table.name!r} has no column {name!r}"
            )
        del self.columns[name]
        self.transfers.pop(name, None)
        # constraints and indexes on the column cannot outlive it
        for key, const in list(self.named_constraints.items()):
            if name in self._current_names(_constraint_columns(const)):
                del self.named_constraints[key]
        self.unnamed_constraints = [
            c
            for c in self.unnamed_constraints
            if name not in self._current_names(_constraint_columns(c))
        ]
        # a reflected CHECK names its columns only in its SQL text
        for const in [*self.named_constraints.values(), *self.unnamed_constraints]:
            if isinstance(const, CheckConstraint) and _mentions(str(const.sqltext), name):
                self._forget(const)
        for indexes in (self.indexes, self.new_indexes):
            for key, ix in list(indexes.items()):
                if name in self._index_column_names(ix):
                    del indexes[key]
                    self.dropped_with_columns.add(key)

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: Any = None,
        autoincrement: bool | None = None,
        comment: str | bool | None = False,
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        if column_name not in self.columns:
            raise UnsupportedOperationError(
                f"batch alter_column: table {self.table.name!r} has no column {column_name!r}"
            )
        existing = self.columns[column_name]
        if type_ is not None:
            type_ = to_instance(type_)
            if isinstance(existing.type, SchemaType):
                # the discarded type still listens for the column joining a table, where it
                # would add its CHECK (Boolean, Enum) to the new table: silence it
                existing.type._create_events = False
                if hasattr(existing.type, "create_constraint"):
                    existing.type.create_constraint = False
            if column_name in self.transfers:
                self.transfers[column_name] = self.impl.batch_transfer(
                    self.transfers[column_name], existing.type, type_
                )
            existing.type = type_
        if nullable is not None:
            existing.nullable = nullable
        if server_default is not False:
            existing.server_default = None
            if server_default is not None:
                DefaultClause(server_default)._set_parent(existing)
        if autoincrement is not None:
            existing.autoincrement = bool(autoincrement)
        if comment is not False:
            existing.comment = comment  # type: ignore[assignment]
        if name is not None and name != column_name:
            # the key stays the old name: new_table.c[old] is the renamed column, as in
            # Alembic, and the copy below addresses columns by key
            existing.name = name
            self.columns = {(name if k == column_name else k): v for k, v in self.columns.items()}
            if column_name in self.transfers:
                self.transfers[name] = self.transfers.pop(column_name)
            self.priority[name] = self.priority.pop(column_name)
            self.order_edges = {
                (name if a == column_name else a, name if b == column_name else b)
                for a, b in self.order_edges
            }
            original = next((o for o, n in self.renames.items() if n == column_name), column_name)
            self.renames[original] = name
        self._place(name or column_name, insert_before, insert_after)

    def add_constraint(self, const: Constraint) -> None:
        if const.name is _NONE_NAME and not isinstance(const, PrimaryKeyConstraint):
            self.unnamed_constraints.append(const)  # explicitly unnamed, as Alembic allows
            return
        if not isinstance(const.name, str) or not const.name:
            raise UnsupportedOperationError(
                f"batch mode on {self.table.name!r} needs constraints to have a name "
                "(or a naming_convention= on batch_alter_table)"
            )
        if isinstance(const, PrimaryKeyConstraint):
            for col in self.columns.values():
                col.primary_key = col.name in {c.name for c in const.columns}
            self.pk_name = const.name
            return
        self.named_constraints[const.name] = const

    def drop_constraint(self, const: Constraint, if_exists: bool | None = None) -> None:
        name = const.name
        if not isinstance(name, str) or not name:
            raise UnsupportedOperationError(
                f"batch mode on {self.table.name!r} can only drop named constraints"
            )
        if isinstance(const, PrimaryKeyConstraint) or name == self.pk_name:
            for col in self.columns.values():
                col.primary_key = False
            self.pk_name = None
            return
        if self.named_constraints.pop(name, None) is not None:
            return
        for col in self.columns.values():
            # a CHECK declared on a column of copy_from travels with the column's copy
            for col_const in list(col.constraints):
                if col_const.name == name:
                    col.constraints.discard(col_const)
                    return
        if not if_exists and not getattr(const, "_type_bound", False):
            # a type's own CHECK comes and goes with the type; nothing to drop here
            raise UnsupportedOperationError(
                f"batch drop_constraint: table {self.table.name!r} has no constraint {name!r}"
            )

    def create_index(self, index: Index, **kw: Any) -> None:
        self.new_indexes[str(index.name)] = index

    def drop_index(self, index: Index, **kw: Any) -> None:
        name = str(index.name)
        if name in self.dropped_with_columns:
            return  # went with a dropped column; dropping it too is what Alembic scripts do
        if self.indexes.pop(name, None) is None and self.new_indexes.pop(name, None) is None:
            raise UnsupportedOperationError(
                f"batch drop_index: table {self.table.name!r} has no index {name!r}"
            )

    def create_table_comment(self, table: Table) -> None:
        self.comment = table.comment

    def drop_table_comment(self, table: Table) -> None:
        self.comment = None

    # -- the rebuild ----------------------------------------------------------------------

    def _create(self, impl: DefaultImpl) -> None:
        """Create the new table, copy the rows, swap the tables, recreate the indexes.

        If copying the rows fails, the new table is dropped again (or rolled back, where
        DDL is transactional) and the old one is left as it was. ``new_table`` keeps the
        temporary name afterwards.
        """
        if self.new_table is not None:
            raise UnsupportedOperationError(
                f"batch rebuild of {self.table.name!r} has run already; it runs once"
            )
        self.new_table = new_table = self._new_table()
        impl.prep_table_for_batch(self, self.table)
        impl.create_table(new_table)
        copied = [n for n in self._ordered_names() if n in self.transfers]
        try:
            if copied:
                impl._exec(
                    new_table.insert()
                    .inline()
                    .from_select(
                        [self.columns[n].key for n in copied],
                        select(*[self._transfer_expr(n) for n in copied]),
                    )
                )
            impl.drop_table(self.table)
        except BaseException:
            if not impl.transactional_ddl:
                # where DDL is transactional the rollback takes the new table away, and
                # PostgreSQL would refuse any further statement in the failed transaction
                impl.drop_table(new_table)
            raise
        impl.rename_table(self.temp_table_name, self.table.name, schema=self.table.schema)
        new_table.name = self.table.name
        try:
            for index in self._gather_indexes_from_both_tables():
                impl.create_index(index)
        finally:
            new_table.name = self.temp_table_name

    def _transfer_expr(self, name: str) -> ColumnElement[Any]:
        expr = self.transfers[name]
        if isinstance(expr, Column):
            return expr
        return expr.label(name)  # a CAST: named as the column it fills

    def _ordered_names(self) -> list[str]:
        edges = set(self.order_edges)
        for group in self.reorder:
            edges.update(itertools.pairwise(group))
        unknown = {n for edge in edges for n in edge} - set(self.columns)
        if unknown:
            raise UnsupportedOperationError(
                f"batch column ordering on {self.table.name!r} names unknown column(s) "
                f"{', '.join(sorted(unknown))}"
            )
        incoming: dict[str, int] = dict.fromkeys(self.columns, 0)
        for _, after in edges:
            incoming[after] += 1
        ready = [(self.priority[n], n) for n, count in incoming.items() if count == 0]
        heapq.heapify(ready)
        ordered: list[str] = []
        while ready:
            _, name = heapq.heappop(ready)
            ordered.append(name)
            for before, after in edges:
                if before == name:
                    incoming[after] -= 1
                    if incoming[after] == 0:
                        heapq.heappush(ready, (self.priority[after], after))
        if len(ordered) != len(self.columns):
            raise UnsupportedOperationError(
                f"batch column ordering on {self.table.name!r} is circular among "
                f"{', '.join(sorted(set(self.columns) - set(ordered)))}"
            )
        return ordered

    def _current_names(self, names: Sequence[str]) -> list[str]:
        return [self.renames.get(n, n) for n in names]

    def _index_column_names(self, index: Index) -> list[str]:
        names = [e.name for e in index.expressions if isinstance(e, Column)]
        table = index.table
        # indexes of the reflected table name old columns; new ones already current names
        return self._current_names(names) if table is self.table else names

    def _new_table(self) -> Table:
        metadata = MetaData()
        columns = [self.columns[n] for n in self._ordered_names()]
        new_table = Table(
            self.temp_table_name,
            metadata,
            *columns,
            *self.table_args,
            schema=self.table.schema,
            comment=self.comment,
            **{**self.table.dialect_kwargs, **self.table_kwargs},
        )
        # copied once the columns are in place: a CHECK written as an expression on the
        # old table's columns is re-pointed at the new table's (renamed) columns
        for const in [*self.named_constraints.values(), *self.unnamed_constraints]:
            copy = self._copy_constraint(const, new_table)
            if copy is not None:
                new_table.append_constraint(copy)
        if self.pk_name is not None:
            new_table.primary_key.name = self.pk_name
        for fk in new_table.foreign_keys:
            SchemaObjects._ensure_table_for_fk(metadata, fk)
        return new_table

    def _copy_constraint(self, const: Constraint, new_table: Table) -> Constraint | None:
        table = const.table
        from_old_table = table is self.table
        names = _constraint_columns(const)
        current = self._current_names(names) if from_old_table else names
        if not set(current) <= set(self.columns):
            return None  # names a column this batch no longer has
        cols = [self.columns[n].key for n in current]
        if isinstance(const, UniqueConstraint):
            return UniqueConstraint(
                *cols, name=const.name, deferrable=const.deferrable, initially=const.initially
            )
        if isinstance(const, CheckConstraint):
            sqltext: Any = const.sqltext
            if not isinstance(sqltext, TextClause):
                return const._copy(target_table=new_table)
            if from_old_table and self.reflected and self.renames:
                # a reflected CHECK is only SQL text: follow the renames in it, or the new
                # table would check a column it no longer has. A CHECK the script wrote
                # (copy_from) is kept as written, as Alembic does; table_args restates it.
                sqltext = text(_rename_in_sql(str(sqltext), self.renames, self.impl))
            return CheckConstraint(
                sqltext,
                name=const.name,
                deferrable=const.deferrable,
                initially=const.initially,
            )
        if isinstance(const, ForeignKeyConstraint):
            return self._copy_fk(const, cols)
        return None

    def _copy_fk(self, const: ForeignKeyConstraint, cols: list[str]) -> ForeignKeyConstraint:
        targets = []
        for elem in const.elements:
            schema, tname, colname = elem._column_tokens
            # a self-reference follows the renames made to this table's columns
            if tname == self.table.name and schema == self.table.schema and colname:
                colname = self.renames.get(colname, colname)
            prefix = f"{schema}.{tname}" if schema else tname
            targets.append(f"{prefix}.{colname}")
        return ForeignKeyConstraint(
            cols,
            targets,
            name=const.name,
            onupdate=const.onupdate,
            ondelete=const.ondelete,
            deferrable=const.deferrable,
            initially=const.initially,
            match=const.match,
            link_to_name=True,
        )

    def _gather_indexes_from_both_tables(self) -> list[Index]:
        """The table's indexes (after renames and drops) and the new ones, on ``new_table``."""
        new_table = self.new_table
        if new_table is None:
            new_table = self.new_table = self._new_table()
        result = []
        for index in [*self.indexes.values(), *self.new_indexes.values()]:
            from_old_table = index.table is self.table
            exprs: list[Any] = []
            for expr in index.expressions:
                if isinstance(expr, Column | str):
                    name = expr if isinstance(expr, str) else expr.name
                    if from_old_table:
                        name = self.renames.get(name, name)
                    exprs.append(new_table.c[self.columns[name].key])
                else:
                    exprs.append(expr)
            result.append(
                Index(index.name, *exprs, unique=bool(index.unique), **index.dialect_kwargs)
            )
        return result
