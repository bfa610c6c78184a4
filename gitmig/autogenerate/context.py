"""AutogenContext: what every comparator and renderer gets (database, models, options)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Table, inspect

from gitmig.autogenerate.dialects import DialectRules, rules_for
from gitmig.exc import AutogenerateError, DuplicateTableError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Dialect
    from sqlalchemy.engine.reflection import Inspector

    from gitmig.runtime.migration import MigrationContext

__all__ = ["AutogenContext"]


class AutogenContext:
    """Options and state for one autogenerate run.

    ``metadata`` is the model ``MetaData`` (or a sequence of them); it defaults to the
    migration context's ``target_metadata``.  ``opts`` default to the migration context's
    options (``compare_type``, ``include_object``, ``render_item``, ...).  ``imports`` collects
    the import lines the rendered code needs.
    """

    def __init__(
        self,
        migration_context: MigrationContext | None,
        metadata: MetaData | Sequence[MetaData] | None = None,
        opts: Mapping[str, Any] | None = None,
        autogenerate: bool = True,
    ) -> None:
        if migration_context is not None and metadata is None:
            metadata = migration_context.opts.get("target_metadata")
        if autogenerate and migration_context is not None and migration_context.as_sql:
            raise AutogenerateError(
                "autogenerate compares with a live database; it cannot run in offline (--sql) mode"
            )
        # only a run from env.py must have the models; a context built by hand (tests,
        # tools calling the comparison hooks) may do without
        if (
            autogenerate
            and metadata is None
            and migration_context is not None
            and migration_context.environment_context is not None
        ):
            raise AutogenerateError(
                "Can't proceed with autogenerate: env.py does not pass target_metadata to "
                "context.configure() (set target_metadata = Base.metadata in env.py)"
            )
        self.migration_context = migration_context
        self.metadata = metadata
        self.opts: dict[str, Any] = dict(
            opts if opts is not None else (migration_context.opts if migration_context else {})
        )
        self.imports: set[str] = set()
        self.dialect: Dialect | None = migration_context.dialect if migration_context else None
        self.connection: Connection | None = (
            migration_context.connection if migration_context else None
        )
        self._has_batch = False
        #: the ``include_name`` and ``include_object`` hooks, each run in turn
        self._name_filters: list[Callable[..., bool]] = [
            fn for fn in [self.opts.get("include_name")] if fn is not None
        ]
        self._object_filters: list[Callable[..., bool]] = [
            fn for fn in [self.opts.get("include_object")] if fn is not None
        ]

    @contextlib.contextmanager
    def _within_batch(self) -> Iterator[None]:
        """Render operations as ``batch_op.*`` inside the block (Alembic's name)."""
        self._has_batch = True
        try:
            yield
        finally:
            self._has_batch = False

    @functools.cached_property
    def inspector(self) -> Inspector:
        """One Inspector for the whole run (it caches what it reads)."""
        if self.connection is None:
            raise AutogenerateError("autogenerate needs a database connection")
        inspector: Inspector = inspect(self.connection)
        return inspector

    @functools.cached_property
    def rules(self) -> DialectRules:
        """How this database spells types, defaults and indexes."""
        if self.dialect is None:
            return DialectRules()
        return rules_for(self.dialect.name, bool(getattr(self.dialect, "is_mariadb", False)))

    @property
    def metadatas(self) -> list[MetaData]:
        """The model metadata as a list."""
        if self.metadata is None:
            return []
        if isinstance(self.metadata, MetaData):
            return [self.metadata]
        return list(self.metadata)

    @functools.cached_property
    def table_key_to_table(self) -> dict[tuple[str | None, str], Table]:
        """Every model table by (schema, name); a table defined twice is an error."""
        found: dict[tuple[str | None, str], Table] = {}
        duplicates: list[str] = []
        for metadata in self.metadatas:
            for table in metadata.tables.values():
                key = (table.schema, table.name)
                if key in found and found[key] is not table:
                    duplicates.append(table.fullname)
                found[key] = table
        if duplicates:
            names = ", ".join(f'"{name}"' for name in sorted(set(duplicates)))
            raise DuplicateTableError(
                f"Duplicate table keys across multiple MetaData objects: {names}"
            )
        return found

    def sorted_tables(self) -> Iterator[Table]:
        """The model tables, those referenced by foreign keys first."""
        for metadata in self.metadatas:
            yield from metadata.sorted_tables

    # -- filters --------------------------------------------------------------------------

    def run_name_filters(
        self, name: str | None, type_: str, parent_names: Mapping[str, Any]
    ) -> bool:
        """``include_name`` (and the legacy ``include_symbol``) on a name before reflection.

        ``parent_names`` gains ``schema_qualified_table_name`` when it names a schema.
        """
        parents = dict(parent_names)
        if "schema_name" in parents:
            table_name = name if type_ == "table" else parents.get("table_name")
            if table_name:
                schema = parents["schema_name"]
                parents["schema_qualified_table_name"] = (
                    f"{schema}.{table_name}" if schema else table_name
                )
        if not all(include_name(name, type_, parents) for include_name in self._name_filters):
            return False
        include_symbol: Callable[..., bool] | None = self.opts.get("include_symbol")
        if include_symbol is not None and type_ == "table":
            return bool(include_symbol(name, parent_names.get("schema_name")))
        return True

    def run_object_filters(
        self,
        object_: Any,
        name: str | None,
        type_: str,
        reflected: bool,
        compare_to: Any,
    ) -> bool:
        """``include_object`` on a model or reflected object."""
        return all(
            include_object(object_, name, type_, reflected, compare_to)
            for include_object in self._object_filters
        )

    @property
    def has_object_filter(self) -> bool:
        """Whether an ``include_object`` hook wants reflected objects built."""
        return bool(self._object_filters)
