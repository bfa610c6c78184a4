"""Bulk reflection of a database schema for autogenerate.

Everything a comparison needs is read with SQLAlchemy 2's ``Inspector.get_multi_*`` calls:
one round of queries per schema, not one per table.  The results stay plain dictionaries
(cheap); a SQLAlchemy :class:`~sqlalchemy.Table` is built from them only when something asks
for one (a dropped table, an ``include_object`` hook, a custom comparator).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    asc,
    desc,
    nulls_first,
    nulls_last,
    text,
)

if TYPE_CHECKING:
    from sqlalchemy.engine.reflection import Inspector
    from sqlalchemy.sql.schema import SchemaItem

__all__ = ["ReflectedTable", "column_from_reflected", "reflect_tables"]


@dataclass
class ReflectedTable:
    """One table as the database describes it (Inspector dictionaries, lightly corrected)."""

    schema: str | None
    name: str
    columns: list[dict[str, Any]]
    primary_key: dict[str, Any]
    foreign_keys: list[dict[str, Any]]
    indexes: list[dict[str, Any]]
    unique_constraints: list[dict[str, Any]]
    check_constraints: list[dict[str, Any]]
    comment: str | None
    metadata: MetaData = field(repr=False)
    #: indexes the database made by itself (MySQL's, for foreign keys): not compared
    implicit_indexes: list[dict[str, Any]] = field(default_factory=list)
    #: whether the database could report unique constraints at all
    uniques_reflected: bool = True
    _table: Table | None = field(default=None, repr=False)
    _objects: dict[int, Any] = field(default_factory=dict, repr=False)

    @property
    def table(self) -> Table:
        """This table as a SQLAlchemy ``Table`` (built once, on first use)."""
        if self._table is None:
            self._table = _build_table(self)
        return self._table

    def split_unique_indexes(self, index_names: Iterable[str]) -> None:
        """Where the database reports one object as both a unique index and a unique
        constraint (MySQL), keep one: an index if its name is in ``index_names`` (the
        model's indexes), else a constraint.
        """
        mirrored = {
            uc["duplicates_index"] for uc in self.unique_constraints if uc.get("duplicates_index")
        }
        if not mirrored:
            return
        as_index = mirrored.intersection(index_names)
        self.unique_constraints = [
            uc for uc in self.unique_constraints if uc.get("duplicates_index") not in as_index
        ]
        self.indexes = [
            ix for ix in self.indexes if ix["name"] in as_index or ix["name"] not in mirrored
        ]

    def object_for(self, info: Mapping[str, Any]) -> Any:
        """The ``Index`` or ``UniqueConstraint`` of :attr:`table` built from ``info``, one of
        the dictionaries in :attr:`indexes` or :attr:`unique_constraints`.
        """
        self.table  # noqa: B018  (builds the objects)
        return self._objects[id(info)]

    def column(self, name: str) -> Column[Any]:
        """The reflected column ``name`` as a ``Column`` of :attr:`table`."""
        return self.table.c[name]

    def index(self, name: str) -> Index:
        """The reflected index ``name`` as an ``Index`` of :attr:`table`."""
        found = next((i for i in self.table.indexes if i.name == name), None)
        if found is None:
            info = next(ix for ix in self.implicit_indexes if ix["name"] == name)
            found = Index(
                name,
                *_index_elements(self.table, info),
                unique=bool(info["unique"]),
                _table=self.table,
            )
        return found


def reflect_tables(
    inspector: Inspector,
    schema: str | None,
    names: Sequence[str] | None,
    *,
    comments: bool,
    fix_column: Callable[[str, dict[str, Any]], None] | None = None,
) -> dict[str, ReflectedTable]:
    """Reflect the tables ``names`` of ``schema`` (all of them for ``None``) in bulk."""
    if names is not None and not names:
        return {}
    kw: dict[str, Any] = {"schema": schema, "filter_names": names}
    columns = inspector.get_multi_columns(**kw)
    pks = inspector.get_multi_pk_constraint(**kw)
    fks = inspector.get_multi_foreign_keys(**kw)
    indexes = inspector.get_multi_indexes(**kw)
    try:
        uniques: dict[Any, Any] | None = dict(inspector.get_multi_unique_constraints(**kw))
    except NotImplementedError:
        uniques = None
    checks = _optional(inspector.get_multi_check_constraints, kw)
    table_comments = _optional(inspector.get_multi_table_comment, kw) if comments else {}
    metadata = MetaData()
    found: dict[str, ReflectedTable] = {}
    for key, reflected_cols in columns.items():
        name = key[1]
        cols = [dict(col) for col in reflected_cols]
        if fix_column is not None:
            for col in cols:
                fix_column(name, col)
        comment = table_comments.get(key)
        found[name] = ReflectedTable(
            schema=schema,
            name=name,
            columns=cols,
            primary_key=dict(pks.get(key) or {}),
            foreign_keys=[dict(fk) for fk in fks.get(key, ())],
            indexes=[dict(ix) for ix in indexes.get(key, ())],
            unique_constraints=[dict(uq) for uq in (uniques or {}).get(key, ())],
            check_constraints=list(checks.get(key, ())),
            comment=comment.get("text") if comment else None,
            metadata=metadata,
            uniques_reflected=uniques is not None,
        )
    return found


def _optional(method: Callable[..., Mapping[Any, Any]], kw: Mapping[str, Any]) -> dict[Any, Any]:
    # Not every dialect can reflect unique/check constraints or comments.
    try:
        return dict(method(**kw))
    except NotImplementedError:
        return {}


def column_from_reflected(info: Mapping[str, Any]) -> Column[Any]:
    """A free ``Column`` from one ``get_columns()`` dictionary."""
    extra: list[SchemaItem] = []
    computed = info.get("computed")
    if computed:
        extra.append(Computed(text(computed["sqltext"]), persisted=computed.get("persisted")))
    identity = info.get("identity")
    if identity:
        extra.append(Identity(**{k: v for k, v in identity.items() if v is not None}))
    default = info.get("default")
    kw: dict[str, Any] = {}
    if default is not None and not computed and not identity:
        kw["server_default"] = text(default)
    if "autoincrement" in info:
        kw["autoincrement"] = info["autoincrement"]
    return Column(
        info["name"],
        info["type"],
        *extra,
        nullable=info["nullable"],
        comment=info.get("comment"),
        **kw,
    )


def _colspec(schema: str | None, table: str, column: str) -> str:
    return f"{schema}.{table}.{column}" if schema else f"{table}.{column}"


#: ``Table.info`` key of a stand-in for a referred table that was not reflected
_PLACEHOLDER = "gitmig_placeholder"


def _build_table(rt: ReflectedTable) -> Table:
    existing = rt.metadata.tables.get(f"{rt.schema}.{rt.name}" if rt.schema else rt.name)
    if existing is not None and existing.info.get(_PLACEHOLDER):
        rt.metadata.remove(existing)  # the real table now takes its place
    items: list[SchemaItem] = [column_from_reflected(c) for c in rt.columns]
    pk_cols = rt.primary_key.get("constrained_columns") or []
    if pk_cols:
        items.append(PrimaryKeyConstraint(*pk_cols, name=rt.primary_key.get("name")))
    for fk in rt.foreign_keys:
        options = {k: v for k, v in (fk.get("options") or {}).items() if v is not None}
        items.append(
            ForeignKeyConstraint(
                fk["constrained_columns"],
                [
                    _colspec(fk.get("referred_schema"), fk["referred_table"], c)
                    for c in fk["referred_columns"]
                ],
                name=fk.get("name"),
                **options,
            )
        )
    for uq in rt.unique_constraints:
        unique = UniqueConstraint(*uq["column_names"], name=uq.get("name"), **_dialect_options(uq))
        rt._objects[id(uq)] = unique
        items.append(unique)
    for ck in rt.check_constraints:
        items.append(CheckConstraint(text(ck["sqltext"]), name=ck.get("name")))
    table = Table(rt.name, rt.metadata, *items, schema=rt.schema, comment=rt.comment)
    _add_placeholders(rt)
    for ix in rt.indexes:
        rt._objects[id(ix)] = Index(
            ix["name"],
            *_index_elements(table, ix),
            unique=bool(ix.get("unique")),
            _table=table,  # needed when every element is an expression
            **_dialect_options(ix),
        )
    return table


def _add_placeholders(rt: ReflectedTable) -> None:
    """Stand-ins for the tables ``rt``'s foreign keys refer to that are not (yet) built, so
    the keys resolve (a referred table may be left out by ``include_name``): the referred
    columns, typed as the columns that refer to them.
    """
    types = {c["name"]: c["type"] for c in rt.columns}
    for fk in rt.foreign_keys:
        schema, name = fk.get("referred_schema"), fk["referred_table"]
        referred = rt.metadata.tables.get(f"{schema}.{name}" if schema else name)
        if referred is None:
            referred = Table(name, rt.metadata, schema=schema, info={_PLACEHOLDER: True})
        elif not referred.info.get(_PLACEHOLDER):
            continue
        pairs = zip(fk["constrained_columns"], fk["referred_columns"], strict=False)
        for local, remote in pairs:
            if remote not in referred.c:
                referred.append_column(Column(remote, types.get(local)))


def _dialect_options(info: Mapping[str, Any]) -> dict[str, Any]:
    """The reflected dialect options worth keeping (an empty ``*_include`` says nothing)."""
    options = dict(info.get("dialect_options") or {})
    return {k: v for k, v in options.items() if not (k.endswith("_include") and not v)}


#: how a reflected ``column_sorting`` word applies to an index element
_SORTING: dict[str, Callable[[Any], Any]] = {
    "asc": asc,
    "desc": desc,
    "nulls_first": nulls_first,
    "nulls_last": nulls_last,
}


def _index_elements(table: Table, info: Mapping[str, Any]) -> Iterable[Any]:
    expressions = info.get("expressions") or [None] * len(info["column_names"])
    sorting = info.get("column_sorting") or {}
    for name, expression in zip(info["column_names"], expressions, strict=False):
        element: Any = table.c[name] if name is not None else text(expression)
        for word in sorting.get(name if name is not None else expression, ()):
            if word in _SORTING:
                element = _SORTING[word](element)
        yield element
