"""What autogenerate must know about each database's way of describing a schema.

Databases report types, defaults and indexes in their own words (``DECIMAL`` for
``NUMERIC``, ``'x'::character varying`` for ``'x'``, an index per foreign key on MySQL).
:class:`DialectRules` turns those into comparable forms; subclasses register by dialect name
(``__dialect__``) and :func:`rules_for` finds them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Column, UniqueConstraint
from sqlalchemy.sql.elements import ClauseElement, ColumnClause, UnaryExpression

from gitmig.util.messaging import warn

if TYPE_CHECKING:
    from sqlalchemy import Index
    from sqlalchemy.engine import Dialect

    from gitmig.autogenerate.reflect import ReflectedTable

__all__ = ["DialectRules", "TypeSignature", "is_expression_index", "rules_for"]

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
    #: whether reflection reports indexes on expressions (else the model's are not compared)
    reflects_expression_indexes: ClassVar[bool] = True

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

    # -- indexes and unique constraints ---------------------------------------------------

    def index_options(self, item: Index | UniqueConstraint) -> tuple[str, ...]:
        """The dialect options of an index or unique constraint that count in a comparison."""
        return ()

    def compare_index(
        self, dialect: Dialect, metadata_index: Index, conn_index: Index
    ) -> tuple[list[str], list[str]]:
        """How a model index differs from the reflected one of the same name: the
        differences, and the reasons the two cannot be compared (then they count as equal).
        """
        differences = _unique_change(metadata_index, conn_index)
        model = tuple(c.name for c in metadata_index.columns)
        reflected = tuple(c.name for c in conn_index.columns)
        if model != reflected:
            differences.append(f"columns {reflected} to {model}")
        return differences, []

    def compare_unique(
        self, metadata_constraint: UniqueConstraint, conn_constraint: UniqueConstraint
    ) -> list[str]:
        """How a model unique constraint differs from the reflected one of the same name."""
        model = sorted(c.name for c in metadata_constraint.columns)
        reflected = sorted(c.name for c in conn_constraint.columns)
        if model != reflected:
            return [f"columns {reflected} to {model}"]
        model_options = self.index_options(metadata_constraint)
        conn_options = self.index_options(conn_constraint)
        if model_options != conn_options:
            return [f"options {conn_options} to {model_options}"]
        return []


def _unique_change(metadata_index: Index, conn_index: Index) -> list[str]:
    if bool(metadata_index.unique) != bool(conn_index.unique):
        return [f"unique={bool(conn_index.unique)} to unique={bool(metadata_index.unique)}"]
    return []


def is_expression_index(index: Index) -> bool:
    """Whether any element of ``index`` is an expression rather than a plain column."""
    for element in index.expressions:
        while isinstance(element, UnaryExpression):  # asc(), desc(), nulls_first() ...
            element = element.element
        if not isinstance(element, ColumnClause) or element.is_literal:
            return True
    return False


class SQLiteRules(DialectRules):
    __dialect__ = "sqlite"
    reflects_expression_indexes = False


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
        # PostgreSQL adds casts to literals ('x'::character varying, '5'::smallint), quotes
        # function names that are keywords ("substring") and writes its own spacing
        return super().normalize_default(_outside_literals(self._cast.sub("", sql), _tighten))

    def index_options(self, item: Index | UniqueConstraint) -> tuple[str, ...]:
        # reflection reports only the positive case
        if item.dialect_kwargs.get("postgresql_nulls_not_distinct"):
            return ("nulls_not_distinct",)
        return ()

    def compare_index(
        self, dialect: Dialect, metadata_index: Index, conn_index: Index
    ) -> tuple[list[str], list[str]]:
        # PostgreSQL reflects expressions: compare each element's SQL, normalized
        differences = _unique_change(metadata_index, conn_index)
        model, reflected = list(metadata_index.expressions), list(conn_index.expressions)
        if len(model) != len(reflected):
            differences.append(f"expression number {len(reflected)} to {len(model)}")
        if differences:
            return differences, []
        table = metadata_index.table
        table_name = table.name if table is not None else None
        skipped: list[str] = []
        for pos, (m_element, r_element) in enumerate(zip(model, reflected, strict=True), 1):
            m_sql = _element_sql(dialect, m_element)
            r_sql = _element_sql(dialect, r_element)
            if index_expression_key(m_sql, table_name) == index_expression_key(r_sql, table_name):
                continue
            if m_sql.strip().endswith("_ops") and (" " in m_sql or ")" in m_sql):
                skipped.append(f"expression #{pos} {m_sql!r} includes an operator class")
                warn(
                    f"Expression #{pos} {m_sql!r} in index {conn_index.name!r} detected to "
                    "include an operator clause. Expression compare cannot proceed. Please "
                    "move the operator clause to the ``postgresql_ops`` dict to enable proper "
                    "compare of the index expressions: https://docs.sqlalchemy.org/en/latest/"
                    "dialects/postgresql.html#operator-classes",
                    stacklevel=2,
                )
            else:
                differences.append(f"expression #{pos} {r_sql!r} to {m_sql!r}")
        if self.index_options(metadata_index) != self.index_options(conn_index):
            differences.append(
                f"options {self.index_options(conn_index)} to {self.index_options(metadata_index)}"
            )
        return differences, skipped

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
        # MySQL makes an index for each foreign key that has none, named after the key or
        # after its first column; such an index is not the model's (nor compared with it).
        fk_names: dict[str, set[str]] = {}
        for fk in table.foreign_keys:
            for column in fk["constrained_columns"]:
                fk_names.setdefault(column, set()).add(fk.get("name") or "")
        kept = []
        for ix in table.indexes:
            columns = [c for c in ix["column_names"] if c is not None]
            if not ix.get("unique") and any(
                ix["name"] == c or ix["name"] in fk_names.get(c, ()) for c in columns
            ):
                table.implicit_indexes.append(ix)
            else:
                kept.append(ix)
        table.indexes = kept


class MariaDBRules(MySQLRules):
    __dialect__ = "mariadb"
    # MariaDB stores JSON as LONGTEXT with a json_valid() check
    type_expansions = {**MySQLRules.type_expansions, "JSON": ("LONGTEXT", ())}


_LITERAL = re.compile(r"('(?:[^']|'')*')")
_SPACED_PUNCTUATION = re.compile(r"\s*([,()])\s*")


def _outside_literals(sql: str, change: Callable[[str], str]) -> str:
    """``sql`` with ``change`` applied to the parts outside its quoted string literals."""
    parts = _LITERAL.split(sql)
    return "".join(part if i % 2 else change(part) for i, part in enumerate(parts))


def _tighten(part: str) -> str:
    """No identifier quotes, no spaces around commas and parentheses."""
    return _SPACED_PUNCTUATION.sub(r"\1", part.replace('"', ""))


def _element_sql(dialect: Dialect, element: Any) -> str:
    if isinstance(element, str):
        return element
    if isinstance(element, Column):
        return str(dialect.identifier_preparer.quote(element.name))
    assert isinstance(element, ClauseElement)
    return str(
        element.compile(
            dialect=dialect, compile_kwargs={"literal_binds": True, "include_table": False}
        )
    )


#: a type name after ``::`` or ``AS``: a quoted or dotted name, two-word names, a length or
#: precision, a time zone, array brackets
_PG_TYPE = (
    r'(?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?'
    r"(?:\s+(?:varying|precision))?"
    r"(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?"
    r"(?:\s+with(?:out)?\s+time\s+zone)?"
    r"(?:\s*\[\s*\d*\s*\])*"
)
_PG_CAST_SUFFIX = re.compile(r"::\s*" + _PG_TYPE, re.IGNORECASE)
_PG_CAST_CALL = re.compile(r"\bcast\s*\((.*?)\s+as\s+" + _PG_TYPE + r"\s*\)", re.IGNORECASE)
_ORDERING = re.compile(r"(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?$")
_WRAPPED_NAME = re.compile(r"(?<![\w)])\((\w+)\)")


def index_expression_key(sql: str, table_name: str | None = None) -> str:
    """An index element's SQL in a form that compares equal however PostgreSQL or
    SQLAlchemy spelled it: no quotes, table prefixes, casts, redundant parentheses or
    spaces, and the sort order only where it is not the default (ASC NULLS LAST).
    """
    value = sql.strip().lower().replace('"', "").replace("'", "")
    if table_name:
        value = value.replace(f"{table_name.lower()}.", "")
    value = _strip_parens(value)
    match = _ORDERING.search(value)
    direction, nulls = (match.group(1), match.group(2)) if match else (None, None)
    if match:
        value = value[: match.start()]
    descending = direction == "desc"
    nulls_first = nulls == "first" if nulls else descending
    order = ("desc" if descending else "") + (
        "nullsfirst" if nulls_first and not descending else ""
    )
    order += "nullslast" if descending and not nulls_first else ""
    value = _PG_CAST_SUFFIX.sub("", value)
    count = 1
    while count:
        value, count = _PG_CAST_CALL.subn(r"\1", value)
    value = _strip_parens(value)
    count = 1
    while count:
        value, count = _WRAPPED_NAME.subn(r"\1", value)
    return value.replace(" ", "") + (f" {order}" if order else "")


def _strip_parens(value: str) -> str:
    value = value.strip()
    while value.startswith("(") and value.endswith(")") and _balanced(value[1:-1]):
        value = value[1:-1].strip()
    return value


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
