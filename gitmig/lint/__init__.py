"""``gitmig lint``: rules for lock-heavy and destructive changes, checked on each revision's ops.

A revision's ``upgrade()`` runs in offline mode while every op it invokes is recorded
(:mod:`gitmig.lint.record`); the rules (:mod:`gitmig.lint.rules`, a registry) look at the
op objects, not at SQL text; ``# gitmig: allow RULE -- reason`` comments
(:mod:`gitmig.lint.suppress`) allow a finding with a reason. See ``docs/safety.md``.
"""

from __future__ import annotations

from gitmig.lint.engine import Finding as Finding
from gitmig.lint.engine import LintSettings as LintSettings
from gitmig.lint.engine import lint_script as lint_script
from gitmig.lint.rules import RULES as RULES
from gitmig.lint.rules import Rule as Rule

__all__ = ["RULES", "Finding", "LintSettings", "Rule", "lint_script"]
