"""Side-by-side benchmarks of gitmig and Alembic on the same generated history.

Benchmarks (each is a set of commands timed in alternation, as whole processes):

``heads``     ``gitmig heads`` vs ``alembic heads`` at each ``--n`` (default 100, 1000, 5000),
``history``   and the same for ``history``; each twice: warm (bytecode and gitmig's marker
              cache written by an earlier run) and cold (``PYTHONDONTWRITEBYTECODE=1``, the
              revision files' caches removed before every run). With a floor: a bare
              interpreter that reads the N revision files and does nothing else.
              Targets at N = 5000: Alembic/gitmig >= 20x (heads), >= 40x (history).
``sql``       ``upgrade head --sql`` at ``--upgrade-n`` (default 1000, 5000).
              With a floor (floor.py): import SQLAlchemy and compile the same DDL, a
              floor no SQLAlchemy-based runner can go under. Target: gitmig/floor <= 1.25x.
``upgrade``   a real ``upgrade head`` on a fresh SQLite file at ``--upgrade-n``.
              Target: gitmig no slower than Alembic.

Alembic runs from its own venv (benchmarks/.work/alembic-venv, created once with pip);
gitmig runs from a source tree (``--repo``, default this checkout) on ``--python``
(default: this interpreter, which must have gitmig's dependencies).  The upgrade
benchmarks are skipped when that tree has no ``gitmig upgrade`` command.

Usage: ``python benchmarks/run.py [--bench heads,sql,upgrade] [--n 100,1000,5000]
[--repeat 11] [--repo PATH [--ref REF]] [--ops ddl|sql] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import platform
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

# Run as a script, so this folder is on sys.path.
from generate import OPS_STYLES, Manifest, ensure_history

__all__ = ["main"]

HERE = Path(__file__).resolve().parent
DEFAULT_REPO = HERE.parent
DEFAULT_WORK = HERE / ".work"
BENCHMARKS = ("heads", "history", "sql", "upgrade")
GRAPH_BENCHMARKS = ("heads", "history")

# The floor for `heads` and `history`: start the interpreter and read every revision file.
_READ_FILES = (
    "import os, sys\n"
    "for entry in os.scandir(sys.argv[1]):\n"
    "    if entry.name.endswith('.py'):\n"
    "        with open(entry.path, 'rb') as f:\n"
    "            f.read()\n"
)


class BenchError(Exception):
    """A command failed or gave a wrong answer: the benchmark cannot be trusted."""


@dataclass
class Command:
    """One contender: a command line, where to run it, and how to check its result."""

    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    prepare: Callable[[], None] | None = None
    check: Callable[[subprocess.CompletedProcess[str]], None] | None = None

    def run(self, capture: bool) -> tuple[float, float, subprocess.CompletedProcess[str]]:
        """``(wall seconds, CPU seconds (user + system), process)`` of one run."""
        if self.prepare is not None:
            self.prepare()
        out = subprocess.PIPE if capture else subprocess.DEVNULL
        before = _children_cpu()
        start = time.perf_counter()
        proc = subprocess.run(
            self.argv, cwd=self.cwd, env=self.env, stdout=out, stderr=out, text=True
        )
        elapsed = time.perf_counter() - start
        cpu = _children_cpu() - before
        if proc.returncode != 0:
            detail = (proc.stderr or "").strip().splitlines()[-5:] if capture else []
            raise BenchError(
                f"{self.name}: {' '.join(self.argv)} exited {proc.returncode} in {self.cwd}"
                + ("\n  " + "\n  ".join(detail) if detail else "")
            )
        return elapsed, cpu, proc


def _children_cpu() -> float:
    """CPU time of every finished child so far: on a loaded machine it varies far less than
    wall time, since waiting for a core is not counted."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Comparison:
    """A ratio of two medians and the target it is held to."""

    label: str
    ratio: float
    target: str
    ok: bool


@dataclass
class Result:
    benchmark: str
    n: int
    medians: dict[str, float]
    samples: dict[str, list[float]]
    cpu_medians: dict[str, float] = field(default_factory=dict)
    cpu_samples: dict[str, list[float]] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)


Samples = tuple[dict[str, list[float]], dict[str, list[float]]]


