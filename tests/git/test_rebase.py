"""gitmig rebase --onto REF: plan, byte-exact rewrite, idempotence and refusals."""

from __future__ import annotations

import pytest

import gitmig.operations
from gitmig import command
from gitmig.config import Config
from gitmig.exc import ScriptError
from gitmig.script.rewrite import set_down_revision
from tests.git.conftest import TeamRepo
from tests.git.helpers import git, write_revision

ALEMBIC_STYLE = b'''"""add account

Revision ID: 1975ea83b712
Revises: 6c0f2a1d5b21
Create Date: 2011-11-08 11:40:27.089406

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "1975ea83b712"
down_revision: Union[str, None] = "6c0f2a1d5b21"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    down_revision = "not this one"
'''


UNICODE_CRLF = '"""Ünïcode — title\r\n\r\nRevises: {parent}\r\n"""\r\nrevision = "é"\r\n' + (
    'down_revision = "{parent}"\r\n'
)


def test_rewrite_alembic_annotated_style() -> None:
    out = set_down_revision(ALEMBIC_STYLE, "ffff", "x.py")
    assert out == ALEMBIC_STYLE.replace(b"Revises: 6c0f2a1d5b21", b"Revises: ffff").replace(
        b'Union[str, None] = "6c0f2a1d5b21"', b'Union[str, None] = "ffff"'
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"revision = 'b'\ndown_revision = u'a'\n", b"revision = 'b'\ndown_revision = u'c'\n"),
        (
            b'revision = "b"\r\ndown_revision = "a"\r\n',
            b'revision = "b"\r\ndown_revision = "c"\r\n',
        ),
        (
            b"revision = 'b'\ndown_revision = None  # x\n",
            b"revision = 'b'\ndown_revision = 'c'  # x\n",
        ),
        (b'revision = "b"\ndown_revision = ("a", "z")\n', b'revision = "b"\ndown_revision = "c"\n'),
        (
            UNICODE_CRLF.format(parent="a").encode(),
            UNICODE_CRLF.format(parent="c").encode(),
        ),
    ],
)
def test_rewrite_keeps_every_other_byte(before: bytes, after: bytes) -> None:
    assert set_down_revision(before, "c", "x.py") == after


def test_rewrite_needs_an_assignment() -> None:
    with pytest.raises(ScriptError, match=r"x\.py: no top-level 'down_revision'"):
        set_down_revision(b"revision = 'a'\n", "c", "x.py")


def test_rebase_before_merging(forked: TeamRepo) -> None:
    a1 = forked.path_of("a1")
    original = a1.read_bytes()
    others = {p: p.read_bytes() for p in forked.versions.glob("*.py") if p != a1}
    dry = forked.run("rebase", "--onto", "main", "--dry-run").output
    assert "Would re-parent a1" in dry and "from r0 onto m1" in dry
    assert a1.read_bytes() == original

    out = forked.run("rebase", "--onto", "main").output
    assert "Re-parented a1" in out
    assert a1.read_bytes() == original.replace(b"Revises: r0", b"Revises: m1").replace(
        b'down_revision = "r0"', b'down_revision = "m1"'
    )
    assert {p: p.read_bytes() for p in forked.versions.glob("*.py") if p != a1} == others
    # m1 is not here yet, but main supplies it: the pull request's check passes
    out = forked.run("check-heads", "--against", "main").output
    assert "ok: merging main leaves head(s) a2" in out
    assert "Note: m1, the parent of a1 (" in out and "comes from main" in out
    forked.commit("rebase migrations onto main")

    again = forked.run("rebase", "--onto", "main").output
    assert "Nothing to rebase: a1 already revises m1" in again
    forked.git("merge", "-q", "--no-edit", "main")
    forked.run("check-heads")
    assert [h["revision"] for h in forked.json("heads")] == ["a2"]


def test_rebase_after_git_merge_gives_a_single_chain(forked: TeamRepo) -> None:
    forked.git("merge", "-q", "--no-edit", "main")
    forked.run("check-heads", expect=1)
    forked.run("rebase", "--onto", "main")
    forked.run("check-heads")
    history = [h["revision"] for h in forked.json("history")]
    assert history == ["a2", "a1", "m1", "r0"]


NEEDS_RUNNER = pytest.mark.skipif(
    not (hasattr(command, "upgrade") and hasattr(gitmig.operations, "Operations")),
    reason="needs the runner's upgrade command and the ops' Operations",
)


@NEEDS_RUNNER
def test_rebased_chain_upgrades_on_sqlite(forked: TeamRepo, sqlite_url: str) -> None:
    forked.git("merge", "-q", "--no-edit", "main")
    forked.run("rebase", "--onto", "main")
    forked.set_url(sqlite_url)
    forked.run("upgrade", "head")
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql

    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        rows = conn.execute(sql("SELECT version_num FROM gitmig_version")).scalars().all()
    engine.dispose()
    assert rows == ["a2"]


