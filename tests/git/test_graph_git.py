"""`gitmig graph --git`: each revision coloured by the git branch that added it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from gitmig import command
from gitmig.config import Config
from tests.cli.graph_syntax import parse_dot, parse_mermaid
from tests.git.conftest import TeamRepo

SVG = "{http://www.w3.org/2000/svg}"


def _merged(forked: TeamRepo) -> TeamRepo:
    """feature-a merges main (two heads there), then a merge revision; c1 uncommitted."""
    forked.git("merge", "-q", "--no-edit", "main")
    forked.run("merge", "-m", "join", "--rev-id", "j1")
    forked.commit("merge revision")
    forked.new("not committed yet", "--rev-id", "c1")
    return forked


def test_each_revision_carries_its_adding_branch(forked: TeamRepo) -> None:
    repo = _merged(forked)
    picture = command.graph(Config(str(repo.ini)), git=True)
    branch = {node.script.revision: node.branch for node in picture.nodes}
    # r0 is on every branch, and main holds the fewest revisions; a1 and a2 only reached
    # main's history through feature-a, which holds them; m1 is main's, and j1 (made on
    # feature-a) is feature-a's; b1's branch was not merged; c1 is not committed.
    assert branch == {
        "r0": "main",
        "m1": "main",
        "a1": "feature-a",
        "a2": "feature-a",
        "j1": "feature-a",
        "c1": None,
    }
    assert picture.branches == ("feature-a", "main")


def test_branch_colours_in_every_format(forked: TeamRepo) -> None:
    repo = _merged(forked)
    svg = ET.fromstring(repo.run("graph", "--git", "--format", "svg").output)
    fills = {c.get("id"): c.get("fill") for c in svg.iter(f"{SVG}circle") if c.get("id")}
    assert fills["rev-a1"] == fills["rev-a2"] == fills["rev-j1"] != fills["rev-m1"]
    assert fills["rev-c1"] == "#ffffff"  # no branch: no colour
    legend = [t.text for t in svg.iter(f"{SVG}text")][-2:]
    assert legend == ["branch feature-a", "branch main"]

    nodes, _ = parse_mermaid(repo.run("graph", "--git").output)
    assert any(label.endswith("<br/>branch feature-a") for label in nodes.values())
    mermaid = repo.run("graph", "--git").output
    assert "classDef branch0 fill:" in mermaid and "classDef branch1 fill:" in mermaid

    dot_nodes, _ = parse_dot(repo.run("graph", "--git", "--format", "dot").output)
    assert dot_nodes["a1"]["label"].endswith("branch feature-a")
    assert dot_nodes["a1"]["fillcolor"] == dot_nodes["j1"]["fillcolor"]
    assert dot_nodes["a1"]["fillcolor"] != dot_nodes["m1"]["fillcolor"]


def test_git_outside_a_repository(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from gitmig.cli import cli

    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["init", "migrations"]).exit_code == 0
    assert CliRunner().invoke(cli, ["new", "-m", "one"]).exit_code == 0
    result = CliRunner().invoke(cli, ["graph", "--git"])
    assert result.exit_code == 1
    assert result.output.startswith("gitmig: error: graph --git needs git:")
    assert "Traceback" not in result.output


def test_applied_and_branch_both_show(forked: TeamRepo) -> None:
    """With --git the fill is the branch's, so "applied" is said in words (or a dot)."""
    from gitmig import display

    repo = _merged(forked)
    picture = command.graph(Config(str(repo.ini)), git=True, current=("a1",))
    nodes, _ = parse_mermaid(display.graph_output(picture, "mermaid"))
    assert "r0 (branchpoint)<br/>base<br/>branch main, applied" in nodes.values()
    assert "a2<br/>a two<br/>branch feature-a" in nodes.values()
    dot_nodes, _ = parse_dot(display.graph_output(picture, "dot"))
    assert dot_nodes["a1"]["label"].endswith("branch feature-a, applied")
    assert dot_nodes["a1"]["fillcolor"] == dot_nodes["a2"]["fillcolor"]
    svg = ET.fromstring(display.graph_output(picture, "svg"))
    dotted = [c for c in svg.iter(f"{SVG}circle") if c.get("class") == "applied"]
    assert len(dotted) == 2  # a1 and r0
