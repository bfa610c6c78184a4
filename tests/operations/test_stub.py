"""``gitmig/op.pyi``: generated from ``Operations``, committed up to date, and what mypy
uses to check ``op.*`` calls in revision scripts."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import gitmig
from gitmig.operations import Operations, _stubgen

REPO_ROOT = Path(gitmig.__file__).resolve().parents[1]

GOOD = '''"""add the account table"""

import sqlalchemy as sa

from gitmig import op

revision = "a1"
down_revision = None


def upgrade() -> None:
    account = op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        comment="one row per customer",
    )
    op.bulk_insert(account, [{"id": 1, "name": "root"}])
    op.add_column("account", sa.Column("age", sa.Integer), schema=None)
    op.alter_column("account", "age", nullable=False, existing_type=sa.Integer)
    op.create_index(op.f("ix_account_name"), "account", ["name"], unique=True)
    op.create_foreign_key("fk", "order", "account", ["account_id"], ["id"], ondelete="CASCADE")
    with op.batch_alter_table("account", recreate="always") as batch_op:
        batch_op.drop_column("age")
    if not op.get_context().as_sql:
        op.get_bind().execute(sa.text("SELECT 1"))
    op.execute(sa.table("account").delete().where(sa.column("id") == op.inline_literal(2)))


def downgrade() -> None:
    op.drop_table("account", if_exists=True)
'''

BAD = """import sqlalchemy as sa

from gitmig import op


def upgrade() -> None:
    op.add_column("account", "age")
    op.drop_table("account", "public")
    op.create_tabel("account", sa.Column("id", sa.Integer))
    with op.batch_alter_table("account", recreate="sometimes"):
        pass
    table: int = op.create_table("t")
"""


def test_committed_stub_is_up_to_date() -> None:
    assert _stubgen.STUB_PATH == REPO_ROOT / "gitmig" / "op.pyi"
    assert _stubgen.STUB_PATH.read_text(encoding="utf-8") == _stubgen.generate(), (
        "gitmig/op.pyi is out of date: run python -m gitmig.operations._stubgen"
    )


def test_stub_has_every_op_with_its_signature() -> None:
    text = _stubgen.generate()
    for name in ("add_column", "create_table", "bulk_insert", "get_bind", "f", "invoke"):
        assert f"\ndef {name}(" in text
    assert "\ndef context(" not in text  # installs the proxy: not for revision scripts
    assert "@contextmanager\ndef batch_alter_table(" in text
    assert "def f(name: str) -> conv:" in text  # a staticmethod keeps its first parameter
    doc = textwrap.indent(inspect.getdoc(Operations.add_column) or "", "    ").lstrip()
    assert f'"""{doc}\n    """' in text  # hover help in editors


def test_check_mode_reports_a_stale_stub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stub = tmp_path / "op.pyi"
    stub.write_text("# stale\n", encoding="utf-8")
    monkeypatch.setattr(_stubgen, "STUB_PATH", stub)
    assert _stubgen.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert _stubgen.main([]) == 0
    assert stub.read_text(encoding="utf-8") == _stubgen.generate()
    assert _stubgen.main(["--check"]) == 0


def test_mypy_checks_op_calls_in_a_revision(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "mypy.ini").write_text("[mypy]\nstrict = True\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache")]
    done = subprocess.run(
        [*cmd, "--no-error-summary", "good.py", "bad.py"],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert not [e for e in errors if e.startswith("good.py")], done.stdout
    lines = {int(e.split(":")[1]) for e in errors if e.startswith("bad.py")}
    assert lines == {7, 8, 9, 10, 12}, done.stdout + done.stderr
    assert 'Argument 2 to "add_column" has incompatible type "str"' in done.stdout
    assert 'Module has no attribute "create_tabel"' in done.stdout