def measure(commands: Sequence[Command], repeat: int) -> Samples:
    """Time each command ``repeat`` times, interleaved, after one checked warm-up run each:
    ``(wall seconds, CPU seconds)``, each a list per command.

    The order rotates every round so no command always runs right after the same other one
    (page cache, CPU frequency and neighbours' load then fall on all of them alike).
    """
    for command in commands:
        _, _, proc = command.run(capture=True)
        if command.check is not None:
            command.check(proc)
    samples: dict[str, list[float]] = {c.name: [] for c in commands}
    cpu: dict[str, list[float]] = {c.name: [] for c in commands}
    for round_ in range(repeat):
        shift = round_ % len(commands)
        for command in [*commands[shift:], *commands[:shift]]:
            elapsed, used, _ = command.run(capture=False)
            samples[command.name].append(elapsed)
            cpu[command.name].append(used)
    return samples, cpu


# -- environments -------------------------------------------------------------------------


@dataclass
class Setup:
    python: str
    repo: Path
    work: Path
    alembic_python: str
    seed: int
    ops: str

    def gitmig_env(self) -> dict[str, str]:
        env = self._base_env()
        env["PYTHONPATH"] = str(self.repo)
        return env

    def alembic_env(self) -> dict[str, str]:
        return self._base_env()

    def _base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GITMIG"))}
        # Bytecode caches go to one place of our own for both tools: nothing is written into
        # the source tree being measured, and after the warm-up run both read cached .pyc.
        env["PYTHONPYCACHEPREFIX"] = str(self.work / "pycache")
        return env

    def gitmig(self, *args: str) -> list[str]:
        return [self.python, str(console_script(self.work, "gitmig", _GITMIG_ENTRY)), *args]

    def alembic(self, *args: str) -> list[str]:
        return [self.alembic_python, str(Path(self.alembic_python).parent / "alembic"), *args]

    def history(self, n: int) -> tuple[Path, Manifest]:
        out = self.work / "histories" / f"n{n}-s{self.seed}-{self.ops}"
        return out, ensure_history(out, n, self.seed, self.ops)


# What the Alembic side needs besides Alembic: the PostgreSQL driver (bench_autogenerate).
ALEMBIC_VENV_EXTRAS = ("psycopg[binary]",)
# gitmig's own dependencies (pyproject.toml) and its console script's entry point
GITMIG_DEPENDENCIES = ("SQLAlchemy>=2.0,<3", "click>=8.1", "Mako>=1.2", "psycopg[binary]")
_GITMIG_ENTRY = "gitmig.fastpath:main"


def ensure_gitmig_venv(work: Path, python: str) -> str:
    """The interpreter of benchmarks/.work/gitmig-venv: gitmig's dependencies, not gitmig.

    The tree under test comes from ``PYTHONPATH``, which is what a regular install amounts
    to; the project's own ``.venv`` holds an editable install, whose path finder ``site``
    imports at every start (pathlib, importlib.util: about 12 ms), which no user pays.
    """
    return _ensure_venv(
        work / "gitmig-venv", python, GITMIG_DEPENDENCIES, "sqlalchemy, click, mako, psycopg"
    )


def _ensure_venv(venv: Path, python: str, packages: Sequence[str], probe: str) -> str:
    """The interpreter of ``venv``, created (once) with ``packages``; ``probe`` names the
    modules whose import says it is complete."""
    venv_python = venv / "bin" / "python"
    check = [str(venv_python), "-c", f"import {probe}"]
    if venv_python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return str(venv_python)
    print(f"creating {venv} with {', '.join(packages)} ...", file=sys.stderr)
    subprocess.run([python, "-m", "venv", "--clear", str(venv)], check=True)
    install = [str(venv_python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*install, *packages], check=True)
    return str(venv_python)


def console_script(work: Path, name: str, entry: str) -> Path:
    """A script shaped as the console script pip writes for ``entry`` (``module:function``):
    both tools then start as a user's shell starts them, not through ``python -m``'s runpy."""
    module, function = entry.split(":")
    path = work / "bin" / name
    text = (
        "import re\n"
        "import sys\n"
        f"from {module} import {function}\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
        f"    sys.exit({function}())\n"
    )
    if not path.is_file() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path


def ensure_alembic_venv(work: Path, python: str, spec: str = "alembic") -> str:
    """The interpreter of benchmarks/.work/alembic-venv, created (once) with ``spec``."""
    return _ensure_venv(
        work / "alembic-venv", python, (spec, *ALEMBIC_VENV_EXTRAS), "alembic, psycopg"
    )


