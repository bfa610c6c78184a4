"""Faults at every statement boundary of a five-step run, through the real CLI.

For each database, ``fault_driver.py`` runs ``gitmig upgrade head`` from base once per
statement of the run, faulting at that statement with an exception, a Ctrl-C, or SIGKILL.
Step 3 has an autocommit block.  After each fault we check that the report (where there is
one) matches the database, that the version table matches the schema, and that the next
``upgrade head`` completes once what the report listed as left applied is undone.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gitmig import command
from gitmig.config import Config

DRIVER = Path(__file__).with_name("fault_driver.py")
STEPS = 5


def _expected(rows: list[str]) -> set[str]:
    """The schema objects of a database at ``rows`` (one row r<k>, or none)."""
    level = int(rows[0][1:]) if rows else 0
    objects = set()
    for i in range(1, level + 1):
        objects |= {f"t_{i}", f"t_{i}.c"}
    if level >= 3:
        objects.add("ix_3")
    return objects


def _step_objects(i: int) -> list[str]:
    """What step ``i`` creates, in order."""
    return [f"t_{i}", "ix_3", f"t_{i}.c"] if i == 3 else [f"t_{i}", f"t_{i}.c"]


def _project(tmp_path: Path, url: str) -> Path:
    bare = Config()
    bare.config_file_name = str(tmp_path / "gitmig.ini")
    command.init(bare, tmp_path / "migrations", sqlalchemy_url=url)
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text(encoding="utf-8")
        .replace(
            "context.configure(connection=connection, target_metadata=target_metadata)",
            "context.configure(connection=connection, target_metadata=target_metadata, "
            'transaction_per_migration=os.environ.get("FAULT_TPM") == "1")',
        )
        .replace(
            "from logging.config import fileConfig",
            "import os\nfrom logging.config import fileConfig",
        ),
        encoding="utf-8",
    )
    concurrently = "CONCURRENTLY " if url.startswith("postgresql") else ""
    for i in range(1, STEPS + 1):
        block = ""
        if i == 3:
            block = (
                "    with op.get_context().autocommit_block():\n"
                f'        op.execute("CREATE INDEX {concurrently}ix_3 ON t_3 (id)")\n'
            )
        (tmp_path / "migrations" / "versions" / f"r{i}.py").write_text(
            f'"""step {i}"""\n\nimport sqlalchemy as sa\n\nfrom gitmig import op\n\n'
            f"revision = 'r{i}'\ndown_revision = {repr(f'r{i - 1}') if i > 1 else None}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            "def upgrade():\n"
            f'    op.create_table("t_{i}", sa.Column("id", sa.Integer, primary_key=True))\n'
            f"{block}"
            f'    op.add_column("t_{i}", sa.Column("c", sa.Integer))\n\n\n'
            f'def downgrade():\n    op.drop_table("t_{i}")\n',
            encoding="utf-8",
        )
    return tmp_path


def _run_matrix(tmp_path: Path, url: str, kinds: str, tpm: bool = False) -> dict[str, Any]:
    project = _project(tmp_path, url)
    out = tmp_path / "results.json"
    env = {**os.environ, "FAULT_TPM": "1" if tpm else "0"}
    subprocess.run(
        [sys.executable, str(DRIVER), str(project), url, kinds, str(out)],
        check=True,
        env=env,
        cwd=project,
        timeout=300,
    )
    data: dict[str, Any] = json.loads(out.read_text())
    return data


_AT = re.compile(r"the database is now at (.+?)\.$", re.M)


def _reported_rows(output: str) -> list[str] | None:
    found = _AT.findall(output)
    if not found:
        return None
    text = found[-1]
    return [] if text.startswith("base") else sorted(text.split(", "))


def _check(case: dict[str, Any], transactional: bool, tpm: bool) -> list[str]:
    """What is wrong with one case (an empty list when every promise held)."""
    problems = []
    rows, objects = case["state"]
    objects = set(objects)
    output = case["output"]
    kind = case["kind"]
    listed = set().union(*(_objects_of(s) for s in case["listed"])) if case["listed"] else set()
    if "Traceback" in output or "Aborted!" in output or case["exit"] == 99:
        problems.append("a traceback or a bare abort")
    reported = _reported_rows(output)
    if reported is not None and reported != rows:
        problems.append(f"report says {reported}, version table has {rows}")
    if kind == "sigkill" and case["exit"] == -9:
        # No report possible: the schema is a committed boundary, or (no transactional
        # DDL, or after an autocommit block) a prefix of the next step's objects.
        extra = objects - _expected(rows)
        level = int(rows[0][1:]) if rows else 0
        prefix_ok = (
            any(
                extra == set(_step_objects(level + 1)[:k])
                for k in range(len(_step_objects(level + 1)) + 1)
            )
            if level < STEPS
            else not extra
        )
        if extra and not (prefix_ok and (not transactional or level + 1 == 3)):
            problems.append(f"after SIGKILL the schema {sorted(objects)} does not match {rows}")
        if transactional and not tpm and rows not in ([], ["r2"], [f"r{STEPS}"]):
            problems.append(f"after SIGKILL the version is {rows}: not a committed boundary")
        return problems
    if kind == "sigint" and "Migration interrupted" in output and case["exit"] != 130:
        problems.append(f"an interrupt report exited {case['exit']}, not 130")
    if objects != _expected(rows) | listed:
        problems.append(
            f"schema {sorted(objects)} is not version {rows} plus the listed {sorted(listed)}"
        )
    if transactional and not tpm and rows not in ([], ["r2"], [f"r{STEPS}"]):
        problems.append(f"version {rows} is not a committed boundary")
    if rows and rows != [f"r{STEPS}"] and "Migration" in output and "Committed by" not in output:
        problems.append("steps stayed committed but the report names no commit")
    again, final = case["again"], case["final"]
    if again["exit"] != 0 or final != [[f"r{STEPS}"], sorted(_expected([f"r{STEPS}"]))]:
        problems.append(f"the next upgrade did not complete: {again['output'][-300:]}")
    return problems


def _objects_of(statement: str) -> set[str]:
    sys.path.insert(0, str(DRIVER.parent))
    try:
        from fault_driver import objects_of
    finally:
        sys.path.pop(0)
    return objects_of(statement)


def _assert_matrix(data: dict[str, Any], transactional: bool, tpm: bool = False) -> None:
    clean = data["results"][0]
    assert clean["exit"] == 0, clean["output"]
    cases = data["results"][1:]
    assert cases, "no fault was injected"
    failures = []
    for case in cases:
        for problem in _check(case, transactional, tpm):
            failures.append(f"{case['kind']} at statement {case['n']}: {problem}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("kinds", ["raise", "sigint,sigkill"])
def test_faults_sqlite(tmp_path: Path, sqlite_url: str, kinds: str) -> None:
    _assert_matrix(_run_matrix(tmp_path, sqlite_url, kinds), transactional=True)


@pytest.mark.parametrize("kinds", ["raise", "sigint,sigkill"])
def test_faults_postgresql(tmp_path: Path, postgresql_url: str, kinds: str) -> None:
    _assert_matrix(_run_matrix(tmp_path, postgresql_url, kinds), transactional=True)


def test_faults_postgresql_transaction_per_migration(tmp_path: Path, postgresql_url: str) -> None:
    data = _run_matrix(tmp_path, postgresql_url, "raise", tpm=True)
    _assert_matrix(data, transactional=True, tpm=True)


@pytest.mark.parametrize("kinds", ["raise", "sigint,sigkill"])
def test_faults_mariadb(tmp_path: Path, mariadb_url: str, kinds: str) -> None:
    _assert_matrix(_run_matrix(tmp_path, mariadb_url, kinds), transactional=False)


def _multidb_project(tmp_path: Path, urls: list[str]) -> Path:
    bare = Config()
    bare.config_file_name = str(tmp_path / "gitmig.ini")
    command.init(bare, tmp_path / "migrations", template="multidb")
    ini = tmp_path / "gitmig.ini"
    text = ini.read_text(encoding="utf-8")
    for name, url in zip(("engine1", "engine2"), urls, strict=True):
        head, _, tail = text.partition(f"[{name}]\nsqlalchemy.url = ")
        text = head + f"[{name}]\nsqlalchemy.url = {url}" + tail[tail.index("\n") :]
    ini.write_text(text, encoding="utf-8")
    for i in range(1, 3):
        bodies = "".join(
            f"\n\ndef upgrade_{name}():\n"
            f'    op.create_table("t_{i}", sa.Column("id", sa.Integer, primary_key=True))\n'
            f'    op.add_column("t_{i}", sa.Column("c", sa.Integer))\n'
            f'\n\ndef downgrade_{name}():\n    op.drop_table("t_{i}")\n'
            for name in ("engine1", "engine2")
        )
        (tmp_path / "migrations" / "versions" / f"r{i}.py").write_text(
            f'"""step {i}"""\n\nimport sqlalchemy as sa\n\nfrom gitmig import op\n\n'
            f"revision = 'r{i}'\ndown_revision = {repr(f'r{i - 1}') if i > 1 else None}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            "def upgrade(engine_name):\n    globals()[f'upgrade_{engine_name}']()\n\n\n"
            "def downgrade(engine_name):\n    globals()[f'downgrade_{engine_name}']()\n" + bodies,
            encoding="utf-8",
        )
    return tmp_path


def test_faults_multidb(tmp_path: Path, postgresql_url: str, sqlite_url: str) -> None:
    """engine1 on PostgreSQL, engine2 on SQLite: an exception at every statement."""
    urls = [postgresql_url, sqlite_url]
    project = _multidb_project(tmp_path, urls)
    out = tmp_path / "results.json"
    subprocess.run(
        [sys.executable, str(DRIVER), str(project), "|".join(urls), "raise", str(out)],
        check=True,
        cwd=project,
        timeout=300,
    )
    data = json.loads(out.read_text())
    assert data["results"][0]["exit"] == 0
    failures = []
    for case in data["results"][1:]:
        (rows1, objects1), (rows2, objects2) = case["state"]
        output = case["output"]
        problems = []
        for rows, objects in ((rows1, objects1), (rows2, objects2)):
            level = int(rows[0][1:]) if rows else 0
            expected = {f"t_{i}" for i in range(1, level + 1)}
            expected |= {f"t_{i}.c" for i in range(1, level + 1)}
            if set(objects) != expected:
                problems.append(f"schema {objects} does not match {rows}")
        if "Migration failed" in output:
            reported = _reported_rows(output)
            if reported not in (rows1, rows2):
                problems.append(f"report says {reported}; databases have {rows1}, {rows2}")
            named = "Another database of this run stays as committed" in output
            if rows1 and not named and reported != rows1:
                problems.append("engine1 kept its revisions but the report does not say so")
            if "no change of this run remains." in output and (rows1 or rows2):
                problems.append("says no change remains while a database kept revisions")
        if "Traceback" in output or case["exit"] == 99:
            problems.append("a traceback")
        final = case["final"]
        if case["again"]["exit"] != 0 or [f[0] for f in final] != [["r2"], ["r2"]]:
            problems.append(f"the next upgrade did not complete: {case['again']['output'][-300:]}")
        failures.extend(f"raise at statement {case['n']}: {p}" for p in problems)
    assert not failures, "\n".join(failures)
