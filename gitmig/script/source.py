"""Judge one file of a versions folder from its source: its markers, and what is wrong with it.

A revision file must compile (as the import that runs it will), and its markers must read
(see :mod:`gitmig.script.markers`).  A file with no ``revision`` marker is not a revision
(an ``__init__.py``, a helper module) unless it looks like one, with ``upgrade()``,
``downgrade()`` or a ``down_revision``: then the marker is missing or misspelt, and saying
so beats leaving the revision out of the graph.

These are pure functions of the source text, so the same check applies to a file on disk,
a blob of another git ref or the index.
"""

from __future__ import annotations

import functools
import re

from gitmig.exc import ScriptError
from gitmig.script.markers import (
    marker_values,
    revision_from_values,
    suggest_name,
    top_level_names,
)

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from gitmig.script.markers import MarkerValues
    from gitmig.script.revision import Revision


__all__ = [
    "READER_VERSION",
    "check_source",
    "is_revision_file",
    "read_revision",
    "read_source",
    "revision_file_names",
]

#: The version of what :func:`read_source` returns for a given source.  Cached results carry
#: it (see :mod:`gitmig.script.cache`): bump it whenever the reader or the checks change
#: their verdict on some file, so results of an older reader are not reused.
READER_VERSION = 2

# What makes a file without a `revision` marker look like a revision file.
_REVISION_LIKE = ("upgrade", "downgrade", "down_revision")


def read_source(source: str | bytes, path: str) -> tuple[MarkerValues | None, str | None]:
    """``(markers, problem)`` of one file, ``path`` naming it in messages.

    ``markers`` is what :func:`~gitmig.script.markers.marker_values` returns (``None`` for
    a file that is no revision); ``problem`` is a one-line message naming the file (and the
    line) when the file must not be used, and then ``markers`` is ``None``.

    >>> read_source(b"revision = 'a1'\\ndown_revision = None\\n", "a1.py")[0][:2]
    ('a1', None)
    >>> read_source(b"revision = 'a1'\\ndef upgrade(:\\n", "a1.py")[1]
    'a1.py:2: SyntaxError: invalid syntax'
    """
    import warnings

    with warnings.catch_warnings():
        # e.g. an invalid escape sequence: the import that runs the file will say so
        warnings.simplefilter("ignore")
        problem = _compile_problem(source, path)
        if problem is not None:
            return None, problem
        try:
            values = marker_values(source, path)
        except ScriptError as err:
            return None, str(err)
        if values is None:
            return None, _missing_revision(source, path)
    return values, None


def is_revision_file(name: str) -> bool:
    """Whether a file of a versions folder is read as a revision (the one rule).

    Like Alembic: every ``.py`` file but ``__init__.py``, hidden files and editor lock files.
    """
    return bool(revision_file_names((name,)))


def revision_file_names(names: Iterable[str]) -> list[str]:
    """The names among ``names`` that :func:`is_revision_file` accepts, sorted (a folder's
    listing, filtered in one pass of a regular expression, without a Python call per
    name)."""
    return sorted(filter(_revision_file(), names))


@functools.cache
def _revision_file() -> Callable[[str], object]:
    return re.compile(r"(?!\.|__init__).*\.py\Z", re.DOTALL).match


def read_revision(source: str | bytes, path: str) -> Revision | None:
    """The revision one file declares (``None``: it is no revision), checked as
    :func:`read_source` checks it; its problem is raised as a ScriptError."""
    values, problem = read_source(source, path)
    if problem is not None:
        raise ScriptError(problem)
    return None if values is None else revision_from_values(values, path)


def check_source(source: str | bytes, path: str) -> str | None:
    """The problem :func:`read_source` finds in one file, or ``None`` if it has none."""
    return read_source(source, path)[1]


def _compile_problem(source: str | bytes, path: str) -> str | None:
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as err:  # IndentationError and TabError too
        where = f"{path}:{err.lineno}" if err.lineno else path
        return f"{where}: {type(err).__name__}: {err.msg}"
    except ValueError as err:  # null bytes, before Python 3.12
        return f"{path}: cannot compile: {err}"
    return None


def _missing_revision(source: str | bytes, path: str) -> str | None:
    import ast

    # The file compiled, so it parses; only files without a revision get here, and their
    # verdict is cached like any other.
    tree = ast.parse(source, filename=path)
    names = top_level_names(tree)
    shown = [f"{n}()" if n != "down_revision" else n for n in _REVISION_LIKE if n in names]
    if not shown:
        return None
    has = ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]
    hint = suggest_name(tree, "revision")
    if not hint:
        hint = '; add revision = "<id>", or move the file out of the versions folder'
    return f"{path}: has {has} but no 'revision' marker{hint}"
