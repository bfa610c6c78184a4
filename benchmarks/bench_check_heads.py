"""Benchmark: ``check-heads --against REF`` versus ``check-heads`` on the working tree alone.

Builds a git repository holding a 1000-revision history on ``main`` and a feature branch
that forked 5 revisions ago and adds one of its own, then times both commands end to end
(a fresh ``python -m gitmig`` process each run, as a developer or a hook would start it)
and reports the medians.
Target: ``--against`` within 2x of the working tree alone.

    python benchmarks/bench_check_heads.py [--revisions 1000] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

REVISION = '''"""revision {n}

Revision ID: {rev}
Revises: {down}
Create Date: 2024-01-01 00:00:00

"""

import sqlalchemy as sa

from gitmig import op

# revision identifiers, used by gitmig.
revision = "{rev}"
down_revision = {down_literal}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("t", sa.Column("c{n}", sa.Integer()))


def downgrade() -> None:
    op.drop_column("t", "c{n}")
'''


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _write(versions: Path, n: int, down: str | None) -> str:
    rev = f"{n:012x}"
    text = REVISION.format(
        n=n, rev=rev, down=down or "", down_literal=f'"{down}"' if down else "None"
    )
    (versions / f"{rev}_revision_{n}.py").write_text(text)
    return rev


def build(root: Path, revisions: int, ahead: int = 5) -> None:
    """``revisions`` on main, the last ``ahead`` of them added after branch ``feature`` forked.

    ``feature`` adds one revision of its own, so ``--against main`` must read ``ahead``
    blobs from git and finds divergent heads, as in a real pull-request check.
    """
    env = _env()
    _git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("__pycache__/\n")
    subprocess.run(
        [sys.executable, "-m", "gitmig", "init", "migrations"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    versions = root / "migrations" / "versions"
    down = None
    for n in range(1, revisions - ahead + 1):
        down = _write(versions, n, down)
    _commit(root, "history")
    _git(root, "checkout", "-q", "-b", "feature")
    _write(versions, revisions + 1, down)
    _commit(root, "feature")
    _git(root, "checkout", "-q", "main")
    for n in range(revisions - ahead + 1, revisions + 1):
        down = _write(versions, n, down)
    _commit(root, "main moves on")
    _git(root, "checkout", "-q", "feature")


def _commit(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "-m", message)


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # time what an installed gitmig does
    return env


def time_command(root: Path, args: list[str], runs: int) -> float:
    """Median wall time of ``python -m gitmig ARGS`` over ``runs`` (after one warm-up)."""
    env = _env()
    command = [sys.executable, "-m", "gitmig", *args]
    subprocess.run(command, cwd=root, env=env, capture_output=True)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=root, env=env, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gitmig-bench-") as tmp:
        root = Path(tmp)
        build(root, args.revisions)
        alone = time_command(root, ["check-heads"], args.runs)
        against = time_command(root, ["check-heads", "--against", "main"], args.runs)
    ratio = against / alone
    print(
        f"history: {args.revisions} revisions on main (5 added after the fork) "
        "+ 1 on the feature branch"
    )
    print(f"check-heads (working tree)       median {alone * 1000:8.1f} ms")
    print(f"check-heads --against main       median {against * 1000:8.1f} ms")
    verdict = "within" if ratio <= 2 else "OVER"
    print(f"ratio {ratio:.2f}x ({verdict} the 2x target)")


if __name__ == "__main__":
    main()
