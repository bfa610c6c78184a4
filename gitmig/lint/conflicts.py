"""Semantic conflicts: two sides of a merge whose ops collide although the graph is clean.

Each side is the list of revisions it added since the git merge-base, oldest first, with
the ops :mod:`gitmig.lint.record` recorded for each. Walking a side's ops, every table,
column, index and constraint it touches is named as it is *at the merge-base* (a rename
chain ``email -> mail -> contact`` is followed back to ``email``); objects a side creates
itself are its own and cannot collide with the other side except by name. Then the two
sides' touches of the same object are paired:

- certain (the merged migrations fail on one order or the other): both create the same
  table, column, index or constraint; one drops or renames what the other still uses
  (alters, indexes, adds a column or a foreign key to, drops, renames);
- likely (a warning): both alter the same column; one changes the type of a column the
  other adds a foreign key to; two indexes on the same columns; an index name used on two
  tables where index names are per table; raw SQL of one side naming what the other drops
  or renames.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from gitmig.lint.record import Recording
    from gitmig.operations.ops import MigrateOperation

__all__ = [
    "SemanticCheck",
    "SemanticConflict",
    "SideOp",
    "SideRevision",
    "Unrecorded",
    "describe",
    "find_conflicts",
]

#: dialects whose index names are unique per schema, not per table
_SCHEMA_WIDE_INDEX_NAMES = frozenset({"postgresql", "sqlite", "oracle"})

_Key = tuple[str | None, ...]


class SideRevision(NamedTuple):
    """One revision a side added: its id, its file (as git names it), what it ran."""

    revision: str
    path: str
    recording: Recording


class SideOp(NamedTuple):
    """One op of one side: the revision, its file and line, and the op as a call."""

    revision: str
    path: str
    line: int | None
    op: str


class SemanticConflict(NamedTuple):
    """Two ops, one per side, that collide on the same database object."""

    #: ``certain`` (fails the check) or ``likely`` (a warning)
    certainty: str
    #: ``table users``, ``column users.email``, ``index ix_users_email`` ...
    subject: str
    #: what happens, in words: ``both add it``, ``one renames it, the other still uses it``
    reason: str
    ours: SideOp
    theirs: SideOp
    #: the database of a multi-database environment
    engine: str | None = None


class Unrecorded(NamedTuple):
    """A revision whose ops could not all be recorded offline (the check is partial)."""

    side: str
    revision: str
    path: str
    reason: str


class SemanticCheck:
    """The semantic conflicts between the revisions two sides added since their merge-base."""

    def __init__(self, ours: str, theirs: str) -> None:
        #: what each side is called (``working tree``, ``index``, ``HEAD``; the ref)
        self.ours = ours
        self.theirs = theirs
        self.conflicts: list[SemanticConflict] = []
        self.unrecorded: list[Unrecorded] = []

    @property
    def certain(self) -> list[SemanticConflict]:
        return [c for c in self.conflicts if c.certainty == "certain"]

    @property
    def likely(self) -> list[SemanticConflict]:
        return [c for c in self.conflicts if c.certainty == "likely"]


class _Touch(NamedTuple):
    key: _Key
    #: create, drop, rename, alter, retype (an alter that changes the type), use, reference
    action: str
    where: SideOp


def _call(name: str, *args: Any, **kw: Any) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v}" for k, v in kw.items()]
    return f"{name}({', '.join(parts)})"


def describe(operation: MigrateOperation) -> str:
    """An op as the ``op.*`` call that made it, with the names that matter."""
    from gitmig.operations import ops

    o: Any = operation
    if isinstance(o, ops.AddColumnOp):
        return _call("add_column", o.table_name, o.column.name)
    if isinstance(o, ops.DropColumnOp):
        return _call("drop_column", o.table_name, o.column_name)
    if isinstance(o, ops.AlterColumnOp):
        changes = {}
        if o.modify_name is not None:
            changes["new_column_name"] = repr(o.modify_name)
        if o.modify_type is not None:
            changes["type_"] = str(o.modify_type)
        if o.modify_nullable is not None:
            changes["nullable"] = repr(o.modify_nullable)
        if o.modify_server_default is not False:
            changes["server_default"] = "..."
        if o.modify_comment is not False:
            changes["comment"] = "..."
        return _call("alter_column", o.table_name, o.column_name, **changes)
    if isinstance(o, ops.RenameTableOp):
        return _call("rename_table", o.table_name, o.new_table_name)
    if isinstance(o, (ops.CreateTableOp, ops.DropTableOp)):
        return _call(
            "create_table" if isinstance(o, ops.CreateTableOp) else "drop_table", o.table_name
        )
    if isinstance(o, ops.CreateIndexOp):
        cols = [c if isinstance(c, str) else str(c) for c in o.columns]
        return _call("create_index", o.index_name, o.table_name, cols)
    if isinstance(o, ops.DropIndexOp):
        return _call("drop_index", o.index_name)
    if isinstance(o, ops.CreateForeignKeyOp):
        return _call("create_foreign_key", o.constraint_name, o.source_table, o.referent_table)
    if isinstance(o, ops.DropConstraintOp):
        return _call("drop_constraint", o.constraint_name, o.table_name)
    if isinstance(o, ops.BulkInsertOp):
        return _call("bulk_insert", getattr(o.table, "name", "?"))
    if isinstance(o, ops.ExecuteSQLOp):
        return "execute(...)"
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(o).__name__.removesuffix("Op")).lower()
    table = getattr(o, "table_name", None)
    return _call(name, table) if isinstance(table, str) else _call(name)


def _subject(key: _Key) -> str:
    kind = key[0]
    schema = f"{key[1]}." if key[1] else ""
    if kind == "table":
        return f"table {schema}{key[2]}"
    if kind == "column":
        return f"column {schema}{key[2]}.{key[3]}"
    if kind == "index":
        return f"index {schema}{key[-1]}"
    if kind == "index-columns":
        return f"an index on {schema}{key[2]} ({key[3]})"
    return f"constraint {key[3]} on {schema}{key[2]}"


class _Side:
    """Walks one side's ops and names what they touch as it is at the merge-base."""

    def __init__(self, dialect: str) -> None:
        self.schema_wide_indexes = dialect in _SCHEMA_WIDE_INDEX_NAMES
        #: a table's current name -> its name at the merge-base (``None``: created here)
        self.tables: dict[tuple[str | None, str], tuple[str | None, str] | None] = {}
        #: (base table, current column name) -> column name at the merge-base (or None)
        self.columns: dict[tuple[tuple[str | None, str], str], str | None] = {}
        self.own_names: set[_Key] = set()
        self.touches: list[_Touch] = []
        #: raw SQL this side runs, lowercased, with where it runs
        self.sql: list[tuple[str, SideOp]] = []

    def table(self, schema: str | None, name: str) -> tuple[str | None, str] | None:
        key = (schema, name)
        return self.tables.get(key, key)

    def column(self, table: tuple[str | None, str], name: str) -> str | None:
        key = (table, name)
        return self.columns.get(key, name)

    def touch(self, key: _Key, action: str, where: SideOp) -> None:
        self.touches.append(_Touch(key, action, where))

    def use_table(self, schema: str | None, name: str, where: SideOp, action: str = "use") -> None:
        base = self.table(schema, name)
        if base is not None:
            self.touch(("table", *base), action, where)

    def use_columns(
        self, schema: str | None, table: str, cols: Iterable[Any], where: SideOp, action: str
    ) -> None:
        base = self.table(schema, table)
        if base is None:
            return
        for col in cols:
            if isinstance(col, str):
                name = self.column(base, col)
                if name is not None:
                    self.touch(("column", *base, name), action, where)

    def index_key(self, schema: str | None, table: str | None, name: str) -> _Key:
        if self.schema_wide_indexes or table is None:
            return ("index", schema, name)
        base = self.table(schema, table) or (schema, table)
        return ("index", schema, base[1], name)

    def references(self, columns: Iterable[Any], where: SideOp) -> None:
        """The foreign keys of a new table's or column's definition."""
        from sqlalchemy import Column, ForeignKeyConstraint

        for item in columns:
            specs: list[str] = []
            if isinstance(item, Column):
                specs = [fk.target_fullname for fk in item.foreign_keys]
            elif isinstance(item, ForeignKeyConstraint):
                specs = [fk.target_fullname for fk in item.elements]
            for spec in specs:
                *table_part, col = spec.split(".")
                if not table_part:
                    continue
                schema = ".".join(table_part[:-1]) or None
                self.use_table(schema, table_part[-1], where, "reference")
                self.use_columns(schema, table_part[-1], [col], where, "reference")

    def add(self, operation: MigrateOperation, where: SideOp) -> None:
        from gitmig.operations import ops

        o: Any = operation
        schema = getattr(o, "schema", None)
        if isinstance(o, ops.CreateTableOp):
            self.touch(("table", schema, o.table_name), "create", where)
            self.tables[(schema, o.table_name)] = None
            self.references(o.columns, where)
        elif isinstance(o, ops.DropTableOp):
            self.use_table(schema, o.table_name, where, "drop")
            self.tables[(schema, o.table_name)] = None
        elif isinstance(o, ops.RenameTableOp):
            self.use_table(schema, o.table_name, where, "rename")
            self.touch(("table", schema, o.new_table_name), "create", where)
            self.tables[(schema, o.new_table_name)] = self.table(schema, o.table_name)
            self.tables[(schema, o.table_name)] = None
        elif isinstance(o, ops.AddColumnOp):
            base = self.table(schema, o.table_name)
            if base is not None:
                self.touch(("table", *base), "use", where)
                self.touch(("column", *base, o.column.name), "create", where)
                self.columns[(base, o.column.name)] = None
            self.references([o.column], where)
        elif isinstance(o, ops.DropColumnOp):
            self.use_table(schema, o.table_name, where)
            self.use_columns(schema, o.table_name, [o.column_name], where, "drop")
            base = self.table(schema, o.table_name)
            if base is not None:
                self.columns[(base, o.column_name)] = None
        elif isinstance(o, ops.AlterColumnOp):
            self.alter_column(o, schema, where)
        elif isinstance(o, ops.CreateIndexOp):
            self.use_table(schema, o.table_name, where)
            self.use_columns(schema, o.table_name, o.columns, where, "use")
            if o.index_name:
                self.touch(self.index_key(schema, o.table_name, o.index_name), "create", where)
                self.own_names.add(self.index_key(schema, o.table_name, o.index_name))
            base = self.table(schema, o.table_name)
            cols = [c for c in o.columns if isinstance(c, str)]
            if base is not None and cols and len(cols) == len(o.columns):
                names = ", ".join(self.column(base, c) or c for c in cols)
                self.touch(("index-columns", *base, names), "create", where)
        elif isinstance(o, ops.DropIndexOp):
            index = self.index_key(schema, o.table_name, o.index_name or "")
            if o.index_name and index not in self.own_names:
                self.touch(index, "drop", where)
            if o.table_name:
                self.use_table(schema, o.table_name, where)
        elif isinstance(o, ops.CreateForeignKeyOp):
            self.constraint(schema, o.source_table, o.constraint_name, o.local_cols, where)
            referent = o.kw.get("referent_schema")
            self.use_table(referent, o.referent_table, where, "reference")
            self.use_columns(referent, o.referent_table, o.remote_cols, where, "reference")
        elif isinstance(o, ops.AddConstraintOp):
            cols = getattr(o, "columns", [])
            self.constraint(schema, o.table_name, getattr(o, "constraint_name", None), cols, where)
        elif isinstance(o, ops.DropConstraintOp):
            self.use_table(schema, o.table_name, where)
            base = self.table(schema, o.table_name)
            named: _Key = ("constraint", *(base or (schema, o.table_name)), o.constraint_name)
            if base is not None and named not in self.own_names:
                self.touch(named, "drop", where)
        elif isinstance(o, ops.BulkInsertOp):
            self.use_table(getattr(o.table, "schema", None), o.table.name, where)
        elif isinstance(o, ops.ExecuteSQLOp):
            text = o.sqltext if isinstance(o.sqltext, str) else getattr(o.sqltext, "text", "")
            self.sql.append((str(text).lower(), where))
        elif isinstance(getattr(o, "table_name", None), str):
            self.use_table(schema, o.table_name, where)  # comments and the like

    def constraint(
        self,
        schema: str | None,
        table: str,
        name: str | None,
        cols: Sequence[Any],
        where: SideOp,
    ) -> None:
        self.use_table(schema, table, where)
        self.use_columns(schema, table, cols, where, "use")
        base = self.table(schema, table)
        if name and base is not None:
            key: _Key = ("constraint", *base, name)
            self.touch(key, "create", where)
            self.own_names.add(key)

    def alter_column(self, o: Any, schema: str | None, where: SideOp) -> None:
        base = self.table(schema, o.table_name)
        if base is None:
            return
        self.touch(("table", *base), "use", where)
        name = self.column(base, o.column_name)
        if name is None:
            return  # a column this side added
        changes = (
            o.modify_type is not None
            or o.modify_nullable is not None
            or o.modify_server_default is not False
            or o.modify_comment is not False
        )
        if changes:
            self.touch(
                ("column", *base, name), "retype" if o.modify_type is not None else "alter", where
            )
        if o.modify_name is not None:
            self.touch(("column", *base, name), "rename", where)
            self.touch(("column", *base, o.modify_name), "create", where)
            self.columns[(base, o.modify_name)] = name
            self.columns[(base, o.column_name)] = None


