"""The ledger: one row per applied step, in the version row's transaction, online and offline."""

from __future__ import annotations

import hashlib
import io
import subprocess
from contextlib import redirect_stdout

import pytest
import sqlalchemy as sa

from gitmig import command, display
from gitmig.runtime.ledger import blob_id, checksum
from gitmig.runtime.migration import MigrationContext, MigrationStep


def _ledger(
    url: str, table: str = "gitmig_ledger", schema: str | None = None
) -> list[dict[str, object]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(table, schema=schema):
                return []
            name = f"{schema}.{table}" if schema else table
            rows = conn.execute(sa.text(f"SELECT * FROM {name} ORDER BY id"))
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def _sql(call, *args, **kw) -> str:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        call(*args, sql=True, **kw)
    return buffer.getvalue()


def test_checksum_ignores_line_endings_and_blob_id_is_gits(tmp_path):
    assert checksum(b"a\r\nb\r\n") == checksum(b"a\nb\n") == checksum(b"a\rb\r")
    assert checksum(b"a\nb\n") == hashlib.sha256(b"a\nb\n").hexdigest()
    assert checksum(b"a\nb\n") != checksum(b"a\nc\n")
    path = tmp_path / "f.py"
    path.write_bytes(b"x = 1\n")
    out = subprocess.run(["git", "hash-object", str(path)], capture_output=True, text=True)
    assert blob_id(b"x = 1\r\n") == blob_id(b"x = 1\n") == out.stdout.strip()


def test_each_step_writes_a_row_with_the_files_checksum(db_url, make_project):
    project = make_project(db_url)
    a = project.table_rev("a", None)
    b = project.table_rev("b", "a")
    cfg = project.config()
    command.upgrade(cfg, "head")
    rows = _ledger(db_url)
    assert [(r["revision"], r["direction"], r["outcome"]) for r in rows] == [
        ("a", "upgrade", "applied"),
        ("b", "upgrade", "applied"),
    ]
    for row, path in zip(rows, (a, b), strict=True):
        assert row["checksum"] == checksum(path.read_bytes())
        assert row["git_blob"] == blob_id(path.read_bytes())
        assert row["path"] == f"versions/{path.name}"
        assert row["started_at"] <= row["finished_at"]
        assert row["gitmig_version"]
        assert row["who"] is None and row["host"] is None  # off by default
        if not db_url.startswith("sqlite"):
            assert row["db_user"]  # the database's own CURRENT_USER
    command.downgrade(cfg, "base")
    command.stamp(cfg, "b")
    command.stamp(cfg, "base")
    assert [(r["revision"], r["direction"]) for r in _ledger(db_url)][2:] == [
        ("b", "downgrade"),
        ("a", "downgrade"),
        ("b", "stamp"),
        ("b", "unstamp"),
    ]


def test_a_failing_step_leaves_neither_version_nor_ledger_row(db_url, make_project):
    project = make_project(db_url)
    project.table_rev("a", None)
    project.rev("b", "a", up=["CREATE TABLE t_b (id INTEGER PRIMARY KEY)", "SELECT * FROM nope"])
    with pytest.raises(Exception, match="Migration failed"):
        command.upgrade(project.config(), "head")
    applied = {r["revision"] for r in _ledger(db_url)}
    assert applied == project.rows()
    # SQLite and PostgreSQL roll the whole run back; MariaDB commits each step on its own.
    assert applied == ({"a"} if db_url.startswith("mysql") else set())


def test_a_failing_version_write_takes_the_ledger_row_with_it(db_url, make_project, monkeypatch):
    # The ledger row is written first; the version row's failure must undo it.
    project = make_project(db_url)
    project.table_rev("a", None)
    project.table_rev("b", "a")
    original = MigrationContext._exec_version

    def exec_version(self, kind, params):
        if params.get("after") == "b":
            raise RuntimeError("version write failed")
        return original(self, kind, params)

    monkeypatch.setattr(MigrationContext, "_exec_version", exec_version)
    with pytest.raises(Exception, match="version write failed"):
        command.upgrade(project.config(), "head")
    applied = {r["revision"] for r in _ledger(db_url)}
    assert applied == project.rows()
    assert applied == ({"a"} if db_url.startswith("mysql") else set())


def test_a_pre_ledger_database_gets_baseline_rows(db_url, make_project):
    project = make_project(db_url)
    project.table_rev("a", None)
    project.table_rev("b", "a")
    project.table_rev("c", "b")
    cfg = project.config()
    command.upgrade(cfg, "b")
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE gitmig_ledger"))  # as if migrated before the ledger
    engine.dispose()
    command.upgrade(cfg, "head")
    rows = _ledger(db_url)
    assert [(r["revision"], r["direction"], r["checksum"] is None) for r in rows] == [
        ("a", "baseline", True),
        ("b", "baseline", True),
        ("c", "upgrade", False),
    ]


def test_offline_script_contains_the_ledger_inserts(db_url, make_project):
    project = make_project(db_url)
    a = project.table_rev("a", None)
    project.table_rev("b", "a")
    script = _sql(command.upgrade, project.config(), "head")
    assert "CREATE TABLE IF NOT EXISTS gitmig_ledger" in script
    inserts = [line for line in script.splitlines() if line.startswith("INSERT INTO gitmig_ledger")]
    assert len(inserts) == 2
    assert f"'{checksum(a.read_bytes())}'" in inserts[0] and "'upgrade'" in inserts[0]
    assert "'scripted'" in inserts[0] and "CURRENT_TIMESTAMP" in inserts[0]
    assert project.tables() == set()  # writing the script touched nothing


def test_ledger_table_name_from_configure_and_from_config_file(sqlite_url, make_project):
    project = make_project(sqlite_url)
    project.table_rev("a", None)
    project.table_rev("b", "a")
    command.upgrade(project.config(configure_opts={"ledger_table": "my_ledger"}), "a")
    assert [r["revision"] for r in _ledger(sqlite_url, "my_ledger")] == ["a"]
    text = project.ini.read_text()
    project.ini.write_text(text.replace("[gitmig]\n", "[gitmig]\nledger_table = ini_ledger\n", 1))
    command.upgrade(project.config(), "b")
    assert [r["revision"] for r in _ledger(sqlite_url, "ini_ledger")] == ["a", "b"]
    # A new ledger table on a migrated database: a baseline for "a", then the step.
    assert [r["direction"] for r in _ledger(sqlite_url, "ini_ledger")] == ["baseline", "upgrade"]
    assert "gitmig_ledger" not in project.tables()


def test_who_and_host_when_asked_for(sqlite_url, make_project):
    project = make_project(sqlite_url)
    project.table_rev("a", None)
    text = project.ini.read_text()
    project.ini.write_text(text.replace("[gitmig]\n", "[gitmig]\nledger_who = true\n", 1))
    command.upgrade(project.config(), "head")
    (row,) = _ledger(sqlite_url)
    assert row["who"] and row["host"]
    text = display.ledger_log_text(command.ledger_log(project.config()))
    assert f"({row['who']}@{row['host']})" in text and " upgrade " in text


def test_ledger_in_the_version_tables_schema(postgresql_url, make_project):
    engine = sa.create_engine(postgresql_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA audit"))
    engine.dispose()
    project = make_project(postgresql_url)
    project.table_rev("a", None)
    command.upgrade(project.config(configure_opts={"version_table_schema": "audit"}), "head")
    assert [r["revision"] for r in _ledger(postgresql_url, schema="audit")] == ["a"]


def test_autogenerate_leaves_the_ledger_alone(db_url, make_project):
    project = make_project(db_url)
    project.rev("a", None)  # no tables of its own: the models are empty too
    metadata = sa.MetaData()
    env_py = project.root / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "target_metadata = None", 'target_metadata = config.attributes.get("metadata")'
        )
    )
    cfg = project.config(metadata=metadata)
    command.upgrade(cfg, "head")
    assert "gitmig_ledger" in project.tables()
    assert command.pending_operations(cfg) == []


