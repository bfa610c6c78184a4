"""gitmig's exceptions: one root, :class:`GitmigError`, translated once at the CLI boundary.

Every message is meant for a person: it names the file, revision or option at fault.
Each class carries the process exit code the command line ends with (``exit_code``, as
click's exceptions do): 1 for an error, 2 for a usage error, 128 + the signal number for
an interrupted run (130 for Ctrl-C, 143 for SIGTERM).
This module imports nothing from gitmig.
"""

from __future__ import annotations

__all__ = [
    "AutogenerateError",
    "CommandError",
    "ConfigError",
    "CycleError",
    "DuplicateTableError",
    "GitError",
    "GitmigError",
    "LockTimeoutError",
    "MigrationError",
    "MigrationInterrupted",
    "MultipleHeadsError",
    "ResolutionError",
    "RevisionError",
    "ScriptError",
    "UnsupportedOperationError",
    "UsageError",
]


class GitmigError(Exception):
    """Root of every error gitmig raises on purpose; ``str(err)`` is the user-facing message."""

    #: The exit code of the command line that ends with this error.
    exit_code = 1


class CommandError(GitmigError):
    """A command was asked to do something it cannot (bad arguments, refused action)."""


class UsageError(CommandError):
    """A command's arguments are malformed or contradict each other (the CLI exits 2).

    Raised for what the caller typed, not for the state of the files or the database.
    """

    exit_code = 2


class ConfigError(GitmigError):
    """The configuration file is missing, unreadable or wrong."""


class ScriptError(GitmigError):
    """A revision script (or env.py) cannot be read, parsed or imported."""


class RevisionError(GitmigError):
    """The revision graph is inconsistent, or an identifier does not resolve."""


class MultipleHeadsError(RevisionError):
    """One head was needed but the graph (or the given identifier) has several."""

    def __init__(self, message: str, heads: tuple[str, ...]) -> None:
        super().__init__(message)
        self.heads = heads


class ResolutionError(RevisionError):
    """An identifier matched no revision, or more than one."""

    def __init__(self, message: str, identifier: str) -> None:
        super().__init__(message)
        self.identifier = identifier


class CycleError(RevisionError):
    """The graph has a cycle (or a revision is its own parent)."""

    def __init__(self, message: str, ids: tuple[str, ...]) -> None:
        super().__init__(message)
        self.ids = ids


class MigrationError(GitmigError):
    """A migration failed while running; the message says where the database now stands.

    ``outcome`` is the structured report the message was rendered from (a
    ``gitmig.runtime.outcome.RunOutcome``), when the runner built one.
    """

    outcome: object = None


class MigrationInterrupted(MigrationError):
    """A signal (Ctrl-C, SIGTERM) stopped a run; the message says where the database stands.

    ``exit_code`` is 128 + the signal number, as a shell reports a process the signal ended.
    """

    def __init__(self, message: str, signum: int = 2) -> None:
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + signum


class LockTimeoutError(GitmigError):
    """The migration lock could not be taken within the allowed time."""


class UnsupportedOperationError(GitmigError):
    """The dialect cannot perform the operation as asked (e.g. SQLite needs batch mode)."""


class GitError(GitmigError):
    """A git command failed, or a git repository was needed and is not there."""


class AutogenerateError(GitmigError):
    """Autogenerate cannot run (e.g. the target database is not at head)."""


class DuplicateTableError(AutogenerateError, ValueError):
    """The same table is defined in more than one target ``MetaData`` (a ``ValueError``, as
    in Alembic)."""
