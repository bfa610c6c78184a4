"""The report of a run that did not finish: where the database stands, in one shape.

A failure, an interrupt and a version-table error all end in a :class:`RunOutcome`, built
by the migration context from what it saw happen (commits, statements) and from the
version table read back afterwards.  :meth:`RunOutcome.render` is the one place that turns
it into the text of the raised :class:`~gitmig.exc.MigrationError`.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field

from gitmig.util.messaging import format_ids, mask_url

__all__ = ["Commit", "Leftover", "RunOutcome", "signal_label"]


def signal_label(signum: int) -> str:
    """``SIGINT (Ctrl-C)``, ``SIGTERM``: how a signal is named in reports."""
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = f"signal {signum}"
    return f"{name} (Ctrl-C)" if signum == signal.SIGINT else name


@dataclass
class Commit:
    """What one commit of the run made permanent, and what made it."""

    by: str
    steps: list[str] = field(default_factory=list)
    #: statements of a step still running when the commit happened (not yet recorded)
    partial: list[str] = field(default_factory=list)
    #: that step (its log line) and the version rows it would record
    partial_of: str = ""
    partial_rows: tuple[str, ...] = ()


@dataclass
class Leftover:
    """Statements of a step that stay applied while the version table does not record it."""

    step: str
    rows: tuple[str, ...]
    statements: list[str]
    why: str


@dataclass
class RunOutcome:
    """Everything a person needs to know about a run that stopped early.

    ``kind`` is ``failed`` (an exception in a step), ``interrupted`` (a signal) or
    ``version`` (writing the version table failed after the step ran).
    """

    kind: str
    where: str
    error: str
    database: str = ""
    offline: bool = False
    #: why the error happened, when gitmig knows better than the driver's message
    hint: str = ""
    signum: int | None = None
    rolled_back: str = ""
    commits: list[Commit] = field(default_factory=list)
    #: statements that ran and stay applied without their step being recorded
    leftovers: list[Leftover] = field(default_factory=list)
    #: a statement that was running when the run stopped, whose fate is unknown
    in_flight: str | None = None
    rows: tuple[str, ...] | None = None
    version_table: str = ""
    read_error: str | None = None
    #: the other databases of the same run (multidb): what each committed, read back
    others: list[str] = field(default_factory=list)

    def headline(self) -> str:
        if self.kind == "interrupted":
            label = signal_label(self.signum or signal.SIGINT)
            return f"Migration interrupted by {label} during {self.where}"
        if self.kind == "version":
            return f"Migration failed writing the version table for {self.where}"
        return f"Migration failed: {self.where}"

    def render(self) -> str:
        """The report, one fact per line; database URLs masked."""
        lines = [self.headline()]
        if self.error:
            lines.append(f"  {self.error}")
        if self.hint:
            lines.append(self.hint)
        if self.offline:
            lines.append(
                "The SQL script written to stdout is INCOMPLETE (it stops at this step, "
                "without its COMMIT): do not run it."
            )
            return mask_url("\n".join(lines))
        if self.rolled_back:
            lines.append(self.rolled_back)
        for commit in self.commits:
            what = ", ".join(commit.steps)
            if commit.partial:
                what = f"{what}, and " if what else ""
                what += f"{len(commit.partial)} statement(s) of {commit.partial_of}"
            lines.append(f"Committed by {commit.by}: {what}.")
        for left in self.leftovers:
            lines.append(
                f"These statements of {left.step} ran and stay applied ({left.why}), but the "
                "version table does not record the step; undo them, or finish the step by "
                f"hand and `gitmig stamp {format_ids(left.rows)}`:"
            )
            lines.extend(f"    {statement}" for statement in left.statements)
        if self.in_flight is not None:
            lines.append(
                "This statement was running when the run stopped; it may still complete on "
                f"the server, check for its effect:\n    {self.in_flight}"
            )
        for other in self.others:
            lines.append(f"Another database of this run stays as committed: {other}.")
        if self.read_error is not None:
            lines.append(f"The version table could not be read back: {self.read_error}")
        elif self.rows is not None:
            at = format_ids(self.rows, empty="base (no revision applied)")
            place = f" on {self.database}" if self.database else ""
            lines.append(
                f"Read back from {self.version_table}{place}: the database is now at {at}."
            )
        return mask_url("\n".join(lines))
