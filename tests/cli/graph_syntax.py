"""Small syntax checks for the Mermaid and DOT that `gitmig graph` writes.

Each returns the nodes and edges it read, so that tests compare them with the graph.
"""

from __future__ import annotations

import re

MERMAID_NODE = re.compile(r'  (r\d+)\["([^"]*)"\]')
MERMAID_EDGE = re.compile(r"  (r\d+) (-->|-\.->) (r\d+)")
MERMAID_CLASSDEF = re.compile(r"  classDef (\w+) [\w-]+:[#\w]+(,[\w-]+:[#\w]+)*")
MERMAID_CLASS = re.compile(r"  class (r\d+(?:,r\d+)*) (\w+)")


def parse_mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """``({node id: label}, [(from, arrow, to)])``; AssertionError on a line Mermaid's
    flowchart grammar (the subset gitmig writes) would not take."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    classes: set[str] = set()
    for line in lines[1:]:
        if m := MERMAID_NODE.fullmatch(line):
            assert m[1] not in nodes, f"node defined twice: {line}"
            label = m[2]
            assert not set(label.replace("<br/>", "")) & set('<>"'), label
            nodes[m[1]] = label
        elif m := MERMAID_EDGE.fullmatch(line):
            assert m[1] in nodes and m[3] in nodes, f"edge to an undefined node: {line}"
            edges.append((m[1], m[2], m[3]))
        elif m := MERMAID_CLASSDEF.fullmatch(line):
            classes.add(m[1])
        elif m := MERMAID_CLASS.fullmatch(line):
            assert m[2] in classes, f"class used before classDef: {line}"
            assert all(n in nodes for n in m[1].split(","))
        else:
            raise AssertionError(f"not Mermaid flowchart syntax: {line!r}")
    return nodes, edges


_DOT_TOKEN = re.compile(
    r'\s*(?:("(?:[^"\\]|\\.)*")|([A-Za-z_][\w.]*|-?\d+(?:\.\d+)?)|(->|[{}\[\];=,]))'
)


def _tokens(text: str) -> list[str]:
    found, at = [], 0
    text = text.rstrip()
    while at < len(text):
        m = _DOT_TOKEN.match(text, at)
        assert m and m.end() > at, f"DOT: cannot read {text[at : at + 30]!r}"
        found.append(m[1] or m[2] or m[3])
        at = m.end()
    return found


def _unquote(token: str) -> str:
    if token.startswith('"'):
        return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], token[1:-1])
    return token


def parse_dot(text: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    """``({node: attributes}, [(tail, head, attributes)])`` of a ``digraph``, read by a
    recursive-descent parser for DOT's statement grammar (no subgraphs, no ports)."""
    tokens = _tokens(text)
    pos = 0

    def take(expected: str | None = None) -> str:
        nonlocal pos
        assert pos < len(tokens), "DOT: unexpected end"
        token = tokens[pos]
        if expected is not None:
            assert token == expected, f"DOT: expected {expected!r}, found {token!r}"
        pos += 1
        return token

    def ident() -> str:
        token = take()
        assert token not in "{}[];=,->", f"DOT: expected an ID, found {token!r}"
        return _unquote(token)

    def attributes() -> dict[str, str]:
        found: dict[str, str] = {}
        if pos < len(tokens) and tokens[pos] == "[":
            take("[")
            while tokens[pos] != "]":
                key = ident()
                take("=")
                found[key] = ident()
                if tokens[pos] in (",", ";"):
                    take()
            take("]")
        return found

    take("digraph")
    if tokens[pos] != "{":
        ident()
    take("{")
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    while tokens[pos] != "}":
        if tokens[pos] in ("node", "edge", "graph"):
            take()
            attributes()
        else:
            name = ident()
            if tokens[pos] == "=":
                take("=")
                ident()
            elif tokens[pos] == "->":
                take("->")
                head = ident()
                edges.append((name, head, attributes()))
            else:
                nodes[name] = attributes()
        if tokens[pos] == ";":
            take(";")
    take("}")
    assert pos == len(tokens), "DOT: text after the graph"
    return nodes, edges