def _version_of(python: str, module: str, env: dict[str, str]) -> str:
    code = f"import {module}; print({module}.__version__)"
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env)
    return proc.stdout.strip() or "?"


def _git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def _repo_commit(repo: Path) -> str:
    """The checkout's commit (``-dirty`` with uncommitted changes), if ``repo`` is one."""
    if _git(repo, "rev-parse", "--show-toplevel") != str(repo):
        return "not a git checkout"
    return _git(repo, "describe", "--always", "--dirty") or "?"


def export_ref(repo: Path, ref: str, work: Path) -> tuple[Path, str]:
    """A read-only copy of ``repo`` at ``ref`` (``git archive``), to benchmark a fixed commit.

    Measuring a snapshot rather than a working tree that someone is editing keeps every
    run of a benchmark on the same code, and writes nothing into that tree.
    """
    sha = _git(repo, "rev-parse", "--verify", f"{ref}^{{commit}}")
    if not sha:
        raise BenchError(f"{ref!r} is not a commit in {repo}")
    out = work / "snapshots" / sha[:12]
    if not (out / "gitmig" / "__init__.py").is_file():
        out.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(repo), "archive", sha], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(out)], input=archive.stdout, check=True)
    return out, sha[:12]


def has_upgrade(setup: Setup) -> bool:
    """Whether the gitmig tree under test has an ``upgrade`` command."""
    proc = subprocess.run(
        setup.gitmig("upgrade", "--help"),
        capture_output=True,
        text=True,
        env=setup.gitmig_env(),
        cwd=setup.work,
    )
    return proc.returncode == 0


# -- checks: a fast wrong answer is no result -------------------------------------------------


def _check_head(tool: str, head: str) -> Callable[[subprocess.CompletedProcess[str]], None]:
    def check(proc: subprocess.CompletedProcess[str]) -> None:
        ids = re.findall(r"\b[0-9a-f]{12}\b", proc.stdout)
        if ids != [head]:
            raise BenchError(f"{tool} heads printed {proc.stdout.strip()!r}, expected {head}")

    return check


def _check_sql(tool: str, manifest: Manifest) -> Callable[[subprocess.CompletedProcess[str]], None]:
    def check(proc: subprocess.CompletedProcess[str]) -> None:
        creates = len(re.findall(r"CREATE TABLE \W?t\d{5}\b", proc.stdout))
        adds = len(re.findall(r"ADD COLUMN \W?note\b", proc.stdout))
        if creates != manifest.n or adds != manifest.n or manifest.head not in proc.stdout:
            raise BenchError(
                f"{tool} upgrade --sql wrote {creates} CREATE TABLE and {adds} ADD COLUMN "
                f"for {manifest.n} revisions (head {manifest.head} "
                f"{'present' if manifest.head in proc.stdout else 'missing'})"
            )

    return check


def _check_db(
    tool: str, db: Path, version_table: str, manifest: Manifest
) -> Callable[[subprocess.CompletedProcess[str]], None]:
    def check(proc: subprocess.CompletedProcess[str]) -> None:
        with sqlite3.connect(db) as conn:
            names = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            rows = [r[0] for r in conn.execute(f"SELECT version_num FROM {version_table}")]
            columns = [r[1] for r in conn.execute("PRAGMA table_info(t00000)")]
        conn.close()
        tables = sum(1 for name in names if re.fullmatch(r"t\d{5}", name))
        if tables != manifest.n or rows != [manifest.head] or "note" not in columns:
            raise BenchError(
                f"{tool} upgrade head left {tables} tables (expected {manifest.n}), "
                f"{version_table} rows {rows} (expected [{manifest.head!r}]), "
                f"t00000 columns {columns}"
            )

    return check


def _fresh_db(db: Path) -> Callable[[], None]:
    def prepare() -> None:
        for path in (db, db.with_name(db.name + "-journal")):
            path.unlink(missing_ok=True)

    return prepare


# -- the benchmarks ---------------------------------------------------------------------------


# Alembic/gitmig targets of the graph commands at N >= 5000
_GRAPH_TARGETS = {"heads": 20.0, "history": 40.0}