_REMOVES = frozenset({"drop", "rename"})


def _pair(key: _Key, first: str, second: str) -> tuple[str, str] | None:
    """(certainty, reason) when ``first`` on one side and ``second`` on the other collide."""
    actions = {first, second}
    if first in _REMOVES or second in _REMOVES:
        if first == second:
            return ("certain", f"both {'drop' if first == 'drop' else 'rename'} it")
        remover = first if first in _REMOVES else second
        return ("certain", f"one side {remover}s it, the other still uses it by that name")
    if first == second == "create":
        if key[0] == "index-columns":
            return ("likely", "both add an index on the same columns")
        return ("certain", "both create it")
    if actions <= {"alter", "retype"}:
        return ("likely", "both alter it; the one that runs last decides")
    if actions == {"retype", "reference"}:
        return ("likely", "one side changes its type, the other adds a foreign key to it")
    return None


def find_conflicts(
    ours: Sequence[SideRevision],
    theirs: Sequence[SideRevision],
    check: SemanticCheck,
    engine: str | None = None,
) -> None:
    """Add to ``check`` the conflicts between the ops of ``ours`` and ``theirs``."""
    sides = []
    for name, revisions in (("ours", ours), ("theirs", theirs)):
        dialect = revisions[0].recording.dialect if revisions else "postgresql"
        side = _Side(dialect)
        for rev in revisions:
            recording = rev.recording
            for recorded in recording.ops:
                side.add(
                    recorded.op,
                    SideOp(rev.revision, rev.path, recorded.line, describe(recorded.op)),
                )
            if recording.failure:
                line = recording.failure_span[0] if recording.failure_span else None
                at = f" (line {line})" if line else ""
                check.unrecorded.append(
                    Unrecorded(name, rev.revision, rev.path, f"{recording.failure}{at}")
                )
        sides.append(side)
    mine, other = sides
    found: dict[_Key, SemanticConflict] = {}
    rank = {"certain": 0, "likely": 1}
    for a in mine.touches:
        for b in other.touches:
            if a.key != b.key:
                continue
            verdict = _pair(a.key, a.action, b.action)
            if verdict is None:
                continue
            certainty, reason = verdict
            conflict = SemanticConflict(
                certainty, _subject(a.key), reason, a.where, b.where, engine
            )
            held = found.get(a.key)
            if held is None or rank[conflict.certainty] < rank[held.certainty]:
                found[a.key] = conflict
    found.update(_index_names_across_tables(mine, other, engine, found))
    _raw_sql(mine, other, found, engine, flip=False)
    _raw_sql(other, mine, found, engine, flip=True)
    check.conflicts.extend(found.values())


