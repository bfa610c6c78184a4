"""The reflected schema of a database as plain text, and the differences between two.

A snapshot maps each object (``table account``, ``view v``, ``sequence s``, ``type mood``)
to its parts (``column email``, ``index ix_name``, ``foreign key fk_x`` ...), each described
in one line (``VARCHAR(200) NOT NULL DEFAULT 'x'``). Text, not SQLAlchemy objects, so that
two snapshots compare with ``==`` and a difference reads as the sentence a developer needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.engine.reflection import Inspector

__all__ = ["Snapshot", "describe_differences", "reflect_schema"]

#: object -> part -> description
Snapshot = dict[str, dict[str, str]]


def reflect_schema(connection: Connection, exclude: Iterable[str] = ()) -> Snapshot:
    """The tables (columns with type, nullability, default; primary key, indexes, unique,
    foreign key and check constraints), views, sequences and enum types of the connection's
    default schema, without the tables named in ``exclude`` (gitmig's own tables) and the
    sequences their serial columns made (``<table>_<column>_seq``)."""
    inspector = sa.inspect(connection)
    dialect = connection.dialect
    skip = set(exclude)
    found: Snapshot = {}
    for table in inspector.get_table_names():
        if table not in skip:
            found[f"table {table}"] = _table(inspector, dialect, table)
    for view in _names(inspector.get_view_names):
        found[f"view {view}"] = {}
    owned = tuple(f"{table}_" for table in skip)
    for sequence in _names(inspector.get_sequence_names):
        if not (sequence.startswith(owned) and sequence.endswith("_seq")):
            found[f"sequence {sequence}"] = {}
    get_enums: Callable[[], list[Any]] | None = getattr(inspector, "get_enums", None)
    for enum in get_enums() if get_enums is not None else []:
        if enum.get("visible", True):
            found[f"type {enum['name']}"] = {"values": ", ".join(map(repr, enum["labels"]))}
    return found


def _names(method: Callable[[], list[str]]) -> list[str]:
    try:
        return method()
    except NotImplementedError:  # the dialect has no such objects
        return []


def _columns(names: Iterable[str | None]) -> str:
    return "(" + ", ".join(name if name is not None else "<expression>" for name in names) + ")"


def _type(column_type: Any, dialect: Dialect) -> str:
    try:
        return str(column_type.compile(dialect=dialect))
    except Exception:  # a reflected type the dialect cannot render (NullType): say what it is
        return repr(column_type)


def _table(inspector: Inspector, dialect: Dialect, table: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for column in inspector.get_columns(table):
        text = _type(column["type"], dialect)
        text += " NULL" if column.get("nullable", True) else " NOT NULL"
        if column.get("default") is not None:
            text += f" DEFAULT {column['default']}"
        computed = column.get("computed")
        if computed:
            text += f" GENERATED AS ({computed['sqltext']})"
        if column.get("comment"):
            text += f" COMMENT {column['comment']!r}"
        parts[f"column {column['name']}"] = text
    primary = inspector.get_pk_constraint(table).get("constrained_columns") or []
    if primary:
        parts["primary key"] = _columns(primary)
    for index in inspector.get_indexes(table):
        names: list[str | None] = list(index.get("column_names") or [])
        described = ("UNIQUE " if index.get("unique") else "") + _columns(names)
        if index.get("expressions"):
            described += " ON " + ", ".join(str(e) for e in index["expressions"])
        parts[_named("index", index.get("name"), described)] = described
    for unique in _optional(inspector.get_unique_constraints, table):
        described = _columns(unique["column_names"])
        parts[_named("unique constraint", unique.get("name"), described)] = described
    for fk in inspector.get_foreign_keys(table):
        described = (
            f"{_columns(fk['constrained_columns'])} -> "
            f"{fk['referred_table']}{_columns(fk['referred_columns'])}"
        )
        options = fk.get("options") or {}
        described += "".join(f" {key.upper()} {value}" for key, value in sorted(options.items()))
        parts[_named("foreign key", fk.get("name"), described)] = described
    for check in _optional(inspector.get_check_constraints, table):
        described = str(check["sqltext"])
        parts[_named("check constraint", check.get("name"), described)] = described
    return parts


def _optional(method: Callable[[str], list[Any]], table: str) -> list[Any]:
    try:
        return method(table)
    except NotImplementedError:
        return []


def _named(kind: str, name: str | None, described: str) -> str:
    # An unnamed constraint (SQLite) is known by what it holds.
    return f"{kind} {name}" if name else f"{kind} {described}"


def describe_differences(expected: Mapping[str, Mapping[str, str]], actual: Snapshot) -> list[str]:
    """One line per difference of ``actual`` from ``expected``: what is extra, what is
    missing, what changed (and how)."""
    lines = []
    for obj in sorted(expected.keys() | actual.keys()):
        if obj not in actual:
            lines.append(f"{obj} is missing")
            continue
        if obj not in expected:
            parts = actual[obj]
            columns = [p.removeprefix("column ") for p in parts if p.startswith("column ")]
            lines.append(f"{obj} is extra" + (f" ({', '.join(columns)})" if columns else ""))
            continue
        before, after = expected[obj], actual[obj]
        for part in sorted(before.keys() | after.keys()):
            if part not in after:
                lines.append(f"{obj}: {part} ({before[part]}) is missing")
            elif part not in before:
                lines.append(f"{obj}: {part} ({after[part]}) is extra")
            elif before[part] != after[part]:
                lines.append(f"{obj}: {part} is {after[part]}, expected {before[part]}")
    return lines
