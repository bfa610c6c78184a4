"""SQLite: native ADD/RENAME/DROP COLUMN and RENAME TABLE; everything else needs batch mode.

SQLite's ``ALTER TABLE`` cannot change a column's type, nullability or default, nor add or
drop constraints.  Those operations raise :class:`~gitmig.exc.UnsupportedOperationError`
naming batch mode (``op.batch_alter_table``), which rebuilds the table instead.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKeyConstraint, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import DefaultClause
from sqlalchemy.sql.elements import ClauseElement, TextClause

from gitmig.ddl import base
from gitmig.ddl.impl import DefaultImpl
from gitmig.exc import UnsupportedOperationError

if TYPE_CHECKING:
    from sqlalchemy import Column, Constraint, Table
    from sqlalchemy.engine import Connection
    from sqlalchemy.sql.compiler import DDLCompiler
    from sqlalchemy.sql.elements import ColumnElement
    from sqlalchemy.types import TypeEngine

__all__ = ["SQLiteImpl", "batch_mode_hint"]


def batch_mode_hint(table_name: str, what: str) -> str:
    """The message for an operation SQLite's ALTER TABLE cannot do."""
    return (
        f"SQLite's ALTER TABLE cannot {what} (table {table_name!r}); use batch mode, which "
        f"rebuilds the table: `with op.batch_alter_table({table_name!r}) as batch_op:` and "
        "call the operation on batch_op"
    )


class SQLiteImpl(DefaultImpl):
    """SQLite.

    ``transactional_ddl`` is True although Alembic says False: SQLite itself runs DDL inside
    transactions; only pysqlite's legacy implicit-transaction handling (which commits before
    DDL) gets in the way, and gitmig's runner turns that off with engine events.  So a failed
    multi-step run rolls back to the version it started from, as on PostgreSQL.
    """

    __dialect__ = "sqlite"
    transactional_ddl = True

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> None:
        # a foreign key goes inline (REFERENCES) whatever inline_references says; any other
        # constraint, and a primary key inline or not, needs a rebuild
        for constraint in self._column_constraints(column):
            if not isinstance(constraint, ForeignKeyConstraint):
                raise UnsupportedOperationError(
                    batch_mode_hint(
                        table_name, f"add column {column.name!r} with a {type(constraint).__name__}"
                    )
                )
        if column.primary_key:
            raise UnsupportedOperationError(
                batch_mode_hint(table_name, f"add primary key column {column.name!r}")
            )
        self._exec(base.AddColumn(table_name, column, schema=schema, if_not_exists=if_not_exists))
        for index in self._column_indexes(column):
            self.create_index(index)

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: Any = None,
        schema: str | None = None,
        autoincrement: bool | None = None,
        comment: str | bool | None = False,
        existing_comment: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        **kw: Any,
    ) -> None:
        changes = {
            "type": type_ is not None,
            "nullability": nullable is not None,
            "server default": server_default is not False,
            "autoincrement": autoincrement is not None,
        }
        wanted = [what for what, asked in changes.items() if asked]
        if wanted:
            raise UnsupportedOperationError(
                batch_mode_hint(
                    table_name, f"change the {' and '.join(wanted)} of column {column_name!r}"
                )
            )
        # comments: SQLite has none, so a comment change has nothing to do
        if name is not None:
            self._exec(base.ColumnName(table_name, column_name, name, schema=schema))

    def add_constraint(self, const: Constraint) -> None:
        raise UnsupportedOperationError(
            "No support for ALTER of constraints in SQLite dialect: "
            + batch_mode_hint(_table_name(const), f"add constraint {const.name!r}")
        )

    def drop_constraint(self, const: Constraint, if_exists: bool | None = None) -> None:
        raise UnsupportedOperationError(
            "No support for ALTER of constraints in SQLite dialect: "
            + batch_mode_hint(_table_name(const), f"drop constraint {const.name!r}")
        )

    def batch_transfer(
        self, expr: ColumnElement[Any], old: TypeEngine[Any], new: TypeEngine[Any]
    ) -> ColumnElement[Any]:
        # JSON is stored as TEXT; CAST(x AS JSON) would read the text as a number (0).
        if isinstance(new, JSON):
            return expr
        return super().batch_transfer(expr, old, new)

    def correct_reflected_table(self, table: Table, connection: Connection) -> None:
        self._parenthesise_reflected_defaults(table)
        self._restore_fk_actions(table, connection)

    @staticmethod
    def _parenthesise_reflected_defaults(table: Table) -> None:
        # SQLite needs an expression default in parentheses, and reflection hands it back
        # without its outer pair.  Put one back exactly where Alembic's batch mode does
        # (every default but a one-character number and a one-line 'string' or (group)),
        # so a rebuilt table's DDL is the same under both.
        for column in table.columns:
            default = column.server_default
            if not isinstance(default, DefaultClause) or not isinstance(default.arg, TextClause):
                continue
            sql = default.arg.text
            if sql and not _BARE_DEFAULT.fullmatch(sql):
                column.server_default = DefaultClause(text(f"({sql})"), _reflected=True)

    def _restore_fk_actions(self, table: Table, connection: Connection) -> None:
        # SQLAlchemy reads ON DELETE/ON UPDATE only from table-level FOREIGN KEY clauses;
        # the pragma knows them for column-level REFERENCES too, and a rebuild must keep them
        schema = (
            f"{self.dialect.identifier_preparer.quote_schema(table.schema)}."
            if table.schema
            else ""
        )
        rows = connection.exec_driver_sql(
            f"PRAGMA {schema}foreign_key_list({self.dialect.identifier_preparer.quote(table.name)})"
        ).all()
        groups: dict[int, tuple[str, list[str], str, str]] = {}
        for fk_id, _seq, referent, local, _remote, on_update, on_delete, _match in rows:
            groups.setdefault(fk_id, (referent, [], on_update, on_delete))[1].append(local)
        by_key = {
            (referent, tuple(cols)): (on_update, on_delete)
            for referent, cols, on_update, on_delete in groups.values()
        }
        for fk in table.foreign_key_constraints:
            action = by_key.get((fk.referred_table.name, tuple(fk.column_keys)))
            if action is None:
                continue
            on_update, on_delete = (None if a == "NO ACTION" else a for a in action)
            fk.onupdate = fk.onupdate or on_update
            fk.ondelete = fk.ondelete or on_delete

    def requires_recreate_in_batch(self, batch_op: Any) -> bool:
        """Rebuild unless every batched change is one SQLite's ALTER TABLE can do."""
        for name, args, kw in batch_op.batch:
            if name in _NATIVE_IN_BATCH:
                continue
            # a foreign key is rebuilt as a named table constraint (as Alembic does): an
            # inline REFERENCES would lose its naming-convention name
            if (
                name == "add_column"
                and _addable(args[1])
                and not args[1].foreign_keys
                and not _placed(kw)
            ):
                continue
            if name == "alter_column" and _rename_only(kw):
                continue
            return True
        return False


