"""Write ``gitmig/op.pyi``: the ``op`` proxy's functions, typed as ``Operations``' methods.

``gitmig/op.py`` forwards attributes at run time (PEP 562), which type checkers cannot see
through; the stub gives them each method's signature and docstring, so ``op.add_column(...)``
type-checks in revision scripts.  Regenerate after changing ``Operations``::

    python -m gitmig.operations._stubgen          # rewrite gitmig/op.pyi
    python -m gitmig.operations._stubgen --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import ast
import builtins
import inspect
import sys
import textwrap
from pathlib import Path
from typing import Any, TypeVar

from gitmig.operations.base import Operations

__all__ = ["STUB_PATH", "generate"]

STUB_PATH = Path(__file__).resolve().parents[1] / "op.pyi"

#: about installing the proxy, not for revision scripts
_SKIP = frozenset({"context", "current", "installed"})
_LITERALS = (type(None), bool, int, float, str)


def _methods() -> list[tuple[str, Any, Any]]:
    """(name, the attribute as stored on its class, the function) for each public method."""
    found = []
    for name in sorted(dir(Operations)):
        if name.startswith("_") or name in _SKIP:
            continue
        static = inspect.getattr_static(Operations, name)
        fn = static.__func__ if isinstance(static, staticmethod | classmethod) else static
        if callable(fn):
            found.append((name, static, fn))
    return found


def _default(value: Any) -> str:
    return repr(value) if isinstance(value, _LITERALS) or value == () else "..."


def _define(name: str, static: Any, fn: Any) -> str:
    """``def name(...) -> ...:``, one parameter a line when it would not fit in 100."""
    params, returns = _signature(static, fn)
    line = f"def {name}({', '.join(params)}){returns}:"
    if len(line) <= 100:
        return line
    return f"def {name}(\n" + "".join(f"    {p},\n" for p in params) + f"){returns}:"


class _Text(str):
    """Text that ``inspect`` shows as is (it shows annotations and defaults by ``repr``)."""

    def __repr__(self) -> str:
        return str(self)


def _signature(static: Any, fn: Any) -> tuple[list[str], str]:
    """The parameters as stub text (``*`` and ``/`` markers included) and ``" -> ..."``."""
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    if not isinstance(static, staticmethod):
        params = params[1:]  # self / cls: the proxy's functions are already bound
    parts: list[str] = []
    for index, param in enumerate(params):
        before = params[index - 1].kind if index else None
        if param.kind is param.KEYWORD_ONLY and before not in (
            param.KEYWORD_ONLY,
            param.VAR_POSITIONAL,
        ):
            parts.append("*")
        annotation = param.annotation
        default = param.default
        parts.append(
            str(
                param.replace(
                    annotation=annotation if annotation is param.empty else _Text(annotation),
                    default=default if default is param.empty else _Text(_default(default)),
                )
            )
        )
        after = params[index + 1].kind if index + 1 < len(params) else None
        if param.kind is param.POSITIONAL_ONLY and after is not param.POSITIONAL_ONLY:
            parts.append("/")
    returns = sig.return_annotation
    return parts, "" if returns is sig.empty else f" -> {returns}"


def _names(annotation: str) -> set[str]:
    """The top-level names an annotation string uses (``ops`` for ``ops.MigrateOperation``)."""
    return {
        node.id
        for node in ast.walk(ast.parse(annotation, mode="eval"))
        if isinstance(node, ast.Name)
    }


def _imports_of(module_name: str) -> dict[str, tuple[str, str]]:
    """name -> ``(module, name)`` it is imported as in ``module_name`` (type-only ones too)."""
    tree = ast.parse(inspect.getsource(sys.modules[module_name]))
    found: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
            for alias in node.names:
                if alias.asname not in (None, alias.name):
                    raise RuntimeError(f"op.pyi: {module_name} renames {alias.name} on import")
                found[alias.name] = (node.module, alias.name)
    return found


def _resolve(name: str, module_name: str, typevars: dict[str, str]) -> tuple[str, str] | None:
    """``(module, name)`` to import ``name`` from, as ``module_name`` sees it (``None``: a
    builtin); a TypeVar defined there is recorded in ``typevars`` to be defined again."""
    imports = _imports_of(module_name)
    if name in imports:
        return imports[name]
    value = getattr(sys.modules[module_name], name, None)
    if isinstance(value, TypeVar):
        typevars[name] = f'{name} = TypeVar("{name}")'
        return ("typing", "TypeVar")
    if value is not None and getattr(value, "__module__", None) == module_name:
        return (module_name, name)
    if hasattr(builtins, name):
        return None
    raise RuntimeError(f"op.pyi: cannot tell where {name!r} (used in {module_name}) comes from")


def generate() -> str:
    """The text of ``gitmig/op.pyi`` for the current ``Operations``."""
    functions: list[str] = []
    imports: dict[str, set[str]] = {}
    typevars: dict[str, str] = {}
    for name, static, fn in _methods():
        original = inspect.unwrap(fn)
        sig = inspect.signature(fn)
        used: set[str] = set()
        for annotation in [*(p.annotation for p in sig.parameters.values()), sig.return_annotation]:
            if isinstance(annotation, str):
                used |= _names(annotation)
        for each in sorted(used):
            source = _resolve(each, original.__module__, typevars)
            if source is not None:
                imports.setdefault(source[0], set()).add(source[1])
        decorator = ""
        if original is not fn and inspect.isgeneratorfunction(original):
            # a @contextmanager method: the stub keeps the decorator, as Alembic's op.pyi does
            decorator = "@contextmanager\n"
            imports.setdefault("contextlib", set()).add("contextmanager")
        doc = inspect.getdoc(fn) or ""
        closing = "\n" if "\n" in doc else ""
        body = f'"""{_escape(doc)}{closing}"""' if doc else "..."
        body = textwrap.indent(body, "    ")
        functions.append(f"{decorator}{_define(name, static, fn)}\n{body}\n")
    sections: dict[int, list[str]] = {}
    for module in sorted(imports):
        sections.setdefault(_section(module), []).append(
            f"from {module} import {', '.join(sorted(imports[module]))}"
        )
    header = (
        '"""Types of the ``op`` proxy (``from gitmig import op``): ``Operations``\' methods.\n\n'
        "Generated by ``python -m gitmig.operations._stubgen``; do not edit by hand.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
    )
    import_block = "\n\n".join("\n".join(lines) for _, lines in sorted(sections.items()))
    defs = "".join(f"{line}\n" for _, line in sorted(typevars.items()))
    return (
        header + import_block + "\n\n" + (defs + "\n" if defs else "") + "\n" + "\n".join(functions)
    )


def _section(module: str) -> int:
    # standard library, then third party, then gitmig: isort's sections
    top = module.split(".")[0]
    return 2 if top == "gitmig" else 0 if top in sys.stdlib_module_names else 1


def _escape(doc: str) -> str:
    return doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gitmig.operations._stubgen")
    parser.add_argument("--check", action="store_true", help="fail if op.pyi is out of date")
    args = parser.parse_args(argv)
    text = generate()
    current = STUB_PATH.read_text(encoding="utf-8") if STUB_PATH.exists() else None
    if args.check:
        if current != text:
            print(f"{STUB_PATH} is out of date: run python -m gitmig.operations._stubgen")
            return 1
        return 0
    if current != text:
        STUB_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {STUB_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
