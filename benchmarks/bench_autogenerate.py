"""Benchmark: gitmig's ``compare_metadata`` versus Alembic's on the same 300-table schema.

The database holds 300 tables (8 columns, a foreign key, an index and a unique constraint
each); the models differ from it in a handful of places, so both tools walk everything and
find the same changes.  One long-lived worker process per tool (gitmig from this checkout,
Alembic from its own venv in ``benchmarks/.work/alembic-venv``, created on first use) runs
``compare_metadata`` on request; the runs alternate between the tools, and the medians and
their ratio are reported per database.  Target: gitmig no slower than Alembic.

    python benchmarks/bench_autogenerate.py [--tables 300] [--runs 11]
        [--postgresql URL] [--skip-postgresql]

Alembic is installed only in the benchmark's venv, never in the project's environment.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from run import ensure_alembic_venv

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

# The worker: imported by neither tool's package, run by each tool's Python.
WORKER = r'''
import json
import sys
import time

import sqlalchemy as sa

TOOL, URL, TABLES = sys.argv[1], sys.argv[2], int(sys.argv[3])


def build(tables, changed):
    """The schema; with ``changed``, the models' version (a few differences)."""
    metadata = sa.MetaData()
    for n in range(tables):
        columns = [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(100), nullable=False),
            sa.Column("code", sa.String(20), nullable=False),
            sa.Column("amount", sa.Numeric(10, 2)),
            sa.Column("created_at", sa.DateTime, server_default=sa.func.now()),
            sa.Column("flag", sa.Boolean, nullable=False, server_default=sa.false()),
            sa.Column("note", sa.Text),
        ]
        if n:
            columns.append(sa.Column("parent_id", sa.ForeignKey(f"t{n - 1:03d}.id")))
        if changed and n % 50 == 7:
            columns.append(sa.Column("extra", sa.Integer))
        if changed and n % 50 == 11:
            columns[2] = sa.Column("code", sa.String(40), nullable=False)
        table = sa.Table(f"t{n:03d}", metadata, *columns)
        sa.Index(f"ix_t{n:03d}_name", table.c.name, table.c.created_at)
        sa.UniqueConstraint(table.c.code, name=f"uq_t{n:03d}_code")
    return metadata


engine = sa.create_engine(URL)
if TOOL == "setup":
    build(TABLES, changed=False).create_all(engine)
    sys.exit(0)

if TOOL == "gitmig":
    from gitmig.autogenerate import compare_metadata
    from gitmig.runtime.migration import MigrationContext
else:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

models = build(TABLES, changed=True)
for line in sys.stdin:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        start = time.perf_counter()
        diffs = compare_metadata(context, models)
        elapsed = time.perf_counter() - start
    print(json.dumps({"seconds": elapsed, "diffs": len(diffs)}), flush=True)
'''


class Worker:
    """A tool's worker process; ``run()`` times one ``compare_metadata``."""

    def __init__(self, python: Path, tool: str, url: str, tables: int, script: Path) -> None:
        env = dict(os.environ)
        if tool == "gitmig":
            env["PYTHONPATH"] = str(ROOT)
        self.process = subprocess.Popen(
            [str(python), str(script), tool, url, str(tables)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def run(self) -> tuple[float, int]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        return answer["seconds"], answer["diffs"]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def bench(name: str, url: str, tables: int, runs: int, script: Path, alembic: Path) -> None:
    subprocess.run([sys.executable, str(script), "setup", url, str(tables)], check=True)
    workers = {
        "gitmig": Worker(Path(sys.executable), "gitmig", url, tables, script),
        "alembic": Worker(alembic, "alembic", url, tables, script),
    }
    times: dict[str, list[float]] = {tool: [] for tool in workers}
    diffs: dict[str, int] = {}
    try:
        for tool in workers:  # warm-up: imports, dialect initialization
            workers[tool].run()
        for n in range(runs):
            order = list(workers) if n % 2 == 0 else list(reversed(workers))
            for tool in order:
                seconds, diffs[tool] = workers[tool].run()
                times[tool].append(seconds)
    finally:
        for worker in workers.values():
            worker.close()
    gitmig, alembic_ = (statistics.median(times[t]) for t in ("gitmig", "alembic"))
    print(
        f"{name:<10} {tables} tables, {runs} runs each, alternating:\n"
        f"  gitmig   median {gitmig * 1000:8.1f} ms  ({diffs['gitmig']} diffs)\n"
        f"  alembic  median {alembic_ * 1000:8.1f} ms  ({diffs['alembic']} diffs)\n"
        f"  ratio gitmig/alembic = {gitmig / alembic_:.2f} "
        f"({alembic_ / gitmig:.1f}x {'faster' if gitmig < alembic_ else 'slower'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=300)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--postgresql", default=DEFAULT_POSTGRESQL, help="server to use")
    parser.add_argument("--skip-postgresql", action="store_true")
    args = parser.parse_args()
    alembic = Path(ensure_alembic_venv(WORK, sys.executable))
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "worker.py"
        script.write_text(WORKER, encoding="utf-8")
        bench("sqlite", f"sqlite:///{tmp}/bench.db", args.tables, args.runs, script, alembic)
        if args.skip_postgresql:
            return
        import sqlalchemy as sa

        name = f"gitmig_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.postgresql, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            url = sa.make_url(args.postgresql).set(database=name)
            bench(
                "postgresql",
                url.render_as_string(hide_password=False),
                args.tables,
                args.runs,
                script,
                alembic,
            )
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
