"""Schema-level comparison: which tables are new, gone or changed, in a safe order.

Upgrade order, as Alembic's where that is safe: new tables (those referenced by foreign keys
first), then dropped tables (referencing tables first), then changes to existing tables; the
dropped tables go last instead when a change drops a foreign key that refers to one of them.
The downgrade is the reverse, so it is safe too.  Within one table, operations are ordered by
phase (see :data:`PHASES`): a column's indexes and foreign keys are dropped before the
column, new ones created after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKeyConstraint, Table
from sqlalchemy.schema import sort_tables_and_constraints

from gitmig.autogenerate.compare import comparators
from gitmig.autogenerate.reflect import ReflectedTable, reflect_tables
from gitmig.operations.ops import (
    AddColumnOp,
    AlterColumnOp,
    CreateCheckConstraintOp,
    CreateForeignKeyOp,
    CreateIndexOp,
    CreateTableCommentOp,
    CreateTableOp,
    CreateUniqueConstraintOp,
    DropColumnOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableCommentOp,
    DropTableOp,
    MigrateOperation,
    ModifyTableOps,
    UpgradeOps,
)

if TYPE_CHECKING:
    from sqlalchemy import Index

    from gitmig.autogenerate.context import AutogenContext

__all__ = ["PHASES", "compare_schemas", "parent_names", "populate_upgrade_ops", "schema_key"]

log = logging.getLogger("gitmig.autogenerate")

#: where each operation goes within one table's changes, in Alembic's order: new columns,
#: changed columns, then indexes and constraints (in the order found), dropped columns last.
#: A foreign key is dropped before the indexes (MySQL keeps one for it); unknown: 30.
PHASES: dict[type[MigrateOperation], int] = {
    AddColumnOp: 10,
    AlterColumnOp: 20,
    DropIndexOp: 30,
    DropConstraintOp: 30,
    CreateIndexOp: 30,
    CreateUniqueConstraintOp: 30,
    CreateCheckConstraintOp: 30,
    CreateForeignKeyOp: 35,
    CreateTableCommentOp: 40,
    DropTableCommentOp: 40,
    DropColumnOp: 50,
}


def _phase(op: MigrateOperation) -> int:
    if isinstance(op, DropConstraintOp) and op.constraint_type == "foreignkey":
        return 25  # before the indexes MySQL keeps for it
    for klass in type(op).__mro__:
        if klass in PHASES:
            return PHASES[klass]
    return 30


def populate_upgrade_ops(autogen_context: AutogenContext, upgrade_ops: UpgradeOps) -> None:
    """Compare the models with the database and append the operations to ``upgrade_ops``."""
    schemas = _schemas(autogen_context)
    dialect = autogen_context.dialect
    comparators.dispatch("schema", dialect.name if dialect is not None else None)(
        autogen_context, upgrade_ops, schemas
    )


def schema_key(autogen_context: AutogenContext, schema: str | None) -> str | None:
    """``None`` for the default schema, whichever way it is spelled."""
    if schema is None or schema == autogen_context.inspector.default_schema_name:
        return None
    return schema


_SYSTEM_SCHEMAS = frozenset({"information_schema", "performance_schema", "mysql", "sys"})


def _schemas(autogen_context: AutogenContext) -> list[str | None]:
    default_included = autogen_context.run_name_filters(None, "schema", {})
    found: list[str | None] = [None] if default_included else []
    if not autogen_context.opts.get("include_schemas", False):
        return found
    inspector = autogen_context.inspector
    for name in sorted(inspector.get_schema_names()):
        if name in _SYSTEM_SCHEMAS or name.startswith("pg_"):
            continue
        key = schema_key(autogen_context, name)
        if key is None:
            continue
        if autogen_context.run_name_filters(key, "schema", {}):
            found.append(key)
    return found


def _is_version_table(autogen_context: AutogenContext, schema: str | None, name: str) -> bool:
    """gitmig's own tables (the version table and the ledger): never compared with models."""
    opts = autogen_context.opts
    version_schema = opts.get("version_table_schema")
    own = [(opts.get("version_table") or "gitmig_version", version_schema)]
    context = autogen_context.migration_context
    if context is not None:
        own.append((context.ledger.name, context.ledger.schema))
    return any(
        name == table and schema == schema_key(autogen_context, table_schema)
        for table, table_schema in own
    )


