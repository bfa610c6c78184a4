"""Semantic conflicts: check-heads --against REF, and --staged during a merge, compare the
ops each side added since the merge-base (recorded offline, refs read from git blobs)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import gitmig
from tests.git.conftest import TeamRepo
from tests.git.helpers import revision_source
from tests.git.test_merge_guard import (  # noqa: F401 - fixtures
    _use_framework,
    framework_env,
    hook_repo,
)

REPO_ROOT = Path(gitmig.__file__).resolve().parents[1]


def _write(repo: TeamRepo, rev: str, down: str, body: str) -> Path:
    """A revision file whose upgrade() runs ``body`` (with ``sa`` and ``op`` imported)."""
    source = revision_source(rev, down).replace(
        "def upgrade() -> None:\n    pass\n",
        "def upgrade() -> None:\n" + textwrap.indent(textwrap.dedent(body).strip(), "    ") + "\n",
    )
    source = source.replace(
        'revision = "', 'import sqlalchemy as sa\n\nfrom gitmig import op\n\nrevision = "', 1
    )
    path = repo.versions / f"{rev}_rev.py"
    path.write_text(source)
    return path


def _sides(
    repo: TeamRepo, ours: dict[str, str], theirs: dict[str, str], rebase: bool = True
) -> None:
    """main adds ``theirs`` (id -> upgrade body) after r0; branch `feature` adds ``ours``,
    rebased onto main's head (a clean, linear graph) unless ``rebase`` is false."""
    repo.git("checkout", "-q", "-b", "feature")
    down = "r0"
    for rev, body in ours.items():
        _write(repo, rev, down, body)
        down = rev
    repo.commit("feature")
    repo.git("checkout", "-q", "main")
    down = "r0"
    for rev, body in theirs.items():
        _write(repo, rev, down, body)
        down = rev
    repo.commit("main")
    repo.git("checkout", "-q", "feature")
    if rebase:
        repo.run("rebase", "--onto", "main")
        repo.commit("rebase onto main")


def _semantic(repo: TeamRepo, expect: int) -> Any:
    report = repo.json("check-heads", "--against", "main", expect=expect)
    (against,) = report["against"]
    return against["semantic"]


def _only(semantic: Any) -> Any:
    (conflict,) = semantic["conflicts"]
    return conflict


ADD_X = 'op.add_column("users", sa.Column("x", sa.Integer()))'


def test_both_add_the_same_column(team: TeamRepo) -> None:
    _sides(team, {"a1": ADD_X}, {"m1": ADD_X})
    conflict = _only(_semantic(team, expect=1))
    assert conflict["certainty"] == "certain"
    assert conflict["subject"] == "column users.x"
    assert conflict["reason"] == "both create it"
    assert conflict["ours"] == {
        "revision": "a1",
        "path": "migrations/versions/a1_rev.py",
        "line": 18,
        "op": "add_column('users', 'x')",
    }
    assert conflict["theirs"]["revision"] == "m1"
    assert conflict["theirs"]["path"] == "migrations/versions/m1_rev.py"
    out = team.run("check-heads", "--against", "main", expect=1).output
    assert "the merged graph is clean (head(s) a1), but its ops collide:" in out
    assert "  conflict: column users.x: both create it\n" in out
    assert (
        "    working tree: a1 (migrations/versions/a1_rev.py:18) add_column('users', 'x')\n" in out
    )
    assert "    main: m1 (migrations/versions/m1_rev.py:18) add_column('users', 'x')\n" in out
    assert "  fix: change one revision of each pair" in out


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///app.db",
        "postgresql+psycopg://postgres@127.0.0.1:5432/none",
        "mysql+pymysql://root@127.0.0.1:3306/none",
    ],
)
def test_recorded_offline_for_the_configured_dialect(team: TeamRepo, url: str) -> None:
    # No database is connected to: the URL only picks the dialect the ops are recorded for.
    team.set_url(url)
    _sides(
        team,
        {"a1": 'with op.batch_alter_table("users") as batch:\n    batch.drop_column("email")'},
        {"m1": 'op.create_index("ix_users_email", "users", ["email"])'},
    )
    conflict = _only(_semantic(team, expect=1))
    assert (conflict["subject"], conflict["certainty"]) == ("column users.email", "certain")
    assert conflict["ours"]["op"] == "drop_column('users', 'email')"


def test_same_column_name_on_different_tables_is_fine(team: TeamRepo) -> None:
    _sides(
        team,
        {"a1": ADD_X, "a2": 'op.create_table("logs", sa.Column("id", sa.Integer()))'},
        {"m1": 'op.add_column("orders", sa.Column("x", sa.Integer()))'},
    )
    assert _semantic(team, expect=0)["conflicts"] == []
    out = team.run("check-heads", "--against", "main").output
    assert "ok: merging main leaves head(s) a2" in out


def test_one_side_adding_nothing_records_nothing(team: TeamRepo) -> None:
    team.git("checkout", "-q", "-b", "feature")
    _write(team, "a1", "r0", ADD_X)
    team.commit("feature")
    assert _semantic(team, expect=0) is None


