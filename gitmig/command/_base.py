"""What every command module shares: the Config's ScriptDirectory and the git repository.

Private to :mod:`gitmig.command`; heavy modules are imported inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.git.divergence import SnapshotReader
    from gitmig.git.repo import Repository
    from gitmig.script.base import ScriptDirectory

__all__ = ["open_repo", "script_directory", "snapshot_reader"]

_script_directories: WeakKeyDictionary[Config, ScriptDirectory] = WeakKeyDictionary()


def script_directory(config: Config) -> ScriptDirectory:
    """The ScriptDirectory of ``config``, built once per Config object.

    Commands that write revision files refresh its graph; build a new Config to see files
    changed by other means.
    """
    found = _script_directories.get(config)
    if found is None:
        from gitmig.script.base import ScriptDirectory

        found = _script_directories[config] = ScriptDirectory.from_config(config)
    return found


def open_repo(script_dir: ScriptDirectory, option: str) -> Repository:
    """The git repository holding the migration environment (``option`` needs one)."""
    from gitmig.exc import GitError
    from gitmig.git.repo import open_repository

    try:
        return open_repository(script_dir.dir)
    except GitError as err:
        raise GitError(f"{option} needs git: {err}") from None


def snapshot_reader(repo: Repository, script_dir: ScriptDirectory) -> SnapshotReader:
    """A reader of the version folders' snapshots in ``repo`` (work tree, index, refs)."""
    from gitmig.git.divergence import SnapshotReader

    return SnapshotReader(repo, script_dir)