def _check_history(
    tool: str, manifest: Manifest
) -> Callable[[subprocess.CompletedProcess[str]], None]:
    def check(proc: subprocess.CompletedProcess[str]) -> None:
        lines = [line for line in proc.stdout.splitlines() if "->" in line]
        if len(lines) != manifest.n or manifest.head not in lines[0]:
            raise BenchError(
                f"{tool} history printed {len(lines)} revision lines for {manifest.n} "
                f"revisions (first: {lines[0] if lines else None!r}, head {manifest.head})"
            )

    return check


def _cold(setup: Setup, versions: Path) -> Callable[[], None]:
    """Remove the versions folder's bytecode and marker cache (under the pycache prefix)."""
    cached = setup.work / "pycache" / str(versions.resolve()).lstrip(os.sep)

    def prepare() -> None:
        if cached.is_dir():
            for path in cached.iterdir():
                path.unlink()

    return prepare


def bench_graph(setup: Setup, n: int, repeat: int, *, command: str, cold: bool) -> Result:
    """``gitmig COMMAND`` vs ``alembic COMMAND`` vs the floor, warm or cold."""
    root, manifest = setup.history(n)
    gm, al = root / "gitmig", root / "alembic"

    def check(tool: str) -> Callable[[subprocess.CompletedProcess[str]], None]:
        if command == "heads":
            return _check_head(tool, manifest.head)
        return _check_history(tool, manifest)

    extra = {"PYTHONDONTWRITEBYTECODE": "1"} if cold else {}
    gm_versions, al_versions = gm / "migrations" / "versions", al / "migrations" / "versions"
    commands = [
        Command(
            "gitmig",
            setup.gitmig(command),
            gm,
            {**setup.gitmig_env(), **extra},
            prepare=_cold(setup, gm_versions) if cold else None,
            check=check("gitmig"),
        ),
        Command(
            "alembic",
            setup.alembic(command),
            al,
            {**setup.alembic_env(), **extra},
            prepare=_cold(setup, al_versions) if cold else None,
            check=check("alembic"),
        ),
        Command(
            "baseline",
            [setup.python, "-c", _READ_FILES, str(gm_versions)],
            gm,
            {**setup.gitmig_env(), **extra},
        ),
    ]
    samples = measure(commands, repeat)
    result = _result(f"{command} ({'cold' if cold else 'warm'})", n, samples)
    speedup = result.medians["alembic"] / result.medians["gitmig"]
    over_floor = result.medians["gitmig"] / result.medians["baseline"]
    target = _GRAPH_TARGETS[command]
    result.comparisons = [
        Comparison(
            "alembic / gitmig",
            speedup,
            f">= {target:g}x" if n >= 5000 else "-",
            n < 5000 or speedup >= target,
        ),
        Comparison("gitmig / floor", over_floor, "-", True),
        *_cpu_comparisons(result, "alembic", "gitmig"),
        *_cpu_comparisons(result, "gitmig", "baseline"),
    ]
    return result


def bench_sql(setup: Setup, n: int, repeat: int) -> Result:
    root, manifest = setup.history(n)
    gm, al = root / "gitmig", root / "alembic"
    commands = [
        Command(
            "gitmig",
            setup.gitmig("upgrade", "head", "--sql"),
            gm,
            setup.gitmig_env(),
            check=_check_sql("gitmig", manifest),
        ),
        Command(
            "alembic",
            setup.alembic("upgrade", "head", "--sql"),
            al,
            setup.alembic_env(),
            check=_check_sql("alembic", manifest),
        ),
        Command(
            "baseline",
            [setup.python, str(HERE / "floor.py"), str(n), setup.ops],
            gm,
            setup.gitmig_env(),
            # it writes no version table: only its DDL is checked
            check=_check_sql("baseline", replace(manifest, head="")),
        ),
    ]
    result = _result("upgrade --sql", n, measure(commands, repeat))
    medians = result.medians
    speedup = medians["alembic"] / medians["gitmig"]
    over_floor = medians["gitmig"] / medians["baseline"]
    result.comparisons = [
        Comparison("alembic / gitmig", speedup, "-", True),
        # The most any SQLAlchemy-based runner could gain on Alembic (see floor.py).
        Comparison("alembic / floor", medians["alembic"] / medians["baseline"], "-", True),
        Comparison("gitmig / floor", over_floor, "<= 1.25x", over_floor <= 1.25),
        *_cpu_comparisons(result, "alembic", "gitmig"),
        *_cpu_comparisons(result, "gitmig", "baseline"),
    ]
    return result