@pytest.mark.parametrize(
    ("ours", "theirs", "subject", "reason"),
    [
        (
            'op.drop_column("users", "email")',
            'op.alter_column("users", "email", nullable=False)',
            "column users.email",
            "one side drops it, the other still uses it by that name",
        ),
        (
            'op.create_index("ix_users_email", "users", ["email"])',
            'op.alter_column("users", "email", new_column_name="mail")',
            "column users.email",
            "one side renames it, the other still uses it by that name",
        ),
        (
            'op.create_table("audit", sa.Column("id", sa.Integer()))',
            'op.create_table("audit", sa.Column("id", sa.Integer()))',
            "table audit",
            "both create it",
        ),
        (
            'op.create_index("ix_email", "users", ["email"])',
            'op.create_index("ix_email", "customers", ["email"])',
            "index ix_email",
            "both create it",
        ),
        (
            'op.drop_table("users")',
            'op.create_table("orders", sa.Column("user_id", sa.ForeignKey("users.id")))',
            "table users",
            "one side drops it, the other still uses it by that name",
        ),
        (
            'op.drop_table("users")',
            'op.create_foreign_key("fk_o_u", "orders", "users", ["user_id"], ["id"])',
            "table users",
            "one side drops it, the other still uses it by that name",
        ),
        (
            'op.rename_table("users", "accounts")',
            'op.add_column("users", sa.Column("y", sa.Integer()))',
            "table users",
            "one side renames it, the other still uses it by that name",
        ),
        (
            'op.drop_constraint("uq_email", "users")',
            'op.drop_constraint("uq_email", "users")',
            "constraint uq_email on users",
            "both drop it",
        ),
    ],
)
def test_certain_conflicts(
    team: TeamRepo, ours: str, theirs: str, subject: str, reason: str
) -> None:
    _sides(team, {"a1": ours}, {"m1": theirs})
    conflict = _only(_semantic(team, expect=1))
    assert (conflict["certainty"], conflict["subject"], conflict["reason"]) == (
        "certain",
        subject,
        reason,
    )


@pytest.mark.parametrize(
    ("ours", "theirs", "subject"),
    [
        (
            'op.alter_column("users", "name", nullable=False)',
            'op.alter_column("users", "name", type_=sa.String(200))',
            "column users.name",
        ),
        (
            'op.create_index("ix_a", "users", ["email"])',
            'op.create_index("ix_b", "users", ["email"])',
            "an index on users (email)",
        ),
        (
            'op.drop_column("users", "legacy")',
            'op.execute("UPDATE users SET legacy = 0")',
            "column users.legacy",
        ),
    ],
)
def test_likely_conflicts_are_warnings(
    team: TeamRepo, ours: str, theirs: str, subject: str
) -> None:
    _sides(team, {"a1": ours}, {"m1": theirs})
    conflict = _only(_semantic(team, expect=0))
    assert (conflict["certainty"], conflict["subject"]) == ("likely", subject)
    out = team.run("check-heads", "--against", "main").output
    assert f"  warning: {subject}: " in out
    assert "ok: merging main leaves head(s) a1" in out


def test_index_names_per_table_on_mysql_are_a_warning(team: TeamRepo) -> None:
    team.set_url("mysql+pymysql://nobody@localhost/none")
    _sides(
        team,
        {"a1": 'op.create_index("ix_email", "users", ["email"])'},
        {"m1": 'op.create_index("ix_email", "customers", ["email"])'},
    )
    conflict = _only(_semantic(team, expect=0))
    assert conflict["certainty"] == "likely"
    assert conflict["reason"] == "both create an index of that name, on different tables"


def test_a_rename_chain_is_followed_back_to_the_merge_base(team: TeamRepo) -> None:
    _sides(
        team,
        {
            "a1": 'op.alter_column("users", "email", new_column_name="mail")',
            "a2": 'op.alter_column("users", "mail", new_column_name="contact")\n'
            'op.alter_column("users", "contact", nullable=False)',
        },
        {"m1": 'op.create_index("ix_users_email", "users", ["email"])'},
    )
    conflict = _only(_semantic(team, expect=1))
    assert conflict["subject"] == "column users.email"
    assert conflict["ours"]["revision"] == "a1"  # where email stopped existing
    assert conflict["ours"]["op"] == "alter_column('users', 'email', new_column_name='mail')"


def test_a_renamed_table_keeps_its_identity(team: TeamRepo) -> None:
    _sides(
        team,
        {
            "a1": 'op.rename_table("users", "accounts")\n'
            'op.add_column("accounts", sa.Column("x", sa.Integer()))'
        },
        {"m1": 'op.add_column("customers", sa.Column("x", sa.Integer()))'},
    )
    assert _semantic(team, expect=0)["conflicts"] == []


def test_objects_a_side_creates_itself_do_not_collide_with_uses(team: TeamRepo) -> None:
    _sides(
        team,
        {"a1": 'op.create_table("tags", sa.Column("id", sa.Integer()))\nop.drop_table("tags")'},
        {"m1": 'op.add_column("users", sa.Column("tag", sa.Integer()))'},
    )
    assert _semantic(team, expect=0)["conflicts"] == []


