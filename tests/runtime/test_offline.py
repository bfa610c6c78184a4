"""Offline (--sql) scripts: framing per dialect, and run as is by each database's own client."""

from __future__ import annotations

import io
import shutil
import subprocess
from contextlib import redirect_stdout

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gitmig import __version__, command

TRICKY = "O'Brien \\ back\\slash \"dq\" ;-- not a comment\\n 100% ' done"

_INSERT_BODY = f"""
    people = sa.table("people", sa.column("id", sa.Integer), sa.column("name", sa.String))
    op.bulk_insert(people, [{{"id": 1, "name": {TRICKY!r}}}, {{"id": 2, "name": "plain"}}])
    op.execute(
        people.update()
        .where(people.c.id == op.inline_literal(2))
        .values(name=op.inline_literal({TRICKY + "2"!r}))
    )
"""


def _history(project):
    project.rev(
        "a",
        None,
        up=["CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(200))"],
        down_sql=["DROP TABLE people"],
    )
    project.rev("b", "a", up_body=_INSERT_BODY, down_sql=["DELETE FROM people"])
    project.table_rev("c1", "b")
    project.table_rev("c2", "b")
    project.rev(
        "m", ("c1", "c2"), up=["CREATE TABLE t_m (id INTEGER)"], down_sql=["DROP TABLE t_m"]
    )


def _sql(call, *args, **kw) -> str:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        call(*args, sql=True, **kw)
    return buffer.getvalue()


def _snapshot(url: str) -> dict[str, object]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            schema = {
                name: sorted(col["name"] for col in inspector.get_columns(name))
                for name in inspector.get_table_names()
            }
            rows = sorted(
                r[0] for r in conn.execute(sa.text("SELECT version_num FROM gitmig_version"))
            )
            people = sorted(tuple(r) for r in conn.execute(sa.text("SELECT id, name FROM people")))
    finally:
        engine.dispose()
    return {"schema": schema, "versions": rows, "people": people}


