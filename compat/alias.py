"""``alembic.X`` is ``gitmig.X``: the rename that lets Alembic's own tests run on gitmig.

A meta-path finder placed first on ``sys.meta_path``. Every ``alembic`` module is an alias
module: attribute reads, writes and deletes go to the gitmig module of the same name, so
classes, registries and ``mock.patch("alembic.X.name")`` are gitmig's own. Alembic's test
support is loaded as it is from the unpacked sdist: ``alembic.testing`` and the two private
modules it is written against (``alembic.util.sqla_compat``: SQLAlchemy shims;
``alembic.util.compat``: Python version shims).

Nothing here implements behaviour. A public name gitmig lacks is an ``AttributeError`` (an
``ImportError`` for ``from alembic.X import name``), never Alembic's object. A missing
*private* name (``_something``) is a stand-in that raises when it is used, so that a test
file importing one Alembic-private name at its top still runs its other tests; the
tests that use it fail, naming it. A module gitmig lacks (Alembic's internal layout, such
as ``alembic.autogenerate.compare.types``) imports as an empty module of such stand-ins.
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
from typing import Any

#: Alembic modules taken from the sdist as they are: test support, not the API under test.
FROM_SDIST = ("alembic.testing", "alembic.util.sqla_compat", "alembic.util.compat")


#: Alembic-private entry points that ``alembic.testing`` itself calls, and the gitmig
#: function that does the same job under its own name. Only the test support's own calls
#: are listed: a test that calls a private name directly still fails on it.
RENAMED = {
    # AutogenFixtureTest._fixture compares two MetaData through it
    "alembic.autogenerate._produce_net_changes": (
        "gitmig.autogenerate.compare.tables",
        "populate_upgrade_ops",
    ),
}


def _from_sdist(fullname: str) -> bool:
    return any(fullname == name or fullname.startswith(name + ".") for name in FROM_SDIST)


class PrivateName:
    """Stands for an Alembic-private name gitmig does not have; fails when used."""

    def __init__(self, qualified: str) -> None:
        self._qualified = qualified

    def _fail(self, *args: Any, **kw: Any) -> Any:
        raise NotImplementedError(f"{self._qualified} is Alembic-private; gitmig has no such name")

    __call__ = _fail
    __iter__ = _fail
    __getattr__ = _fail  # type: ignore[assignment]


class AliasModule(ModuleType):
    """``alembic.X``: reads, writes and deletes attributes of ``gitmig.X``."""

    # Set on the alias itself: what the import system and inspection need.
    _OWN = frozenset({"__name__", "__spec__", "__loader__", "__package__", "__path__", "__file__"})

    def __init__(self, name: str, target: ModuleType) -> None:
        super().__init__(name, target.__doc__)
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> Any:
        target = object.__getattribute__(self, "_target")
        try:
            return getattr(target, name)
        except AttributeError:
            renamed = RENAMED.get(f"{self.__name__}.{name}")
            if renamed is not None:
                return getattr(importlib.import_module(renamed[0]), renamed[1])
            if name.startswith("_") and not name.startswith("__"):
                return PrivateName(f"{self.__name__}.{name}")
            raise

    def __setattr__(self, name: str, value: Any) -> None:
        # Submodules and import-system attributes belong to the alias; the rest to gitmig.
        if name in self._OWN or isinstance(value, AliasModule) or _sdist_module(value):
            object.__setattr__(self, name, value)
        else:
            setattr(object.__getattribute__(self, "_target"), name, value)

    def __delattr__(self, name: str) -> None:
        if name in self.__dict__:
            object.__delattr__(self, name)
        else:
            delattr(object.__getattribute__(self, "_target"), name)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(object.__getattribute__(self, "_target"))) | set(self.__dict__))


def _sdist_module(value: object) -> bool:
    return isinstance(value, ModuleType) and _from_sdist(getattr(value, "__name__", ""))


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return AliasModule(spec.name, importlib.import_module(self.target))

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the gitmig module is imported already."""


class MissingModule(ModuleType):
    """``alembic.X`` where gitmig has no ``gitmig.X``: only private stand-ins."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") and not name.startswith("__"):
            return PrivateName(f"{self.__name__}.{name}")
        raise AttributeError(
            f"{self.__name__}.{name}: gitmig has no module {self.__doc__!r}", name=name
        )


class _MissingLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return MissingModule(spec.name, self.target)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module has no content."""


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
        gitmig_spec = importlib.util.find_spec(gitmig_name)
        if gitmig_spec is None:
            # A module of Alembic's internal layout (e.g. autogenerate.compare.types):
            # private names imported from it are stand-ins, public ones fail. Returning
            # None instead would let the path finder pick up Alembic's own module.
            return importlib.util.spec_from_loader(fullname, _MissingLoader(gitmig_name))
        return importlib.util.spec_from_loader(
            fullname,
            _AliasLoader(gitmig_name),
            is_package=gitmig_spec.submodule_search_locations is not None,
        )

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
