"""One error handler for both entry paths: exit codes, Ctrl-C, crash logs, no secrets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import gitmig
from gitmig import error_handler, exc, fastpath
from tests.cli.conftest import Project

REPO_ROOT = Path(gitmig.__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (exc.CommandError("refused"), 1),
        (exc.ConfigError("bad config"), 1),
        (exc.UsageError("bad option"), 2),
        (exc.MigrationInterrupted("stopped at a2", signal.SIGINT), 130),
        (exc.MigrationInterrupted("stopped at a2", signal.SIGTERM), 143),
        (KeyboardInterrupt(), 130),
        (RuntimeError("bug"), 1),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else str(v),
)
def test_exit_code_comes_from_the_error(
    error: BaseException, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert error_handler.handle(error, "upgrade") == code
    err = capsys.readouterr().err
    assert err.startswith("gitmig: error: ") and "Traceback" not in err


def test_usage_errors_point_at_the_commands_help(capsys: pytest.CaptureFixture[str]) -> None:
    error_handler.handle(exc.UsageError("--since needs --sql"), "upgrade")
    assert capsys.readouterr().err.splitlines() == [
        "gitmig: error: --since needs --sql",
        "Try 'gitmig upgrade --help' for help.",
    ]


def test_crash_log_holds_traceback_versions_and_masked_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "argv", ["gitmig", "-x", "url=postgresql://u:s3cret@h/db", "heads"])
    try:
        raise ValueError("connecting to postgresql://u:s3cret@h/db went wrong")
    except ValueError as err:
        assert error_handler.handle(err, "heads") == 1
    message = capsys.readouterr().err
    log = tmp_path / "cache" / "gitmig" / "crash.log"
    assert message.count("\n") == 1 and str(log) in message and "s3cret" not in message
    text = log.read_text()
    assert "Traceback" in text and "ValueError" in text
    assert f"gitmig: {gitmig.__version__}" in text and "sqlalchemy: 2." in text
    assert "command: gitmig -x url=postgresql://u:***@h/db heads" in text
    assert "s3cret" not in text


def test_an_unwritable_cache_still_gives_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: no folder can be made in it
    assert error_handler.handle(RuntimeError("bug"), "heads") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "could not be written" in err


def test_raiseerr_shows_the_traceback() -> None:
    with pytest.raises(exc.CommandError):
        error_handler.handle(exc.CommandError("refused"), "heads", raiseerr=True)


def test_both_entry_paths_report_an_error_the_same_way(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gitmig import command

    def refuse(*args: object, **kw: object) -> None:
        raise exc.UsageError("no such thing")

    monkeypatch.setattr(command, "heads", refuse)
    code = fastpath.run(["-c", str(project.ini), "heads"])
    fast = capsys.readouterr().err
    slow = project.run("heads", expect=2)
    assert code == 2 and fast == slow.stderr


def test_ctrl_c_is_exit_130_on_both_entry_paths(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gitmig import command

    def interrupted(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "heads", interrupted)
    assert fastpath.run(["-c", str(project.ini), "heads"]) == 130
    fast = capsys.readouterr().err
    slow = project.run("heads", expect=130)
    assert fast == slow.stderr == "gitmig: error: interrupted (Ctrl-C)\n"


# Says when the interpreter and gitmig are loaded, then runs the console script: a signal
# sent after that line lands in gitmig, not in Python's start-up (which has no handler yet).
_READY_THEN_MAIN = (
    "import sys, gitmig.fastpath; sys.stderr.write('ready\\n'); sys.stderr.flush(); "
    "sys.argv[0] = 'gitmig'; gitmig.fastpath.main()"
)


def test_a_real_sigint_on_a_light_command_is_exit_130_without_traceback(
    project: Project,
) -> None:
    # A versions folder big enough (read cold) that the signal lands while it is read.
    for i in range(4000):
        (project.versions / f"r{i:05d}.py").write_text(
            f'"""r{i}"""\nrevision = "r{i:05d}"\ndown_revision = '
            + (f'"r{i - 1:05d}"' if i else "None")
            + "\n"
        )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", _READY_THEN_MAIN, "-c", str(project.ini), "history"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline() == "ready\n"
    time.sleep(0.05)  # past the last bytecodes before main()'s handler is in place
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    if process.returncode == 0:
        pytest.skip("the command finished before the signal arrived")
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
