"""Every lint rule: it fires, not on the safe form, not on a table new in the revision, and
a suppression with a reason allows it while one without a reason is reported."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from gitmig.lint import RULES, LintSettings
from tests.lint.revfile import active, lint_lines

WITH_DEFAULT = (
    'op.add_column("account", sa.Column("n", sa.Integer, nullable=False, server_default="0"))'
)
NEW_TABLE = 'op.create_table("account", sa.Column("id", sa.Integer, primary_key=True))'


class Case(NamedTuple):
    rule: str
    dialect: str
    unsafe: str
    safe: list[str]
    #: the rule is about existing rows: an op on a table created just before is exempt
    existing_data: bool = True


CASES = [
    Case(
        "pg-index-not-concurrent",
        "postgresql",
        'op.create_index("ix_name", "account", ["name"])',
        [
            "with op.get_context().autocommit_block():",
            '    op.create_index("ix_name", "account", ["name"], postgresql_concurrently=True)',
        ],
    ),
    Case(
        "pg-drop-index-not-concurrent",
        "postgresql",
        'op.drop_index("ix_name", table_name="account")',
        [
            "with op.get_context().autocommit_block():",
            '    op.drop_index("ix_name", table_name="account", postgresql_concurrently=True)',
        ],
    ),
    Case(
        "pg-concurrently-in-transaction",
        "postgresql",
        'op.create_index("ix_name", "account", ["name"], postgresql_concurrently=True)',
        [
            "with op.get_context().autocommit_block():",
            '    op.create_index("ix_name", "account", ["name"], postgresql_concurrently=True)',
        ],
        existing_data=False,
    ),
    Case(
        "pg-constraint-not-valid",
        "postgresql",
        'op.create_foreign_key("fk_a_o", "account", "org", ["org_id"], ["id"])',
        [
            'op.create_foreign_key("fk_a_o", "account", "org", ["org_id"], ["id"], '
            "postgresql_not_valid=True)",
            'op.execute("ALTER TABLE account VALIDATE CONSTRAINT fk_a_o")',
        ],
    ),
    Case(
        "pg-constraint-not-valid",
        "postgresql",
        'op.create_check_constraint("ck_age", "account", "age >= 0")',
        ['op.create_check_constraint("ck_age", "account", "age >= 0", postgresql_not_valid=True)'],
    ),
    Case(
        "pg-set-not-null",
        "postgresql",
        'op.alter_column("account", "name", nullable=False)',
        ['op.alter_column("account", "name", nullable=True)'],
    ),
    Case(
        "pg-type-change-rewrite",
        "postgresql",
        'op.alter_column("account", "n", type_=sa.BigInteger, existing_type=sa.Integer)',
        [
            'op.alter_column("account", "name", type_=sa.String(100), existing_type=sa.String(50))',
            'op.alter_column("account", "name", type_=sa.Text, existing_type=sa.String(50))',
            'op.alter_column("account", "total", type_=sa.Numeric(12, 2), '
            "existing_type=sa.Numeric(10, 2))",
        ],
    ),
    Case(
        "pg-type-change-rewrite",
        "postgresql",
        'op.alter_column("account", "name", type_=sa.String(20), existing_type=sa.String(50))',
        ['op.alter_column("account", "name", type_=sa.String(), existing_type=sa.String(50))'],
    ),
    Case(
        "pg-type-change-rewrite",
        "postgresql",
        'op.alter_column("account", "name", type_=sa.String(80))',  # no existing_type
        ['op.alter_column("account", "name", type_=sa.String(80), existing_type=sa.String(8))'],
    ),
    Case(
        "pg-volatile-default",
        "postgresql",
        'op.add_column("account", sa.Column("token", sa.Uuid, '
        'server_default=sa.text("gen_random_uuid()")))',
        [
            'op.add_column("account", sa.Column("created", sa.DateTime, '
            "server_default=sa.func.now()))",
            'op.add_column("account", sa.Column("kind", sa.String(9), server_default="basic"))',
        ],
    ),
    Case(
        "pg-volatile-default",
        "postgresql",
        'op.add_column("account", sa.Column("twice", sa.Integer, sa.Computed("n * 2")))',
        ['op.add_column("account", sa.Column("twice", sa.Integer))'],
    ),
    Case(
        "pg-unique-constraint-direct",
        "postgresql",
        'op.create_unique_constraint("uq_email", "account", ["email"])',
        [
            "with op.get_context().autocommit_block():",
            '    op.create_index("ix_email", "account", ["email"], unique=True, '
            "postgresql_concurrently=True)",
            'op.execute("ALTER TABLE account ADD CONSTRAINT uq_email UNIQUE USING INDEX ix_email")',
        ],
    ),
    Case(
        "pg-unique-constraint-direct",
        "postgresql",
        'op.create_primary_key("pk_account", "account", ["id"])',
        ['op.execute("ALTER TABLE account ADD CONSTRAINT pk_account PRIMARY KEY USING INDEX ix")'],
    ),
    Case(
        "pg-serial-primary-key",
        "postgresql",
        'op.add_column("account", sa.Column("id", sa.Integer, primary_key=True))',
        ['op.add_column("account", sa.Column("id", sa.BigInteger, nullable=True))'],
    ),
    Case(
        "pg-serial-primary-key",
        "postgresql",
        'op.add_column("account", sa.Column("seq", sa.BigInteger, sa.Identity()))',
        ['op.add_column("account", sa.Column("seq", sa.BigInteger))'],
    ),
    Case(
        "pg-lock-timeout-missing",
        "postgresql",
        'op.add_column("account", sa.Column("note", sa.Text))',
        [
            "op.execute(\"SET lock_timeout = '5s'\")",
            'op.add_column("account", sa.Column("note", sa.Text))',
        ],
    ),
    Case(
        "mysql-type-change-copy",
        "mysql",
        'op.alter_column("account", "n", type_=sa.BigInteger, existing_type=sa.Integer, '
        "existing_nullable=True)",
        [
            'op.alter_column("account", "name", type_=sa.String(60), existing_type=sa.String(50), '
            "existing_nullable=True)",
            'op.alter_column("account", "name", type_=sa.String(300), '
            "existing_type=sa.String(100), existing_nullable=True)",
        ],
    ),
    Case(
        "mysql-type-change-copy",
        "mariadb",
        'op.alter_column("account", "name", type_=sa.String(100), existing_type=sa.String(50), '
        "existing_nullable=True)",  # the length prefix grows from 1 to 2 bytes
        [
            'op.alter_column("account", "name", type_=sa.String(50), existing_type=sa.String(50), '
            "existing_nullable=False)",
        ],
    ),
    Case(
        "mysql-not-null-no-default",
        "mysql",
        'op.add_column("account", sa.Column("n", sa.Integer, nullable=False))',
        [WITH_DEFAULT],
    ),
    Case(
        "mysql-index-not-online",
        "mariadb",
        'op.create_index("ix_name", "account", ["name"])',
        [
            'op.execute("ALTER TABLE account ADD INDEX ix_name (name), ALGORITHM=INPLACE, '
            'LOCK=NONE")',
            'op.create_index("ix_body", "account", ["body"], mysql_prefix="FULLTEXT")',
        ],
    ),
    Case(
        "drop-table",
        "sqlite",
        'op.drop_table("account")',
        ["pass"],  # the safe form is not dropping it yet
    ),
    Case(
        "drop-column",
        "postgresql",
        'op.drop_column("account", "email")',
        ['op.add_column("account", sa.Column("email2", sa.String(200)))'],
    ),
    Case(
        "rename-table",
        "mysql",
        'op.rename_table("account", "customer")',
        ['op.create_table("customer", sa.Column("id", sa.Integer, primary_key=True))'],
    ),
    Case(
        "rename-column",
        "postgresql",
        'op.alter_column("account", "name", new_column_name="full_name")',
        ['op.add_column("account", sa.Column("full_name", sa.String(200)))'],
    ),
    Case(
        "not-null-no-default",
        "sqlite",
        'op.add_column("account", sa.Column("n", sa.Integer, nullable=False))',
        [WITH_DEFAULT],
    ),
    Case(
        "not-null-no-default",
        "postgresql",
        'op.add_column("account", sa.Column("n", sa.Integer, nullable=False))',
        ['op.add_column("account", sa.Column("n", sa.Integer, nullable=True))'],
    ),
]


def _id(case: Case) -> str:
    return f"{case.rule}-{case.dialect}-{CASES.index(case)}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_fires_on_the_unsafe_form(case: Case, tmp_path: Path) -> None:
    findings = active(lint_lines(tmp_path, [case.unsafe], case.dialect), case.rule)
    assert len(findings) == 1, findings
    (found,) = findings
    assert found.severity == RULES[case.rule].severity
    assert found.line == 14  # the op's line in the file: upgrade()'s first statement
    assert "account" in found.message


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_does_not_fire_on_the_safe_form(case: Case, tmp_path: Path) -> None:
    findings = lint_lines(tmp_path, case.safe, case.dialect)
    assert not active(findings, case.rule)
    assert not active(findings, "offline-run-failed")


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_a_table_created_in_the_same_revision_is_exempt(case: Case, tmp_path: Path) -> None:
    findings = active(lint_lines(tmp_path, [NEW_TABLE, case.unsafe], case.dialect), case.rule)
    assert bool(findings) is not case.existing_data


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_a_suppression_with_a_reason_allows_it(case: Case, tmp_path: Path) -> None:
    lines = [f"# gitmig: allow {case.rule} -- reviewed: the table is tiny", case.unsafe]
    findings = lint_lines(tmp_path, lines, case.dialect)
    assert not active(findings, case.rule)
    allowed = [f for f in findings if f.rule == case.rule]
    assert [f.suppressed for f in allowed] == ["reviewed: the table is tiny"]


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_a_suppression_without_a_reason_suppresses_nothing(case: Case, tmp_path: Path) -> None:
    findings = lint_lines(tmp_path, [f"# gitmig: allow {case.rule}", case.unsafe], case.dialect)
    assert active(findings, case.rule)
    (meta,) = active(findings, "suppression-without-reason")
    assert meta.severity == "error"
    assert meta.line == 14
    assert "gives no reason" in meta.message


def test_every_rule_has_a_case_or_a_test() -> None:
    tested = {c.rule for c in CASES} | {
        "downgrade-empty",
        "offline-run-failed",
        "suppression-without-reason",
        "suppression-unknown-rule",
    }
    assert tested == set(RULES)


def test_rules_do_not_apply_to_other_dialects(tmp_path: Path) -> None:
    lines = ['op.create_index("ix_name", "account", ["name"])']
    assert not active(lint_lines(tmp_path, lines, "sqlite"))
    assert [f.rule for f in active(lint_lines(tmp_path, lines, "mysql"))] == [
        "mysql-index-not-online"
    ]


def test_a_trailing_suppression_covers_its_statement_only(tmp_path: Path) -> None:
    lines = [
        'op.drop_column("account", "a")  # gitmig: allow drop-column -- unused since v2.3',
        'op.drop_column("account", "b")',
    ]
    findings = lint_lines(tmp_path, lines, "sqlite")
    assert [(f.message, f.suppressed) for f in findings if f.rule == "drop-column"] == [
        ("drop_column account.a", "unused since v2.3"),
        ("drop_column account.b", None),
    ]


def test_a_suppression_above_a_multi_line_statement(tmp_path: Path) -> None:
    lines = [
        "# gitmig: allow drop-column, rename-table -- unused since v2.3",
        "# (more words)",
        "op.drop_column(",
        '    "account",',
        '    "a",',
        ")",
        'op.rename_table("account", "client")',
    ]
    findings = lint_lines(tmp_path, lines, "sqlite")
    assert [(f.rule, f.suppressed) for f in findings] == [
        ("drop-column", "unused since v2.3"),
        ("rename-table", None),
    ]


def test_a_suppression_names_an_unknown_rule(tmp_path: Path) -> None:
    lines = ["# gitmig: allow drop-colum -- typo", 'op.drop_column("account", "a")']
    findings = active(lint_lines(tmp_path, lines, "sqlite"))
    assert [f.rule for f in findings] == ["suppression-unknown-rule", "drop-column"]
    assert findings[0].severity == "warning"


def test_an_empty_downgrade_for_a_schema_change(tmp_path: Path) -> None:
    change = ['op.add_column("account", sa.Column("note", sa.Text))']
    for body in (["pass"], ['"""nothing to undo"""'], ["..."]):
        (found,) = active(lint_lines(tmp_path, change, "sqlite", body))
        assert found.rule == "downgrade-empty"
        assert found.severity == "warning"
        assert found.line == 17  # def downgrade
    reverse = ['op.drop_column("account", "note")']
    assert not active(lint_lines(tmp_path, change, "sqlite", reverse), "downgrade-empty")
    irreversible = ['raise NotImplementedError("irreversible")']
    assert not active(lint_lines(tmp_path, change, "sqlite", irreversible))
    # an upgrade that changes nothing needs no downgrade
    assert not active(lint_lines(tmp_path, ["pass"], "sqlite", ["pass"]))
    lines = ["# gitmig: allow downgrade-empty -- forward only", "def downgrade() -> None:"]
    path = tmp_path / "rev_allowed.py"
    from tests.lint.revfile import revision_file

    revision_file(path, change, ["pass"])
    path.write_text(path.read_text().replace("def downgrade() -> None:", "\n".join(lines)))
    from gitmig.lint import lint_script
    from gitmig.script.base import Script

    (allowed,) = lint_script(Script("a1", None, path=str(path)), "sqlite", LintSettings())
    assert allowed.suppressed == "forward only"


def test_an_upgrade_that_fails_offline_is_reported_where_it_failed(tmp_path: Path) -> None:
    lines = [
        'op.drop_column("account", "a")',
        'rows = op.get_bind().execute(sa.text("SELECT id FROM account")).fetchall()',
        'op.drop_column("account", "b")',
    ]
    findings = active(lint_lines(tmp_path, lines, "postgresql"))
    failed = [f for f in findings if f.rule == "offline-run-failed"]
    assert len(failed) == 1
    assert failed[0].line == 15
    assert "failed offline" in failed[0].message
    # the ops before the failure are still checked
    assert [f.message for f in findings if f.rule == "drop-column"] == ["drop_column account.a"]


def test_batch_ops_are_checked_at_their_own_line(tmp_path: Path) -> None:
    lines = [
        'with op.batch_alter_table("account") as batch_op:',
        '    batch_op.add_column(sa.Column("x", sa.Integer))',
        '    batch_op.drop_column("old")',
    ]
    (found,) = active(lint_lines(tmp_path, lines, "postgresql"), "drop-column")
    assert found.line == 16
    assert found.message == "drop_column account.old"


def test_lint_settings_select_ignore_and_severity(tmp_path: Path) -> None:
    lines = ['op.drop_column("account", "a")', 'op.create_index("ix", "account", ["a"])']

    def rules(settings: LintSettings) -> list[tuple[str, str]]:
        return [(f.rule, f.severity) for f in lint_lines(tmp_path, lines, settings=settings)]

    assert rules(LintSettings()) == [
        ("drop-column", "error"),
        ("pg-lock-timeout-missing", "warning"),
        ("pg-index-not-concurrent", "error"),
    ]
    assert rules(LintSettings(select=("pg-*",), ignore=("pg-lock-*",))) == [
        ("pg-index-not-concurrent", "error")
    ]
    assert rules(LintSettings(ignore=("pg-*",), severity={"drop-column": "warning"})) == [
        ("drop-column", "warning")
    ]


def test_a_sqlite_batch_needs_no_copy_from_to_be_linted(tmp_path: Path) -> None:
    lines = [
        'with op.batch_alter_table("account") as batch_op:',
        '    batch_op.alter_column("name", new_column_name="full_name")',
        'op.drop_column("account", "email")',
    ]
    findings = active(lint_lines(tmp_path, lines, "sqlite"))
    assert [(f.rule, f.line) for f in findings] == [("rename-column", 15), ("drop-column", 16)]