def _run_client(url: str, script: str) -> None:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", parsed.host or "127.0.0.1"]
        cmd += ["-p", str(parsed.port or 5432), "-U", parsed.username or "postgres"]
        cmd += ["-d", parsed.database or ""]
    elif backend in ("mysql", "mariadb"):
        cmd = ["mariadb", "-h", parsed.host or "127.0.0.1", "-P", str(parsed.port or 3306)]
        cmd += ["-u", parsed.username or "root", parsed.database or ""]
    else:
        cmd = ["sqlite3", "-bail", parsed.database or ""]
    if shutil.which(cmd[0]) is None:
        pytest.skip(f"{cmd[0]} (the database's command-line client) is not installed")
    done = subprocess.run(cmd, input=script, text=True, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "ERROR" not in done.stderr and "Error" not in done.stderr, done.stderr


def test_offline_script_matches_online_run(db_url, make_project):
    project = make_project(db_url)
    _history(project)
    cfg = project.config()

    command.upgrade(cfg, "heads")
    online = _snapshot(db_url)
    assert online["people"] == [(1, TRICKY), (2, TRICKY + "2")]
    command.downgrade(cfg, "base")
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE gitmig_version"))
        conn.execute(sa.text("DROP TABLE gitmig_ledger"))
    engine.dispose()
    assert project.tables() == set()

    script = _sql(command.upgrade, cfg, "heads")
    assert project.tables() == set()  # writing the script touched nothing
    _run_client(db_url, script)
    assert _snapshot(db_url) == online

    # ... and back down: a downgrade script from heads to base.
    _run_client(db_url, _sql(command.downgrade, cfg, "m:base"))
    assert project.tables() == {"gitmig_ledger"}  # the ledger keeps the history


def test_offline_framing_postgresql(tmp_path, make_project):
    project = make_project("postgresql+psycopg://u:secret@db.invalid/app")
    _history(project)
    script = _sql(command.upgrade, project.config(), "heads")
    assert script.count("BEGIN;") == 1 and script.count("COMMIT;") == 1
    assert script.index("BEGIN;") < script.index("CREATE TABLE gitmig_version")
    assert script.rstrip().endswith("COMMIT;")
    for log in (
        "-- Running upgrade <base> -> a",
        "-- Running upgrade a -> b",
        "-- Running upgrade c1, c2 -> m",
    ):
        assert log in script
    # the merge: one row updated, the other deleted
    assert (
        "UPDATE gitmig_version SET version_num='m' WHERE gitmig_version.version_num = 'c1'"
        in script
    )
    assert "DELETE FROM gitmig_version WHERE gitmig_version.version_num = 'c2'" in script

    # From a start: no version table CREATE, an UPDATE from the start.
    partial = _sql(command.upgrade, project.config(), "a:b")
    assert "CREATE TABLE gitmig_version" not in partial
    assert (
        "UPDATE gitmig_version SET version_num='b' WHERE gitmig_version.version_num = 'a'"
        in partial
    )

    per_step = project.config(configure_opts={"transaction_per_migration": True})
    script = _sql(command.upgrade, per_step, "heads")
    assert script.count("BEGIN;") == 5 and script.count("COMMIT;") == 5


def test_offline_framing_mysql_has_no_transaction(make_project):
    project = make_project("mysql+pymysql://u:secret@db.invalid/app")
    _history(project)
    script = _sql(command.upgrade, project.config(), "heads")
    assert "BEGIN" not in script and "COMMIT" not in script
    assert "-- Running upgrade b -> c1" in script


@pytest.mark.parametrize(("url", "separator"), [("mssql://u@h/db", "GO"), ("oracle://u@h/db", "/")])
def test_offline_batch_separators(url, separator, make_project):
    project = make_project(url)
    project.table_rev("a", None)
    project.table_rev("b", "a")
    script = _sql(command.upgrade, project.config(), "heads")
    lines = [line.strip() for line in script.splitlines() if line.strip()]
    # every statement is followed by the separator: the version table, each DDL, the version
    # table's INSERT and UPDATE
    for kind in ("CREATE TABLE gitmig_version", "INSERT INTO", "UPDATE gitmig_version"):
        first = next(i for i, line in enumerate(lines) if line.startswith(kind))
        between = lines[first + 1 : lines.index(separator, first)]
        assert not [line for line in between if line.startswith(("CREATE", "INSERT", "--"))]
    assert lines.count(separator) >= 5
    assert "-- Running upgrade a -> b" in script


def test_offline_stamp_and_no_connection(make_project):
    project = make_project("postgresql+psycopg://u:secret@db.invalid:1/app")
    _history(project)
    script = _sql(command.stamp, project.config(), "heads")
    assert "CREATE TABLE gitmig_version" in script
    assert "INSERT INTO gitmig_version (version_num) VALUES ('m')" in script
    assert "people" not in script


_OPS_UP = """
    op.create_table(
        "t_{rev}",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, unique=True),
    )
    op.add_column("t_{rev}", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("t_{rev}", sa.Column("code", sa.String(8), index=True))
"""


def _ops_history(project):
    for rev, down in (("a", None), ("b1", "a"), ("b2", "a"), ("c", "b2")):
        project.rev(rev, down, up_body=_OPS_UP.format(rev=rev), down_sql=[f"DROP TABLE t_{rev}"])
    project.rev("m", ("b1", "c"), up_body=_OPS_UP.format(rev="m"), down_sql=["DROP TABLE t_m"])


PINNED_SCRIPT = (
    "BEGIN;\n"
    "\n"
    "CREATE TABLE gitmig_version (\n"
    "    version_num VARCHAR(32) NOT NULL, \n"
    "    CONSTRAINT gitmig_version_pkc PRIMARY KEY (version_num)\n"
    ");\n"
    "\n"
    "-- Running upgrade <base> -> a, step a\n"
    "\n"
    "CREATE TABLE t_a (\n"
    "    id INTEGER NOT NULL, \n"
    "    name VARCHAR(50) NOT NULL, \n"
    "    PRIMARY KEY (id), \n"
    "    UNIQUE (name)\n"
    ");\n"
    "\n"
    "ALTER TABLE t_a ADD COLUMN note TEXT;\n"
    "\n"
    "ALTER TABLE t_a ADD COLUMN code VARCHAR(8);\n"
    "\n"
    "CREATE INDEX ix_t_a_code ON t_a (code);\n"
    "\n"
    "CREATE TABLE IF NOT EXISTS gitmig_ledger (\n"
    "    id INTEGER NOT NULL, \n"
    "    revision VARCHAR(32) NOT NULL, \n"
    "    direction VARCHAR(16) NOT NULL, \n"
    "    checksum VARCHAR(64), \n"
    "    git_blob VARCHAR(40), \n"
    "    path VARCHAR(512), \n"
    "    started_at DATETIME, \n"
    "    finished_at DATETIME, \n"
    "    outcome VARCHAR(16) NOT NULL, \n"
    "    gitmig_version VARCHAR(32), \n"
    "    db_user VARCHAR(300), \n"
    "    who VARCHAR(255), \n"
    "    host VARCHAR(255), \n"
    "    CONSTRAINT gitmig_ledger_pkc PRIMARY KEY (id)\n"
    ");\n"
    "\n"
    "INSERT INTO gitmig_ledger (revision, direction, checksum, git_blob, path, "
    "started_at, finished_at, outcome, gitmig_version, db_user, who, host) VALUES "
    "('a', 'upgrade', "
    "'eb90f5364726a547d52d4cb87bf69c59b6a2547cc7181ba01cdb42d22aa00011', "
    "'04fa014105dd214b110f4971113c603f5eba48ba', 'versions/a_step.py', "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'scripted', '@VERSION@', NULL, NULL, NULL);\n"
    "\n"
    "INSERT INTO gitmig_version (version_num) VALUES ('a');\n"
    "\n"
    "-- Running upgrade a -> b2, step b2\n"
    "\n"
    "CREATE TABLE t_b2 (\n"
    "    id INTEGER NOT NULL, \n"
    "    name VARCHAR(50) NOT NULL, \n"
    "    PRIMARY KEY (id), \n"
    "    UNIQUE (name)\n"
    ");\n"
    "\n"
    "ALTER TABLE t_b2 ADD COLUMN note TEXT;\n"
    "\n"
    "ALTER TABLE t_b2 ADD COLUMN code VARCHAR(8);\n"
    "\n"
    "CREATE INDEX ix_t_b2_code ON t_b2 (code);\n"
    "\n"
    "INSERT INTO gitmig_ledger (revision, direction, checksum, git_blob, path, "
    "started_at, finished_at, outcome, gitmig_version, db_user, who, host) VALUES "
    "('b2', 'upgrade', "
    "'6db0d73e2a09fc238fd259ec50a912b9a3053b1cd7ff2627e79471e830a90bac', "
    "'86b17699e1110d5903bca141040cf80e68b9e4bd', 'versions/b2_step.py', "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'scripted', '@VERSION@', NULL, NULL, NULL);\n"
    "\n"
    "UPDATE gitmig_version SET version_num='b2' WHERE gitmig_version.version_num = 'a';\n"
    "\n"
    "-- Running upgrade b2 -> c, step c\n"
    "\n"
    "CREATE TABLE t_c (\n"
    "    id INTEGER NOT NULL, \n"
    "    name VARCHAR(50) NOT NULL, \n"
    "    PRIMARY KEY (id), \n"
    "    UNIQUE (name)\n"
    ");\n"
    "\n"
    "ALTER TABLE t_c ADD COLUMN note TEXT;\n"
    "\n"
    "ALTER TABLE t_c ADD COLUMN code VARCHAR(8);\n"
    "\n"
    "CREATE INDEX ix_t_c_code ON t_c (code);\n"
    "\n"
    "INSERT INTO gitmig_ledger (revision, direction, checksum, git_blob, path, "
    "started_at, finished_at, outcome, gitmig_version, db_user, who, host) VALUES "
    "('c', 'upgrade', "
    "'5bbbf0321ca0e3b0db3d881a15bd96f76313a22b87e01b83b8313fb77ce86284', "
    "'ceaf390f35f39c57a9e7a3f6bb96aeee634552e8', 'versions/c_step.py', "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'scripted', '@VERSION@', NULL, NULL, NULL);\n"
    "\n"
    "UPDATE gitmig_version SET version_num='c' WHERE gitmig_version.version_num = 'b2';\n"
    "\n"
    "-- Running upgrade a -> b1, step b1\n"
    "\n"
    "CREATE TABLE t_b1 (\n"
    "    id INTEGER NOT NULL, \n"
    "    name VARCHAR(50) NOT NULL, \n"
    "    PRIMARY KEY (id), \n"
    "    UNIQUE (name)\n"
    ");\n"
    "\n"
    "ALTER TABLE t_b1 ADD COLUMN note TEXT;\n"
    "\n"
    "ALTER TABLE t_b1 ADD COLUMN code VARCHAR(8);\n"
    "\n"
    "CREATE INDEX ix_t_b1_code ON t_b1 (code);\n"
    "\n"
    "INSERT INTO gitmig_ledger (revision, direction, checksum, git_blob, path, "
    "started_at, finished_at, outcome, gitmig_version, db_user, who, host) VALUES "
    "('b1', 'upgrade', "
    "'67878084a3f65dec654a02185821acb1ad79187024aedbe7a622034e83a583ed', "
    "'db0de2b57628d23f7325c6be77d8a6d6858b3456', 'versions/b1_step.py', "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'scripted', '@VERSION@', NULL, NULL, NULL);\n"
    "\n"
    "INSERT INTO gitmig_version (version_num) VALUES ('b1');\n"
    "\n"
    "-- Running upgrade b1, c -> m, step m\n"
    "\n"
    "CREATE TABLE t_m (\n"
    "    id INTEGER NOT NULL, \n"
    "    name VARCHAR(50) NOT NULL, \n"
    "    PRIMARY KEY (id), \n"
    "    UNIQUE (name)\n"
    ");\n"
    "\n"
    "ALTER TABLE t_m ADD COLUMN note TEXT;\n"
    "\n"
    "ALTER TABLE t_m ADD COLUMN code VARCHAR(8);\n"
    "\n"
    "CREATE INDEX ix_t_m_code ON t_m (code);\n"
    "\n"
    "INSERT INTO gitmig_ledger (revision, direction, checksum, git_blob, path, "
    "started_at, finished_at, outcome, gitmig_version, db_user, who, host) VALUES "
    "('m', 'upgrade', "
    "'840025650ff7bdb8568904ee2b779b303cdf002de26937d5511fb58eb5b9ec53', "
    "'3491620174880a464528beb915abe2c4a595d9a0', 'versions/m_step.py', "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'scripted', '@VERSION@', NULL, NULL, NULL);\n"
    "\n"
    "UPDATE gitmig_version SET version_num='m' WHERE gitmig_version.version_num = 'b1';\n"
    "\n"
    "DELETE FROM gitmig_version WHERE gitmig_version.version_num = 'c';\n"
    "\n"
    "COMMIT;\n"
    "\n"
).replace("@VERSION@", __version__)


def test_offline_output_of_a_small_history_is_pinned(make_project):
    """The whole --sql script of a branchy history, byte for byte: the runner's speed work
    (run order, stub tables, compiled statements) must not change a character of it."""
    project = make_project("sqlite:///pinned.db")
    _ops_history(project)
    script = _sql(command.upgrade, project.config(), "head")
    assert script == PINNED_SCRIPT
