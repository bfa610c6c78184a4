"""check-heads with git options prints the same on the fast path as through click."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gitmig import fastpath
from gitmig.cli import cli
from tests.git.conftest import TeamRepo


@pytest.fixture
def diverged(team: TeamRepo) -> TeamRepo:
    team.git("checkout", "-q", "-b", "feature")
    team.new("feature work", "--rev-id", "f1")
    team.commit("feature")
    team.git("checkout", "-q", "main")
    team.new("main work", "--rev-id", "m1")
    team.commit("main")
    team.git("checkout", "-q", "feature")
    return team


@pytest.mark.parametrize(
    "args",
    [
        ["check-heads", "--against", "main"],
        ["check-heads", "--against", "main", "--json"],
        ["check-heads", "--against", "main", "--against", "feature"],
        ["check-heads", "--staged"],
        ["check-heads", "--against", "no-such-ref"],
    ],
    ids=" ".join,
)
def test_fast_path_matches_click(
    diverged: TeamRepo, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["-c", str(diverged.ini), *args]
    code = fastpath.run(argv)
    fast = capsys.readouterr()
    assert code is not None
    slow = CliRunner().invoke(cli, argv)
    assert (code, fast.out, fast.err) == (slow.exit_code, slow.stdout, slow.stderr)
    if "--against" in args and "no-such-ref" not in args:
        assert code == 1 and "m1" in fast.out
