"""The lint rules: a registry of small checks over a revision's recorded ops.

Each rule has an id (squawk/Atlas style), a default severity, the dialects it applies to
(``None``: all), the lock it is about, a one-paragraph explanation and the safe
alternative; ``docs/safety.md`` says the same at length. Register a rule with
:func:`op_rule` (one op at a time; ops on a table created earlier in the same revision are
skipped when the rule is about existing data) or :func:`revision_rule` (the whole
recording).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import types as sqltypes

from gitmig.operations import ops

if TYPE_CHECKING:
    from gitmig.lint.record import RecordedOp, Recording

__all__ = ["RULES", "Hit", "Rule", "Severity", "op_rule", "revision_rule"]

Severity = Literal["error", "warning"]

POSTGRESQL = frozenset({"postgresql"})
MYSQL = frozenset({"mysql", "mariadb"})


@dataclass(frozen=True)
class Hit:
    """One place a rule fires: the statement's lines and what is wrong there."""

    span: tuple[int, int] | None
    message: str


RuleCheck = Callable[["Recording"], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    """A lint rule and its documentation."""

    id: str
    severity: Severity
    #: dialect names it applies to; ``None`` for every dialect
    dialects: frozenset[str] | None
    #: the lock (or failure) the rule is about
    lock: str
    explanation: str
    safe_alternative: str
    check: RuleCheck

    def applies_to(self, dialect: str) -> bool:
        return self.dialects is None or dialect in self.dialects


#: every rule by id, in the order they are documented
RULES: dict[str, Rule] = {}


def revision_rule(
    id: str,
    severity: Severity,
    dialects: frozenset[str] | None,
    lock: str,
    explanation: str,
    safe_alternative: str,
) -> Callable[[RuleCheck], RuleCheck]:
    """Register ``fn(recording) -> hits`` as the rule ``id``."""

    def register(fn: RuleCheck) -> RuleCheck:
        RULES[id] = Rule(id, severity, dialects, lock, explanation, safe_alternative, fn)
        return fn

    return register


OpCheck = Callable[["RecordedOp", "Recording"], "str | None"]


def op_rule(
    id: str,
    severity: Severity,
    dialects: frozenset[str] | None,
    lock: str,
    explanation: str,
    safe_alternative: str,
    *,
    on: tuple[type[ops.MigrateOperation], ...],
    existing_data: bool = True,
) -> Callable[[OpCheck], OpCheck]:
    """Register ``fn(recorded_op, recording) -> message or None`` for ops of classes ``on``.

    With ``existing_data`` (the rule is about rows already in the table), ops on a table
    the same revision created are not checked.
    """

    def register(fn: OpCheck) -> OpCheck:
        def check(recording: Recording) -> Iterator[Hit]:
            for recorded in recording.ops:
                if not isinstance(recorded.op, on) or (existing_data and recorded.new_table):
                    continue
                message = fn(recorded, recording)
                if message is not None:
                    yield Hit(recorded.span, message)

        RULES[id] = Rule(id, severity, dialects, lock, explanation, safe_alternative, check)
        return fn

    return register


# -- what several rules look at --------------------------------------------------------


def _table(op: Any) -> str:
    schema = getattr(op, "schema", None)
    return f"{schema}.{op.table_name}" if schema else str(op.table_name)


def _server_default_text(default: Any) -> str | None:
    """The SQL text of a column's server default, ``None`` when it has none."""
    if default is None or default is False:
        return None
    arg = getattr(default, "arg", default)  # DefaultClause wraps the text
    return str(arg)


def _is_integer(type_: Any) -> bool:
    return isinstance(type_, sqltypes.Integer)


def _has_not_valid(kw: dict[str, Any]) -> bool:
    return bool(kw.get("postgresql_not_valid"))


def _type_name(type_: Any, recording: Recording) -> str:
    from sqlalchemy.engine import url as sqla_url

    if type_ is None:
        return "?"
    if isinstance(type_, type):
        type_ = type_()
    dialect = sqla_url.make_url(f"{recording.dialect}://").get_dialect()()
    return str(type_.compile(dialect=dialect))


def _instance(type_: Any) -> Any:
    return type_() if isinstance(type_, type) else type_


def _string_length(type_: Any) -> tuple[bool, int | None]:
    """(is a plain string type, its length; ``None`` for unbounded)."""
    if not isinstance(type_, sqltypes.String) or isinstance(type_, (sqltypes.Enum, sqltypes.CHAR)):
        return False, None
    if isinstance(type_, sqltypes.Text):
        return True, None
    return True, type_.length


# -- PostgreSQL ----------------------------------------------------------------------------


@op_rule(
    "pg-index-not-concurrent",
    "error",
    POSTGRESQL,
    "SHARE on the table for the whole build: INSERT, UPDATE and DELETE wait",
    "CREATE INDEX without CONCURRENTLY holds a SHARE lock on the table until the index is "
    "built, which on a large table takes minutes; every write to the table waits for it "
    "(reads go on).",
    "op.create_index(..., postgresql_concurrently=True) inside "
    "`with op.get_context().autocommit_block():`, which builds the index without blocking "
    "writes.",
    on=(ops.CreateIndexOp,),
)
def _pg_index_not_concurrent(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.CreateIndexOp)
    if op.kw.get("postgresql_concurrently"):
        return None
    return (
        f"create_index {op.index_name or ''} on existing table {_table(op)} without "
        "postgresql_concurrently=True".replace("  ", " ")
    )


@op_rule(
    "pg-drop-index-not-concurrent",
    "warning",
    POSTGRESQL,
    "ACCESS EXCLUSIVE on the table: reads and writes wait",
    "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table. "
    "The drop itself is quick, but the lock waits behind every open transaction on the "
    "table, and every query queues behind it meanwhile.",
    "op.drop_index(..., postgresql_concurrently=True) inside "
    "`with op.get_context().autocommit_block():`.",
    on=(ops.DropIndexOp,),
)
def _pg_drop_index_not_concurrent(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.DropIndexOp)
    if op.kw.get("postgresql_concurrently"):
        return None
    on = f" on existing table {_table(op)}" if op.table_name else ""
    return f"drop_index {op.index_name}{on} without postgresql_concurrently=True"


@op_rule(
    "pg-concurrently-in-transaction",
    "error",
    POSTGRESQL,
    "none: PostgreSQL refuses to run it inside a transaction block",
    "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction, and gitmig runs a "
    "PostgreSQL migration in one; the statement fails at deploy time.",
    "Put the op in `with op.get_context().autocommit_block():` (it commits what ran before, "
    "runs the block outside the transaction, and begins a new one after it).",
    on=(ops.CreateIndexOp, ops.DropIndexOp),
    existing_data=False,
)
def _pg_concurrently_in_transaction(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, (ops.CreateIndexOp, ops.DropIndexOp))
    if not op.kw.get("postgresql_concurrently") or recorded.autocommit:
        return None
    verb = "create_index" if isinstance(op, ops.CreateIndexOp) else "drop_index"
    on = f" on {_table(op)}" if op.table_name else ""
    return (
        f"{verb} {op.index_name}{on} with postgresql_concurrently=True outside autocommit_block()"
    )


@op_rule(
    "pg-constraint-not-valid",
    "error",
    POSTGRESQL,
    "ACCESS EXCLUSIVE (CHECK) or SHARE ROW EXCLUSIVE on both tables (FOREIGN KEY) while "
    "every row is checked",
    "Adding a CHECK or FOREIGN KEY constraint checks every existing row while holding a lock "
    "that blocks writes (a CHECK blocks reads too), for as long as the scan takes.",
    "Add it with postgresql_not_valid=True (only new rows are checked; the lock is brief), "
    'then in a later step `op.execute("ALTER TABLE t VALIDATE CONSTRAINT c")`, which takes '
    "SHARE UPDATE EXCLUSIVE and lets reads and writes go on.",
    on=(ops.CreateForeignKeyOp, ops.CreateCheckConstraintOp),
)
def _pg_constraint_not_valid(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, (ops.CreateForeignKeyOp, ops.CreateCheckConstraintOp))
    if _has_not_valid(op.kw):
        return None
    kind = "foreign key" if isinstance(op, ops.CreateForeignKeyOp) else "check constraint"
    name = f" {op.constraint_name}" if op.constraint_name else ""
    return f"{kind}{name} added to existing table {_table(op)} without postgresql_not_valid=True"


@op_rule(
    "pg-set-not-null",
    "error",
    POSTGRESQL,
    "ACCESS EXCLUSIVE while every row is scanned: reads and writes wait",
    "ALTER COLUMN ... SET NOT NULL scans the whole table for NULLs under an ACCESS EXCLUSIVE "
    "lock, so nothing can read or write the table until the scan ends.",
    "Add a CHECK (col IS NOT NULL) constraint with postgresql_not_valid=True, validate it in "
    "a later step, then SET NOT NULL (PostgreSQL 12+ skips the scan when a valid check "
    "proves it) and drop the check.",
    on=(ops.AlterColumnOp,),
)
def _pg_set_not_null(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.AlterColumnOp)
    if op.modify_nullable is not False or op.existing_nullable is False:
        return None
    return f"alter_column {_table(op)}.{op.column_name} nullable=False on an existing table"


def _pg_type_change_is_safe(old: Any, new: Any) -> bool:
    """Changes PostgreSQL makes without rewriting the table (binary-coercible ones)."""
    old, new = _instance(old), _instance(new)
    is_str_old, old_len = _string_length(old)
    is_str_new, new_len = _string_length(new)
    if is_str_old and is_str_new:
        return new_len is None or (old_len is not None and new_len >= old_len)
    numeric = (sqltypes.Numeric,)
    if (
        isinstance(old, numeric)
        and isinstance(new, numeric)
        and not isinstance(old, sqltypes.Float)
        and not isinstance(new, sqltypes.Float)
    ):
        if new.precision is None:
            return True
        return (
            old.precision is not None
            and new.precision >= old.precision
            and (new.scale or 0) == (old.scale or 0)
        )
    return False


@op_rule(
    "pg-type-change-rewrite",
    "error",
    POSTGRESQL,
    "ACCESS EXCLUSIVE while the whole table (and its indexes) is rewritten",
    "Most column type changes make PostgreSQL rewrite the table and rebuild its indexes "
    "under an ACCESS EXCLUSIVE lock. Known-safe changes are not reported: widening or "
    "removing a varchar length, varchar to text, and raising a numeric's precision with the "
    "same scale.",
    "Expand and contract: add a column of the new type, fill it in batches (and keep it in "
    "step with a trigger or the application), switch reads to it, then drop the old column.",
    on=(ops.AlterColumnOp,),
)
def _pg_type_change(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.AlterColumnOp)
    if op.modify_type is None:
        return None
    where = f"alter_column {_table(op)}.{op.column_name}"
    new = _type_name(op.modify_type, recording)
    if op.kw.get("postgresql_using"):
        return f"{where} type_={new} with postgresql_using rewrites the table"
    if op.existing_type is None:
        return (
            f"{where} type_={new} without existing_type: give it, so a known-safe change can "
            "be told from a rewrite"
        )
    old = _type_name(op.existing_type, recording)
    if old == new or _pg_type_change_is_safe(op.existing_type, op.modify_type):
        return None
    return f"{where} from {old} to {new} rewrites the table"


_VOLATILE = re.compile(
    r"\b(random|gen_random_uuid|uuid_generate_v[14]\w*|clock_timestamp|timeofday|nextval|"
    r"txid_current)\s*\(",
    re.IGNORECASE,
)


@op_rule(
    "pg-volatile-default",
    "error",
    POSTGRESQL,
    "ACCESS EXCLUSIVE while the whole table is rewritten",
    "Since PostgreSQL 11 a column added with a constant (or stable, like now()) default is "
    "instant, but a volatile default (random(), gen_random_uuid(), clock_timestamp(), "
    "nextval()) or a stored generated column must be computed for every row: the table is "
    "rewritten under an ACCESS EXCLUSIVE lock.",
    "Add the column without a default (or with a constant one), set the volatile default "
    "with alter_column(server_default=...) (it applies to new rows only), and fill existing "
    "rows in batches.",
    on=(ops.AddColumnOp,),
)
def _pg_volatile_default(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.AddColumnOp)
    column = op.column
    where = f"add_column {_table(op)}.{column.name}"
    if column.computed is not None and column.computed.persisted is not False:
        return f"{where} is a stored generated column on an existing table"
    text = _server_default_text(column.server_default)
    if text is not None and _VOLATILE.search(text):
        return f"{where} with the volatile server default {text} on an existing table"
    return None


@op_rule(
    "pg-unique-constraint-direct",
    "error",
    POSTGRESQL,
    "ACCESS EXCLUSIVE while the unique index is built: reads and writes wait",
    "Adding a UNIQUE (or PRIMARY KEY) constraint to an existing table builds its index while "
    "holding an ACCESS EXCLUSIVE lock.",
    "Build a unique index first with create_index(..., unique=True, "
    "postgresql_concurrently=True) in an autocommit_block(), then attach it: "
    'op.execute("ALTER TABLE t ADD CONSTRAINT c UNIQUE USING INDEX ix") (or PRIMARY KEY '
    "USING INDEX), which is instant.",
    on=(ops.CreateUniqueConstraintOp, ops.CreatePrimaryKeyOp),
)
def _pg_unique_direct(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, (ops.CreateUniqueConstraintOp, ops.CreatePrimaryKeyOp))
    kind = "unique constraint" if isinstance(op, ops.CreateUniqueConstraintOp) else "primary key"
    name = f" {op.constraint_name}" if op.constraint_name else ""
    return f"{kind}{name} added directly to existing table {_table(op)}"


@op_rule(
    "pg-serial-primary-key",
    "error",
    POSTGRESQL,
    "ACCESS EXCLUSIVE while the whole table is rewritten",
    "A serial or identity column added to an existing table must get a value for every row "
    "from its sequence: PostgreSQL rewrites the table under an ACCESS EXCLUSIVE lock (and, "
    "as a primary key, builds the index under it too).",
    "Add a plain nullable bigint column, attach a sequence default for new rows, backfill "
    "existing rows in batches, then build a unique index concurrently and attach it as the "
    "primary key (PRIMARY KEY USING INDEX).",
    on=(ops.AddColumnOp,),
)
def _pg_serial_primary_key(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.AddColumnOp)
    column = op.column
    serial = (
        column.primary_key
        and _is_integer(column.type)
        and column.autoincrement in (True, "auto")
        and column.server_default is None
    )
    if column.identity is None and not serial:
        return None
    kind = "an identity" if column.identity is not None else "a serial primary key"
    return f"add_column {_table(op)}.{column.name} adds {kind} column to an existing table"


#: ops that take a lock heavier than SHARE UPDATE EXCLUSIVE on an existing table
_LOCKING_OPS = (
    ops.AddColumnOp,
    ops.DropColumnOp,
    ops.AlterColumnOp,
    ops.CreateIndexOp,
    ops.DropIndexOp,
    ops.AddConstraintOp,
    ops.DropConstraintOp,
    ops.RenameTableOp,
    ops.DropTableOp,
)
_LOCK_TIMEOUT = re.compile(r"\block_timeout\b", re.IGNORECASE)


def _sets_lock_timeout(op: ops.MigrateOperation) -> bool:
    return isinstance(op, ops.ExecuteSQLOp) and bool(_LOCK_TIMEOUT.search(str(op.sqltext)))


@revision_rule(
    "pg-lock-timeout-missing",
    "warning",
    POSTGRESQL,
    "while it waits for its lock, the op blocks every later query on the table",
    "An ALTER waits for its lock behind any long transaction on the table, and while it "
    "waits, every query that comes after it (even a SELECT) queues behind it: a one-second "
    "change becomes an outage. A lock_timeout makes the migration fail fast instead.",
    "Start the revision with `op.execute(\"SET lock_timeout = '5s'\")` (and retry the "
    "deploy if it times out). If env.py sets it for every run, put this rule in "
    "lint_ignore.",
)
def _pg_lock_timeout_missing(recording: Recording) -> Iterator[Hit]:
    for recorded in recording.ops:
        if _sets_lock_timeout(recorded.op):
            return
        op = recorded.op
        if recorded.new_table or not isinstance(op, _LOCKING_OPS):
            continue
        if isinstance(op, (ops.CreateIndexOp, ops.DropIndexOp)) and op.kw.get(
            "postgresql_concurrently"
        ):
            continue
        name = type(op).__name__.removesuffix("Op")
        yield Hit(
            recorded.span,
            f"{name} on existing table {_table(op)} runs without a lock_timeout set before it",
        )
        return


# -- MySQL / MariaDB -----------------------------------------------------------------------


def _mysql_type_change_is_inplace(old: Any, new: Any) -> bool:
    old, new = _instance(old), _instance(new)
    is_str_old, old_len = _string_length(old)
    is_str_new, new_len = _string_length(new)
    if not (is_str_old and is_str_new) or old_len is None or new_len is None:
        return False
    if isinstance(old, sqltypes.Text) or isinstance(new, sqltypes.Text):
        return False
    # VARCHAR widening is in place while the length prefix keeps its size (1 byte up to 255
    # bytes); with utf8mb4 (4 bytes a character) that is 63 characters.
    return new_len >= old_len and (old_len * 4 <= 255) == (new_len * 4 <= 255)


@op_rule(
    "mysql-type-change-copy",
    "error",
    MYSQL,
    "ALGORITHM=COPY: writes are blocked while the table is copied",
    "Changing a column's type makes MySQL and MariaDB copy the whole table, blocking writes "
    "for the duration (and needing the table's size again on disk). Only widening a VARCHAR "
    "whose length prefix stays the same size (up to 63 characters with utf8mb4, or from 64 "
    "up) runs in place.",
    "Expand and contract: add a column of the new type, fill it in batches, switch the "
    "application over, drop the old column; or run the change with an online schema-change "
    "tool (gh-ost, pt-online-schema-change).",
    on=(ops.AlterColumnOp,),
)
def _mysql_type_change(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.AlterColumnOp)
    if op.modify_type is None:
        return None
    where = f"alter_column {_table(op)}.{op.column_name}"
    new = _type_name(op.modify_type, recording)
    if op.existing_type is None:
        return f"{where} type_={new} without existing_type: it probably copies the table"
    old = _type_name(op.existing_type, recording)
    if old == new or _mysql_type_change_is_inplace(op.existing_type, op.modify_type):
        return None
    return f"{where} from {old} to {new} copies the table"


def _not_null_without_default(column: Any) -> bool:
    return (
        column.nullable is False
        and column.server_default is None
        and column.identity is None
        and column.computed is None
        and not (column.primary_key and _is_integer(column.type))
    )


@op_rule(
    "mysql-not-null-no-default",
    "error",
    MYSQL,
    "none; existing rows silently get the type's implicit default",
    "MySQL and MariaDB add a NOT NULL column without a default to a table with rows by "
    "giving every existing row the type's implicit default (0, '', '0000-00-00'): the "
    "migration succeeds and the data is wrong.",
    "Give the column a server_default (drop it afterwards if new rows must always set "
    "it), or add it nullable, backfill it, then make it NOT NULL.",
    on=(ops.AddColumnOp,),
)
def _mysql_not_null(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.AddColumnOp)
    if not _not_null_without_default(op.column):
        return None
    return f"add_column {_table(op)}.{op.column.name} NOT NULL without a server_default"


@op_rule(
    "mysql-index-not-online",
    "warning",
    MYSQL,
    "none with ALGORITHM=INPLACE, LOCK=NONE; a silent fallback to a locking build without",
    "An index added with plain CREATE INDEX is built online only when the server decides it "
    "can; when it cannot (an older server, some column types), it silently falls back to a "
    "build that blocks writes. Stating ALGORITHM=INPLACE, LOCK=NONE makes the server refuse "
    "instead of locking. FULLTEXT and SPATIAL indexes cannot be built with LOCK=NONE and are "
    "not reported.",
    'op.execute("ALTER TABLE t ADD INDEX ix (col), ALGORITHM=INPLACE, LOCK=NONE") instead of '
    "op.create_index() on an existing table.",
    on=(ops.CreateIndexOp,),
)
def _mysql_index_not_online(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.CreateIndexOp)
    prefix = str(op.kw.get("mysql_prefix") or op.kw.get("mariadb_prefix") or "").upper()
    if prefix in ("FULLTEXT", "SPATIAL"):
        return None
    return (
        f"create_index {op.index_name} on existing table {_table(op)} without "
        "ALGORITHM=INPLACE, LOCK=NONE"
    )


# -- every dialect -------------------------------------------------------------------------

_EXPAND_CONTRACT = (
    "Expand and contract: first deploy application code that no longer uses it, then "
    "remove it in a later revision (suppress this rule there, saying why it is safe)."
)


@op_rule(
    "drop-table",
    "error",
    None,
    "PostgreSQL ACCESS EXCLUSIVE; the data is gone",
    "Dropping a table destroys its data, and the application version still running during "
    "the deploy fails on every query that uses it.",
    _EXPAND_CONTRACT,
    on=(ops.DropTableOp,),
)
def _drop_table(recorded: RecordedOp, recording: Recording) -> str | None:
    return f"drop_table {_table(recorded.op)}"


@op_rule(
    "drop-column",
    "error",
    None,
    "PostgreSQL ACCESS EXCLUSIVE (brief); MySQL rebuilds the table; the data is gone",
    "Dropping a column destroys its data, and the application version still running during "
    "the deploy fails on queries that name it (an ORM selects every mapped column).",
    _EXPAND_CONTRACT,
    on=(ops.DropColumnOp,),
)
def _drop_column(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.DropColumnOp)
    return f"drop_column {_table(op)}.{op.column_name}"


@op_rule(
    "rename-table",
    "error",
    None,
    "PostgreSQL ACCESS EXCLUSIVE (brief)",
    "Renaming a table breaks the application version still running during the deploy: "
    "every query by the old name fails until the new code is out.",
    "Expand and contract: create the new table (or a view under the new name), move the "
    "application to it, then drop the old one in a later revision.",
    on=(ops.RenameTableOp,),
)
def _rename_table(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.RenameTableOp)
    return f"rename_table {_table(op)} to {op.new_table_name}"


@op_rule(
    "rename-column",
    "error",
    None,
    "PostgreSQL ACCESS EXCLUSIVE (brief)",
    "Renaming a column breaks the application version still running during the deploy: "
    "every query naming the old column fails until the new code is out.",
    "Expand and contract: add the new column, write both, backfill, move reads to the new "
    "one, then drop the old column in a later revision.",
    on=(ops.AlterColumnOp,),
)
def _rename_column(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.AlterColumnOp)
    if not op.modify_name or op.modify_name == op.column_name:
        return None
    return f"alter_column {_table(op)}.{op.column_name} renames it to {op.modify_name}"


@op_rule(
    "not-null-no-default",
    "error",
    None,
    "none; the ALTER fails on a table with rows",
    "A NOT NULL column added without a server default cannot be filled in for the rows "
    "already there: the ALTER fails on any table that has rows (SQLite refuses it always), "
    "typically in production and not in a test database. (MySQL and MariaDB fill in a "
    "value instead: see mysql-not-null-no-default.)",
    "Give the column a server_default, or add it nullable, backfill it, then make it NOT NULL.",
    on=(ops.AddColumnOp,),
)
def _not_null_no_default(recorded: RecordedOp, recording: Recording) -> str | None:
    op = recorded.op
    assert isinstance(op, ops.AddColumnOp)
    if recording.dialect in MYSQL or not _not_null_without_default(op.column):
        return None
    return f"add_column {_table(op)}.{op.column.name} NOT NULL without a server_default"


@revision_rule(
    "downgrade-empty",
    "warning",
    None,
    "none; `gitmig downgrade` silently does nothing",
    "A downgrade() that is empty (or only `pass`) for an upgrade() that changes the schema "
    "makes `gitmig downgrade` report success while leaving the changes in place; the "
    "version table then disagrees with the schema.",
    "Write the reverse ops, or make the revision say it cannot be undone: "
    '`raise NotImplementedError("irreversible: ...")`.',
)
def _downgrade_empty(recording: Recording) -> Iterator[Hit]:
    if recording.empty_downgrade is None or not recording.ops:
        return
    has_schema_change = any(not isinstance(r.op, ops.BulkInsertOp) for r in recording.ops)
    if has_schema_change:
        yield Hit(
            recording.empty_downgrade, "downgrade() does nothing, but upgrade() changes the schema"
        )


# -- the lint itself -----------------------------------------------------------------------


@revision_rule(
    "offline-run-failed",
    "error",
    None,
    "none; the revision could not be checked",
    "gitmig lints a revision by running its upgrade() in offline mode and recording its "
    "ops; when that raises (the revision reads rows with op.get_bind(), or needs a "
    "database), the ops after the failure are not checked.",
    "Make upgrade() work offline (as `gitmig upgrade --sql` needs anyway), e.g. test "
    "`op.get_context().as_sql` around code that reads the database; or put this rule in "
    "lint_ignore.",
)
def _offline_run_failed(recording: Recording) -> Iterator[Hit]:
    if recording.failure is not None:
        yield Hit(recording.failure_span, f"upgrade() failed offline: {recording.failure}")


@revision_rule(
    "suppression-without-reason",
    "error",
    None,
    "none",
    "A `# gitmig: allow RULE` comment must say why the change is safe, after `--`, so that "
    "a reviewer can judge it; without a reason it suppresses nothing.",
    "`# gitmig: allow drop-column -- the column is unused since v2.3`",
)
def _suppression_without_reason(recording: Recording) -> Iterator[Hit]:
    from gitmig.lint.suppress import parse_suppressions

    for found in parse_suppressions(recording.source):
        if not found.reason:
            names = ", ".join(found.rules) or "(no rule)"
            yield Hit(
                (found.line, found.line),
                f"`gitmig: allow {names}` gives no reason after `--`; it suppresses nothing",
            )


@revision_rule(
    "suppression-unknown-rule",
    "warning",
    None,
    "none",
    "A `# gitmig: allow` comment names a rule gitmig does not have (a typo suppresses nothing).",
    "Use an id from this page; `gitmig lint --rules` lists them.",
)
def _suppression_unknown_rule(recording: Recording) -> Iterator[Hit]:
    from gitmig.lint.suppress import parse_suppressions

    for found in parse_suppressions(recording.source):
        for name in found.rules:
            if name not in RULES:
                yield Hit((found.line, found.line), f"`gitmig: allow {name}`: no such rule")
