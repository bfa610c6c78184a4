"""The safety net: ``lint`` (rules for lock-heavy and destructive changes).

Returns reports; :mod:`gitmig.display` renders them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitmig.command._base import open_repo, script_directory, snapshot_reader
from gitmig.command.graph import history, show
from gitmig.exc import ConfigError, UsageError

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.lint import Finding, Rule
    from gitmig.script.base import Script

__all__ = ["LintReport", "engine_dialects", "lint", "lint_rules"]


class LintReport:
    """What ``lint`` found: the revisions it checked, for which dialect, and the findings."""

    def __init__(self, scope: str, dialect: str, revisions: list[str]) -> None:
        #: which revisions were chosen, in words (``not at origin/main``, ``all``, a range)
        self.scope = scope
        #: ``postgresql``; ``engine1: postgresql, engine2: mysql`` with several databases
        self.dialect = dialect
        #: the ids linted, oldest first
        self.revisions = revisions
        #: every finding, suppressed ones included, in revision then line order
        self.findings: list[Finding] = []

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed is None]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.active if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.active if f.severity == "warning"]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed is not None]

    @property
    def ok(self) -> bool:
        """No error (warnings do not fail the lint)."""
        return not self.errors


def lint_rules() -> list[Rule]:
    """Every lint rule, in documentation order."""
    from gitmig.lint import RULES

    return list(RULES.values())


def _known_dialect(name: str) -> bool:
    from sqlalchemy.engine import url as sqla_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        sqla_url.make_url(f"{name}://").get_dialect()
    except (ArgumentError, NoSuchModuleError):
        return False
    return True


def _url_dialect(url: str | None, option: str, config: Config) -> str:
    """The dialect name of ``url`` (the value of ``option``); the URL is never shown."""
    from sqlalchemy.engine import url as sqla_url
    from sqlalchemy.exc import ArgumentError

    if not url:
        raise UsageError(
            f"lint needs a dialect: set {option} in the config or pass --dialect NAME "
            "(postgresql, mysql, mariadb, sqlite ...)"
        )
    try:
        name = sqla_url.make_url(url).get_backend_name()
    except ArgumentError:
        name = ""
    if not _known_dialect(name):
        from gitmig.config import PLACEHOLDER_URL

        if url.strip() == PLACEHOLDER_URL:  # right after `gitmig init`
            raise ConfigError(
                f"{config.config_file_name}: option {option} is still the placeholder that "
                "`gitmig init` wrote; set it to your database's URL or pass --dialect NAME"
            )
        # The URL itself is not shown: it may hold a password.
        raise ConfigError(
            f"{config.config_file_name}: option {option} names no SQLAlchemy dialect "
            "lint knows; pass --dialect NAME"
        )
    return name


def engine_dialects(config: Config, dialect: str | None = None) -> list[tuple[str | None, str]]:
    """(engine, dialect) pairs to record ops for: one per ``databases`` entry, else one;
    ``dialect`` overrides each URL's."""
    if dialect is not None and not _known_dialect(dialect):
        raise UsageError(f"--dialect {dialect}: no such SQLAlchemy dialect")
    engines = config.get_list_option("databases")
    if not engines:
        url = config.get_main_option("sqlalchemy.url")
        return [(None, dialect or _url_dialect(url, "sqlalchemy.url", config))]
    return [
        (
            name,
            dialect
            or _url_dialect(
                config.get_section_option(name, "sqlalchemy.url"),
                f"[{name}] sqlalchemy.url",
                config,
            ),
        )
        for name in engines
    ]


def _new_on_branch(config: Config, scripts: list[Script], targets: list[str]) -> list[Script]:
    """The scripts whose revision none of the ``targets`` refs has."""
    from gitmig.exc import GitError

    script_dir = script_directory(config)
    with open_repo(script_dir, "lint") as repo:
        reader = snapshot_reader(repo, script_dir)
        known: set[str] = set()
        for ref in targets:
            try:
                known.update(reader.at(ref).revisions)
            except GitError as err:
                # Typical in CI before the target branch is fetched.
                raise GitError(
                    f"{config.config_file_name}: option git_target: {err}; fetch it, or "
                    "give lint --all or a REV_RANGE"
                ) from None
    return [s for s in scripts if s.revision not in known]


def lint(
    config: Config,
    rev_range: str | None = None,
    all_revisions: bool = False,
    dialect: str | None = None,
) -> LintReport:
    """Lint revisions for ``dialect`` (default: the one of the config's sqlalchemy.url;
    with option ``databases``, each engine's ops for the dialect of its own URL).

    Which revisions: ``rev_range`` (``START:END`` as ``history -r`` takes, or one
    revision), every one with ``all_revisions``, and by default those this branch adds:
    the revisions absent from every ``git_target`` ref (all of them when no git_target is
    set or outside a git repository).
    """
    from gitmig.lint import LintSettings, lint_script

    if rev_range and all_revisions:
        raise UsageError("lint: give REV_RANGE or --all, not both")
    settings = LintSettings.from_config(config)
    targets_by_engine = engine_dialects(config, dialect)
    targets = config.get_list_option("git_target")
    if rev_range:
        chosen = history(config, rev_range) if ":" in rev_range else show(config, rev_range)
        scripts = list(reversed(chosen))  # history is newest first
        scope = rev_range
    else:
        scripts = list(reversed(history(config)))
        scope = "all revisions"
        if not all_revisions and targets:
            from gitmig.git.repo import find_worktree

            if find_worktree(script_directory(config).dir) is not None:
                scripts = _new_on_branch(config, scripts, targets)
                scope = f"revisions not at {', '.join(targets)}"
    described = ", ".join(
        f"{engine}: {name}" if engine else name for engine, name in targets_by_engine
    )
    report = LintReport(scope, described, [s.revision for s in scripts])
    for script in scripts:
        for engine, name in targets_by_engine:
            report.findings.extend(lint_script(script, name, settings, engine))
    return report
