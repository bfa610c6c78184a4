"""Loading Python files by path: what is reported when the file or its code fails."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest

from gitmig.exc import ScriptError
from gitmig.util.files import load_python_file

if TYPE_CHECKING:
    from pathlib import Path


def test_missing_file_is_reported_as_missing(tmp_path: Path) -> None:
    missing = tmp_path / "env.py"
    with pytest.raises(ScriptError, match=r"env\.py: no such file"):
        load_python_file(missing, "gitmig_test_missing")
    assert "gitmig_test_missing" not in sys.modules


def test_file_not_found_raised_inside_the_file_is_not_blamed_on_the_file(tmp_path: Path) -> None:
    env_py = tmp_path / "env.py"
    env_py.write_text("open('/nonexistent/settings.json')\n")
    with pytest.raises(ScriptError) as info:
        load_python_file(env_py, "gitmig_test_inner_fnf")
    message = str(info.value)
    assert "no such file" not in message
    assert f"{env_py}: failed to import: FileNotFoundError" in message
    assert "/nonexistent/settings.json" in message
    assert isinstance(info.value.__cause__, FileNotFoundError)
    assert "gitmig_test_inner_fnf" not in sys.modules


def test_loads_a_module(tmp_path: Path) -> None:
    script = tmp_path / "rev.py"
    script.write_text("VALUE = 42\n")
    module = load_python_file(script, "gitmig_test_loads")
    try:
        assert module.VALUE == 42
    finally:
        sys.modules.pop("gitmig_test_loads", None)


def test_what_running_the_file_means_is_in_the_message(tmp_path: Path) -> None:
    env_py = tmp_path / "env.py"
    env_py.write_text("raise RuntimeError('no database')\n")
    with pytest.raises(ScriptError, match=r"env\.py: failed to run: RuntimeError: no database"):
        load_python_file(env_py, "gitmig_test_run", doing="run")


def test_a_closed_output_pipe_passes_through(tmp_path: Path) -> None:
    env_py = tmp_path / "env.py"
    env_py.write_text("raise BrokenPipeError(32, 'Broken pipe')\n")
    with pytest.raises(BrokenPipeError):
        load_python_file(env_py, "gitmig_test_pipe")


def test_the_failing_line_of_the_file_is_named(tmp_path: Path) -> None:
    env_py = tmp_path / "env.py"
    env_py.write_text(
        "import os\n\n\ndef run():\n    return os.environ['NO_SUCH_VAR_X']\n\nrun()\n"
    )
    with pytest.raises(ScriptError) as info:
        load_python_file(env_py, "gitmig_test_line", doing="run")
    assert str(info.value) == f"{env_py}: failed to run: KeyError: 'NO_SUCH_VAR_X' (line 5)"
