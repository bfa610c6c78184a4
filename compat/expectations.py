"""The expectations file: which of Alembic's tests are expected to fail on gitmig, and why.

Format (``compat/expected-failures.txt``): a header line ``[kind] reason`` gives the reason
of every test id below it, up to the next header; ``#`` starts a comment. Kinds:

``private``     the test uses Alembic-private API that gitmig does not copy
``branding``    the test expects Alembic's name (``alembic_version``, "alembic" in output)
``difference``  a deliberate difference, documented in docs/alembic.md
``gap``         gitmig does not do this yet: a to-do, not a decision
``flaky``       fails or passes from run to run (the only kind not checked both ways)

``compat/run.py --update`` writes the file anew; failures it has no reason for go under
``[unsorted] <the error>`` headers, and a run refuses a file that still has them.
Test ids are pytest node ids with the server version taken out of SQLAlchemy's per-backend
class names (``Test_sqlite+pysqlite_3_40_1`` becomes ``Test_sqlite+pysqlite``), so the file
holds on any machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("private", "branding", "difference", "gap", "flaky")
UNSORTED = "unsorted"

_HEADER = re.compile(r"^\[(?P<kind>[a-z]+)\]\s+(?P<reason>.+)$")
# SQLAlchemy names per-backend test classes <Class>_<dialect>+<driver>_<server version>.
_BACKEND_VERSION = re.compile(r"(_[a-z0-9]+\+[a-z0-9]+)_\d+(?:_\d+)*(?=::|$)")


def normalize(nodeid: str) -> str:
    """``nodeid`` without the server version in per-backend class names."""
    head, sep, params = nodeid.partition("[")
    return _BACKEND_VERSION.sub(r"\1", head) + sep + params


@dataclass
class Expectations:
    """Test id -> ``(kind, reason)``."""

    reasons: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Expectations:
        """Parse ``path`` (a missing file expects nothing to fail)."""
        found = cls()
        if not path.exists():
            return found
        current: tuple[str, str] | None = None
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            header = _HEADER.match(line)
            if header:
                kind = header["kind"]
                if kind not in (*KINDS, UNSORTED):
                    raise ValueError(f"{path}:{number}: unknown kind [{kind}]")
                current = (kind, header["reason"])
            elif current is None:
                raise ValueError(f"{path}:{number}: test id before any [kind] reason header")
            else:
                found.reasons[line] = current
        return found

    def unsorted(self) -> list[str]:
        """Ids still waiting for a person to give them a kind."""
        return [test for test, (kind, _) in self.reasons.items() if kind == UNSORTED]

    def write(self, path: Path) -> None:
        """Write the file grouped by reason: kinds in order, then reasons alphabetically."""
        groups: dict[tuple[str, str], list[str]] = {}
        for test, reason in self.reasons.items():
            groups.setdefault(reason, []).append(test)
        order = {kind: n for n, kind in enumerate((*KINDS, UNSORTED))}
        lines = [
            "# Alembic tests expected to fail on gitmig, grouped by reason.",
            "# Written by `make compat-update`; kinds and format: compat/expectations.py.",
        ]
        for kind, reason in sorted(groups, key=lambda r: (order[r[0]], r[1])):
            lines += ["", f"[{kind}] {reason}", *sorted(groups[(kind, reason)])]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def counts(self) -> dict[str, int]:
        """How many ids each kind has."""
        totals: dict[str, int] = {}
        for kind, _ in self.reasons.values():
            totals[kind] = totals.get(kind, 0) + 1
        return totals


def signature(message: str) -> str:
    """A failure's first line with ids, numbers and addresses blurred, to group failures."""
    first = message.strip().splitlines()[0] if message.strip() else "no message"
    first = re.sub(r"0x[0-9a-f]+", "0x…", first)
    first = re.sub(r"scratch_test_[0-9a-f]+", "scratch", first)
    first = re.sub(r"\b(?:test_)?[0-9a-f]{12}\b", "<id>", first)
    # Absolute paths differ between machines: keep the file name only.
    first = re.sub(r"(?<![\w.])/(?:[\w.+-]+/)+([\w.+-]+)", r"…/\1", first)
    return first[:400]


def without(items: Iterable[str], seen: set[str]) -> list[str]:
    """The ids of ``items`` that are not in ``seen``, sorted."""
    return sorted(set(items) - seen)
