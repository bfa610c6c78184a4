"""PostgreSQL: transactional DDL, ``USING`` for type changes, ``IF [NOT] EXISTS`` on columns,
and the named types (ENUM, DOMAIN) a table creates for itself dropped with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Identity
from sqlalchemy.ext.compiler import compiles

from gitmig.ddl import base
from gitmig.ddl.impl import DefaultImpl

if TYPE_CHECKING:
    from sqlalchemy import Column, Table
    from sqlalchemy.dialects.postgresql import NamedType
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.types import TypeEngine

__all__ = ["PostgresqlImpl"]


class PostgresqlImpl(DefaultImpl):
    """PostgreSQL runs DDL inside transactions, so a failed migration leaves no trace."""

    __dialect__ = "postgresql"
    transactional_ddl = True
    # a new default or NOT NULL is then checked against the new type
    type_first = True

    def _column_type(
        self,
        table_name: str,
        column_name: str,
        type_: Any,
        kw: Mapping[str, Any],
        common: Mapping[str, Any],
    ) -> base.ColumnType:
        using = kw.get("postgresql_using")
        return base.ColumnType(table_name, column_name, type_, using=using, **common)

    def compare_server_default(
        self,
        inspector_column: Column[Any] | None,
        metadata_column: Column[Any] | None,
        rendered_metadata_default: str | None,
        rendered_inspector_default: str | None,
    ) -> bool:
        """As the default rules, except that a SERIAL primary key's ``nextval()`` default
        is the column's own and never a difference."""
        table = getattr(metadata_column, "table", None)
        if (
            metadata_column is not None
            and metadata_column.primary_key
            and table is not None
            and metadata_column is getattr(table, "_autoincrement_column", None)
        ):
            return False
        return super().compare_server_default(
            inspector_column, metadata_column, rendered_metadata_default, rendered_inspector_default
        )

    def drop_table(self, table: Table, if_exists: bool | None = None) -> None:
        """``DROP TABLE``, then ``DROP TYPE`` for each named type the table created itself.

        Those are the ENUM/DOMAIN types of its columns that ``create_table`` creates: all
        but ``create_type=False`` ones (the way to share one type between tables) and batch
        mode's copies of existing columns.  SQLAlchemy 2.0 dropped such types in the table's
        ``after_drop`` event and 2.1 no longer does; they are marked as handled for the
        events and dropped here, so both versions do the same.
        """
        # imported here: SQLAlchemy's PostgreSQL dialect costs every other dialect ~25 ms
        from sqlalchemy.dialects.postgresql import NamedType

        named = [
            (column.type, impl)
            for column in table.columns
            if isinstance(impl := column.type.dialect_impl(self.dialect), NamedType)
        ]
        for _, impl in named:
            memo_key, ident = _memo_entry(impl)
            self.memo.setdefault(memo_key, set()).add(ident)
        super().drop_table(table, if_exists=if_exists)
        dropped: set[tuple[str, tuple[str | None, str]]] = set()
        for declared, impl in named:
            entry = _memo_entry(impl)
            if entry in dropped or not _owned_by(declared, impl):
                continue
            dropped.add(entry)
            impl.drop(self.ddl_bind, checkfirst=bool(if_exists) and not self.as_sql)
            # gone now: a later create_table in this run must create it again
            self.memo[entry[0]].discard(entry[1])

    def prep_table_for_batch(self, batch_impl: Any, table: Table) -> None:
        # constraint names (and the indexes behind unique/primary keys) are unique per
        # schema here, so the copy cannot take them while the old table still holds them
        for constraint in table.constraints:
            if constraint.name is not None:
                self.drop_constraint(constraint)


def _memo_entry(impl: NamedType) -> tuple[str, tuple[str | None, str]]:
    # where SQLAlchemy's named types note themselves in a DDL runner's memo
    schema: str | None = getattr(impl, "schema", None)
    name: str = getattr(impl, "name", "")
    return f"pg_{impl.__visit_name__}", (schema, name)


def _owned_by(declared: TypeEngine[Any], impl: NamedType) -> bool:
    return bool(getattr(impl, "create_type", True)) and bool(
        getattr(declared, "_create_events", True)
    )


@compiles(base.AddColumn, "postgresql")
def _add_column(element: base.AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_add_column(element, compiler, if_not_exists=True)


@compiles(base.DropColumn, "postgresql")
def _drop_column(element: base.DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_drop_column(element, compiler, if_exists=True)


@compiles(base.ColumnType, "postgresql")
def _column_type(element: base.ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    using = f" USING {element.using}" if element.using else ""
    return base.render_alter_column(
        element, compiler, f"TYPE {base.format_type(compiler, element.type_)}{using}"
    )


@compiles(base.ColumnIdentity, "postgresql")
def _column_identity(element: base.ColumnIdentity, compiler: DDLCompiler, **kw: Any) -> str:
    new, old = element.identity, element.existing_server_default
    if new is None:
        action = "DROP IDENTITY"
    elif not isinstance(old, Identity):
        action = f"ADD {base.format_identity(compiler, new)}"
    else:
        # change only the options given that differ, in name order as Alembic writes them:
        # SET GENERATED ..., SET INCREMENT BY ...; an option left out keeps its value
        sets = []
        for attr in sorted(("always", *_IDENTITY_OPTIONS)):
            value = getattr(new, attr)
            if attr == "always":
                if bool(value) != bool(old.always):
                    sets.append(f"SET GENERATED {'ALWAYS' if value else 'BY DEFAULT'}")
            elif value is not None and value != getattr(old, attr):
                sets.append(f"SET {compiler.get_identity_options(Identity(**{attr: value}))}")
        action = " ".join(sets)
    return base.render_alter_column(element, compiler, action)


_IDENTITY_OPTIONS = (
    "start",
    "increment",
    "minvalue",
    "maxvalue",
    "nominvalue",
    "nomaxvalue",
    "cycle",
    "cache",
)


@compiles(base.RenameTable, "postgresql")
def _rename_table(element: base.RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_rename_table(element, compiler, qualify_new_name=False)
