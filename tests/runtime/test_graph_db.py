"""`gitmig graph --db`: the revisions applied to the database, on the three databases."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from click.testing import CliRunner

from gitmig import command
from gitmig.cli import cli as gitmig_cli
from tests.cli.graph_syntax import parse_dot, parse_mermaid

SVG = "{http://www.w3.org/2000/svg}"


def _branchy(project):
    """a -> b1 -> b2 (label left) and a -> c1 (label right)."""
    project.table_rev("a", None)
    project.table_rev("b1", "a", labels="left")
    project.table_rev("b2", "b1")
    project.table_rev("c1", "a", labels="right")


def test_db_marks_applied_revisions(db_url, make_project):
    project = make_project(db_url)
    _branchy(project)
    cfg = project.config()
    command.upgrade(cfg, "b1")
    picture = command.graph(cfg, db=True)
    assert {n.script.revision: n.applied for n in picture.nodes} == {
        "a": True,
        "b1": True,
        "b2": False,
        "c1": False,
    }
    assert picture.current == ("b1",)

    def cli(*args):
        result = CliRunner().invoke(gitmig_cli, ["-c", str(project.ini), "graph", *args])
        assert result.exit_code == 0, result.output
        return result.stdout  # env.py logs on stderr

    svg = ET.fromstring(cli("--db", "--format", "svg"))
    rows = {}  # revision -> (applied dot, version-row ring), read from each row's strip
    for strip in svg.iter(f"{SVG}g"):
        circles = list(strip.iter(f"{SVG}circle"))
        (node,) = [c for c in circles if c.get("id")]
        others = [c.get("class") for c in circles if not c.get("id")]
        rows[node.get("id")] = ("applied" in others, None in others)
    assert rows == {
        "rev-a": (True, False),
        "rev-b1": (True, True),
        "rev-b2": (False, False),
        "rev-c1": (False, False),
    }
    texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert "b1 (left) (current)  step b1" in texts and "applied to the database" in texts

    nodes, _ = parse_mermaid(cli("--db"))
    mermaid = cli("--db")
    applied_line = next(line for line in mermaid.splitlines() if line.endswith(" applied"))
    applied_ids = applied_line.split()[1].split(",")
    assert sorted(nodes[i].split(" ")[0] for i in applied_ids) == ["a", "b1"]

    dot_nodes, _ = parse_dot(cli("--db", "--format", "dot"))
    assert dot_nodes["b1"]["fillcolor"] == "#2e7d32" and "fillcolor" not in dot_nodes["b2"]

    # a `current:` range reads the same rows: from the database's revision up
    picture = command.graph(cfg, "current:", db=True)
    assert [n.script.revision for n in picture.nodes] == ["b2", "b1"]
    assert parse_dot(cli("--db", "-r", "current:", "--format", "dot"))[1] == [("b2", "b1", {})]


def test_db_at_base(db_url, make_project):
    project = make_project(db_url)
    _branchy(project)
    picture = command.graph(project.config(), db=True)
    assert picture.db and picture.current == ()
    assert not any(n.applied for n in picture.nodes)
    without = command.graph(project.config())
    assert not without.db and all(n.applied is None for n in without.nodes)
