"""Fault-injection driver: run ``gitmig upgrade head`` with a fault at statement N, for every N.

Run as ``python fault_driver.py PROJECT_DIR URL KINDS OUT.json``.  It imports gitmig and
SQLAlchemy once, then forks one child per case, so each run is a real, separate ``gitmig``
process (the CLI's ``main``) that can be interrupted or SIGKILLed without paying for
Python's start-up every time.  A ``before_cursor_execute`` listener on every engine counts
the statements of the run and faults at the Nth: ``raise`` (an exception), ``sigint``
(Ctrl-C, delivered to the process) or ``sigkill``.  After each case the parent records the
database (version rows, schema objects), undoes what the report listed as left applied,
and runs ``upgrade head`` again.  The test (test_faults.py) checks the results.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from gitmig.cli import cli

_OBJECT = re.compile(
    r"CREATE TABLE (?P<table>t_\d)\b|ALTER TABLE (?P<alter>t_\d) ADD (?:COLUMN )?c\b"
    r"|CREATE INDEX (?:CONCURRENTLY )?(?P<index>ix_\d)\b"
)


def objects_of(statement: str) -> set[str]:
    """The schema objects a statement of the test history creates."""
    found = set()
    for match in _OBJECT.finditer(statement):
        if match["table"]:
            found.add(match["table"])
        elif match["alter"]:
            found.add(f"{match['alter']}.c")
        else:
            found.add(match["index"])
    return found


def database_state(url: str) -> tuple[list[str], list[str]]:
    """(version rows, schema objects) as the database has them."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            names = inspector.get_table_names()
            rows: list[str] = []
            if "gitmig_version" in names:
                rows = sorted(r[0] for r in conn.execute(sa.text("SELECT * FROM gitmig_version")))
            objects = set()
            for name in names:
                if not name.startswith("t_"):
                    continue
                objects.add(name)
                if any(col["name"] == "c" for col in inspector.get_columns(name)):
                    objects.add(f"{name}.c")
                objects.update(ix["name"] for ix in inspector.get_indexes(name) if ix["name"])
            return rows, sorted(objects)
    finally:
        engine.dispose()


def reset(url: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            for name in sa.inspect(conn).get_table_names():
                conn.execute(sa.text(f"DROP TABLE {name}"))
    finally:
        engine.dispose()


def undo(url: str, objects: set[str]) -> None:
    """Drop what a report said stayed applied (indexes and columns first, then tables)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            postgres = engine.dialect.name == "postgresql"
            for obj in sorted(objects, key=lambda o: (not o.startswith("ix_"), "." not in o)):
                if obj.startswith("ix_"):
                    on = "" if postgres or engine.dialect.name == "sqlite" else f" ON t_{obj[3:]}"
                    conn.execute(sa.text(f"DROP INDEX {obj}{on}"))
                elif "." in obj:
                    table, column = obj.split(".")
                    conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
                else:
                    conn.execute(sa.text(f"DROP TABLE {obj}"))
    finally:
        engine.dispose()


def run_cli(
    project: str, fault_at: int, kind: str, count_file: str | None = None
) -> dict[str, Any]:
    """Fork a child running ``gitmig upgrade head``; its exit status and output."""
    out_path = os.path.join(project, "out.txt")
    pid = os.fork()
    if pid == 0:  # the child: a gitmig process
        fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        count = 0

        def fault(*args: Any) -> None:
            nonlocal count
            count += 1
            if count_file is not None:
                with open(count_file, "w") as f:
                    f.write(str(count))
            if count != fault_at:
                return
            if kind == "raise":
                raise RuntimeError(f"injected fault at statement {count}")
            os.kill(os.getpid(), signal.SIGINT if kind == "sigint" else signal.SIGKILL)

        event.listen(Engine, "before_cursor_execute", fault)
        code = 1
        try:
            cli.main(["-c", os.path.join(project, "gitmig.ini"), "upgrade", "head"], "gitmig")
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException:
            code = 99  # anything escaping the CLI is a bug the test reports
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    exit_code = os.waitstatus_to_exitcode(status)
    with open(out_path, encoding="utf-8", errors="replace") as f:
        output = f.read()
    return {"exit": exit_code, "output": output}


def listed_statements(output: str) -> list[str]:
    """The statements a report lists as left applied."""
    lines = output.splitlines()
    listed = []
    for i, line in enumerate(lines):
        if line.startswith("These statements of ") and "stay applied" in line:
            for follow in lines[i + 1 :]:
                if not follow.startswith("    "):
                    break
                listed.append(follow.strip())
    return listed


def states(urls: list[str]) -> Any:
    """The state of the one database, or a list of states (multidb)."""
    found = [database_state(url) for url in urls]
    return found[0] if len(found) == 1 else found


def main() -> None:
    project, url_arg, kinds, out = sys.argv[1:5]
    urls = url_arg.split("|")  # several: the multidb template, one URL per engine
    url = urls[0]
    results: list[dict[str, Any]] = []
    count_file = os.path.join(project, "count.txt")
    for each in urls:
        reset(each)
    clean = run_cli(project, 0, "raise", count_file)
    with open(count_file) as f:
        total = int(f.read())
    clean_state = states(urls)
    results.append({"n": 0, "kind": "none", **clean, "state": clean_state})
    empty = ([], []) if len(urls) == 1 else [([], [])] * len(urls)
    for kind in kinds.split(","):
        for n in range(1, total + 1):
            for each in urls:
                reset(each)
            first = run_cli(project, n, kind)
            state = states(urls)
            listed = listed_statements(first["output"])
            left = set().union(*(objects_of(s) for s in listed)) if listed else set()
            if left:
                undo(url, left)
            if json.loads(json.dumps(state)) == json.loads(json.dumps(empty)) and not left:
                # Exactly the clean start: the next run is the clean run, already checked.
                second, final = clean, clean_state
            else:
                second, final = run_cli(project, 0, "raise"), None
            results.append(
                {
                    "n": n,
                    "kind": kind,
                    **first,
                    "state": state,
                    "listed": listed,
                    "again": second,
                    "final": final if final is not None else states(urls),
                }
            )
    with open(out, "w") as f:
        json.dump({"total": total, "results": results}, f)


if __name__ == "__main__":
    main()
