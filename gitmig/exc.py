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
    "CycleDetected",
    "CycleError",
    "DependencyCycleDetected",
    "DependencyLoopDetected",
    "GitError",
    "GitmigError",
    "LockTimeoutError",
    "LoopDetected",
    "MigrationError",
    "MigrationInterrupted",
    "MultipleHeadsError",
    "RangeNotAncestorError",
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

    @property
    def argument(self) -> str:
        """Alembic's name for :attr:`identifier`."""
        return self.identifier


class RangeNotAncestorError(RevisionError):
    """A range's lower end is not an ancestor of its upper end."""

    def __init__(self, lower: object, upper: object) -> None:
        super().__init__(
            f"Revision {lower or 'base'} is not an ancestor of revision {upper or 'base'}"
        )
        self.lower = lower
        self.upper = upper


class CycleError(RevisionError):
    """The graph has a cycle (or a revision is its own parent).

    The subclasses say which kind, under Alembic's names: a cycle through down_revision
    (:class:`CycleDetected`), one that needs depends_on (:class:`DependencyCycleDetected`),
    and a revision that names itself (:class:`LoopDetected`,
    :class:`DependencyLoopDetected`).
    """

    def __init__(self, message: str, ids: tuple[str, ...]) -> None:
        super().__init__(message)
        self.ids = ids

    @property
    def revisions(self) -> tuple[str, ...]:
        """Alembic's name for :attr:`ids`."""
        return self.ids


class CycleDetected(CycleError):
    """Revisions that reach themselves through down_revision."""


class DependencyCycleDetected(CycleDetected):
    """Revisions that reach themselves once depends_on is followed too."""


class LoopDetected(CycleDetected):
    """A revision that names itself as its own down_revision."""


class DependencyLoopDetected(DependencyCycleDetected, LoopDetected):
    """A revision that names itself in its own depends_on."""


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


class UnsupportedOperationError(GitmigError, NotImplementedError):
    """The dialect cannot perform the operation as asked (e.g. SQLite needs batch mode).

    Also a ``NotImplementedError``, which is what Alembic raises in these cases, so a script
    that catches that keeps working.
    """


class GitError(GitmigError):
    """A git command failed, or a git repository was needed and is not there."""


class AutogenerateError(GitmigError):
    """Autogenerate cannot run (e.g. the target database is not at head)."""
