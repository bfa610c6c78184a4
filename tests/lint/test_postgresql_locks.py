"""The PostgreSQL rules are true: each op the lint reports takes the lock (or rewrites the
table) its rule names, on a real server, and the safe form it suggests does not.

Each op runs through gitmig's own ``op`` in an open transaction on one connection; a second
connection with a short ``lock_timeout`` shows what that transaction blocks. A rewrite shows
as a new ``pg_relation_filenode``. The same op text is linted, so rule and reality are
checked together.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gitmig.operations import Operations
from gitmig.runtime.migration import MigrationContext
from tests.lint.revfile import active, lint_lines

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCK_NOT_AVAILABLE = "55P03"


@pytest.fixture
def pg(postgresql_url: str) -> Iterator[Engine]:
    """A database with tables `org` and `account` (100 rows) and `event` (no primary key)."""
    engine = sa.create_engine(postgresql_url)
    with engine.begin() as conn:
        for statement in (
            "CREATE TABLE org (id INTEGER PRIMARY KEY)",
            "CREATE TABLE account (id INTEGER PRIMARY KEY, name VARCHAR(50), n INTEGER, "
            "total NUMERIC(10, 2), org_id INTEGER)",
            "CREATE TABLE event (name TEXT)",
            "INSERT INTO org VALUES (1)",
            "INSERT INTO account SELECT g, 'a' || g, g, g, 1 FROM generate_series(1, 100) g",
            "INSERT INTO event SELECT 'e' || g FROM generate_series(1, 100) g",
        ):
            conn.execute(sa.text(statement))
    yield engine
    engine.dispose()


@contextmanager
def in_transaction(engine: Engine, code: str) -> Iterator[Connection]:
    """Run op ``code`` with gitmig's op in an open transaction; roll back afterwards."""
    with engine.connect() as conn:
        conn.begin()
        conn.execute(sa.text("SET statement_timeout = '10s'"))
        operations = Operations(MigrationContext.configure(connection=conn))
        exec(code, {"op": operations, "sa": sa})
        try:
            yield conn
        finally:
            conn.rollback()


def run(engine: Engine, code: str) -> None:
    """Run op ``code`` in a transaction that is rolled back."""
    with in_transaction(engine, code):
        pass


