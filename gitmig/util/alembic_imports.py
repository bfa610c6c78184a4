"""Files that still import Alembic: recognise the failure they cause, and rewrite them.

A revision file or env.py moved over from Alembic fails in one of two ways while it still
says ``from alembic import op``: without Alembic installed the import fails, and with it
installed Alembic's proxies (``op``, ``context``) raise NameError or AttributeError, since
only Alembic itself can set them up. Either way the fix is one line in the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

__all__ = ["alembic_failure_hint", "imports_alembic", "rewrite_alembic_imports"]

# `from alembic import op`, `from alembic.op import x`, `import alembic.op as op`, and the
# names Alembic's templates use in comments ("used by Alembic.").
_IMPORT = re.compile(r"^(\s*)(from|import)(\s+)alembic\b", re.MULTILINE)
_COMMENT = re.compile(r"(# revision identifiers, used by )Alembic\.")


def imports_alembic(module: ModuleType) -> bool:
    """True when ``module`` holds something imported from Alembic (``op``, ``context``)."""
    for value in vars(module).values():
        name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", "")
        if isinstance(name, str) and (name == "alembic" or name.startswith("alembic.")):
            return True
    return False


def alembic_failure_hint(
    path: str | Path, err: BaseException, module: ModuleType | None
) -> str | None:
    """A one-line fix when ``err`` comes from ``path`` still importing Alembic, else None."""
    if isinstance(err, ModuleNotFoundError):
        if (err.name or "").partition(".")[0] != "alembic":
            return None
    elif not (isinstance(err, (NameError, AttributeError)) and module and imports_alembic(module)):
        return None
    return (
        f"{path}: imports from alembic; change `from alembic import ...` to "
        "`from gitmig import ...` (or run `gitmig adopt` to rewrite every file)"
    )


def rewrite_alembic_imports(text: str) -> str:
    """``text`` with its ``alembic`` imports (and the templates' comment) saying gitmig."""
    text = _IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}gitmig", text)
    return _COMMENT.sub(r"\1gitmig.", text)
