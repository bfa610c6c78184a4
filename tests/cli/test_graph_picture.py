"""`gitmig graph` (mermaid, dot, svg, html) and `history --graph` on a branchy history."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tests.cli.conftest import Project
from tests.cli.graph_syntax import parse_dot, parse_mermaid
from tests.cli.test_startup import HEAVY, imported_modules

SVG = "{http://www.w3.org/2000/svg}"

# child -> parents, as `branchy` makes them
EDGES = {
    ("b2", "b1"),
    ("b1", "a2"),
    ("f1", "a2"),
    ("f2", "f1"),
    ("o1", "a1"),
    ("a2", "a1"),
    ("m1", "b2"),
    ("m1", "f2"),
    ("m1", "o1"),
    ("t1", "m1"),
    ("s2", "s1"),
}


@pytest.fixture
def branchy(project: Project) -> Project:
    """a1 -> a2 -> b1 -> b2 and a2 -> f1 -> f2 and a1 -> o1, merged by m1, then t1
    (labelled `tip`); and a separate line s1 -> s2 (label `side`, s2 depends on o1)."""
    project.new("base", "--rev-id", "a1")
    project.new("two", "--rev-id", "a2")
    project.new("three", "--rev-id", "b1")
    project.new('say "hi" <b> & #1', "--rev-id", "b2")
    project.new("feat one", "--rev-id", "f1", "--head", "a2", "--splice")
    project.new("feat two", "--rev-id", "f2", "--head", "f1")
    project.new("other", "--rev-id", "o1", "--head", "a1", "--splice")
    project.run("merge", "-m", "merge all", "--rev-id", "m1")
    project.new("tip", "--rev-id", "t1", "--branch-label", "tip")
    project.new("side", "--rev-id", "s1", "--head", "base", "--branch-label", "side")
    project.new("side two", "--rev-id", "s2", "--head", "side@head", "--depends-on", "o1")
    return project


def test_svg_holds_every_revision_and_edge(branchy: Project) -> None:
    root = ET.fromstring(branchy.run("graph", "--format", "svg").output)
    assert root.tag == f"{SVG}svg"
    circles = {c.get("id") for c in root.iter(f"{SVG}circle") if c.get("id")}
    assert circles == {
        f"rev-{r}" for r in ("a1", "a2", "b1", "b2", "f1", "f2", "o1", "m1", "t1", "s1", "s2")
    }
    leaving = {(p.get("data-child"), p.get("data-parent")) for p in root.iter(f"{SVG}path")}
    assert leaving >= EDGES
    assert {edge for edge in leaving if edge[0] is not None} == EDGES
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert 'b2 say "hi" <b> & #1' in " ".join(texts).replace("  ", " ")
    assert any(t.startswith("m1 (mergepoint)") for t in texts)
    assert any(t.startswith("t1 (tip) (head)") for t in texts)


def test_svg_folds_long_runs_only_when_asked(project: Project) -> None:
    for i in range(8):
        project.new(f"step {i}", "--rev-id", f"c{i}")
    whole = ET.fromstring(project.run("graph", "--format", "svg").output)
    assert len([c for c in whole.iter(f"{SVG}circle")]) == 8
    folded = ET.fromstring(project.run("graph", "--format", "svg", "--collapse", "3").output)
    ids = {c.get("id") for c in folded.iter(f"{SVG}circle")}
    assert ids == {"rev-c0", "rev-c7"}  # the ends stay, the six between fold
    assert any("6 revisions (c1 to c6)" in (t.text or "") for t in folded.iter(f"{SVG}text"))


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, str] = {}
        self.scripts: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts.append(found)
        if tag == "link":
            self.links.append(str(found.get("href")))
        if tag == "div" and str(found.get("id", "")).startswith("row-"):
            self.rows[str(found["id"])[4:]] = str(found.get("class"))
        if tag not in ("meta", "circle", "path", "link"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("circle", "path"):
            return
        assert self.open.pop() == tag, tag


def test_html_is_self_contained_and_unfolds_on_click(project: Project) -> None:
    for i in range(8):
        project.new(f"step {i}", "--rev-id", f"c{i}")
    text = project.run("graph", "--format", "html").output
    page = _Page()
    page.feed(text)
    assert page.open == []  # every element closed
    assert page.scripts == [{}] and page.links == []  # inline script only, nothing fetched
    assert "http" not in text.replace("http://www.w3.org/2000/svg", "")
    assert set(page.rows) == {f"c{i}" for i in range(8)}
    hidden = {rev for rev, classes in page.rows.items() if "hidden" in classes}
    assert hidden == {f"c{i}" for i in range(1, 7)}  # more than 5 plain revisions fold
    assert 'class="row fold" data-run="0"' in text and "6 revisions (c1 to c6)" in text
    assert "classList.remove('hidden')" in text
    unfolded = project.run("graph", "--format", "html", "--collapse", "0").output
    assert "hidden run-" not in unfolded


def test_mermaid_syntax_and_content(branchy: Project) -> None:
    nodes, edges = parse_mermaid(branchy.run("graph").output)
    rev_of = {node: label.split(" ", 1)[0].split("<br/>")[0] for node, label in nodes.items()}
    assert sorted(rev_of.values()) == sorted({r for e in EDGES for r in e})
    assert {(rev_of[a], rev_of[b]) for a, arrow, b in edges if arrow == "-->"} == EDGES
    assert {(rev_of[a], rev_of[b]) for a, arrow, b in edges if arrow == "-.->"} == {("s2", "o1")}
    labels = {rev_of[n]: label for n, label in nodes.items()}
    assert labels["b2"] == "b2<br/>say #34;hi#34; #60;b#62; & #35;1"
    assert labels["t1"] == "t1 (tip) (head)<br/>tip"
    assert labels["a2"] == "a2 (branchpoint)<br/>two"


@pytest.mark.parametrize(
    "bad", ['  r0["x"y"]', '  r0["a<b"]', "  r0 --> r9", "  r0[x]", '  r0["x"];']
)
def test_mermaid_check_catches_bad_lines(bad: str) -> None:
    with pytest.raises(AssertionError):
        parse_mermaid(f'flowchart TD\n  r0["ok"]\n{bad}\n')


def test_dot_syntax_and_content(branchy: Project) -> None:
    text = branchy.run("graph", "--format", "dot").output
    nodes, edges = parse_dot(text)
    assert set(nodes) == {r for e in EDGES for r in e}
    assert {(a, b) for a, b, attrs in edges if not attrs} == EDGES
    assert [(a, b) for a, b, attrs in edges if attrs] == [("s2", "o1")]
    assert nodes["b2"]["label"] == 'b2\nsay "hi" <b> & #1'
    assert nodes["t1"]["penwidth"] == "3"
    if shutil.which("dot"):  # Graphviz itself, where installed
        svg = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True)
        assert svg.returncode == 0, svg.stderr
        titles = {t.text for t in ET.fromstring(svg.stdout).iter(f"{SVG}title")}
        assert {"b2->b1", "m1->o1"} <= titles


@pytest.mark.parametrize(
    "bad", ['digraph { "a" -> ; }', 'digraph { "a" [label="x" }', "graph { a }"]
)
def test_dot_check_catches_bad_input(bad: str) -> None:
    with pytest.raises(AssertionError):
        parse_dot(bad)


def test_history_graph(branchy: Project) -> None:
    assert branchy.run("history", "--graph").output == (
        "* s1 -> s2 (side) (head), side two\n"
        "* <base> -> s1 (side), side\n"
        "* m1 -> t1 (tip) (head), tip\n"
        "* (b2, f2, o1) -> m1 (mergepoint), merge all\n"
        "|\\\n"
        "| |\\\n"
        '* | | b1 -> b2, say "hi" <b> & #1\n'
        "* | | a2 -> b1, three\n"
        "| * | f1 -> f2, feat two\n"
        "| * | a2 -> f1, feat one\n"
        "|/ /\n"
        "| * a1 -> o1, other\n"
        "* | a1 -> a2 (branchpoint), two\n"
        "|/\n"
        "* <base> -> a1 (branchpoint), base\n"
    )


def test_history_graph_range(branchy: Project) -> None:
    assert branchy.run("history", "--graph", "-r", "a2:f2").output == (
        "* f1 -> f2, feat two\n* a2 -> f1, feat one\n* a1 -> a2 (branchpoint), two\n"
    )


@pytest.mark.parametrize("option", ["-v", "--json", "--git"])
def test_history_graph_refuses_other_layouts(branchy: Project, option: str) -> None:
    result = branchy.run("history", "--graph", option, expect=2)
    assert f"history --graph draws one line per revision: leave out {option}" in result.output
    assert "Traceback" not in result.output


def test_graph_refuses_unknown_format(branchy: Project) -> None:
    result = branchy.run("graph", "--format", "png", expect=2)
    assert "'png' is not one of 'mermaid', 'dot', 'svg', 'html'" in result.output


def test_graph_writes_to_a_file(branchy: Project) -> None:
    target = branchy.root / "out" / "g.svg"
    target.parent.mkdir()
    assert branchy.run("graph", "--format", "svg", "-o", str(target)).output == ""
    ET.fromstring(target.read_text(encoding="utf-8"))


@pytest.mark.parametrize("args", [("history", "--graph"), ("graph",), ("graph", "--format", "svg")])
def test_graph_stays_light(branchy: Project, args: tuple[str, ...]) -> None:
    modules = imported_modules("-c", str(branchy.ini), *args, cwd=branchy.root)
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == [], f"`gitmig {' '.join(args)}` imported {heavy[:5]}"
    if args[0] == "history":
        assert "click" not in modules  # the fast path takes it
