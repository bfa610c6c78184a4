"""Lint one revision: record its ops, apply the selected rules, honour suppressions."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from gitmig.exc import ConfigError
from gitmig.lint.record import record
from gitmig.lint.rules import RULES, Rule, Severity
from gitmig.lint.suppress import parse_suppressions

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.script.base import Script

__all__ = ["Finding", "LintSettings", "lint_script"]

#: findings about the suppression comments themselves cannot be suppressed by one
_META_RULES = frozenset({"suppression-without-reason", "suppression-unknown-rule"})


@dataclass(frozen=True)
class Finding:
    """A rule that fired on a revision (``suppressed`` holds the reason it was allowed)."""

    rule: str
    severity: Severity
    revision: str
    path: str
    line: int | None
    message: str
    suppressed: str | None = None
    #: the database of a multi-database environment (option ``databases``)
    engine: str | None = None


@dataclass(frozen=True)
class LintSettings:
    """Which rules run and how severe each is (options lint_select, lint_ignore,
    lint_severity)."""

    select: tuple[str, ...] = ("*",)
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Config) -> LintSettings:
        """Read the options; a pattern naming no rule or a bad level is a ConfigError."""
        where = config.config_file_name or "the config"
        select = tuple(config.get_list_option("lint_select")) or ("*",)
        ignore = tuple(config.get_list_option("lint_ignore"))
        for option, patterns in (("lint_select", select), ("lint_ignore", ignore)):
            for pattern in patterns:
                if not fnmatch.filter(RULES, pattern):
                    raise ConfigError(f"{where}: option {option}: {pattern!r} names no lint rule")
        severity: dict[str, Severity] = {}
        for item in config.get_list_option("lint_severity"):
            pattern, _, level = item.partition("=")
            if level not in ("error", "warning"):
                raise ConfigError(
                    f"{where}: option lint_severity: {item!r} must be RULE=error or RULE=warning"
                )
            matched = fnmatch.filter(RULES, pattern)
            if not matched:
                raise ConfigError(f"{where}: option lint_severity: {pattern!r} names no lint rule")
            for rule_id in matched:
                severity[rule_id] = cast("Severity", level)
        return cls(select, ignore, severity)

    def rules(self, dialect: str) -> list[tuple[Rule, Severity]]:
        """The rules that run for ``dialect``, with their severity."""
        chosen = []
        for rule in RULES.values():
            selected = any(fnmatch.fnmatchcase(rule.id, p) for p in self.select)
            ignored = any(fnmatch.fnmatchcase(rule.id, p) for p in self.ignore)
            if selected and not ignored and rule.applies_to(dialect):
                chosen.append((rule, self.severity.get(rule.id, rule.severity)))
        return chosen


def lint_script(
    script: Script, dialect: str, settings: LintSettings, engine: str | None = None
) -> list[Finding]:
    """Every finding for ``script`` on ``dialect``, suppressed ones included (in file order).

    ``engine``: lint the ops ``upgrade(engine_name=engine)`` runs (multi-database
    environments).
    """
    recording = record(script, dialect, engine)
    suppressions = parse_suppressions(recording.source)
    findings = []
    for rule, severity in settings.rules(dialect):
        for hit in rule.check(recording):
            reason = None
            if rule.id not in _META_RULES:
                reason = next((s.reason for s in suppressions if s.covers(rule.id, hit.span)), None)
            findings.append(
                Finding(
                    rule.id,
                    severity,
                    script.revision,
                    str(script.path),
                    hit.span[0] if hit.span else None,
                    hit.message,
                    reason,
                    engine,
                )
            )
    findings.sort(key=lambda f: (f.line or 0, f.rule))
    return findings
