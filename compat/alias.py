"""``alembic.X`` is ``gitmig.X``: the rename that lets Alembic's own tests run on gitmig.

A meta-path finder placed first on ``sys.meta_path``. Every ``alembic`` module resolves to
the gitmig module of the same name (the very same module object, so registries and
classes are shared), except Alembic's test support, which is loaded as it is from the
unpacked sdist: ``alembic.testing`` and the private SQLAlchemy helpers it is written
against (``alembic.util.sqla_compat``). Nothing here implements behaviour: a name gitmig
lacks is a ``ModuleNotFoundError`` naming the gitmig module, never Alembic's module.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

#: Alembic modules taken from the sdist as they are: test support, not the API under test.
FROM_SDIST = ("alembic.testing", "alembic.util.sqla_compat", "alembic.util.compat")


def _from_sdist(fullname: str) -> bool:
    return any(fullname == name or fullname.startswith(name + ".") for name in FROM_SDIST)


class _Alias(importlib.abc.Loader):
    """Hands out the already-imported gitmig module under its Alembic name."""

    def __init__(self, name: str, target: str) -> None:
        self.name = name
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        # The gitmig module is imported already. Test support living under it is loaded now,
        # so that ``from alembic.util import sqla_compat`` finds it as an attribute: a
        # from-import of a missing attribute imports ``<module.__name__>.<name>``, which is
        # the gitmig name, not ours.
        for name in FROM_SDIST:
            if name.rpartition(".")[0] == self.name:
                importlib.import_module(name)


class AliasFinder(importlib.abc.MetaPathFinder):
    """Resolves ``alembic`` and ``alembic.*`` (see the module docstring)."""

    def __init__(self, sdist: Path) -> None:
        self.sdist = sdist

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "alembic" and not fullname.startswith("alembic."):
            return None
        if _from_sdist(fullname):
            return self._sdist_spec(fullname)
        gitmig_name = "gitmig" + fullname[len("alembic") :]
        if importlib.util.find_spec(gitmig_name) is None:
            # Returning None would let the path finder pick up Alembic's own module.
            raise ModuleNotFoundError(
                f"No module named {gitmig_name!r} (for {fullname!r})", name=fullname
            )
        return importlib.util.spec_from_loader(fullname, _Alias(fullname, gitmig_name))

    def _sdist_spec(self, fullname: str) -> importlib.machinery.ModuleSpec | None:
        base = self.sdist.joinpath(*fullname.split("."))
        if (base / "__init__.py").is_file():
            return importlib.util.spec_from_file_location(
                fullname, base / "__init__.py", submodule_search_locations=[str(base)]
            )
        module_file = base.with_suffix(".py")
        if module_file.is_file():
            return importlib.util.spec_from_file_location(fullname, module_file)
        raise ModuleNotFoundError(f"No module named {fullname!r} in {self.sdist}", name=fullname)


def install(sdist: Path) -> None:
    """Put the finder first on ``sys.meta_path`` (once), resolving test support in ``sdist``."""
    if not any(isinstance(finder, AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder(sdist))
