"""Suppression comments in revision files: ``# gitmig: allow RULE[, RULE] -- reason``.

A comment on a line of its own applies to the statement right below it (further comment
lines may come between); a comment at the end of a line applies to the statement on that
line. The reason after ``--`` is required: a suppression without one suppresses nothing
and is itself reported.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

__all__ = ["Suppression", "parse_suppressions"]

_ALLOW = re.compile(
    r"#\s*gitmig:\s*allow\b\s*(?P<rules>[^#]*?)\s*(?:--\s*(?P<reason>.*?))?\s*\Z", re.IGNORECASE
)


@dataclass(frozen=True)
class Suppression:
    """One ``# gitmig: allow`` comment."""

    line: int
    rules: tuple[str, ...]
    reason: str
    #: the first line of the statement it applies to
    target: int
    #: it ends a line of code (applies to the statement on its line)
    trailing: bool

    def covers(self, rule_id: str, span: tuple[int, int] | None) -> bool:
        if rule_id not in self.rules or not self.reason or span is None:
            return False
        if self.trailing:
            return span[0] <= self.line <= span[1]
        return span[0] == self.target


def parse_suppressions(source: str) -> list[Suppression]:
    """Every ``# gitmig: allow`` comment of ``source`` (a file that does not tokenize has none)."""
    found: list[tuple[int, tuple[str, ...], str, bool]] = []
    code_lines: set[int] = set()
    skip = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                match = _ALLOW.match(tok.string)
                if match:
                    rules = tuple(r for r in re.split(r"[\s,]+", match["rules"]) if r)
                    trailing = bool(tok.line[: tok.start[1]].strip())
                    found.append((tok.start[0], rules, (match["reason"] or "").strip(), trailing))
            elif tok.type not in skip and tok.type != tokenize.ENDMARKER:
                code_lines.update(range(tok.start[0], tok.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        return []
    result = []
    for line, rules, reason, trailing in found:
        target = line if trailing else min((n for n in code_lines if n > line), default=line)
        result.append(Suppression(line, rules, reason, target, trailing))
    return result