def bench_upgrade(setup: Setup, n: int, repeat: int) -> Result:
    root, manifest = setup.history(n)
    gm, al = root / "gitmig", root / "alembic"
    gm_db, al_db = gm / "bench.db", al / "bench.db"
    commands = [
        Command(
            "gitmig",
            setup.gitmig("upgrade", "head"),
            gm,
            setup.gitmig_env(),
            prepare=_fresh_db(gm_db),
            check=_check_db("gitmig", gm_db, "gitmig_version", manifest),
        ),
        Command(
            "alembic",
            setup.alembic("upgrade", "head"),
            al,
            setup.alembic_env(),
            prepare=_fresh_db(al_db),
            check=_check_db("alembic", al_db, "alembic_version", manifest),
        ),
    ]
    result = _result("upgrade (SQLite)", n, measure(commands, repeat))
    speedup = result.medians["alembic"] / result.medians["gitmig"]
    result.comparisons = [Comparison("alembic / gitmig", speedup, ">= 1x", speedup >= 1)]
    return result


def _cpu_comparisons(result: Result, slow: str, fast: str) -> list[Comparison]:
    """The same ratio of CPU medians, for a loaded machine (no target: wall time decides)."""
    label = f"{slow} / {'floor' if fast == 'baseline' else fast} (CPU)"
    ratio = result.cpu_medians[slow] / result.cpu_medians[fast]
    return [Comparison(label, ratio, "-", True)]


def _result(name: str, n: int, measured: Samples) -> Result:
    samples, cpu = measured
    medians = {tool: statistics.median(times) for tool, times in samples.items()}
    cpu_medians = {tool: statistics.median(times) for tool, times in cpu.items()}
    return Result(name, n, medians, samples, cpu_medians, cpu)


# -- output -----------------------------------------------------------------------------------


def print_result(result: Result) -> None:
    print(f"\n{result.benchmark}, N = {result.n}")
    for tool, median in result.medians.items():
        low = min(result.samples[tool])
        print(
            f"  {tool:<10} median {median:8.3f} s   min {low:8.3f} s   "
            f"CPU median {result.cpu_medians[tool]:8.3f} s"
        )
    for comp in result.comparisons:
        verdict = "" if comp.target == "-" else ("  ok" if comp.ok else "  MISSED")
        print(f"  {comp.label:<24} {comp.ratio:7.2f}x   target {comp.target:<7}{verdict}")


def print_summary(results: Sequence[Result]) -> None:
    print("\nSummary (median seconds; ratio = the comparison named)")
    header = f"{'benchmark':<18}{'N':>6}{'gitmig':>9}{'alembic':>9}{'baseline':>10}  ratios"
    print(header)
    print("-" * (len(header) + 40))
    for r in results:
        base = r.medians.get("baseline")
        ratios = "; ".join(f"{c.label} {c.ratio:.2f}x ({c.target})" for c in r.comparisons)
        print(
            f"{r.benchmark:<18}{r.n:>6}{r.medians['gitmig']:>9.3f}{r.medians['alembic']:>9.3f}"
            f"{'' if base is None else f'{base:.3f}':>10}  {ratios}"
        )


def _int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _mode_list(text: str) -> list[str]:
    modes = [part.strip() for part in text.split(",") if part.strip()]
    if not modes or set(modes) - {"warm", "cold"}:
        raise argparse.ArgumentTypeError(f"{text!r}: give warm, cold or warm,cold")
    return modes


