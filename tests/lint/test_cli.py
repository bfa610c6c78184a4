"""`gitmig lint` on a real git repository: which revisions, exit codes, --json, config."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.git.conftest import TeamRepo
from tests.lint.revfile import revision_file

REPO_ROOT = Path(__file__).resolve().parents[2]
DROP = ['op.drop_column("account", "email")']
INDEX = ['op.create_index("ix_name", "account", ["name"])']


def _write(team: TeamRepo, rev: str, down: str | None, upgrade: list[str]) -> Path:
    path = revision_file(team.versions / f"{rev}_lint.py", upgrade, rev=rev)
    if down:
        path.write_text(
            path.read_text().replace("down_revision = None", f'down_revision = "{down}"')
        )
    return path


@pytest.fixture
def branch(team: TeamRepo) -> TeamRepo:
    """main has r0 and a1 (a dropped column); the branch `feature` adds b2 (an index)."""
    team.set_url("postgresql://scott@db.example.com/app")
    team.set_option("git_target", "main")
    _write(team, "a1", "r0", DROP)
    team.commit("a1")
    team.git("checkout", "-q", "-b", "feature")
    _write(team, "b2", "a1", INDEX)
    team.commit("b2")
    return team


def test_default_lints_what_the_branch_adds(branch: TeamRepo) -> None:
    result = branch.run("lint", expect=1)
    assert "[pg-index-not-concurrent] create_index ix_name" in result.stdout
    assert "b2_lint.py:14: error" in result.stdout
    assert "drop-column" not in result.stdout  # a1 is at main already
    assert "How to fix" in result.stdout
    assert "postgresql_concurrently=True" in result.stdout
    assert "Linted 1 revision (revisions not at main) for postgresql: 1 error, 1 warning." in (
        result.stdout
    )


def test_all_lints_the_whole_history(branch: TeamRepo) -> None:
    found = branch.json("lint", "--all", expect=1)
    assert found["scope"] == "all revisions"
    assert found["revisions"] == ["r0", "a1", "b2"]
    assert [(f["revision"], f["rule"]) for f in found["findings"]] == [
        ("a1", "drop-column"),
        ("a1", "pg-lock-timeout-missing"),
        ("b2", "pg-index-not-concurrent"),
        ("b2", "pg-lock-timeout-missing"),
    ]
    assert found["ok"] is False
    assert (found["errors"], found["warnings"], found["suppressed"]) == (2, 2, 0)


def test_a_range_and_a_single_revision(branch: TeamRepo) -> None:
    assert branch.json("lint", "r0:a1", expect=1)["revisions"] == ["r0", "a1"]
    assert branch.json("lint", "r0")["revisions"] == ["r0"]
    result = branch.run("lint", "r0:a1", "--all", expect=2)
    assert "give REV_RANGE or --all, not both" in result.output


def test_warnings_alone_exit_0_and_allowed_findings_show_with_verbose(branch: TeamRepo) -> None:
    path = branch.path_of("b2")
    text = path.read_text().replace(
        "    op.create_index(",
        "    # gitmig: allow pg-index-not-concurrent -- account has ten rows\n    op.create_index(",
    )
    path.write_text(text)
    result = branch.run("lint")
    assert ": error" not in result.stdout
    assert "1 warning, 1 allowed with a reason." in result.stdout
    assert "allowed [pg-index-not-concurrent]" not in result.stdout
    verbose = branch.run("lint", "-v")
    assert "allowed [pg-index-not-concurrent]" in verbose.stdout
    assert "(reason: account has ten rows)" in verbose.stdout
    found = branch.json("lint")
    assert found["ok"] is True
    assert found["findings"][0]["suppressed"] == "account has ten rows"


def test_dialect_option_and_no_password_in_output(branch: TeamRepo) -> None:
    branch.set_url("postgresql://scott:tiger@db.example.com/app")
    result = branch.run("lint", "--dialect", "mariadb")
    assert "mysql-index-not-online" in result.stdout
    assert "for mariadb: 0 errors, 1 warning." in result.stdout
    assert "tiger" not in result.output
    sqlite = branch.run("lint", "--dialect", "sqlite")
    assert "0 errors, 0 warnings" in sqlite.stdout


def test_no_dialect_is_a_usage_error(branch: TeamRepo) -> None:
    branch.set_url("")
    result = branch.run("lint", expect=2)
    assert "lint needs a dialect: set sqlalchemy.url in the config or pass --dialect" in (
        result.output
    )
    assert "Traceback" not in result.output
    branch.set_url("driver://user:secret@localhost/dbname")
    result = branch.run("lint", expect=1)
    assert "option sqlalchemy.url names no SQLAlchemy dialect lint knows" in result.output
    assert "secret" not in result.output
    branch.set_url("driver://user:pass@localhost/dbname")  # as `gitmig init` leaves it
    result = branch.run("lint", expect=1)
    assert "sqlalchemy.url is still the placeholder that `gitmig init` wrote" in result.output
    assert "pass@" not in result.output


def test_config_selects_ignores_and_sets_severity(branch: TeamRepo) -> None:
    branch.set_option("lint_ignore", "pg-lock-timeout-missing")
    branch.set_option("lint_severity", "pg-index-*=warning")
    found = branch.json("lint")
    assert [(f["rule"], f["severity"]) for f in found["findings"]] == [
        ("pg-index-not-concurrent", "warning")
    ]
    branch.set_option("lint_select", "drop-*")
    assert branch.json("lint", "--all", expect=1)["errors"] == 1


def test_a_config_pattern_naming_no_rule_is_an_error(branch: TeamRepo) -> None:
    branch.set_option("lint_ignore", "pg-no-such-rule")
    result = branch.run("lint", expect=1)
    assert result.output.strip() == (
        f"gitmig: error: {branch.ini}: option lint_ignore: 'pg-no-such-rule' names no lint rule"
    )


def test_a_missing_target_ref_is_one_line(branch: TeamRepo) -> None:
    branch.ini.write_text(
        branch.ini.read_text().replace("git_target = main", "git_target = nowhere")
    )
    result = branch.run("lint", expect=1)
    assert "option git_target: git ref 'nowhere' does not name a commit" in result.output
    assert "give lint --all or a REV_RANGE" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_rules_listing(branch: TeamRepo) -> None:
    listing = branch.run("lint", "--rules").stdout
    assert "pg-index-not-concurrent" in listing
    assert "drop-column" in listing
    rules = json.loads(branch.run("lint", "--rules", "--json").stdout)
    assert {r["id"] for r in rules} >= {"pg-set-not-null", "mysql-type-change-copy"}
    assert all(r["explanation"] and r["safe_alternative"] and r["lock"] for r in rules)


def test_the_pre_commit_hook_entry_runs(branch: TeamRepo) -> None:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "gitmig-lint"]
    assert hook["pass_filenames"] is False
    entry = shlex.split(hook["entry"])
    assert entry[:2] == ["gitmig", "lint"]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    failed = subprocess.run(
        [sys.executable, "-m", "gitmig", *entry[1:]],
        cwd=branch.root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1, failed.stderr
    assert "pg-index-not-concurrent" in failed.stdout
    branch.path_of("b2").write_text(
        branch.path_of("b2")
        .read_text()
        .replace(
            "    op.create_index(",
            "    # gitmig: allow pg-index-not-concurrent -- tiny\n    op.create_index(",
        )
    )
    passed = subprocess.run(
        [sys.executable, "-m", "gitmig", *entry[1:]],
        cwd=branch.root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_every_rule_and_option_is_documented() -> None:
    from gitmig.lint import RULES

    safety = (REPO_ROOT / "docs" / "safety.md").read_text()
    for rule in RULES.values():
        assert f"#### `{rule.id}`" in safety
        assert rule.explanation in safety
        assert rule.safe_alternative in safety
    configuration = (REPO_ROOT / "docs" / "configuration.md").read_text()
    for option in ("lint_select", "lint_ignore", "lint_severity"):
        assert f"| `{option}` |" in configuration


def test_a_multidb_environment_lints_each_engine_for_its_dialect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from gitmig.cli import cli

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "-t", "multidb", "migrations"]).exit_code == 0
    ini = tmp_path / "gitmig.ini"
    text = ini.read_text().replace("[engine2]\nsqlalchemy.url = ", "[engine2]\nsqlalchemy.url = x")
    lines = text.splitlines()
    for at, line in enumerate(lines):
        if line.startswith("sqlalchemy.url = x"):
            lines[at] = "sqlalchemy.url = mysql://app:secret@db/app"
        elif line.startswith("sqlalchemy.url"):
            lines[at] = "sqlalchemy.url = postgresql://app:secret@db/app"
    ini.write_text("\n".join(lines) + "\n")
    result = runner.invoke(cli, ["new", "-m", "two", "--rev-id", "m1"])
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "migrations" / "versions").glob("m1_*.py")
    source = path.read_text()
    source = source.replace(
        "def upgrade_engine1() -> None:\n    pass",
        'def upgrade_engine1() -> None:\n    op.create_index("ix", "account", ["name"])',
    ).replace(
        "def upgrade_engine2() -> None:\n    pass",
        'def upgrade_engine2() -> None:\n    op.drop_column("account", "fax")',
    )
    path.write_text(source)
    result = runner.invoke(cli, ["lint", "--json"])
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)
    assert found["dialect"] == "engine1: postgresql, engine2: mysql"
    assert {(f["engine"], f["rule"]) for f in found["findings"]} == {
        ("engine1", "pg-index-not-concurrent"),
        ("engine1", "pg-lock-timeout-missing"),
        ("engine1", "downgrade-empty"),
        ("engine2", "drop-column"),
        ("engine2", "downgrade-empty"),
    }
    text_output = runner.invoke(cli, ["lint"]).stdout
    assert "error [drop-column] engine2: drop_column account.fax" in text_output
    assert "secret" not in text_output