@comparators.dispatch_for("schema")
def compare_schemas(
    autogen_context: AutogenContext, upgrade_ops: UpgradeOps, schemas: Sequence[str | None]
) -> None:
    """Tables added, dropped and changed in each schema."""
    inspector = autogen_context.inspector
    rules = autogen_context.rules
    supports_comments = bool(getattr(autogen_context.dialect, "supports_comments", False))
    model: dict[tuple[str | None, str], Table] = {}
    for (schema, name), table in autogen_context.table_key_to_table.items():
        normalized = schema_key(autogen_context, schema)
        if normalized in schemas and not _is_version_table(autogen_context, normalized, name):
            model[(normalized, name)] = table
    reflected: dict[tuple[str | None, str], ReflectedTable] = {}
    for schema in schemas:
        names = [
            name
            for name in inspector.get_table_names(schema=schema)
            if not _is_version_table(autogen_context, schema, name)
            and autogen_context.run_name_filters(name, "table", {"schema_name": schema})
        ]
        tables = reflect_tables(
            inspector,
            schema,
            names,
            comments=supports_comments,
            fix_column=rules.fix_reflected_column,
        )
        for name, conn_table in tables.items():
            rules.fix_reflected_table(conn_table)
            reflected[(schema, name)] = conn_table

    created = [
        model[key]
        for key in model
        if key not in reflected
        and autogen_context.run_object_filters(model[key], key[1], "table", False, None)
    ]
    _add_created_tables(autogen_context, upgrade_ops, created)

    changes: list[ModifyTableOps] = []
    for key in sorted(model.keys() & reflected.keys(), key=lambda k: (k[0] or "", k[1])):
        metadata_table, conn_table = model[key], reflected[key]
        compare_to = conn_table.table if autogen_context.has_object_filter else None
        if not autogen_context.run_object_filters(
            metadata_table, key[1], "table", False, compare_to
        ):
            continue
        modify = ModifyTableOps(key[1], [], schema=metadata_table.schema)
        comparators.dispatch(
            "table", autogen_context.dialect.name if autogen_context.dialect else None
        )(autogen_context, modify, metadata_table.schema, key[1], conn_table, metadata_table)
        if modify.ops:
            modify.ops.sort(key=_phase)
            changes.append(modify)

    removed = []
    for key, conn_table in reflected.items():
        if key in model:
            continue
        # a unique index MySQL also reports as a constraint is dropped as the index, as
        # Alembic does (before .table is built from the lists)
        conn_table.split_unique_indexes([ix["name"] for ix in conn_table.indexes])
        if autogen_context.run_object_filters(conn_table.table, key[1], "table", True, None):
            removed.append(conn_table)
    dropped = UpgradeOps([])
    _add_removed_tables(autogen_context, dropped, removed)
    if _drops_fk_to(changes, {(t.schema, t.name) for t in removed}):
        upgrade_ops.ops.extend([*changes, *dropped.ops])
    else:
        upgrade_ops.ops.extend([*dropped.ops, *changes])


def _drops_fk_to(changes: Sequence[ModifyTableOps], tables: set[tuple[str | None, str]]) -> bool:
    """Whether one of ``changes`` drops a foreign key referring to one of ``tables``."""
    for modify in changes:
        for op_ in modify.ops:
            create = op_._reverse if isinstance(op_, DropConstraintOp) else None
            if isinstance(create, CreateForeignKeyOp) and any(
                name == create.referent_table for _, name in tables
            ):
                return True
    return False


def _add_created_tables(
    autogen_context: AutogenContext, upgrade_ops: UpgradeOps, tables: Iterable[Table]
) -> None:
    wanted = set(tables)
    if not wanted:
        return
    # Foreign keys in a cycle (or marked use_alter) are added once every table exists.
    later: list[ForeignKeyConstraint] = []
    ordered: list[Table] = []
    for table, fkcs in sort_tables_and_constraints(  # type: ignore[no-untyped-call]
        [t for t in autogen_context.sorted_tables() if t in wanted]
    ):
        if table is not None:
            ordered.append(table)
        else:
            later.extend(fkc for fkc in fkcs if fkc.table in wanted)
    for table in ordered:
        create = CreateTableOp.from_table(table)
        if later:
            create.columns = [
                item for item in create.columns if not any(item is fkc for fkc in later)
            ]
        upgrade_ops.ops.append(create)
        _add_index_ops(autogen_context, upgrade_ops, table, CreateIndexOp.from_index, False)
    for fkc in later:
        table = fkc.table
        assert isinstance(table, Table)
        upgrade_ops.ops.append(
            ModifyTableOps(
                table.name, [CreateForeignKeyOp.from_constraint(fkc)], schema=table.schema
            )
        )


def _add_removed_tables(
    autogen_context: AutogenContext, upgrade_ops: UpgradeOps, tables: Sequence[ReflectedTable]
) -> None:
    by_key = {(t.schema, t.name): t for t in tables}
    # referencing tables go first: sort by dependency, then reverse
    depends = {
        key: {
            (schema_key(autogen_context, fk.get("referred_schema")), fk["referred_table"])
            for fk in t.foreign_keys
        }
        & by_key.keys()
        for key, t in by_key.items()
    }
    for key in reversed(_topological(sorted(by_key, key=lambda k: (k[0] or "", k[1])), depends)):
        table = by_key[key].table
        _add_index_ops(autogen_context, upgrade_ops, table, DropIndexOp.from_index, True)
        upgrade_ops.ops.append(DropTableOp.from_table(table))


def _add_index_ops(
    autogen_context: AutogenContext,
    upgrade_ops: UpgradeOps,
    table: Table,
    make: Callable[[Index], MigrateOperation],
    reflected: bool,
) -> None:
    """One ``ModifyTableOps`` creating (or dropping) the indexes of a new (or dropped) table."""
    indexes = [
        make(index)
        for index in sorted(table.indexes, key=lambda i: str(i.name))
        if autogen_context.run_object_filters(index, index.name, "index", reflected, None)
    ]
    if indexes:
        upgrade_ops.ops.append(ModifyTableOps(table.name, indexes, schema=table.schema))


def _topological(keys: Sequence[Any], depends: dict[Any, set[Any]]) -> list[Any]:
    """``keys`` with each one after those it depends on (cycles broken in given order)."""
    done: list[Any] = []
    seen: set[Any] = set()

    def visit(key: Any, path: set[Any]) -> None:
        if key in seen or key in path:
            return
        path.add(key)
        for dep in sorted(depends.get(key, ()), key=lambda k: (k[0] or "", k[1])):
            visit(dep, path)
        seen.add(key)
        done.append(key)

    for key in keys:
        visit(key, set())
    return done


def parent_names(schema: str | None, table_name: str) -> dict[str, Any]:
    """``include_name``'s ``parent_names`` for an object of ``table_name``."""
    return {
        "table_name": table_name,
        "schema_name": schema,
        "schema_qualified_table_name": f"{schema}.{table_name}" if schema else table_name,
    }