def _index_names_across_tables(
    mine: _Side, other: _Side, engine: str | None, found: dict[_Key, SemanticConflict]
) -> dict[_Key, SemanticConflict]:
    """Where index names are per table, the same name on two tables is only a warning."""
    out: dict[_Key, SemanticConflict] = {}
    if mine.schema_wide_indexes:
        return out
    for a in mine.touches:
        for b in other.touches:
            if (
                a.key[0] == b.key[0] == "index"
                and a.action == b.action == "create"
                and a.key != b.key
                and a.key[-1] == b.key[-1]
                and a.key not in found
            ):
                out[a.key] = SemanticConflict(
                    "likely",
                    f"index {a.key[-1]}",
                    "both create an index of that name, on different tables",
                    a.where,
                    b.where,
                    engine,
                )
    return out


def _raw_sql(
    runs: _Side,
    removes: _Side,
    found: dict[_Key, SemanticConflict],
    engine: str | None,
    flip: bool,
) -> None:
    """Raw SQL of one side that names a table or column the other drops or renames."""
    for touch in removes.touches:
        if touch.action not in _REMOVES or touch.key[0] not in ("table", "column"):
            continue
        if touch.key in found:
            continue
        words = [str(touch.key[2]).lower()]
        if touch.key[0] == "column":
            words.append(str(touch.key[3]).lower())
        for text, where in runs.sql:
            if all(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
                ours, theirs = (touch.where, where) if flip else (where, touch.where)
                found[touch.key] = SemanticConflict(
                    "likely",
                    _subject(touch.key),
                    f"one side {touch.action}s it, raw SQL of the other mentions it",
                    ours,
                    theirs,
                    engine,
                )
                break
