"""Write a revision file from the lines of its upgrade() and lint it."""

from __future__ import annotations

from pathlib import Path

from gitmig.lint import Finding, LintSettings, lint_script
from gitmig.script.base import Script


def revision_file(
    path: Path, upgrade: list[str], downgrade: list[str] | None = None, rev: str = "a1"
) -> Path:
    body = "\n".join(f"    {line}" if line else "" for line in upgrade) or "    pass"
    down = "\n".join(f"    {line}" for line in (downgrade or ['op.execute("SELECT 1")']))
    path.write_text(
        f'"""revision {rev}"""\n\nimport sqlalchemy as sa\n\nfrom gitmig import op\n\n'
        f'revision = "{rev}"\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n'
        f"def upgrade() -> None:\n{body}\n\n\ndef downgrade() -> None:\n{down}\n",
        encoding="utf-8",
    )
    return path


def lint_lines(
    tmp_path: Path,
    upgrade: list[str],
    dialect: str = "postgresql",
    downgrade: list[str] | None = None,
    settings: LintSettings | None = None,
) -> list[Finding]:
    """Lint a revision whose upgrade() is ``upgrade``; every finding, allowed ones too."""
    index = len(list(tmp_path.glob("rev*.py")))
    path = revision_file(tmp_path / f"rev{index}.py", upgrade, downgrade, rev=f"r{index}")
    script = Script(f"r{index}", None, path=str(path))
    return lint_script(script, dialect, settings or LintSettings())


def active(findings: list[Finding], rule: str | None = None) -> list[Finding]:
    return [f for f in findings if f.suppressed is None and rule in (None, f.rule)]
