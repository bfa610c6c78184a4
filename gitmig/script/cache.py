"""A per-folder cache of revision markers, so unchanged files are not read again.

It lives where Python keeps its own caches (``__pycache__`` in the versions folder, or under
``PYTHONPYCACHEPREFIX``) and follows the same rules: nothing is written when
``PYTHONDONTWRITEBYTECODE`` is set.  It maps each file name to its size, mtime and inode plus
the markers read from it: a file whose stat differs is read and parsed again.  Only files
that passed :func:`~gitmig.script.source.read_source` (they compile, their markers read) are
stored, so an entry is also that verdict.  The file's name carries the reader's version, so a
newer reader never trusts what an older one stored (and two versions side by side do not
overwrite each other's cache).  Failing to write the cache (a read-only checkout) only costs
speed.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from gitmig.script.source import READER_VERSION

if TYPE_CHECKING:
    from gitmig.script.markers import MarkerValues

__all__ = ["Lookup", "MarkerCache"]

_FORMAT = 1  # of the file itself

_Stamp = tuple[int, int, int]
#: What :meth:`MarkerCache.lookup` yields per file: entry, stamp, hit, cached markers.
Lookup = tuple["os.DirEntry[str]", _Stamp, bool, "MarkerValues | None"]


def _file_name() -> str:
    return f"gitmig-markers-{_FORMAT}-{READER_VERSION}.{sys.implementation.cache_tag}.bin"


def _cache_dir(folder: str) -> str:
    """Where Python would keep ``folder``'s bytecode."""
    if sys.pycache_prefix:
        # as importlib does: the folder's absolute path, re-rooted under the prefix
        return os.path.join(sys.pycache_prefix, os.path.abspath(folder).lstrip(os.sep))
    return os.path.join(folder, "__pycache__")


class MarkerCache:
    """Cached markers of the files of one folder."""

    def __init__(self, folder: str) -> None:
        self._path = os.path.join(_cache_dir(folder), _file_name())
        # name -> (stamp, markers), markers None for a file that declares no revision
        self._entries: dict[str, tuple[_Stamp, MarkerValues | None]] = {}
        self._dirty = False
        try:
            with open(self._path, "rb") as handle:
                loaded = marshal.loads(handle.read())  # load(handle) reads in tiny chunks
        except (OSError, EOFError, ValueError, TypeError):
            return
        if isinstance(loaded, dict):
            self._entries = loaded

    def lookup(self, entries: Iterable[os.DirEntry[str]]) -> Iterator[Lookup]:
        """For each file, in order: its entry, its stamp, and whether the cache holds it
        unchanged (then with its markers).  Entries of files not among ``entries`` are
        dropped by the next :meth:`save`."""
        cached = self._entries
        fresh: dict[str, tuple[_Stamp, MarkerValues | None]] = {}
        self._entries = fresh  # what this run saw; put() adds the files read afresh
        for entry in entries:
            stat = entry.stat()
            stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            known = cached.get(entry.name)
            if known is not None and known[0] == stamp:
                fresh[entry.name] = known
                yield entry, stamp, True, known[1]
            else:
                yield entry, stamp, False, None
        if not self._dirty and len(fresh) != len(cached):
            self._dirty = True  # a file changed or went away

    def put(self, name: str, stamp: _Stamp, entry: MarkerValues | None) -> None:
        self._entries[name] = (stamp, entry)
        self._dirty = True

    def save(self) -> None:
        """Write the cache back if anything changed since it was read."""
        if sys.dont_write_bytecode or not self._dirty:
            return
        temporary = f"{self._path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self._path), exist_ok=True)
            with open(temporary, "wb") as handle:
                marshal.dump(self._entries, handle)
            os.replace(temporary, self._path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
