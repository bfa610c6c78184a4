"""What autogenerate must know about each database's way of describing a schema.

Databases report types, defaults and indexes in their own words (``DECIMAL`` for
``NUMERIC``, ``'x'::character varying`` for ``'x'``, an index per foreign key on MySQL).
:class:`DialectRules` turns those into comparable forms; subclasses register by dialect name
(``__dialect__``) and :func:`rules_for` finds them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from gitmig.autogenerate.reflect import ReflectedTable

__all__ = ["DialectRules", "TypeSignature", "rules_for"]

_REGISTRY: dict[str, type[DialectRules]] = {}

#: (words of the type name, arguments in parentheses), e.g. (("VARCHAR",), ("50",))
TypeSignature = tuple[tuple[str, ...], tuple[str, ...]]

_PARENS = re.compile(r"\(([^()]*)\)")
_QUOTED_NUMBER = re.compile(r"^'(-?\d+(?:\.\d+)?)'$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_FUNCTION_CALL = re.compile(r"^([a-z_]+)\(\)$")


class DialectRules:
    """Normalization rules for a database with no specific support."""

    __dialect__: ClassVar[str] = "default"
    #: type names (words joined by a space) that mean the same type: name -> canonical name
    type_synonyms: ClassVar[Mapping[str, str]] = {
        "DECIMAL": "NUMERIC",
        "INT": "INTEGER",
        "CHARACTER VARYING": "VARCHAR",
        "CHARACTER": "CHAR",
        "BOOL": "BOOLEAN",
        "DOUBLE PRECISION": "DOUBLE",
    }
    #: type spellings that also carry arguments: name -> (canonical name, implied arguments)
    type_expansions: ClassVar[Mapping[str, tuple[str, tuple[str, ...]]]] = {}
    #: words of a reflected type that carry no type information unless the model says them
    type_noise: ClassVar[re.Pattern[str] | None] = None
    #: server default spellings that mean the same value
    default_synonyms: ClassVar[Mapping[str, str]] = {
        "true": "1",
        "false": "0",
        "now()": "current_timestamp",
        "current_timestamp()": "current_timestamp",
        "localtimestamp": "current_timestamp",
    }

    #: ON DELETE / ON UPDATE actions that mean "the default" (reflection may omit them)
    fk_default_actions: ClassVar[frozenset[str]] = frozenset({"NO ACTION"})

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "__dialect__" in cls.__dict__:
            _REGISTRY[cls.__dialect__] = cls

    # -- types ----------------------------------------------------------------------------

    def type_signature(self, compiled: str, reflected: bool) -> TypeSignature:
        """Split a compiled type (``NUMERIC(10, 2)``) into canonical name words and arguments."""
        if self.type_noise is not None and reflected:
            compiled = self.type_noise.sub(" ", compiled)
        args = tuple(arg.strip() for group in _PARENS.findall(compiled) for arg in group.split(","))
        name = " ".join(_PARENS.sub(" ", compiled).upper().split())
        name = self.type_synonyms.get(name, name)
        if name in self.type_expansions:
            name, implied = self.type_expansions[name]
            args = args or implied
        return tuple(name.split()), args

    def types_differ(self, reflected: TypeSignature, model: TypeSignature) -> bool:
        """Whether a model type differs from the reflected one.

        Arguments count only when the model gives some: ``INTEGER`` in a model matches
        MySQL's ``INTEGER(11)`` display width.
        """
        if reflected[0] != model[0]:
            return True
        return bool(model[1]) and reflected[1] != model[1]

    # -- server defaults ------------------------------------------------------------------

    def normalize_default(self, sql: str) -> str:
        """A server default's SQL in a form that compares equal across spellings."""
        value = sql.strip()
        while value.startswith("(") and value.endswith(")") and _balanced(value[1:-1]):
            value = value[1:-1].strip()
        if not value.startswith("'"):
            value = value.lower()
        match = _QUOTED_NUMBER.match(value)
        if match:
            value = match.group(1)
        if _NUMBER.match(value):
            value = format(Decimal(value).normalize(), "f")  # 0.00 and 0 are one value
        return self.default_synonyms.get(value, value)

    def normalize_fk_action(self, action: str | None) -> str | None:
        """A foreign key's ON DELETE/ON UPDATE action, ``None`` for the default."""
        value = " ".join((action or "").upper().split()) or None
        return None if value in self.fk_default_actions else value

    # -- reflection fix-ups ---------------------------------------------------------------

    def fix_reflected_column(self, table_name: str, column: dict[str, Any]) -> None:
        """Adjust one reflected column dictionary in place (e.g. drop implicit defaults)."""

    def fix_reflected_table(self, table: ReflectedTable) -> None:
        """Adjust a reflected table in place before it is compared.

        The default drops indexes that only back a unique constraint (they are compared as
        the constraint) and unique constraints that only mirror a unique index.
        """
        table.indexes = [ix for ix in table.indexes if not ix.get("duplicates_constraint")]


class SQLiteRules(DialectRules):
    __dialect__ = "sqlite"


class PostgreSQLRules(DialectRules):
    __dialect__ = "postgresql"
    type_synonyms = {
        **DialectRules.type_synonyms,
        "FLOAT": "DOUBLE",
        "FLOAT8": "DOUBLE",
        "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
        "TIME WITHOUT TIME ZONE": "TIME",
        "TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE",
    }
    _cast = re.compile(r"::[\w\s\"\[\].]+(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?")

    def normalize_default(self, sql: str) -> str:
        # PostgreSQL adds casts to literals: 'x'::character varying, '5'::smallint
        return super().normalize_default(self._cast.sub("", sql))

    def fix_reflected_column(self, table_name: str, column: dict[str, Any]) -> None:
        # A SERIAL column's nextval() default is the column's own sequence, not a user default.
        default = column.get("default")
        if (
            column.get("autoincrement")
            and isinstance(default, str)
            and default.startswith("nextval(")
            and f"{table_name}_{column['name']}_seq" in default
        ):
            column["default"] = None


class MySQLRules(DialectRules):
    __dialect__ = "mysql"
    type_expansions = {"BOOLEAN": ("TINYINT", ("1",))}
    fk_default_actions = frozenset({"NO ACTION", "RESTRICT"})
    type_noise = re.compile(r"\b(?:CHARACTER SET|COLLATE)\s+\w+", re.IGNORECASE)

    def fix_reflected_table(self, table: ReflectedTable) -> None:
        # MySQL makes an index for each foreign key that has none; it is not the model's.
        fk_columns = {tuple(fk["constrained_columns"]) for fk in table.foreign_keys}
        kept = []
        for ix in table.indexes:
            if not ix.get("unique") and tuple(ix["column_names"]) in fk_columns:
                table.implicit_indexes.append(ix)
            else:
                kept.append(ix)
        table.indexes = kept


class MariaDBRules(MySQLRules):
    __dialect__ = "mariadb"
    # MariaDB stores JSON as LONGTEXT with a json_valid() check
    type_expansions = {**MySQLRules.type_expansions, "JSON": ("LONGTEXT", ())}


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def rules_for(dialect_name: str, is_mariadb: bool = False) -> DialectRules:
    """The rules registered for a dialect (MariaDB has its own under the mysql dialect)."""
    if is_mariadb and "mariadb" in _REGISTRY:
        return _REGISTRY["mariadb"]()
    return _REGISTRY.get(dialect_name, DialectRules)()