#: batched operations SQLite does without a rebuild (comments: there is nothing to store)
_NATIVE_IN_BATCH = frozenset(
    {"create_index", "drop_index", "create_table_comment", "drop_table_comment"}
)


#: reflected defaults written back without added parentheses: a single digit or '.', and
#: a quoted string or a parenthesised group on one line (a final newline allowed)
_BARE_DEFAULT = re.compile(r"[0-9.]\n?|'[^\n]+'\n?|\([^\n]+\)\n?")


def _placed(kw: dict[str, Any]) -> bool:
    """Whether an added column asks for a position (only a rebuild can honour that)."""
    return bool(kw.get("insert_before") or kw.get("insert_after"))


def _table_name(const: Constraint) -> str:
    table = const.table
    return table.name if table is not None else "?"


def _addable(column: Column[Any]) -> bool:
    """Whether ``ALTER TABLE ... ADD COLUMN`` accepts ``column`` as it is."""
    default = column.server_default
    expression = default is not None and isinstance(getattr(default, "arg", None), ClauseElement)
    table = column.table
    constrained = table is not None and any(
        not isinstance(c, ForeignKeyConstraint)
        and any(col is column for col in getattr(c, "columns", ()))
        for c in getattr(table, "constraints", ())
    )
    return not (
        column.primary_key
        or column.unique
        or constrained
        or expression
        or (not column.nullable and default is None)
    )


def _rename_only(kw: dict[str, Any]) -> bool:
    return (
        kw.get("type_") is None
        and kw.get("nullable") is None
        and kw.get("server_default", False) is False
        and kw.get("autoincrement") is None
    )


@compiles(base.AddColumn, "sqlite")
def _add_column(element: base.AddColumn, compiler: DDLCompiler, **kw: Any) -> str:
    # SQLite cannot add a constraint to a table: every foreign key goes inline, unqualified
    fks = sorted(element.column.foreign_keys, key=lambda f: f.target_fullname)
    return base.render_add_column(element, compiler, references=fks, qualify_references=False)


def _needs_batch(element: base.AlterColumn, what: str) -> str:
    raise UnsupportedOperationError(
        batch_mode_hint(element.table_name, f"{what} of column {element.column_name!r}")
    )


@compiles(base.DropColumn, "sqlite")
def _drop_column(element: base.DropColumn, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_drop_column(element, compiler)  # SQLite has no IF EXISTS here


@compiles(base.RenameTable, "sqlite")
def _rename_table(element: base.RenameTable, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_rename_table(element, compiler, qualify_new_name=False)


@compiles(base.ColumnName, "sqlite")
def _column_name(element: base.ColumnName, compiler: DDLCompiler, **kw: Any) -> str:
    return base.render_column_name(element, compiler, "RENAME COLUMN")


@compiles(base.ColumnType, "sqlite")
def _column_type(element: base.ColumnType, compiler: DDLCompiler, **kw: Any) -> str:
    return _needs_batch(element, "change the type")


@compiles(base.ColumnNullable, "sqlite")
def _column_nullable(element: base.ColumnNullable, compiler: DDLCompiler, **kw: Any) -> str:
    return _needs_batch(element, "change the nullability")


@compiles(base.ColumnDefault, "sqlite")
def _column_default(element: base.ColumnDefault, compiler: DDLCompiler, **kw: Any) -> str:
    return _needs_batch(element, "change the server default")


@compiles(base.ColumnComment, "sqlite")
def _column_comment(element: base.ColumnComment, compiler: DDLCompiler, **kw: Any) -> str:
    raise UnsupportedOperationError(
        f"SQLite has no column comments (column {element.table_name}.{element.column_name})"
    )