def test_divergent_sides_report_both_problems(team: TeamRepo) -> None:
    _sides(team, {"a1": ADD_X}, {"m1": ADD_X}, rebase=False)
    report = team.json("check-heads", "--against", "main", expect=1)
    (against,) = report["against"]
    assert against["divergent"]
    assert _only(against["semantic"])["subject"] == "column users.x"


def test_a_revision_that_cannot_run_offline_is_noted(team: TeamRepo) -> None:
    _sides(
        team,
        {"a1": ADD_X},
        {"m1": f'{ADD_X}\nraise RuntimeError("needs data")'},
    )
    semantic = _semantic(team, expect=1)
    assert _only(semantic)["subject"] == "column users.x"  # recorded up to the failure
    (note,) = semantic["unrecorded"]
    assert note["revision"] == "m1"
    assert "RuntimeError: needs data" in note["reason"]
    out = team.run("check-heads", "--against", "main", expect=1).output
    assert "note: the ops of m1 (migrations/versions/m1_rev.py) could not all be recorded" in out


def test_the_ref_side_is_read_from_git_not_the_work_tree(team: TeamRepo) -> None:
    _sides(team, {"a1": ADD_X}, {"m1": ADD_X})
    assert not (team.versions / "m1_rev.py").exists()  # main's revision: only in git
    _write(team, "a1", "m1", 'op.add_column("users", sa.Column("z", sa.Integer()))')
    # an uncommitted fix in the work tree counts for our side
    assert _semantic(team, expect=0)["conflicts"] == []


# -- a merge in progress: --staged compares HEAD with MERGE_HEAD ------------------------


def _env() -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    return {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }


def _git(repo: TeamRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo.root, env=_env(), capture_output=True, text=True)


def test_staged_during_a_merge_compares_the_two_sides(team: TeamRepo) -> None:
    _sides(team, {"a1": ADD_X}, {"m1": ADD_X})
    team.git("checkout", "-q", "main")
    team.git("merge", "-q", "--no-commit", "--no-ff", "feature")
    report = team.json("check-heads", "--staged", expect=1)
    (merging,) = report["merging"]
    assert (merging["ours"], merging["theirs"]) == ("HEAD", "MERGE_HEAD")
    conflict = _only(merging)
    assert (conflict["ours"]["revision"], conflict["theirs"]["revision"]) == ("m1", "a1")
    out = team.run("check-heads", "--staged", expect=1).output
    assert "The merge in progress (HEAD with MERGE_HEAD):\n  conflict: column users.x" in out


def test_pre_merge_commit_hook_refuses_a_semantic_conflict(team: TeamRepo) -> None:
    _sides(team, {"a1": ADD_X}, {"m1": ADD_X})
    team.run("hook", "install")
    team.git("checkout", "-q", "main")
    merge = _git(team, "merge", "--no-edit", "feature")
    out = merge.stdout + merge.stderr
    assert merge.returncode != 0, out
    assert (team.root / ".git" / "MERGE_HEAD").exists()
    assert "conflict: column users.x: both create it" in out
    assert "the merge is still in progress" in out
    # Resolve it in the merge: feature's revision adds another column instead.
    _write(team, "a1", "m1", 'op.add_column("users", sa.Column("y", sa.Integer()))')
    team.git("add", "-A")
    done = _git(team, "commit", "--no-edit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (team.root / ".git" / "MERGE_HEAD").exists()


# -- the light path stays light ---------------------------------------------------------


def test_ops_are_recorded_only_when_both_sides_added_revisions(team: TeamRepo) -> None:
    from tests.cli.test_startup import imported_modules

    team.git("checkout", "-q", "-b", "feature")
    _write(team, "a1", "r0", ADD_X)
    team.commit("feature")
    args = ("-c", str(team.ini), "check-heads", "--against", "main")
    assert "sqlalchemy" not in imported_modules(*args, cwd=team.root)
    team.git("checkout", "-q", "main")
    _write(team, "m1", "r0", 'op.add_column("orders", sa.Column("x", sa.Integer()))')
    team.commit("main")
    team.git("checkout", "-q", "feature")
    assert "sqlalchemy" in imported_modules(*args, cwd=team.root)  # this one records ops
    staged = imported_modules("-c", str(team.ini), "check-heads", "--staged", cwd=team.root)
    assert "sqlalchemy" not in staged  # no merge in progress


@pytest.mark.slow
@pytest.mark.usefixtures("framework_env")
def test_framework_hook_refuses_a_semantic_conflict(
    team: TeamRepo,
    hook_repo: tuple[Path, str],  # noqa: F811 - the fixture imported above
) -> None:
    _sides(team, {"a1": ADD_X}, {"m1": ADD_X})
    team.git("checkout", "-q", "main")
    _use_framework(team, hook_repo)
    merge = _git(team, "merge", "--no-edit", "feature")
    out = merge.stdout + merge.stderr
    assert merge.returncode != 0, out
    assert "gitmig check-heads --staged" in out and "Failed" in out
    assert "conflict: column users.x: both create it" in out
