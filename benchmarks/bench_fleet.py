"""Benchmark: ``gitmig fleet`` versus a shell loop of ``alembic upgrade head``.

Builds the same three-revision project for both tools and a fleet of SQLite databases,
then times, end to end (fresh processes, medians of ``--runs``):

1. nothing to do on 100 targets at head: ``gitmig fleet status`` and ``gitmig fleet
   upgrade`` against ``for url in ...; do alembic -x url=$url upgrade head; done``
   (goal: 10x faster);
2. a real upgrade of 50 fresh targets: ``gitmig fleet upgrade --jobs 4`` against the loop.

Alembic runs from its own venv (``ensure_alembic_venv``), never the project's.

    python benchmarks/bench_fleet.py [--targets 100] [--real 50] [--runs 3] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from run import DEFAULT_WORK, ensure_alembic_venv

ROOT = Path(__file__).resolve().parents[1]

REVISION = '''"""step {n}"""

import sqlalchemy as sa

from {tool} import op

revision = "r{n}"
down_revision = {down}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "t{n}", sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.String(20))
    )
    op.create_index("ix_t{n}_v", "t{n}", ["v"])


def downgrade():
    op.drop_table("t{n}")
'''

# Alembic's env.py takes the URL from `-x url=...` (the loop's one change to its template).
ALEMBIC_URL_HOOK = (
    "config = context.config\n"
    "_url = context.get_x_argument(as_dictionary=True).get('url')\n"
    "if _url:\n"
    "    config.set_main_option('sqlalchemy.url', _url)\n"
)


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True)


def _revisions(versions: Path, tool: str) -> None:
    for n in (1, 2, 3):
        down = "None" if n == 1 else f'"r{n - 1}"'
        text = REVISION.format(n=n, down=down, tool=tool)
        (versions / f"r{n}_step.py").write_text(text, encoding="utf-8")


def setup_gitmig(root: Path, env: dict[str, str]) -> Path:
    _run([sys.executable, "-m", "gitmig", "init", "migrations"], root, env)
    _revisions(root / "migrations" / "versions", "gitmig")
    return root


def setup_alembic(root: Path, python: str, env: dict[str, str]) -> Path:
    _run([python, "-m", "alembic", "init", "migrations"], root, env)
    env_py = root / "migrations" / "env.py"
    text = env_py.read_text(encoding="utf-8").replace(
        "config = context.config\n", ALEMBIC_URL_HOOK, 1
    )
    env_py.write_text(text, encoding="utf-8")
    _revisions(root / "migrations" / "versions", "alembic")
    return root


def median_of(
    runs: int, fn: Callable[[], None], prepare: Callable[[], None] | None = None
) -> float:
    samples = []
    for _ in range(runs):
        if prepare is not None:
            prepare()
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=100)
    parser.add_argument("--real", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    alembic_python = ensure_alembic_venv(args.work, sys.executable, "alembic==1.20.1")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GITMIG"))}
    base["PYTHONPYCACHEPREFIX"] = str(args.work / "pycache")
    gitmig_env = {**base, "PYTHONPATH": str(ROOT)}

    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        root = Path(tmp)
        (root / "g").mkdir()
        (root / "a").mkdir()
        (root / "dbs").mkdir()
        gproj = setup_gitmig(root / "g", gitmig_env)
        aproj = setup_alembic(root / "a", alembic_python, base)

        def fleet(kind: str, n: int) -> tuple[Path, list[str]]:
            urls = [f"sqlite:///{root / 'dbs' / f'{kind}{i:03d}.db'}" for i in range(n)]
            path = root / f"{kind}.txt"
            path.write_text("".join(f"{kind}{i:03d} {u}\n" for i, u in enumerate(urls)), "utf-8")
            return path, urls

        def gitmig(*cmd: str) -> Callable[[], None]:
            full = [sys.executable, "-m", "gitmig", "fleet", *cmd]
            # status exits 1 when a target is behind; the benchmark checks the state itself
            return lambda: subprocess.run(full, cwd=gproj, env=gitmig_env, capture_output=True)

        def loop(urls: list[str]) -> Callable[[], None]:
            alembic = f"{shlex.quote(alembic_python)} -m alembic"
            script = "set -e\nfor u in " + " ".join(shlex.quote(u) for u in urls)
            script += f"; do {alembic} -x url=$u upgrade head; done\n"
            return lambda: _run(["bash", "-c", script], aproj, base)

        # 1. nothing to do: every target at head (each tool its own copy of the fleet)
        gfile, _ = fleet("g", args.targets)
        _, aurls = fleet("a", args.targets)
        gitmig("upgrade", "--targets", str(gfile), "--jobs", "8")()
        loop(aurls)()
        print(f"fleet of {args.targets} SQLite targets at head (medians of {args.runs}):")
        status = median_of(args.runs, gitmig("status", "--targets", str(gfile)))
        noop = median_of(args.runs, gitmig("upgrade", "--targets", str(gfile)))
        alembic_noop = median_of(args.runs, loop(aurls))
        for name, value in (("gitmig fleet status", status), ("gitmig fleet upgrade", noop)):
            print(
                f"  {name:<28} {value:7.2f} s   alembic loop {alembic_noop:7.2f} s   "
                f"{alembic_noop / value:5.1f}x faster"
            )

        # 2. a real upgrade of fresh targets
        rfile, _ = fleet("rg", args.real)
        _, raurls = fleet("ra", args.real)

        def fresh() -> None:
            for db in (root / "dbs").glob("r*.db"):
                db.unlink()

        real = median_of(
            args.runs, gitmig("upgrade", "--targets", str(rfile), "--jobs", str(args.jobs)), fresh
        )
        alembic_real = median_of(args.runs, loop(raurls), fresh)
        print(f"real upgrade (3 revisions) of {args.real} fresh SQLite targets:")
        print(
            f"  {'gitmig fleet upgrade -j ' + str(args.jobs):<28} {real:7.2f} s   "
            f"alembic loop {alembic_real:7.2f} s   {alembic_real / real:5.1f}x faster"
        )


if __name__ == "__main__":
    main()
