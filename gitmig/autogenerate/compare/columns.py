"""Column comparison: added and dropped columns; nullable, type, server default, comment."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Computed, Identity, text
from sqlalchemy.exc import CompileError, UnsupportedCompilationError
from sqlalchemy.schema import DefaultClause
from sqlalchemy.sql.elements import ClauseElement, TextClause
from sqlalchemy.types import NullType

from gitmig.autogenerate.compare import comparators
from gitmig.autogenerate.compare.tables import parent_names
from gitmig.autogenerate.reflect import column_from_reflected
from gitmig.operations.ops import AddColumnOp, AlterColumnOp, DropColumnOp

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.types import TypeEngine

    from gitmig.autogenerate.context import AutogenContext
    from gitmig.autogenerate.reflect import ReflectedTable
    from gitmig.operations.ops import ModifyTableOps

__all__ = ["compare_columns", "model_default_sql", "types_differ"]


@comparators.dispatch_for("table")
def compare_columns(
    autogen_context: AutogenContext,
    modify_ops: ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: ReflectedTable,
    metadata_table: Table,
) -> None:
    """Columns only in the model (add), only in the database (drop), or in both (alter)."""
    parents = parent_names(schema, table_name)
    conn_columns = {
        info["name"]: info
        for info in conn_table.columns
        if autogen_context.run_name_filters(info["name"], "column", parents)
    }
    filtering = autogen_context.has_object_filter
    compare_column = comparators.dispatch(
        "column", autogen_context.dialect.name if autogen_context.dialect else None
    )
    for column in metadata_table.c:
        if column.system:
            continue  # a column the database keeps by itself (PostgreSQL's xmin, ctid)
        info = conn_columns.get(column.name)
        compare_to = conn_table.column(column.name) if filtering and info else None
        if not autogen_context.run_object_filters(column, column.name, "column", False, compare_to):
            continue
        if info is None:
            modify_ops.ops.append(AddColumnOp.from_column_and_tablename(schema, table_name, column))
            continue
        default = info.get("default")
        alter = AlterColumnOp(
            table_name,
            column.name,
            schema=schema,
            existing_type=info["type"],
            existing_nullable=info["nullable"],
            existing_server_default=DefaultClause(text(default)) if default is not None else None,
            existing_comment=info.get("comment"),
        )
        compare_column(autogen_context, alter, schema, table_name, column.name, info, column)
        if alter.has_changes():
            modify_ops.ops.append(alter)
    model_names = set(metadata_table.c.keys()) | {c.name for c in metadata_table.c}
    for name, info in conn_columns.items():
        if name in model_names:
            continue
        column = conn_table.column(name) if filtering else column_from_reflected(info)
        if autogen_context.run_object_filters(column, name, "column", True, None):
            modify_ops.ops.append(
                DropColumnOp.from_column_and_tablename(schema, table_name, column)
            )


@comparators.dispatch_for("column")
def compare_nullable(
    autogen_context: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn_column: Mapping[str, Any],
    metadata_column: Column[Any],
) -> None:
    """NULL / NOT NULL."""
    if metadata_column.computed is not None:
        return  # generated columns follow their expression
    if bool(conn_column["nullable"]) != bool(metadata_column.nullable):
        alter.modify_nullable = metadata_column.nullable


@comparators.dispatch_for("column")
def compare_type(
    autogen_context: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn_column: Mapping[str, Any],
    metadata_column: Column[Any],
) -> None:
    """The column type (``compare_type``: True, False, or a callable returning a verdict)."""
    option = autogen_context.opts.get("compare_type", True)
    if option is False:
        return
    conn_type: TypeEngine[Any] = conn_column["type"]
    model_type: TypeEngine[Any] = metadata_column.type
    if isinstance(model_type, NullType) or isinstance(conn_type, NullType):
        return
    verdict: bool | None = None
    if callable(option):
        verdict = option(
            autogen_context.migration_context,
            column_from_reflected(conn_column),
            metadata_column,
            conn_type,
            model_type,
        )
    if verdict is None:
        verdict = types_differ(autogen_context, conn_type, model_type)
    if verdict:
        alter.modify_type = model_type


def types_differ(
    autogen_context: AutogenContext, conn_type: TypeEngine[Any], model_type: TypeEngine[Any]
) -> bool:
    """Whether the model type differs from the reflected one on this database."""
    dialect = autogen_context.dialect
    if dialect is None:
        return False
    try:
        conn_sql = conn_type.compile(dialect=dialect)
        model_sql = model_type.compile(dialect=dialect)
    except (CompileError, UnsupportedCompilationError):
        return False  # a type this database cannot spell: nothing to compare
    rules = autogen_context.rules
    return rules.types_differ(
        rules.type_signature(conn_sql, reflected=True),
        rules.type_signature(model_sql, reflected=False),
    )


@comparators.dispatch_for("column")
def compare_server_default(
    autogen_context: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn_column: Mapping[str, Any],
    metadata_column: Column[Any],
) -> None:
    """The server default (only with ``compare_server_default``; may be a callable)."""
    option: bool | Callable[..., bool | None] = autogen_context.opts.get(
        "compare_server_default", False
    )
    if option is False:
        return
    model_default = metadata_column.server_default
    if isinstance(model_default, (Computed, Identity)) or (
        model_default is not None and not isinstance(model_default, DefaultClause)
    ):
        return  # generated values and FetchedValue markers are not defaults to compare
    if conn_column.get("computed") or conn_column.get("identity"):
        return
    conn_default: str | None = conn_column.get("default")
    rendered = model_default_sql(autogen_context, model_default)
    verdict: bool | None = None
    reflected = column_from_reflected(conn_column)
    if callable(option):
        verdict = option(
            autogen_context.migration_context,
            reflected,
            metadata_column,
            conn_default,
            model_default,
            rendered,
        )
    if verdict is None:
        migration_context = autogen_context.migration_context
        assert migration_context is not None  # comparing reflected columns needs one
        # the dialect impl judges (its overrides know MySQL's ON UPDATE, PostgreSQL's SERIAL)
        verdict = migration_context.impl.compare_server_default(
            reflected, metadata_column, rendered, conn_default
        )
    if verdict:
        alter.modify_server_default = model_default


def model_default_sql(
    autogen_context: AutogenContext, server_default: DefaultClause | None
) -> str | None:
    """The SQL a model's server default puts in the DDL."""
    if server_default is None:
        return None
    arg = server_default.arg
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    if isinstance(arg, TextClause):
        return arg.text
    if isinstance(arg, ClauseElement) and autogen_context.dialect is not None:
        return str(
            arg.compile(dialect=autogen_context.dialect, compile_kwargs={"literal_binds": True})
        )
    return str(arg)


@comparators.dispatch_for("column")
def compare_column_comment(
    autogen_context: AutogenContext,
    alter: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn_column: Mapping[str, Any],
    metadata_column: Column[Any],
) -> None:
    """The column comment, on databases that keep comments."""
    if not getattr(autogen_context.dialect, "supports_comments", False):
        return
    if (conn_column.get("comment") or None) != (metadata_column.comment or None):
        alter.modify_comment = metadata_column.comment