@pytest.mark.parametrize(
    ("dialect", "start", "create"),
    [
        ("postgresql", "a", "CREATE TABLE IF NOT EXISTS gitmig_ledger"),
        ("mssql", None, "CREATE TABLE gitmig_ledger"),
        ("mssql", "a", None),  # no IF NOT EXISTS there: only a script from base creates it
        ("oracle", None, "CREATE TABLE gitmig_ledger"),
    ],
)
def test_offline_ledger_creation_per_dialect(dialect, start, create):
    buffer = io.StringIO()
    from_rows = (start,) if start else ()
    step = MigrationStep("upgrade", from_rows, ("b",), revision="b", down_revisions=from_rows)
    ctx = MigrationContext.configure(
        dialect_name=dialect,
        opts={
            "as_sql": True,
            "output_buffer": buffer,
            "fn": lambda heads, ctx: [step],
            "starting_rev": start,
        },
    )
    with ctx.begin_transaction():
        ctx.run_migrations()
    script = buffer.getvalue()
    created = [line for line in script.splitlines() if "TABLE" in line and "gitmig_ledger" in line]
    assert created == ([f"{create} ("] if create else [])
    assert "INSERT INTO gitmig_ledger" in script
    if dialect == "oracle":
        assert "GENERATED BY DEFAULT AS IDENTITY" in script
