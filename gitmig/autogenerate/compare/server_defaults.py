"""One column's server default compared by the dialect's impl, under Alembic's name.

gitmig's comparator (:func:`gitmig.autogenerate.compare.columns.compare_server_default`)
normalises both sides with the dialect's rules; this is the same comparison asked of
``DefaultImpl.compare_server_default``, the hook third-party dialect impls override, for
callers that compare a reflected ``Column`` with a model ``Column`` directly (Alembic's
``_dialect_impl_compare_server_default``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.schema import DefaultClause

from gitmig.autogenerate.compare.columns import model_default_sql

if TYPE_CHECKING:
    from sqlalchemy import Column

    from gitmig.autogenerate.context import AutogenContext
    from gitmig.operations.ops import AlterColumnOp

__all__ = ["_dialect_impl_compare_server_default"]


def _dialect_impl_compare_server_default(
    autogen_context: AutogenContext,
    alter_column_op: AlterColumnOp,
    schema: str | None,
    tname: str,
    cname: str,
    conn_col: Column[Any],
    metadata_col: Column[Any],
) -> bool:
    """Set ``alter_column_op``'s new default when the impl finds the defaults differ;
    whether it did.  Generated values (``Computed``, ``Identity``, ``FetchedValue``) are
    not defaults and are never compared here."""
    model_default = metadata_col.server_default
    conn_default = conn_col.server_default
    if conn_default is None and model_default is None:
        return False
    alter_column_op.existing_server_default = conn_default
    if not isinstance(model_default, DefaultClause | None) or not isinstance(
        conn_default, DefaultClause | None
    ):
        return False
    rendered_model = model_default_sql(autogen_context, model_default)
    rendered_conn = None
    if conn_default is not None:
        arg = conn_default.arg
        rendered_conn = arg if isinstance(arg, str) else str(getattr(arg, "text", arg))
    migration_context = autogen_context.migration_context
    if migration_context is None:
        raise TypeError("comparing server defaults needs the AutogenContext's MigrationContext")
    impl = migration_context.impl
    if impl.compare_server_default(conn_col, metadata_col, rendered_model, rendered_conn):
        alter_column_op.modify_server_default = model_default
        return True
    return False
