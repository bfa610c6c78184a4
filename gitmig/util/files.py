"""Loading Python files by path (env.py, revision scripts)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from gitmig.exc import GitmigError, ScriptError

__all__ = ["load_python_file", "load_python_source"]


def load_python_file(path: str | Path, module_name: str, doing: str = "import") -> ModuleType:
    """Import the file at ``path`` as ``module_name``; any failure is a ScriptError naming it.

    ``doing`` says what running the file means in the message (``import``, ``run``).
    """
    path = Path(path)
    # Checked up front, not by catching FileNotFoundError around exec_module: that would also
    # swallow a FileNotFoundError raised by the code the file runs and blame the file itself.
    if not path.is_file():
        raise ScriptError(f"{path}: no such file")
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ScriptError(f"{path}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except (GitmigError, BrokenPipeError):
        # Raised on purpose by what the file ran (env.py running migrations), or the reader
        # of our output went away (`gitmig upgrade --sql | head`): pass it on as it is.
        sys.modules.pop(module_name, None)
        raise
    except Exception as err:
        sys.modules.pop(module_name, None)
        from gitmig.util.alembic_imports import alembic_failure_hint

        hint = alembic_failure_hint(path, err, module)
        if hint is not None:
            raise ScriptError(hint) from err
        line = _line_in(path, err)
        where = f" (line {line})" if line else ""
        raise ScriptError(f"{path}: failed to {doing}: {type(err).__name__}: {err}{where}") from err
    return module


def load_python_source(source: str, filename: str, module_name: str) -> ModuleType:
    """Run ``source`` as a module named ``module_name``, without writing it anywhere.

    For a revision file read from a git blob; ``filename`` (``main:path/to/file.py``) is
    what tracebacks show. The module is in ``sys.modules`` only while its body runs (as an
    import would have it then: dataclasses and pickling look it up there).
    """
    module = ModuleType(module_name)
    module.__file__ = filename
    sys.modules[module_name] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
    finally:
        sys.modules.pop(module_name, None)
    return module


def _line_in(path: Path, err: BaseException) -> int | None:
    """The line of ``path`` the failure came through (its last frame in the traceback).

    None for a SyntaxError, whose message already names the line.
    """
    import traceback

    names = {str(path), str(path.resolve())}
    line = None
    for frame, lineno in traceback.walk_tb(err.__traceback__):
        if frame.f_code.co_filename in names:
            line = lineno
    return line
