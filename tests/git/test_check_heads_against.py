"""check-heads --against REF / --staged, and merge, on real repositories."""

from __future__ import annotations

from pathlib import Path

from tests.git.conftest import TeamRepo
from tests.git.helpers import write_revision


def test_divergence_detected_before_merging(forked: TeamRepo) -> None:
    forked.run("check-heads")  # the branch alone is fine
    result = forked.run("check-heads", "--against", "main", expect=1)
    out = result.output
    assert "divergent heads: a2 (ours), m1 (theirs); common ancestor: r0" in out
    assert "added here since the merge-base: a1, a2" in out
    assert "added at main since the merge-base: m1" in out
    assert "gitmig rebase --onto main" in out
    assert "gitmig merge" in out


def test_json_report(forked: TeamRepo) -> None:
    report = forked.json("check-heads", "--against", "main", expect=1)
    assert report["ok"] is False
    (against,) = report["against"]
    assert against["ref"] == "main"
    assert against["merge_base"] == forked.git("merge-base", "HEAD", "main")
    assert against["added"] == {"ours": ["a1", "a2"], "theirs": ["m1"]}
    assert against["divergent"] == [
        {"heads": ["a2", "m1"], "sides": {"a2": "ours", "m1": "theirs"}, "common_ancestors": ["r0"]}
    ]
    assert against["fixes"]


def test_against_several_refs(forked: TeamRepo) -> None:
    report = forked.json("check-heads", "--against", "feature-b", "--against", "main", expect=1)
    by_ref = {c["ref"]: c for c in report["against"]}
    assert by_ref["feature-b"]["added"] == {"ours": ["a1", "a2"], "theirs": ["b1"]}
    assert by_ref["main"]["added"]["theirs"] == ["m1"]


def test_clean_when_the_ref_is_an_ancestor(forked: TeamRepo) -> None:
    forked.git("checkout", "-q", "main")
    forked.git("branch", "-q", "old-main", "main~1")
    out = forked.run("check-heads", "--against", "old-main").output
    assert "ok: merging old-main leaves head(s) m1" in out


def test_git_target_from_config(forked: TeamRepo) -> None:
    forked.set_option("git_target", "main")
    forked.run("check-heads", expect=1)
    forked.git("checkout", "-q", "main")
    forked.run("check-heads")


def test_after_git_merge_check_heads_fails_and_merge_fixes_it(forked: TeamRepo) -> None:
    forked.git("merge", "-q", "--no-edit", "main")
    out = forked.run("check-heads", expect=1).output
    assert "Divergent heads" in out
    forked.run("merge", "-m", "join main", "--rev-id", "mrg")
    forked.run("check-heads")
    forked.run("check-heads", "--against", "main")
    heads = forked.json("heads")
    assert [h["revision"] for h in heads] == ["mrg"]
    assert sorted(heads[0]["down_revision"]) == ["a2", "m1"]
    source = forked.path_of("mrg").read_text()
    assert "down_revision = (" in source
    assert "Revises: a2, m1" in source or "Revises: m1, a2" in source


def test_merge_refusals(forked: TeamRepo) -> None:
    result = forked.run("merge", "-m", "nothing", expect=1)
    assert "Nothing to merge: the graph has a single head (a2)" in result.output
    result = forked.run("merge", "a1", "a2", expect=1)
    assert "a1" in result.output and "ancestor" in result.output


def test_merge_named_revisions(forked: TeamRepo) -> None:
    forked.git("merge", "-q", "--no-edit", "main", "feature-b")
    forked.run("merge", "a2", "b1", "-m", "ab", "--rev-id", "ab")
    heads = sorted(h["revision"] for h in forked.json("heads"))
    assert heads == ["ab", "m1"]


def test_duplicate_id_on_both_sides(team: TeamRepo) -> None:
    team.git("checkout", "-q", "-b", "feature")
    team.new("feature's idea", "--rev-id", "0002")
    team.commit("feature 0002")
    team.git("checkout", "-q", "main")
    team.new("main's idea", "--rev-id", "0002")
    team.commit("main 0002")
    team.git("checkout", "-q", "feature")
    report = team.json("check-heads", "--against", "main", expect=1)
    (conflict,) = report["against"][0]["conflicts"]
    assert conflict["revision"] == "0002"
    assert conflict["ours"].startswith("migrations/versions/0002_")
    out = team.run("check-heads", "--against", "main", expect=1).output
    assert "revision 0002 has different contents" in out
    assert "new id" in out


def test_same_revision_on_both_sides_is_not_a_conflict(forked: TeamRepo) -> None:
    forked.git("checkout", "-q", "-b", "copy", "main")
    forked.git("merge", "-q", "--no-edit", "feature-b")
    forked.run("merge", "-m", "join", "--rev-id", "j")
    forked.commit("join")
    forked.git("checkout", "-q", "feature-b")
    report = forked.json("check-heads", "--against", "copy")
    assert report["against"][0]["conflicts"] == []


def test_orphan_on_the_other_side(forked: TeamRepo) -> None:
    forked.git("checkout", "-q", "main")
    write_revision(forked.versions, "lost", "nowhere")
    forked.commit("broken revision")
    forked.git("checkout", "-q", "feature-a")
    report = forked.json("check-heads", "--against", "main", expect=1)
    (orphan,) = report["against"][0]["orphans"]
    assert orphan["revision"] == "lost"
    assert orphan["missing"] == "nowhere"
    assert orphan["side"] == "theirs"


def test_staged_graph(team: TeamRepo) -> None:
    team.new("one", "--rev-id", "one")
    team.git("add", "-A")
    write_revision(team.versions, "other", "r0")  # a second head, not staged
    team.run("check-heads", expect=1)
    out = team.run("check-heads", "--staged").output
    assert "OK" in out and "(index)" in out
    team.git("add", "-A")
    team.run("check-heads", "--staged", expect=1)


def test_outside_git_the_options_fail_in_one_line(tmp_path: Path, team: TeamRepo) -> None:
    import shutil

    plain = tmp_path / "plain"
    shutil.copytree(team.root, plain, ignore=shutil.ignore_patterns(".git"))
    project = TeamRepo(plain, plain / "gitmig.ini", plain / "migrations" / "versions")
    project.set_option("git_target", "origin/main")
    project.run("check-heads")  # the configured default is skipped outside git
    project.run("heads")
    for args in (("check-heads", "--against", "main"), ("check-heads", "--staged")):
        result = project.run(*args, expect=1)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert "needs git: not inside a git repository" in lines[0]


def test_unknown_ref(forked: TeamRepo) -> None:
    result = forked.run("check-heads", "--against", "no-such-branch", expect=1)
    assert "'no-such-branch' does not name a commit" in result.stderr