def blocked(engine: Engine, sql: str) -> bool:
    """Whether ``sql`` on another connection waits for a lock (it gives up after 100 ms)."""
    with engine.connect() as other:
        other.execute(sa.text("SET lock_timeout = '100ms'"))
        try:
            other.execute(sa.text(sql))
        except sa.exc.OperationalError as err:
            if getattr(err.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                return True
            raise
        finally:
            other.rollback()
    return False


def filenode(conn: Connection, table: str) -> int:
    return int(conn.execute(sa.text("SELECT pg_relation_filenode(:t)"), {"t": table}).scalar_one())


def rules(tmp_path: Path, code: str) -> set[str]:
    return {f.rule for f in active(lint_lines(tmp_path, code.splitlines(), "postgresql"))}


READ = "SELECT count(*) FROM account"
WRITE = "INSERT INTO account (id) VALUES (1000)"


def test_create_index_blocks_writes_not_reads(pg: Engine, tmp_path: Path) -> None:
    code = 'op.create_index("ix_name", "account", ["name"])'
    assert "pg-index-not-concurrent" in rules(tmp_path, code)
    with in_transaction(pg, code):
        assert blocked(pg, WRITE)  # SHARE
        assert not blocked(pg, READ)


def test_drop_index_blocks_reads(pg: Engine, tmp_path: Path) -> None:
    with pg.begin() as conn:
        conn.execute(sa.text("CREATE INDEX ix_name ON account (name)"))
    code = 'op.drop_index("ix_name", table_name="account")'
    assert "pg-drop-index-not-concurrent" in rules(tmp_path, code)
    with in_transaction(pg, code):
        assert blocked(pg, READ)  # ACCESS EXCLUSIVE


def test_concurrently_cannot_run_in_a_transaction(pg: Engine, tmp_path: Path) -> None:
    code = 'op.create_index("ix_name", "account", ["name"], postgresql_concurrently=True)'
    assert rules(tmp_path, code) == {"pg-concurrently-in-transaction"}
    with pytest.raises(sa.exc.DBAPIError, match="cannot run inside a transaction block"):
        run(pg, code)


def test_a_foreign_key_blocks_writes_to_both_tables(pg: Engine, tmp_path: Path) -> None:
    code = 'op.create_foreign_key("fk_org", "account", "org", ["org_id"], ["id"])'
    assert "pg-constraint-not-valid" in rules(tmp_path, code)
    with in_transaction(pg, code):
        assert blocked(pg, WRITE)  # SHARE ROW EXCLUSIVE on account
        assert blocked(pg, "INSERT INTO org VALUES (2)")  # ... and on org


def test_a_check_blocks_reads_and_scans_every_row(pg: Engine, tmp_path: Path) -> None:
    code = 'op.create_check_constraint("ck_n", "account", "n > 0")'
    assert "pg-constraint-not-valid" in rules(tmp_path, code)
    with in_transaction(pg, code):
        assert blocked(pg, READ)  # ACCESS EXCLUSIVE
    with pg.begin() as conn:
        conn.execute(sa.text("INSERT INTO account (id, n) VALUES (1001, -1)"))
    with pytest.raises(sa.exc.IntegrityError):  # it checked the rows already there
        run(pg, code)
    safe = 'op.create_check_constraint("ck_n", "account", "n > 0", postgresql_not_valid=True)'
    assert "pg-constraint-not-valid" not in rules(tmp_path, safe)
    run(pg, safe)  # NOT VALID: no scan, so the bad row does not stop it


def test_validate_constraint_lets_reads_and_writes_go_on(pg: Engine, tmp_path: Path) -> None:
    safe = (
        'op.create_foreign_key("fk_org", "account", "org", ["org_id"], ["id"], '
        "postgresql_not_valid=True)"
    )
    assert "pg-constraint-not-valid" not in rules(tmp_path, safe)
    with pg.connect() as conn:
        exec(safe, {"op": Operations(MigrationContext.configure(connection=conn))})
        conn.commit()
    with in_transaction(pg, 'op.execute("ALTER TABLE account VALIDATE CONSTRAINT fk_org")'):
        assert not blocked(pg, "INSERT INTO account (id, org_id) VALUES (1002, 1)")
        assert not blocked(pg, READ)  # SHARE UPDATE EXCLUSIVE


def test_set_not_null_blocks_reads(pg: Engine, tmp_path: Path) -> None:
    code = 'op.alter_column("account", "name", nullable=False)'
    assert "pg-set-not-null" in rules(tmp_path, code)
    with in_transaction(pg, code):
        assert blocked(pg, READ)  # ACCESS EXCLUSIVE


def test_a_type_change_rewrites_the_table_and_widening_does_not(pg: Engine, tmp_path: Path) -> None:
    code = 'op.alter_column("account", "n", type_=sa.BigInteger, existing_type=sa.Integer)'
    assert "pg-type-change-rewrite" in rules(tmp_path, code)
    with pg.connect() as conn:
        before = filenode(conn, "account")
    with in_transaction(pg, code) as conn:
        assert filenode(conn, "account") != before
        assert blocked(pg, READ)
    for safe in (
        'op.alter_column("account", "name", type_=sa.String(100), existing_type=sa.String(50))',
        'op.alter_column("account", "name", type_=sa.Text, existing_type=sa.String(50))',
        'op.alter_column("account", "total", type_=sa.Numeric(12, 2), '
        "existing_type=sa.Numeric(10, 2))",
    ):
        assert "pg-type-change-rewrite" not in rules(tmp_path, safe), safe
        with in_transaction(pg, safe) as conn:
            assert filenode(conn, "account") == before, safe


def test_a_volatile_default_rewrites_the_table_and_a_constant_does_not(
    pg: Engine, tmp_path: Path
) -> None:
    code = (
        'op.add_column("account", sa.Column("token", sa.Uuid, '
        'server_default=sa.text("gen_random_uuid()")))'
    )
    assert "pg-volatile-default" in rules(tmp_path, code)
    with pg.connect() as conn:
        before = filenode(conn, "account")
    with in_transaction(pg, code) as conn:
        assert filenode(conn, "account") != before
        assert blocked(pg, READ)  # ACCESS EXCLUSIVE, for the whole rewrite
    safe = 'op.add_column("account", sa.Column("kind", sa.String(9), server_default="basic"))'
    assert "pg-volatile-default" not in rules(tmp_path, safe)
    with in_transaction(pg, safe) as conn:
        assert filenode(conn, "account") == before


def test_a_unique_constraint_blocks_reads(pg: Engine, tmp_path: Path) -> None:
    code = 'op.create_unique_constraint("uq_name", "account", ["name"])'
    assert "pg-unique-constraint-direct" in rules(tmp_path, code)
    with in_transaction(pg, code):
        assert blocked(pg, READ)  # ACCESS EXCLUSIVE while the index is built


def test_a_serial_primary_key_rewrites_the_table(pg: Engine, tmp_path: Path) -> None:
    code = 'op.add_column("event", sa.Column("id", sa.Integer, primary_key=True))'
    assert "pg-serial-primary-key" in rules(tmp_path, code)
    with pg.connect() as conn:
        before = filenode(conn, "event")
    with in_transaction(pg, code) as conn:
        assert filenode(conn, "event") != before
        assert blocked(pg, "SELECT count(*) FROM event")


def _waiting_for_a_lock(engine: Engine) -> bool:
    with engine.connect() as conn:
        query = "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'account'::regclass"
        return bool(conn.execute(sa.text(query)).scalar())


def test_without_lock_timeout_a_waiting_alter_blocks_everyone(pg: Engine, tmp_path: Path) -> None:
    code = 'op.add_column("account", sa.Column("note", sa.Text))'
    assert "pg-lock-timeout-missing" in rules(tmp_path, code)
    assert "pg-lock-timeout-missing" not in rules(
        tmp_path, "op.execute(\"SET lock_timeout = '2s'\")\n" + code
    )
    with pg.connect() as reader:
        reader.execute(sa.text(READ))  # a long transaction holding ACCESS SHARE
        errors: list[BaseException] = []

        def migrate() -> None:
            try:
                with in_transaction(pg, "op.execute(\"SET statement_timeout = '3s'\")\n" + code):
                    pass
            except sa.exc.OperationalError as err:
                errors.append(err)

        thread = threading.Thread(target=migrate)
        thread.start()
        deadline = time.monotonic() + 5
        while not _waiting_for_a_lock(pg) and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            assert _waiting_for_a_lock(pg)
            # The ALTER only waits, yet a plain read behind it now waits too.
            assert blocked(pg, READ)
        finally:
            reader.rollback()
            thread.join()
        assert not errors
        reader.execute(sa.text(READ))
        with pytest.raises(sa.exc.OperationalError) as failed:
            run(pg, "op.execute(\"SET lock_timeout = '100ms'\")\n" + code)
        assert getattr(failed.value.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE
        reader.rollback()


def test_the_deploy_lock_does_not_deadlock_with_create_index_concurrently(
    pg: Engine, postgresql_url: str, tmp_path: Path
) -> None:
    """gitmig holds its deploy lock on an autocommit connection, never idle in a transaction,
    so CREATE INDEX CONCURRENTLY (which waits for every open transaction) does not wait for
    gitmig itself."""
    root = tmp_path / "project"
    root.mkdir()
    run = [sys.executable, "-m", "gitmig", "-c", str(root / "gitmig.ini")]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run(
        [*run, "init", str(root / "migrations")], env=env, check=True, capture_output=True
    )
    ini = root / "gitmig.ini"
    ini.write_text(
        "\n".join(
            f"sqlalchemy.url = {postgresql_url}" if line.startswith("sqlalchemy.url") else line
            for line in ini.read_text().splitlines()
        )
    )
    from tests.lint.revfile import revision_file

    revision_file(
        root / "migrations" / "versions" / "c1_index.py",
        [
            "op.execute(\"SET lock_timeout = '5s'\")",
            "with op.get_context().autocommit_block():",
            '    op.create_index("ix_account_name", "account", ["name"], '
            "postgresql_concurrently=True)",
        ],
        ['op.drop_index("ix_account_name", table_name="account")'],
        rev="c1",
    )
    lint = subprocess.run([*run, "lint"], env=env, capture_output=True, text=True, timeout=60)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "0 errors, 0 warnings" in lint.stdout
    done = subprocess.run(
        [*run, "upgrade", "head"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with pg.connect() as conn:
        valid = conn.execute(
            sa.text(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_account_name'::regclass"
            )
        ).scalar_one()
        version = conn.execute(sa.text("SELECT version_num FROM gitmig_version")).scalar_one()
    assert valid is True
    assert version == "c1"
