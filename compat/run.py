"""``make compat``: run Alembic's own test files against gitmig (see docs/development.md).

Downloads Alembic's sdist at a pinned version into ``.compat/`` (git-ignored), unpacks it,
prepares the database servers, and runs the selected test files there with pytest and the
alias layer (``compat/compat_plugin.py``), on SQLite and, for Alembic's backend tests, on
PostgreSQL and MariaDB. ``--update`` rewrites ``compat/expected-failures.txt`` from the run.
Extra arguments go to pytest; test paths (tests/...) replace the selection. Any extra
argument turns off the check for stale entries.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ALEMBIC_VERSION = "1.20.1"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = ROOT / ".compat"
SDIST = WORK / f"alembic-{ALEMBIC_VERSION}"
EXPECTED = HERE / "expected-failures.txt"

#: Alembic's test files in the run (the API gitmig promises; not editor, plugins, stubs).
FILES = [
    "tests/test_op.py",
    "tests/test_mssql.py",
    "tests/test_mysql.py",
    "tests/test_postgresql.py",
    "tests/test_sqlite.py",
    "tests/test_oracle.py",
    "tests/test_batch.py",
    "tests/test_bulk_insert.py",
    "tests/test_op_naming_convention.py",
    "tests/test_autogen_render.py",
    "tests/test_autogen_diffs.py",
    "tests/test_autogen_indexes.py",
    "tests/test_autogen_composition.py",
    "tests/test_offline_environment.py",
    "tests/test_version_table.py",
    "tests/test_revision.py",
    "tests/test_version_traversal.py",
    "tests/test_script_production.py",
    "tests/test_command.py",
]

#: A template database of our own: SQLAlchemy's provisioning copies the URL's database
#: for each xdist worker, which PostgreSQL refuses while anyone else is connected to it.
PG_DATABASE = "gitmig_compat"
#: A test whose two connections wait on each other fails after this instead of hanging the
#: run (by default PostgreSQL waits forever, MariaDB a year for a metadata lock).
LOCK_TIMEOUT_S = 15
PG_OPTIONS = f"-c lock_timeout={LOCK_TIMEOUT_S * 1000}"
MARIADB_INIT = (
    f"SET SESSION lock_wait_timeout={LOCK_TIMEOUT_S}, innodb_lock_wait_timeout={LOCK_TIMEOUT_S}"
)


def fetch() -> None:
    """Download and unpack the sdist unless it is there already."""
    if (SDIST / "tests" / "conftest.py").is_file():
        return
    dist = WORK / "dist"
    dist.mkdir(parents=True, exist_ok=True)
    archive = dist / f"alembic-{ALEMBIC_VERSION}.tar.gz"
    if not archive.is_file():
        subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"),
                *("--no-binary", ":all:", f"alembic=={ALEMBIC_VERSION}", "-d", str(dist)),
            ],
            check=True,
        )
    shutil.rmtree(SDIST, ignore_errors=True)
    with tarfile.open(archive) as tar:
        tar.extractall(WORK, filter="data")
    # Without its metadata the unpacked tree cannot pass for an installed Alembic.
    shutil.rmtree(SDIST / "alembic.egg-info", ignore_errors=True)


def check_no_alembic() -> None:
    """The shim provides ``alembic``; a real one in this environment would muddle the run."""
    try:
        importlib.metadata.version("alembic")
    except importlib.metadata.PackageNotFoundError:
        return
    sys.exit(
        f"compat: Alembic is installed in {sys.prefix}; the run needs an environment without it"
    )


def server_urls() -> list[str]:
    """``--dburi`` URLs of the servers that answer (all of them, or fail, in CI)."""
    from sqlalchemy import create_engine, make_url, text

    required = os.environ.get("GITMIG_REQUIRE_SERVERS") == "1"
    pg = make_url(
        os.environ.get(
            "GITMIG_TEST_POSTGRESQL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    )
    maria = make_url(
        os.environ.get("GITMIG_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test")
    )
    urls: list[str] = []
    try:
        admin = create_engine(pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_DATABASE}
            )
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
        admin.dispose()
        template = create_engine(pg.set(database=PG_DATABASE), isolation_level="AUTOCOMMIT")
        with template.connect() as conn:
            # Alembic's backend tests expect these schemas, as its CI database has them.
            for schema in ("test_schema", "test_schema_2"):
                conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
            # ... and a collation named en_US (from the OS locale there; from ICU here).
            if not conn.scalar(text("SELECT 1 FROM pg_collation WHERE collname = 'en_US'")):
                icu = conn.scalar(
                    text("SELECT collname FROM pg_collation WHERE collname = 'en-US-x-icu'")
                )
                if icu:
                    conn.execute(text('CREATE COLLATION "en_US" FROM "en-US-x-icu"'))
        template.dispose()
        run_url = pg.set(database=PG_DATABASE).update_query_dict({"options": PG_OPTIONS})
        urls.append(run_url.render_as_string(hide_password=False))
    except Exception as err:  # any failure to reach or prepare the server
        if required:
            sys.exit(f"compat: PostgreSQL at {pg} is not usable: {err}")
        print(f"compat: PostgreSQL skipped ({type(err).__name__}: {err})".splitlines()[0])
    try:
        engine = create_engine(maria)
        with engine.connect():
            pass
        engine.dispose()
        run_url = maria.update_query_dict({"charset": "utf8mb4", "init_command": MARIADB_INIT})
        urls.append(run_url.render_as_string(hide_password=False))
    except Exception as err:
        if required:
            sys.exit(f"compat: MariaDB at {maria} is not usable: {err}")
        print(f"compat: MariaDB skipped ({type(err).__name__}: {err})".splitlines()[0])
    return urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the expectations file")
    parser.add_argument("--sqlite-only", action="store_true", help="leave out the servers")
    args, pytest_args = parser.parse_known_args(argv)
    check_no_alembic()
    fetch()
    for leftover in SDIST.glob("scratch*"):
        shutil.rmtree(leftover, ignore_errors=True)
    urls = [] if args.sqlite_only else server_urls()
    command = [sys.executable, "-m", "pytest", "-p", "compat_plugin", "-p", "no:cacheprovider"]
    command += ["-n", "2", "-q", "--maxfail=1000000", "-r", "fE", "--tb", "short"]
    command += ["--db", "sqlite"] + [f"--dburi={url}" for url in urls]
    if args.update:
        command.append(f"--compat-record={EXPECTED}")
    else:
        command.append(f"--compat-expected={EXPECTED}")
        if not pytest_args and len(urls) == 2:
            command.append("--compat-strict")
    # Options alone (``--tb=line``) still run the selected files; paths replace them.
    chosen = [arg for arg in pytest_args if arg.startswith("tests/")]
    command += pytest_args if chosen else [*pytest_args, *FILES]
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
    )
    result = subprocess.run(command, cwd=SDIST, env=env)
    if args.update:
        print(f"compat: wrote {EXPECTED.relative_to(ROOT)}")
        return 0
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
