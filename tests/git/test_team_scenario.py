"""A team at work: three developers branch off main, each adds revisions, CI checks each
pull request against main, one rebases, one merges main in, the hooks refuse the wrong
commit and the wrong merge, and main finally upgrades SQLite, PostgreSQL and MariaDB (and
writes the SQL of one branch for a DBA). Real clones, real `git merge`/`git rebase`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from gitmig.cli import cli
from tests.git.conftest import TeamRepo
from tests.git.helpers import git


def _table_revision(repo: TeamRepo, rev: str, down: str | None, table: str) -> None:
    (repo.versions / f"{rev}_{table}.py").write_text(
        f'"""create {table}\n\nRevision ID: {rev}\nRevises: {down or ""}\n"""\n\n'
        "import sqlalchemy as sa\n\nfrom gitmig import op\n\n"
        f'revision = "{rev}"\ndown_revision = {down and repr(down)}\nbranch_labels = None\n'
        "depends_on = None\n\n\ndef upgrade() -> None:\n"
        f'    op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True))\n\n\n'
        f'def downgrade() -> None:\n    op.drop_table("{table}")\n'
    )


def _git(repo: TeamRepo, *args: str) -> subprocess.CompletedProcess[str]:
    """git with the developer's hooks (their output comes on stderr)."""
    return subprocess.run(["git", *args], cwd=repo.root, capture_output=True, text=True)


def _commit(repo: TeamRepo, message: str) -> None:
    repo.git("add", "-A")
    done = _git(repo, "commit", "-q", "-m", message)
    assert done.returncode == 0, done.stderr


def _developer(origin: Path, tmp_path: Path, name: str) -> TeamRepo:
    root = tmp_path / name
    git(tmp_path, "clone", "-q", str(origin), str(root))
    dev = TeamRepo(root, root / "gitmig.ini", root / "migrations" / "versions")
    dev.run("hook", "install")
    return dev


def _ci(repo: TeamRepo) -> int:
    """The pull-request job's check of the branch against the branch it merges into."""
    return repo.run("check-heads", "--against", "origin/main", expect=None).exit_code


@pytest.mark.slow
def test_a_team_of_three(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sqlite_url: str,
    postgresql_url: str,
    mariadb_url: str,
) -> None:
    # main: the project with one revision, on a shared remote
    lead = tmp_path / "lead"
    lead.mkdir()
    monkeypatch.chdir(lead)
    git(lead, "init", "-q", "-b", "main")
    (lead / ".gitignore").write_text("__pycache__/\n")
    boss = TeamRepo(lead, lead / "gitmig.ini", lead / "migrations" / "versions")
    assert CliRunner().invoke(cli, ["init", str(lead / "migrations")]).exit_code == 0
    boss.set_option("git_target", "origin/main")
    _table_revision(boss, "r0", None, "account")
    boss.commit("project")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(lead), str(origin))

    ana = _developer(origin, tmp_path, "ana")
    ben = _developer(origin, tmp_path, "ben")
    cy = _developer(origin, tmp_path, "cy")
    for dev, branch, revs in (
        (ana, "invoices", [("i1", "invoice"), ("i2", "invoice_line")]),
        (ben, "reports", [("p1", "report")]),
        (cy, "audit", [("au1", "audit")]),
    ):
        monkeypatch.chdir(dev.root)
        dev.git("checkout", "-q", "-b", branch)
        parent = "r0"
        for rev, table in revs:
            _table_revision(dev, rev, parent, table)
            parent = rev
        _commit(dev, f"{branch} migrations")
        dev.git("push", "-q", "-u", "origin", branch)

    # every pull request is clean against main so far; ben's is merged first
    for dev in (ana, ben, cy):
        assert _ci(dev) == 0
    monkeypatch.chdir(ben.root)
    ben.git("checkout", "-q", "main")
    ben.git("merge", "-q", "--no-edit", "reports")
    ben.git("push", "-q", "origin", "main")

    # ana: CI goes red (i2 and p1 share r0); she rebases, the hook accepts the commit
    monkeypatch.chdir(ana.root)
    ana.git("fetch", "-q")
    red = ana.run("check-heads", "--against", "origin/main", expect=1).output
    assert "divergent heads: i2 (ours), p1 (theirs); common ancestor: r0" in red
    assert "gitmig rebase --onto origin/main" in red
    ana.run("rebase", "--onto", "origin/main")
    _commit(ana, "rebase migrations onto main")
    assert _ci(ana) == 0
    assert ana.run("heads").stdout == "i2 (head)\n"  # origin/main supplies p1
    ana.set_url(sqlite_url)
    dba = ana.run("upgrade", "--sql", "--since", "origin/main").stdout
    assert "CREATE TABLE invoice " in dba and "CREATE TABLE invoice_line" in dba
    assert "CREATE TABLE report" not in dba and "CREATE TABLE account" not in dba
    ana.git("checkout", "--", "gitmig.ini")
    # real git rebase of the branch onto main: a linear history, one head
    ana.git("rebase", "-q", "origin/main")
    ana.run("check-heads")
    ana.git("push", "-q", "--force", "origin", "invoices")
    ana.git("checkout", "-q", "main")
    ana.git("merge", "-q", "--ff-only", "origin/main")
    ana.git("merge", "-q", "--no-edit", "invoices")
    ana.git("push", "-q", "origin", "main")

    # cy: the hook refuses a second head in a commit, then refuses `git merge origin/main`
    monkeypatch.chdir(cy.root)
    _table_revision(cy, "au2", "r0", "audit_log")  # wrong: r0 already has a child here
    cy.git("add", "-A")
    wrong = _git(cy, "commit", "-q", "-m", "audit log")
    assert wrong.returncode == 1
    assert "Divergent heads on one line of history: au1, au2" in wrong.stderr
    (cy.versions / "au2_audit_log.py").unlink()
    _table_revision(cy, "au2", "au1", "audit_log")
    _commit(cy, "audit log")
    cy.git("fetch", "-q")
    assert _ci(cy) == 1
    merge = _git(cy, "merge", "--no-edit", "origin/main")
    assert merge.returncode != 0 and (cy.root / ".git" / "MERGE_HEAD").exists()
    assert "Divergent heads on one line of history: au2, i2" in merge.stderr
    cy.run("merge", "-m", "merge main into audit", "--rev-id", "mrg")
    _commit(cy, "merge main")
    assert _ci(cy) == 0
    cy.git("push", "-q", "origin", "audit")
    cy.git("checkout", "-q", "main")
    cy.git("merge", "-q", "--ff-only", "origin/main")
    cy.git("merge", "-q", "--no-edit", "audit")
    cy.git("push", "-q", "origin", "main")

    # main upgrades every database; history has one head
    release = _developer(origin, tmp_path, "release")
    monkeypatch.chdir(release.root)
    assert release.run("heads").stdout == "mrg (head)\n"
    release.run("check-heads")
    tables = {"account", "report", "invoice", "invoice_line", "audit", "audit_log"}
    for url in (sqlite_url, postgresql_url, mariadb_url):
        release.set_url(url)
        release.run("upgrade", "head")
        engine = create_engine(url)
        try:
            assert tables <= set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert release.run("current").stdout == "mrg (head) (mergepoint)\n"
