"""Operations as plain data: what a migration step does, before anything runs.

Each class mirrors one ``op.*`` call (names and fields follow Alembic's, so autogenerate
renderers and user code written for Alembic fit).  They carry everything needed to run,
render and ``reverse()`` themselves; ``to_*``/``from_*`` convert to and from SQLAlchemy schema
objects.  Pure: this module does no I/O and never touches a database.

Example::

    op_ = AddColumnOp("account", Column("email", String(200)))
    op_.reverse()  # DropColumnOp('account', 'email') that can itself be reversed
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from sqlalchemy import (
    CheckConstraint,
    Column,
    Constraint,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
)
from sqlalchemy.types import NULLTYPE

from gitmig.exc import UnsupportedOperationError
from gitmig.operations.schemaobj import CONSTRAINT_TYPES, SchemaObjects

if TYPE_CHECKING:
    from sqlalchemy.sql.base import Executable
    from sqlalchemy.sql.elements import ColumnElement, TextClause
    from sqlalchemy.sql.schema import SchemaItem

    from gitmig.runtime.migration import MigrationContext

__all__ = [
    "AddColumnOp",
    "AddConstraintOp",
    "AlterColumnOp",
    "AlterTableOp",
    "BulkInsertOp",
    "CreateCheckConstraintOp",
    "CreateForeignKeyOp",
    "CreateIndexOp",
    "CreatePrimaryKeyOp",
    "CreateTableCommentOp",
    "CreateTableOp",
    "CreateUniqueConstraintOp",
    "DowngradeOps",
    "DropColumnOp",
    "DropConstraintOp",
    "DropIndexOp",
    "DropTableCommentOp",
    "DropTableOp",
    "ExecuteSQLOp",
    "MigrateOperation",
    "MigrationScript",
    "ModifyTableOps",
    "OpContainer",
    "RenameTableOp",
    "UpgradeOps",
]

_C = TypeVar("_C", bound="type[AddConstraintOp]")


class MigrateOperation:
    """Base of every operation.

    ``info`` is a free dictionary for user hooks (e.g. autogenerate rewriters).
    """

    @functools.cached_property
    def info(self) -> dict[Any, Any]:
        return {}

    def reverse(self) -> MigrateOperation:
        """The operation that undoes this one."""
        raise NotImplementedError(f"{type(self).__name__} cannot be reversed")

    def to_diff_tuple(self) -> Any:
        """This operation as an autogenerate diff entry."""
        raise NotImplementedError(f"{type(self).__name__} has no diff form")

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_") and k != "info"
        )
        return f"{type(self).__name__}({fields})"


def _name_of(item: Constraint | Index) -> str | None:
    # an unnamed item carries SQLAlchemy's non-str "no name yet" marker, not None
    return item.name if isinstance(item.name, str) else None


def _table_of(constraint: Constraint) -> Table:
    table = constraint.table
    if not isinstance(table, Table):
        raise ValueError(f"constraint {constraint.name!r} is not attached to a table")
    return table


class AddConstraintOp(MigrateOperation):
    """Base of the ``create_*`` constraint operations; dispatches on constraint type."""

    constraint_type: ClassVar[str]
    _by_constraint: ClassVar[dict[type[Constraint], type[AddConstraintOp]]] = {}

    constraint_name: str | None
    table_name: str
    schema: str | None

    #: the same, for constraint classes named ``"module.Class"`` (a dialect's, whose module
    #: is imported only by those who use it)
    _by_constraint_name: ClassVar[dict[str, type[AddConstraintOp]]] = {}

    @classmethod
    def register_add_constraint(cls, type_: type[Constraint] | str) -> Callable[[_C], _C]:
        """Class decorator: make ``from_constraint`` build the decorated op for ``type_``
        (a class, or its ``"module.Class"`` name)."""

        def decorate(op_cls: _C) -> _C:
            if isinstance(type_, str):
                cls._by_constraint_name[type_] = op_cls
            else:
                cls._by_constraint[type_] = op_cls
            return op_cls

        return decorate

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> AddConstraintOp:
        for klass in type(constraint).__mro__:
            op_cls = cls._by_constraint.get(klass) or cls._by_constraint_name.get(
                f"{klass.__module__}.{klass.__qualname__}"
            )
            if op_cls is not None and op_cls is not cls:
                return op_cls.from_constraint(constraint)
        raise ValueError(f"no operation creates a {type(constraint).__name__}")

    def to_constraint(self, migration_context: MigrationContext | None = None) -> Constraint:
        raise NotImplementedError(f"{type(self).__name__} must define to_constraint()")

    def reverse(self) -> DropConstraintOp:
        return DropConstraintOp.from_constraint(self.to_constraint())

    def to_diff_tuple(self) -> tuple[str, Constraint]:
        return ("add_constraint", self.to_constraint())


#: the ``type_`` of ``drop_constraint`` for each kind of constraint
_DROP_TYPE_NAMES: dict[type[Constraint], str] = {
    cls: name for name, cls in CONSTRAINT_TYPES.items() if name is not None
}


class DropConstraintOp(MigrateOperation):
    """Drop a named constraint; ``type_`` is ``foreignkey``/``primary``/``unique``/``check``."""

    def __init__(
        self,
        constraint_name: str | None,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: AddConstraintOp | None = None,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.constraint_type = type_
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse

    def reverse(self) -> AddConstraintOp:
        if self._reverse is None:
            raise ValueError(
                f"drop of constraint {self.constraint_name!r} cannot be reversed: "
                "the original constraint is not known"
            )
        return AddConstraintOp.from_constraint(self.to_constraint())

    def to_diff_tuple(self) -> tuple[str, Constraint]:
        kind = "remove_fk" if self.constraint_type == "foreignkey" else "remove_constraint"
        return (kind, self.to_constraint())

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> DropConstraintOp:
        table = _table_of(constraint)
        type_ = next(
            (name for k, name in _DROP_TYPE_NAMES.items() if isinstance(constraint, k)), None
        )
        return cls(
            _name_of(constraint),
            table.name,
            type_,
            schema=table.schema,
            _reverse=AddConstraintOp.from_constraint(constraint),
        )

    def to_constraint(self, migration_context: MigrationContext | None = None) -> Constraint:
        if self._reverse is not None:
            constraint = self._reverse.to_constraint(migration_context)
            constraint.name = self.constraint_name
            return constraint
        return SchemaObjects(migration_context).generic_constraint(
            self.constraint_name, self.table_name, self.constraint_type, schema=self.schema
        )


@AddConstraintOp.register_add_constraint(PrimaryKeyConstraint)
class CreatePrimaryKeyOp(AddConstraintOp):
    """Create a primary key on existing columns."""

    constraint_type = "primarykey"

    def __init__(
        self,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreatePrimaryKeyOp:
        assert isinstance(constraint, PrimaryKeyConstraint)
        table = _table_of(constraint)
        return cls(
            _name_of(constraint),
            table.name,
            [c.name for c in constraint.columns],
            schema=table.schema,
            **constraint.dialect_kwargs,
        )

    def to_constraint(
        self, migration_context: MigrationContext | None = None
    ) -> PrimaryKeyConstraint:
        return SchemaObjects(migration_context).primary_key_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )


@AddConstraintOp.register_add_constraint(UniqueConstraint)
class CreateUniqueConstraintOp(AddConstraintOp):
    """Create a unique constraint (``deferrable``, ``initially`` and dialect kwargs in ``kw``)."""

    constraint_type = "unique"

    def __init__(
        self,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreateUniqueConstraintOp:
        assert isinstance(constraint, UniqueConstraint)
        table = _table_of(constraint)
        kw: dict[str, Any] = dict(constraint.dialect_kwargs)
        if constraint.deferrable:
            kw["deferrable"] = constraint.deferrable
        if constraint.initially:
            kw["initially"] = constraint.initially
        return cls(
            _name_of(constraint),
            table.name,
            [c.name for c in constraint.columns],
            schema=table.schema,
            **kw,
        )

    def to_constraint(self, migration_context: MigrationContext | None = None) -> UniqueConstraint:
        return SchemaObjects(migration_context).unique_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )


@AddConstraintOp.register_add_constraint(ForeignKeyConstraint)
class CreateForeignKeyOp(AddConstraintOp):
    """Create a foreign key.

    ``kw`` holds ``onupdate``, ``ondelete``, ``deferrable``, ``initially``, ``match``,
    ``source_schema``, ``referent_schema`` and dialect kwargs.
    """

    constraint_type = "foreignkey"

    def __init__(
        self,
        constraint_name: str | None,
        source_table: str,
        referent_table: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.source_table = source_table
        self.referent_table = referent_table
        self.local_cols = list(local_cols)
        self.remote_cols = list(remote_cols)
        self.kw = kw

    @property
    def table_name(self) -> str:  # type: ignore[override]
        return self.source_table

    @property
    def schema(self) -> str | None:  # type: ignore[override]
        value: str | None = self.kw.get("source_schema")
        return value

    def to_diff_tuple(self) -> tuple[str, Constraint]:
        return ("add_fk", self.to_constraint())

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreateForeignKeyOp:
        assert isinstance(constraint, ForeignKeyConstraint)
        table = _table_of(constraint)
        kw: dict[str, Any] = dict(constraint.dialect_kwargs)
        for attr in ("onupdate", "ondelete", "initially", "deferrable", "match"):
            value = getattr(constraint, attr)
            if value:
                kw[attr] = value
        if table.schema:
            kw["source_schema"] = table.schema
        first = constraint.elements[0]
        ref_schema, ref_table, _ = first._column_tokens
        if ref_schema:
            kw["referent_schema"] = ref_schema
        return cls(
            _name_of(constraint),
            table.name,
            ref_table or "",
            [e.parent.name for e in constraint.elements],
            [e._column_tokens[2] or "" for e in constraint.elements],
            **kw,
        )

    def to_constraint(
        self, migration_context: MigrationContext | None = None
    ) -> ForeignKeyConstraint:
        return SchemaObjects(migration_context).foreign_key_constraint(
            self.constraint_name,
            self.source_table,
            self.referent_table,
            self.local_cols,
            self.remote_cols,
            **self.kw,
        )


@AddConstraintOp.register_add_constraint(CheckConstraint)
class CreateCheckConstraintOp(AddConstraintOp):
    """Create a check constraint from a SQL condition (string or SQL expression)."""

    constraint_type = "check"

    def __init__(
        self,
        constraint_name: str | None,
        table_name: str,
        condition: str | ColumnElement[Any] | TextClause,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.condition = condition
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: Constraint) -> CreateCheckConstraintOp:
        assert isinstance(constraint, CheckConstraint)
        table = _table_of(constraint)
        return cls(
            _name_of(constraint),
            table.name,
            constraint.sqltext,
            schema=table.schema,
            **constraint.dialect_kwargs,
        )

    def to_constraint(self, migration_context: MigrationContext | None = None) -> CheckConstraint:
        return SchemaObjects(migration_context).check_constraint(
            self.constraint_name, self.table_name, self.condition, schema=self.schema, **self.kw
        )


class CreateIndexOp(MigrateOperation):
    """Create an index; columns are names or SQL expressions (functional indexes)."""

    def __init__(
        self,
        index_name: str | None,
        table_name: str,
        columns: Sequence[str | TextClause | ColumnElement[Any]],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.unique = unique
        self.if_not_exists = if_not_exists
        self.kw = kw

    def reverse(self) -> DropIndexOp:
        return DropIndexOp.from_index(self.to_index())

    def to_diff_tuple(self) -> tuple[str, Index]:
        return ("add_index", self.to_index())

    @classmethod
    def from_index(cls, index: Index) -> CreateIndexOp:
        table = index.table
        assert table is not None
        return cls(
            _name_of(index),
            table.name,
            [e.name if isinstance(e, Column) else e for e in index.expressions],
            schema=table.schema,
            unique=bool(index.unique),
            **index.kwargs,
        )

    def to_index(self, migration_context: MigrationContext | None = None) -> Index:
        return SchemaObjects(migration_context).index(
            self.index_name,
            self.table_name,
            self.columns,
            schema=self.schema,
            unique=self.unique,
            **self.kw,
        )


class DropIndexOp(MigrateOperation):
    """Drop an index (``table_name`` is needed on MySQL/MariaDB and SQL Server)."""

    def __init__(
        self,
        index_name: str | None,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: CreateIndexOp | None = None,
        **kw: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse
        self.kw = kw

    def to_diff_tuple(self) -> tuple[str, Index]:
        return ("remove_index", self.to_index())

    def reverse(self) -> CreateIndexOp:
        if self._reverse is None:
            raise ValueError(
                f"drop of index {self.index_name!r} cannot be reversed: "
                "the original index is not known"
            )
        return CreateIndexOp.from_index(self.to_index())

    @classmethod
    def from_index(cls, index: Index) -> DropIndexOp:
        table = index.table
        assert table is not None
        return cls(
            _name_of(index),
            table_name=table.name,
            schema=table.schema,
            _reverse=CreateIndexOp.from_index(index),
            **index.kwargs,
        )

    def to_index(self, migration_context: MigrationContext | None = None) -> Index:
        schemaobj = SchemaObjects(migration_context)
        # DROP INDEX needs no columns, but an Index wants at least one to bind to its table
        columns: Sequence[Any] = self._reverse.columns if self._reverse is not None else ["x"]
        unique = self._reverse.unique if self._reverse is not None else False
        return schemaobj.index(
            self.index_name,
            self.table_name,
            columns,
            schema=self.schema,
            unique=unique,
            **self.kw,
        )


class CreateTableOp(MigrateOperation):
    """Create a table from columns, constraints and indexes.

    ``kw`` may hold ``comment``, ``info``, ``prefixes`` and ``Table`` dialect kwargs.
    """

    def __init__(
        self,
        table_name: str,
        columns: Sequence[SchemaItem],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        _namespace_metadata: Any = None,
        _constraints_included: bool = False,
        **kw: Any,
    ) -> None:
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.if_not_exists = if_not_exists
        self.info = kw.pop("info", {})
        self.comment: str | None = kw.pop("comment", None)
        self.prefixes: list[str] = list(kw.pop("prefixes", []))
        self.kw = kw
        self._namespace_metadata = _namespace_metadata
        self._constraints_included = _constraints_included

    def reverse(self) -> DropTableOp:
        return DropTableOp.from_table(self.to_table(), _namespace_metadata=self._namespace_metadata)

    def to_diff_tuple(self) -> tuple[str, Table]:
        return ("add_table", self.to_table())

    @classmethod
    def from_table(cls, table: Table, *, _namespace_metadata: Any = None) -> CreateTableOp:
        if _namespace_metadata is None:
            _namespace_metadata = table.metadata
        items: list[SchemaItem] = [*table.c, *table.constraints]
        return cls(
            table.name,
            items,
            schema=table.schema,
            _namespace_metadata=_namespace_metadata,
            # the unique=True/index=True column flags made these constraints already
            _constraints_included=True,
            comment=table.comment,
            info=dict(table.info),
            prefixes=list(table._prefixes),
            **table.kwargs,
        )

    def to_table(self, migration_context: MigrationContext | None = None) -> Table:
        return SchemaObjects(migration_context).table(
            self.table_name,
            *self.columns,
            schema=self.schema,
            prefixes=list(self.prefixes),
            comment=self.comment,
            info=dict(self.info),
            _constraints_included=self._constraints_included,
            **self.kw,
        )


class DropTableOp(MigrateOperation):
    """Drop a table; ``table_kw`` are extra ``Table`` arguments used to build the DROP."""

    def __init__(
        self,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        table_kw: Mapping[str, Any] | None = None,
        _reverse: CreateTableOp | None = None,
    ) -> None:
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self.table_kw = dict(table_kw or {})
        self.comment: str | None = self.table_kw.pop("comment", None)
        self.info = self.table_kw.pop("info", {})
        self.prefixes: list[str] = list(self.table_kw.pop("prefixes", []))
        self._reverse = _reverse

    def to_diff_tuple(self) -> tuple[str, Table]:
        return ("remove_table", self.to_table())

    def reverse(self) -> CreateTableOp:
        if self._reverse is None:
            raise ValueError(
                f"drop of table {self.table_name!r} cannot be reversed: its columns are not known"
            )
        return CreateTableOp.from_table(self.to_table())

    @classmethod
    def from_table(cls, table: Table, *, _namespace_metadata: Any = None) -> DropTableOp:
        return cls(
            table.name,
            schema=table.schema,
            table_kw={
                "comment": table.comment,
                "info": dict(table.info),
                "prefixes": list(table._prefixes),
                **table.kwargs,
            },
            _reverse=CreateTableOp.from_table(table, _namespace_metadata=_namespace_metadata),
        )

    def to_table(self, migration_context: MigrationContext | None = None) -> Table:
        items: list[SchemaItem] = list(self._reverse.columns) if self._reverse else []
        return SchemaObjects(migration_context).table(
            self.table_name,
            *items,
            schema=self.schema,
            comment=self.comment,
            info=dict(self.info),
            prefixes=list(self.prefixes),
            _constraints_included=bool(self._reverse and self._reverse._constraints_included),
            **self.table_kw,
        )


class AlterTableOp(MigrateOperation):
    """Base of operations that alter one table."""

    def __init__(self, table_name: str, *, schema: str | None = None) -> None:
        self.table_name = table_name
        self.schema = schema


class RenameTableOp(AlterTableOp):
    """Rename a table (it stays in its schema)."""

    def __init__(
        self, old_table_name: str, new_table_name: str, *, schema: str | None = None
    ) -> None:
        super().__init__(old_table_name, schema=schema)
        self.new_table_name = new_table_name

    def reverse(self) -> RenameTableOp:
        return RenameTableOp(self.new_table_name, self.table_name, schema=self.schema)


class CreateTableCommentOp(AlterTableOp):
    """Set a table's comment; ``existing_comment`` makes the op reversible."""

    def __init__(
        self,
        table_name: str,
        comment: str | None,
        *,
        schema: str | None = None,
        existing_comment: str | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.comment = comment
        self.existing_comment = existing_comment

    def reverse(self) -> CreateTableCommentOp | DropTableCommentOp:
        if self.existing_comment is None:
            return DropTableCommentOp(
                self.table_name, existing_comment=self.comment, schema=self.schema
            )
        return CreateTableCommentOp(
            self.table_name,
            self.existing_comment,
            existing_comment=self.comment,
            schema=self.schema,
        )

    def to_diff_tuple(self) -> tuple[str, Table, str | None]:
        return ("add_table_comment", self.to_table(), self.existing_comment)

    def to_table(self, migration_context: MigrationContext | None = None) -> Table:
        return SchemaObjects(migration_context).table(
            self.table_name, schema=self.schema, comment=self.comment
        )


class DropTableCommentOp(AlterTableOp):
    """Remove a table's comment; ``existing_comment`` makes the op reversible."""

    def __init__(
        self,
        table_name: str,
        *,
        schema: str | None = None,
        existing_comment: str | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.existing_comment = existing_comment

    def reverse(self) -> CreateTableCommentOp:
        return CreateTableCommentOp(self.table_name, self.existing_comment, schema=self.schema)

    def to_diff_tuple(self) -> tuple[str, Table]:
        return ("remove_table_comment", self.to_table())

    def to_table(self, migration_context: MigrationContext | None = None) -> Table:
        return SchemaObjects(migration_context).table(self.table_name, schema=self.schema)


class AlterColumnOp(AlterTableOp):
    """Change one column: ``modify_*`` are the new values, ``existing_*`` the current ones.

    ``modify_server_default``/``modify_comment`` use ``False`` for "unchanged" because
    ``None`` means "remove".  ``kw`` holds ``autoincrement``, ``existing_autoincrement``,
    ``postgresql_using`` and other dialect options.
    """

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        existing_type: Any = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        modify_nullable: bool | None = None,
        modify_comment: str | bool | None = False,
        modify_server_default: Any = False,
        modify_name: str | None = None,
        modify_type: Any = None,
        **kw: Any,
    ) -> None:
        if kw.get("postgresql_using") is not None and modify_type is None:
            # checked here so that op.alter_column and batch_op.alter_column agree
            raise UnsupportedOperationError(
                f"alter_column({table_name!r}, {column_name!r}): postgresql_using needs type_"
            )
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.existing_type = existing_type
        self.existing_server_default = existing_server_default
        self.existing_nullable = existing_nullable
        self.existing_comment = existing_comment
        self.modify_nullable = modify_nullable
        self.modify_comment = modify_comment
        self.modify_server_default = modify_server_default
        self.modify_name = modify_name
        self.modify_type = modify_type
        self.kw = kw

    def has_changes(self) -> bool:
        """Whether this op changes anything at all."""
        return (
            self.modify_nullable is not None
            or self.modify_server_default is not False
            or self.modify_type is not None
            or self.modify_comment is not False
            or self.modify_name is not None
            or any(k.startswith("modify_") for k in self.kw)
        )

    def to_diff_tuple(self) -> list[tuple[Any, ...]]:
        existing = {
            "existing_nullable": self.existing_nullable,
            "existing_server_default": self.existing_server_default or None,
            "existing_comment": self.existing_comment,
        }
        where = (self.schema, self.table_name, self.column_name)
        diffs: list[tuple[Any, ...]] = []
        if self.modify_type is not None:
            extra = dict(existing)
            diffs.append(("modify_type", *where, extra, self.existing_type, self.modify_type))
        if self.modify_nullable is not None:
            extra = {**existing, "existing_type": self.existing_type}
            del extra["existing_nullable"]
            diffs.append(
                ("modify_nullable", *where, extra, self.existing_nullable, self.modify_nullable)
            )
        if self.modify_server_default is not False:
            extra = {**existing, "existing_type": self.existing_type}
            del extra["existing_server_default"]
            diffs.append(
                (
                    "modify_default",
                    *where,
                    extra,
                    self.existing_server_default,
                    self.modify_server_default,
                )
            )
        if self.modify_comment is not False:
            extra = {**existing, "existing_type": self.existing_type}
            del extra["existing_comment"]
            diffs.append(
                ("modify_comment", *where, extra, self.existing_comment, self.modify_comment)
            )
        return diffs

    def reverse(self) -> AlterColumnOp:
        kw = dict(self.kw)
        # dialect "existing_X"/"modify_X" pairs in kw swap like the named ones
        for key in [k for k in kw if k.startswith("modify_")]:
            name = key[len("modify_") :]
            kw[key], kw[f"existing_{name}"] = kw.get(f"existing_{name}"), kw[key]
        if "autoincrement" in kw:
            kw["autoincrement"], kw["existing_autoincrement"] = (
                kw.get("existing_autoincrement"),
                kw["autoincrement"],
            )
        kw.pop("postgresql_using", None)  # the USING clause is specific to one direction
        changed_type = self.modify_type is not None
        changed_nullable = self.modify_nullable is not None
        changed_default = self.modify_server_default is not False
        changed_comment = self.modify_comment is not False
        return AlterColumnOp(
            self.table_name,
            self.modify_name if self.modify_name is not None else self.column_name,
            schema=self.schema,
            existing_type=self.modify_type if changed_type else self.existing_type,
            existing_nullable=self.modify_nullable if changed_nullable else self.existing_nullable,
            existing_server_default=(
                self.modify_server_default if changed_default else self.existing_server_default
            ),
            existing_comment=(
                self.modify_comment  # type: ignore[arg-type]
                if changed_comment
                else self.existing_comment
            ),
            modify_type=self.existing_type if changed_type else None,
            modify_nullable=self.existing_nullable if changed_nullable else None,
            modify_server_default=self.existing_server_default if changed_default else False,
            modify_comment=self.existing_comment if changed_comment else False,
            modify_name=self.column_name if self.modify_name is not None else None,
            **kw,
        )


class AddColumnOp(AlterTableOp):
    """Add a column (``kw`` may hold batch-mode ``insert_before``/``insert_after``)."""

    def __init__(
        self,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column = column
        self.if_not_exists = if_not_exists
        self.inline_references = inline_references
        self.inline_primary_key = inline_primary_key
        self.kw = kw

    def reverse(self) -> DropColumnOp:
        return DropColumnOp.from_column_and_tablename(self.schema, self.table_name, self.column)

    def to_diff_tuple(self) -> tuple[str, str | None, str, Column[Any]]:
        return ("add_column", self.schema, self.table_name, self.column)

    def to_column(self) -> Column[Any]:
        return self.column

    @classmethod
    def from_column(cls, col: Column[Any]) -> AddColumnOp:
        table = col.table
        assert isinstance(table, Table), "the column must belong to a table"
        return cls(table.name, col, schema=table.schema)

    @classmethod
    def from_column_and_tablename(
        cls, schema: str | None, tname: str, col: Column[Any]
    ) -> AddColumnOp:
        return cls(tname, col, schema=schema)


class DropColumnOp(AlterTableOp):
    """Drop a column (``kw`` holds dialect options such as ``mssql_drop_default``)."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: AddColumnOp | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.if_exists = if_exists
        self._reverse = _reverse
        self.kw = kw

    def to_diff_tuple(self) -> tuple[str, str | None, str, Column[Any]]:
        return ("remove_column", self.schema, self.table_name, self.to_column())

    def reverse(self) -> AddColumnOp:
        if self._reverse is None:
            raise ValueError(
                f"drop of column {self.table_name}.{self.column_name} cannot be reversed: "
                "the original column is not known"
            )
        return AddColumnOp.from_column_and_tablename(
            self.schema, self.table_name, self._reverse.column
        )

    @classmethod
    def from_column_and_tablename(
        cls, schema: str | None, tname: str, col: Column[Any]
    ) -> DropColumnOp:
        return cls(
            tname,
            col.name,
            schema=schema,
            _reverse=AddColumnOp.from_column_and_tablename(schema, tname, col),
        )

    def to_column(self, migration_context: MigrationContext | None = None) -> Column[Any]:
        if self._reverse is not None:
            return self._reverse.column
        return SchemaObjects(migration_context).column(self.column_name, NULLTYPE)


class BulkInsertOp(MigrateOperation):
    """Insert literal rows into a table (``Table`` or ``table()`` construct)."""

    def __init__(
        self,
        table: Any,
        rows: Sequence[Mapping[str, Any]],
        *,
        multiinsert: bool = True,
    ) -> None:
        if isinstance(rows, str | bytes | Mapping):
            raise TypeError("bulk_insert() needs a list of dictionaries")
        self.table = table
        self.rows = list(rows)
        self.multiinsert = multiinsert


class ExecuteSQLOp(MigrateOperation):
    """Run a SQL string or SQLAlchemy executable."""

    def __init__(
        self,
        sqltext: str | Executable,
        *,
        execution_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.sqltext = sqltext
        self.execution_options = execution_options

    def to_diff_tuple(self) -> tuple[str, str | Executable]:
        return ("execute", self.sqltext)


class OpContainer(MigrateOperation):
    """An ordered list of operations."""

    def __init__(self, ops: Sequence[MigrateOperation] = ()) -> None:
        self.ops: list[MigrateOperation] = list(ops)

    def is_empty(self) -> bool:
        return not self.ops

    def as_diffs(self) -> list[Any]:
        """The contained operations as autogenerate diff entries (Alembic's form: one
        tuple per operation, a list of ``modify_*`` tuples per altered column)."""
        return list(OpContainer._ops_as_diffs(self))

    @classmethod
    def _ops_as_diffs(cls, migrations: OpContainer) -> Iterator[Any]:
        for op_ in migrations.ops:
            if isinstance(op_, OpContainer):
                yield from cls._ops_as_diffs(op_)
            else:
                yield op_.to_diff_tuple()

    def _reversed_ops(self) -> list[MigrateOperation]:
        return [op_.reverse() for op_ in reversed(self.ops)]


class ModifyTableOps(OpContainer):
    """The operations that change one existing table."""

    def __init__(
        self,
        table_name: str,
        ops: Sequence[MigrateOperation],
        *,
        schema: str | None = None,
    ) -> None:
        super().__init__(ops)
        self.table_name = table_name
        self.schema = schema

    def reverse(self) -> ModifyTableOps:
        return ModifyTableOps(self.table_name, self._reversed_ops(), schema=self.schema)


class UpgradeOps(OpContainer):
    """The body of ``upgrade()`` (``upgrade_token`` names it in multi-database templates)."""

    def __init__(
        self, ops: Sequence[MigrateOperation] = (), upgrade_token: str = "upgrades"
    ) -> None:
        super().__init__(ops)
        self.upgrade_token = upgrade_token

    def reverse_into(self, downgrade_ops: DowngradeOps) -> DowngradeOps:
        """Fill ``downgrade_ops`` with the reverse of these operations."""
        downgrade_ops.ops[:] = self._reversed_ops()
        return downgrade_ops

    def reverse(self) -> DowngradeOps:
        return self.reverse_into(DowngradeOps(ops=[]))


class DowngradeOps(OpContainer):
    """The body of ``downgrade()``."""

    def __init__(
        self, ops: Sequence[MigrateOperation] = (), downgrade_token: str = "downgrades"
    ) -> None:
        super().__init__(ops)
        self.downgrade_token = downgrade_token

    def reverse(self) -> UpgradeOps:
        return UpgradeOps(ops=self._reversed_ops())


class MigrationScript(MigrateOperation):
    """A whole revision file to write: its id, message, markers and op bodies.

    With several databases (multidb template) ``upgrade_ops``/``downgrade_ops`` may be lists;
    ``upgrade_ops_list``/``downgrade_ops_list`` always are.
    """

    def __init__(
        self,
        rev_id: str | None,
        upgrade_ops: UpgradeOps | Sequence[UpgradeOps],
        downgrade_ops: DowngradeOps | Sequence[DowngradeOps],
        *,
        message: str | None = None,
        imports: set[str] | None = None,
        head: str | None = None,
        splice: bool | None = None,
        branch_label: str | Sequence[str] | None = None,
        version_path: str | None = None,
        depends_on: str | Sequence[str] | None = None,
    ) -> None:
        self.rev_id = rev_id
        self.message = message
        self.imports: set[str] = set() if imports is None else imports
        self.head = head
        self.splice = splice
        self.branch_label = branch_label
        self.version_path = version_path
        self.depends_on = depends_on
        self.upgrade_ops = upgrade_ops
        self.downgrade_ops = downgrade_ops

    @property
    def upgrade_ops(self) -> UpgradeOps:
        """The single ``UpgradeOps``; an error if there are several (use the ``_list``)."""
        return _single(self._upgrade_ops, "UpgradeOps", "upgrade_ops_list")

    @upgrade_ops.setter
    def upgrade_ops(self, value: UpgradeOps | Sequence[UpgradeOps]) -> None:
        self._upgrade_ops = [value] if isinstance(value, UpgradeOps) else list(value)

    @property
    def downgrade_ops(self) -> DowngradeOps:
        """The single ``DowngradeOps``; an error if there are several (use the ``_list``)."""
        return _single(self._downgrade_ops, "DowngradeOps", "downgrade_ops_list")

    @downgrade_ops.setter
    def downgrade_ops(self, value: DowngradeOps | Sequence[DowngradeOps]) -> None:
        self._downgrade_ops = [value] if isinstance(value, DowngradeOps) else list(value)

    @property
    def upgrade_ops_list(self) -> list[UpgradeOps]:
        return self._upgrade_ops

    @property
    def downgrade_ops_list(self) -> list[DowngradeOps]:
        return self._downgrade_ops


_OpsT = TypeVar("_OpsT", UpgradeOps, DowngradeOps)


def _single(entries: list[_OpsT], kind: str, attribute: str) -> _OpsT:
    """The one entry of a MigrationScript's ops list; several (or none) are an error."""
    if len(entries) != 1:
        problem = "a multiple-entry" if entries else "an empty"
        raise ValueError(
            f"This MigrationScript instance has {problem} list for {kind}; please use the "
            f"{attribute} attribute."
        )
    return entries[0]