def test_nothing_to_rebase(forked: TeamRepo) -> None:
    forked.git("checkout", "-q", "-b", "behind", "main~1")
    out = forked.run("rebase", "--onto", "main").output
    assert "Nothing to rebase" in out


def test_refuses_when_not_a_single_chain(forked: TeamRepo) -> None:
    forked.git("merge", "-q", "--no-edit", "feature-b")
    result = forked.run("rebase", "--onto", "main", expect=1)
    assert "not a single chain" in result.stderr
    assert "a1 (revises r0), b1 (revises r0) start separate lines" in result.stderr


def test_refuses_a_merge_revision_in_the_chain(forked: TeamRepo) -> None:
    forked.git("merge", "-q", "--no-edit", "feature-b")
    forked.run("merge", "-m", "ab", "--rev-id", "ab")
    forked.commit("merge a and b")
    result = forked.run("rebase", "--onto", "main", expect=1)
    assert "merge revision ab" in result.stderr


def test_refuses_uncommitted_changes(forked: TeamRepo) -> None:
    a2 = forked.path_of("a2")
    a2.write_text(a2.read_text() + "\n# edited\n")
    result = forked.run("rebase", "--onto", "main", expect=1)
    assert "uncommitted changes to migrations/versions/a2_a_two.py" in result.stderr
    assert b"edited" in a2.read_bytes()
    assert b'down_revision = "r0"' in forked.path_of("a1").read_bytes()


def test_refuses_when_on_a_tag(forked: TeamRepo) -> None:
    forked.git("tag", "v1.0", "feature-a~0")
    result = forked.run("rebase", "--onto", "main", expect=1)
    assert "already exist at v1.0" in result.stderr
    assert "applied" in result.stderr


def test_refuses_when_on_another_remote_branch_but_not_own_upstream(
    forked: TeamRepo, tmp_path
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    forked.git("remote", "add", "origin", str(remote))
    forked.git("push", "-q", "origin", "main")
    forked.git("push", "-q", "-u", "origin", "feature-a")  # its own upstream does not count
    forked.run("rebase", "--onto", "origin/main", "--dry-run")
    forked.git("push", "-q", "origin", "feature-a:staging")
    result = forked.run("rebase", "--onto", "origin/main", expect=1)
    assert "revision(s) a1, a2 already exist at origin/staging" in result.stderr


def test_refuses_an_id_that_exists_at_the_ref_with_other_contents(team: TeamRepo) -> None:
    team.git("checkout", "-q", "-b", "feature")
    team.new("mine", "--rev-id", "same")
    team.commit("mine")
    team.git("checkout", "-q", "main")
    team.new("theirs", "--rev-id", "same")
    team.commit("theirs")
    team.git("checkout", "-q", "feature")
    result = team.run("rebase", "--onto", "main", expect=1)
    assert "revision same exists at main with different contents" in result.stderr


def test_refuses_a_new_base(team: TeamRepo) -> None:
    team.git("checkout", "-q", "-b", "feature")
    write_revision(team.versions, "root2", None)
    team.commit("second base")
    team.git("checkout", "-q", "main")
    team.new("m", "--rev-id", "m")
    team.commit("m")
    team.git("checkout", "-q", "feature")
    result = team.run("rebase", "--onto", "main", expect=1)
    assert "starts a new base" in result.stderr


def test_since_range(forked: TeamRepo) -> None:
    config = Config(str(forked.ini))
    # feature-a forked from main at r0 and has not merged main's m1: START is r0, which
    # exists here (m1 does not), so the range covers exactly this branch's revisions
    assert command.since_range(config, "main") == "r0:head"
    assert command.since_range(config, "main", "a1") == "r0:a1"
    forked.git("merge", "-q", "--no-edit", "main")
    assert command.since_range(Config(str(forked.ini)), "main") == "m1:head"
    forked.git("checkout", "-q", "--orphan", "empty")
    forked.git("rm", "-rq", "--cached", ".")
    forked.git("commit", "-q", "--allow-empty", "-m", "nothing")
    assert command.since_range(config, "empty") == "head"


@NEEDS_RUNNER
def test_upgrade_sql_since(forked: TeamRepo, sqlite_url: str) -> None:
    forked.set_url(sqlite_url)
    for since in ("main~1", "main"):  # main itself is ahead: the SQL starts where we forked
        out = forked.run("upgrade", "--sql", "--since", since).stdout
        assert "'a1'" in out and "'a2'" in out and "'m1'" not in out
        assert "'r0'" in out  # START (the head where this branch forked) begins the SQL
        assert "VALUES ('r0')" not in out
    result = forked.run("upgrade", "--since", "main", expect=2)
    assert "--since REF needs --sql" in result.output
