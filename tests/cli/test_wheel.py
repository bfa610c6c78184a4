"""A built wheel carries the templates: `gitmig init` works outside the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import gitmig

REPO_ROOT = Path(gitmig.__file__).resolve().parents[1]


def test_init_from_an_installed_wheel(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("gitmig-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "gitmig/templates/generic/script.py.mako" in names
    assert "gitmig/py.typed" in names
    assert "gitmig/op.pyi" in names  # the op proxy's types (python -m gitmig.operations._stubgen)
    assert "gitmig/resources/hook-tmpl" in names  # the native hook's script
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)
    sources = {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "gitmig").rglob("*.py")}
    assert sources <= set(names), f"modules missing from the wheel: {sorted(sources - set(names))}"

    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = [sys.executable, "-m", "gitmig"]
    where = subprocess.run(
        [sys.executable, "-c", "import gitmig; print(gitmig.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(site))
    for args in (["init", "-t", "generic", "migrations"], ["new", "-m", "first"], ["heads"]):
        result = subprocess.run(run + args, cwd=work, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    assert (work / "gitmig.ini").exists() and (work / "migrations" / "env.py").exists()
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    hook = subprocess.run([*run, "hook", "install"], cwd=work, env=env, capture_output=True)
    assert hook.returncode == 0, hook.stderr
    assert "check-heads" in (work / ".git" / "hooks" / "pre-commit").read_text()
    # the console script, on its fast path (heads) and through click (--version)
    script = site / "bin" / "gitmig"
    for args, expected in ((["heads"], "(head)"), (["--version"], "gitmig, version")):
        result = subprocess.run(
            [str(script), *args], cwd=work, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0 and expected in result.stdout, result.stderr
