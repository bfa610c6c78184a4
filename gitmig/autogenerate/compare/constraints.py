"""Foreign keys, named check constraints and table comments (indexes and unique
constraints: :mod:`gitmig.autogenerate.compare.indexes`).

Matching rules (the documented limits follow from them):

- foreign keys match by what they do (columns, referred table and columns, ON DELETE and
  ON UPDATE), not by name: a renamed foreign key is no change.
- check constraints are compared by name only, and only named ones: databases rewrite the
  SQL of a condition, so a changed condition under the same name is not detected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, Index

from gitmig.autogenerate.compare import comparators

# registers the index comparator first: it runs before the foreign keys', as in Alembic
from gitmig.autogenerate.compare import indexes as _indexes  # noqa: F401
from gitmig.autogenerate.compare.tables import parent_names, schema_key
from gitmig.operations.ops import (
    CreateCheckConstraintOp,
    CreateForeignKeyOp,
    CreateTableCommentOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableCommentOp,
)

if TYPE_CHECKING:
    from sqlalchemy import Constraint, Table

    from gitmig.autogenerate.context import AutogenContext
    from gitmig.autogenerate.reflect import ReflectedTable
    from gitmig.operations.ops import ModifyTableOps

__all__ = [
    "compare_check_constraints",
    "compare_foreign_keys",
    "compare_table_comment",
]

log = logging.getLogger("gitmig.autogenerate")


def _reflected(conn_table: ReflectedTable, kind: type[Constraint], name: str) -> Any:
    return next(c for c in conn_table.table.constraints if isinstance(c, kind) and c.name == name)


def _str_name(name: object) -> str | None:
    return name if isinstance(name, str) else None


def _index_columns(index: Index) -> tuple[str | None, ...]:
    return tuple(e.name if isinstance(e, Column) else None for e in index.expressions)


def _fk_signature(
    autogen_context: AutogenContext,
    local: Iterable[str],
    ref_schema: str | None,
    ref_table: str,
    remote: Iterable[str],
    options: Mapping[str, Any],
) -> tuple[Any, ...]:
    rules = autogen_context.rules
    actions = tuple(rules.normalize_fk_action(options.get(key)) for key in ("ondelete", "onupdate"))
    return (
        tuple(local),
        schema_key(autogen_context, ref_schema),
        ref_table,
        tuple(remote),
        actions,
    )


@comparators.dispatch_for("table")
def compare_foreign_keys(
    autogen_context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: ReflectedTable,
    metadata_table: Table,
) -> None:
    """Foreign keys added or dropped (a changed one is dropped and added)."""
    parents = parent_names(schema, table_name)
    run_object = autogen_context.run_object_filters
    conn: dict[tuple[Any, ...], dict[str, Any]] = {}
    for fk in conn_table.foreign_keys:
        if not autogen_context.run_name_filters(fk.get("name"), "foreign_key_constraint", parents):
            continue
        key = _fk_signature(
            autogen_context,
            fk["constrained_columns"],
            fk.get("referred_schema"),
            fk["referred_table"],
            fk["referred_columns"],
            fk.get("options") or {},
        )
        conn[key] = fk
    model_fk_columns = {
        tuple(e.parent.name for e in fkc.elements) for fkc in metadata_table.foreign_key_constraints
    }
    for fkc in sorted(metadata_table.foreign_key_constraints, key=lambda f: str(f.name or "")):
        if not run_object(fkc, _str_name(fkc.name), "foreign_key_constraint", False, None):
            continue
        ref_schema, ref_table, _ = fkc.elements[0]._column_tokens
        key = _fk_signature(
            autogen_context,
            [e.parent.name for e in fkc.elements],
            ref_schema,
            ref_table or "",
            [e._column_tokens[2] or "" for e in fkc.elements],
            {"ondelete": fkc.ondelete, "onupdate": fkc.onupdate},
        )
        if conn.pop(key, None) is None:
            modify_ops.ops.append(CreateForeignKeyOp.from_constraint(fkc))
    for fk in conn.values():
        name = fk.get("name")
        if name is None:
            log.warning(
                "Foreign key on %s(%s) has no name in the database; gitmig cannot drop it",
                table_name,
                ", ".join(fk["constrained_columns"]),
            )
            continue
        reflected = _reflected(conn_table, ForeignKeyConstraint, name)
        if run_object(reflected, name, "foreign_key_constraint", True, None):
            modify_ops.ops.append(DropConstraintOp.from_constraint(reflected))
            # the index MySQL made for this key stays behind unless dropped too
            columns = list(fk["constrained_columns"])
            for index in conn_table.implicit_indexes:
                if index["column_names"] == columns and tuple(columns) not in model_fk_columns:
                    modify_ops.ops.append(DropIndexOp.from_index(conn_table.index(index["name"])))


@comparators.dispatch_for("table")
def compare_check_constraints(
    autogen_context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: ReflectedTable,
    metadata_table: Table,
) -> None:
    """Named check constraints added or dropped (compared by name)."""
    parents = parent_names(schema, table_name)
    run_object = autogen_context.run_object_filters
    conn = {
        ck["name"]: ck
        for ck in conn_table.check_constraints
        if ck.get("name")
        and autogen_context.run_name_filters(ck["name"], "check_constraint", parents)
    }
    for ck in metadata_table.constraints:
        if not isinstance(ck, CheckConstraint) or not isinstance(ck.name, str):
            continue
        if getattr(ck, "_type_bound", False):
            continue  # made by an Enum/Boolean type; it follows the column
        if not run_object(ck, ck.name, "check_constraint", False, None):
            continue
        if conn.pop(ck.name, None) is None:
            modify_ops.ops.append(CreateCheckConstraintOp.from_constraint(ck))
    model_columns = {c.name for c in metadata_table.c}
    for name in conn:
        if name in model_columns:
            continue  # MariaDB names a column's own check (e.g. JSON's) after the column
        reflected = _reflected(conn_table, CheckConstraint, name)
        if run_object(reflected, name, "check_constraint", True, None):
            modify_ops.ops.append(DropConstraintOp.from_constraint(reflected))


@comparators.dispatch_for("table")
def compare_table_comment(
    autogen_context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: ReflectedTable,
    metadata_table: Table,
) -> None:
    """The table comment, on databases that keep comments."""
    if not getattr(autogen_context.dialect, "supports_comments", False):
        return
    current = conn_table.comment or None
    wanted = metadata_table.comment or None
    if current == wanted:
        return
    if wanted is None:
        modify_ops.ops.append(
            DropTableCommentOp(table_name, schema=schema, existing_comment=current)
        )
    else:
        modify_ops.ops.append(
            CreateTableCommentOp(table_name, wanted, schema=schema, existing_comment=current)
        )
