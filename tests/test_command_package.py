"""``gitmig.command`` loads its modules lazily; its name table must match what it declares."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import gitmig.command

SOURCE = Path(gitmig.command.__file__)


def _static_imports() -> dict[str, str]:
    """``name -> module`` of the package's imports from its modules (what mypy sees)."""
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gitmig.command."):
            found.update({alias.asname or alias.name: node.module or "" for alias in node.names})
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom) and stmt.module is not None
                if not stmt.module.startswith("gitmig.command."):
                    continue  # typing names for the annotations
                for alias in stmt.names:
                    found[alias.asname or alias.name] = stmt.module
    return found


def test_the_lazy_table_matches_the_static_imports_and_all() -> None:
    static = _static_imports()
    assert static == gitmig.command._HOMES
    assert sorted(static) == sorted(gitmig.command.__all__)


def test_every_public_name_resolves_to_its_home_module() -> None:
    for name, home in gitmig.command._HOMES.items():
        assert getattr(gitmig.command, name) is getattr(importlib.import_module(home), name)
    assert set(gitmig.command.__all__) <= set(dir(gitmig.command))


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        gitmig.command.no_such_command  # noqa: B018
    except AttributeError as err:
        assert "no_such_command" in str(err)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_from_import_works_in_a_fresh_interpreter() -> None:
    code = "from gitmig.command import upgrade, HeadsCheck; print(upgrade.__module__)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "gitmig.command.migrate"