def _bench_list(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown benchmark(s) {unknown}; choose from {BENCHMARKS}"
        )
    return names


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark gitmig against Alembic on generated histories."
    )
    parser.add_argument(
        "--bench",
        type=_bench_list,
        default=list(BENCHMARKS),
        help=f"comma-separated benchmarks to run (default: {','.join(BENCHMARKS)})",
    )
    parser.add_argument(
        "--n",
        type=_int_list,
        default=[100, 1000, 5000],
        help="N values for heads and history (default 100,1000,5000)",
    )
    parser.add_argument(
        "--modes",
        type=_mode_list,
        default=["warm", "cold"],
        help="for heads and history: warm (caches written), cold (none), or both "
        "(default warm,cold)",
    )
    parser.add_argument(
        "--upgrade-n",
        type=_int_list,
        default=[1000, 5000],
        help="N values for sql/upgrade (default 1000,5000)",
    )
    parser.add_argument(
        "--repeat", type=int, default=11, help="timed runs per command (default 11)"
    )
    parser.add_argument("--seed", type=int, default=1, help="history seed (default 1)")
    parser.add_argument(
        "--ops",
        choices=OPS_STYLES,
        default="ddl",
        help="what each revision does: op.create_table/add_column (ddl, default) "
        "or the same SQL through op.execute (sql)",
    )
    parser.add_argument(
        "--repo",
        type=Path,
        default=DEFAULT_REPO,
        help="gitmig source tree to benchmark (default: this checkout)",
    )
    parser.add_argument(
        "--ref",
        help="benchmark this commit of --repo (a git archive copy under the cache folder) "
        "instead of its working tree",
    )
    parser.add_argument(
        "--python",
        default=None,
        help="interpreter for gitmig, with its dependencies and without gitmig installed "
        "(default: benchmarks/.work/gitmig-venv, created on first use)",
    )
    parser.add_argument(
        "--alembic-spec", default="alembic", help="pip requirement for the Alembic venv"
    )
    parser.add_argument(
        "--work", type=Path, default=DEFAULT_WORK, help="cache folder (default benchmarks/.work)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    repo: Path = args.repo.resolve()
    commit = _repo_commit(repo)
    if args.ref is not None:
        try:
            repo, commit = export_ref(repo, args.ref, work)
        except BenchError as err:
            print(f"run.py: {err}", file=sys.stderr)
            return 2
    if not (repo / "gitmig" / "__init__.py").is_file():
        print(
            f"run.py: {repo} is not a gitmig source tree (no gitmig/__init__.py)", file=sys.stderr
        )
        return 2
    alembic_python = ensure_alembic_venv(work, sys.executable, args.alembic_spec)
    python = args.python or ensure_gitmig_venv(work, sys.executable)
    setup = Setup(python, repo, work, alembic_python, args.seed, args.ops)
    meta = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, "
            f"{platform.system()} {platform.release()}"
        ),
        "python": platform.python_version(),
        "gitmig_repo": str(repo),
        "gitmig_commit": commit,
        "alembic": _version_of(alembic_python, "alembic", setup.alembic_env()),
        "sqlalchemy_gitmig": _version_of(python, "sqlalchemy", setup.gitmig_env()),
        "sqlalchemy_alembic": _version_of(alembic_python, "sqlalchemy", setup.alembic_env()),
        "load_average_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "repeat": args.repeat,
        "seed": args.seed,
        "ops": args.ops,
    }
    print(
        f"gitmig {meta['gitmig_commit']} ({repo}) vs Alembic {meta['alembic']}; "
        f"{meta['machine']}; Python {meta['python']}; {args.repeat} runs each, interleaved"
    )

    jobs: list[tuple[str, int, Callable[..., Result]]] = []
    skipped: list[str] = []
    for graph_command in (b for b in GRAPH_BENCHMARKS if b in args.bench):
        for n in args.n:
            for cold in (mode == "cold" for mode in args.modes):
                jobs.append(
                    (
                        graph_command,
                        n,
                        functools.partial(bench_graph, command=graph_command, cold=cold),
                    )
                )
    upgrade_benches = [b for b in ("sql", "upgrade") if b in args.bench]
    if upgrade_benches and not has_upgrade(setup):
        message = f"skipped {', '.join(upgrade_benches)}: no `gitmig upgrade` command in {repo}"
        print(message)
        skipped.append(message)
    else:
        runner = {"sql": bench_sql, "upgrade": bench_upgrade}
        jobs += [(b, n, runner[b]) for b in upgrade_benches for n in args.upgrade_n]

    results: list[Result] = []
    failures: list[str] = []
    for name, n, bench in jobs:
        try:
            result = bench(setup, n, args.repeat)
        except BenchError as err:
            print(f"\n{name}, N = {n}: FAILED\n  {err}")
            failures.append(f"{name} N={n}: {err}")
            continue
        print_result(result)
        results.append(result)
    meta["load_average_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\nload average: {meta['load_average_start']} at the start, "
        f"{meta['load_average_end']} at the end"
    )
    if results:
        print_summary(results)
    if args.json is not None:
        payload = {
            "meta": meta,
            "results": [asdict(r) for r in results],
            "skipped": skipped,
            "failures": failures,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
