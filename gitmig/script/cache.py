"""A per-folder cache of revision markers, so unchanged files are not read again.

It lives where Python keeps its own caches (``__pycache__`` in the versions folder, or under
``PYTHONPYCACHEPREFIX``) and follows the same rules: nothing is written when
``PYTHONDONTWRITEBYTECODE`` is set.  It holds the folder's revision file names, each one's
stamp (size, mtime and inode) and the markers read from it: a file whose stamp differs is
read and parsed again.  Only files that passed :func:`~gitmig.script.source.read_source`
(they compile, their markers read) are stored, so an entry is also that verdict.

Beside the markers it may hold the facts a :class:`~gitmig.script.revision.RevisionMap`
derived from exactly these files (their topological order, heads and bases), stored once
a graph of this folder alone was built and validated; they count only while every file's
stamp is unchanged, so the next run can skip the validation and the sort.

The file's name carries the reader's version and the format's, so a newer gitmig never
trusts what an older one stored (and two versions side by side do not overwrite each
other's cache).  Failing to write the cache (a read-only checkout) only costs speed.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys

from gitmig.script.source import READER_VERSION

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from gitmig.script.markers import MarkerValues


__all__ = ["GraphFacts", "MarkerCache", "Stamp"]

#: of the file itself, and of what it stores (bump it when the markers' tuple or the
#: graph facts, or how either is derived, change)
_FORMAT = 2

Stamp = tuple[int, int, int]
#: ``(order, heads, bases)`` of a validated graph of the folder's files
GraphFacts = tuple[list[str], tuple[str, ...], tuple[str, ...]]


def _file_name() -> str:
    return f"gitmig-markers-{_FORMAT}-{READER_VERSION}.{sys.implementation.cache_tag}.bin"


def _cache_dir(folder: str) -> str:
    """Where Python would keep ``folder``'s bytecode."""
    if sys.pycache_prefix:
        # as importlib does: the folder's absolute path, re-rooted under the prefix
        return os.path.join(sys.pycache_prefix, os.path.abspath(folder).lstrip(os.sep))
    return os.path.join(folder, "__pycache__")


def stamps(folder: str, names: list[str]) -> list[Stamp]:
    """The stamp of each of ``names`` in ``folder`` (one ``stat`` each, relative to the
    folder where the platform allows it: about half the cost of ``DirEntry.stat``, which
    builds each path first)."""
    stat = os.stat
    if stat not in os.supports_dir_fd:  # Windows
        prefix = os.path.join(folder, "")
        return [(s.st_size, s.st_mtime_ns, s.st_ino) for s in (stat(prefix + n) for n in names)]
    fd = os.open(folder, os.O_RDONLY)
    try:
        return [(s.st_size, s.st_mtime_ns, s.st_ino) for s in (stat(n, dir_fd=fd) for n in names)]
    finally:
        os.close(fd)


class MarkerCache:
    """Cached markers of the files of one folder."""

    def __init__(self, folder: str) -> None:
        self._path = os.path.join(_cache_dir(folder), _file_name())
        self._names: list[str] = []
        self._stamps: list[Stamp] = []
        self._values: list[MarkerValues | None] = []
        self._graph: GraphFacts | None = None
        self._dirty = False
        try:
            with open(self._path, "rb") as handle:
                loaded = marshal.loads(handle.read())  # load(handle) reads in tiny chunks
        except (OSError, EOFError, ValueError, TypeError):
            return
        if isinstance(loaded, tuple) and len(loaded) == 4:
            self._names, self._stamps, self._values, self._graph = loaded

    def holds(self, names: list[str], stamps: list[Stamp]) -> bool:
        """Whether the cache was stored for exactly these files, each unchanged."""
        return names == self._names and stamps == self._stamps

    def values(self) -> list[MarkerValues | None]:
        """Each cached file's markers, in the cache's name order (see :meth:`holds`)."""
        return self._values

    def graph(self) -> GraphFacts | None:
        """The graph facts stored for these files (only with :meth:`holds` true)."""
        return self._graph

    def known(self) -> dict[str, tuple[Stamp, MarkerValues | None]]:
        """``name -> (stamp, markers)`` of every cached file: to re-read only those whose
        stamp changed."""
        return dict(zip(self._names, zip(self._stamps, self._values, strict=True), strict=True))

    def replace(
        self, names: list[str], stamps: list[Stamp], values: list[MarkerValues | None]
    ) -> None:
        """What the folder holds now: the next :meth:`save` writes it (without graph facts)."""
        self._names, self._stamps, self._values, self._graph = names, stamps, values, None
        self._dirty = True

    def put_graph(self, facts: GraphFacts) -> None:
        """Store the graph facts of the files the cache holds."""
        if self._graph != facts:
            self._graph = facts
            self._dirty = True

    def save(self) -> None:
        """Write the cache back if anything changed since it was read."""
        if sys.dont_write_bytecode or not self._dirty:
            return
        self._dirty = False
        temporary = f"{self._path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self._path), exist_ok=True)
            with open(temporary, "wb") as handle:
                marshal.dump((self._names, self._stamps, self._values, self._graph), handle)
            os.replace(temporary, self._path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
