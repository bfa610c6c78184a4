"""The shell sessions of README.md, docs/tutorial.md and docs/team.md are run and compared.

The convention (see docs/development.md): a fenced block marked ``console`` is a session.
Lines starting with ``$ `` are commands; the lines after a command, up to the next one, are
its output (stdout and stderr, as a terminal shows them). In expected output:

- a line holding only ``...`` stands for any number of lines, and ``...`` inside a line for
  any text (a long path, say);
- revision ids and commit hashes (7 to 40 hex digits, at least one a digit) stand for the
  ids gitmig makes: the first time a session shows an id it may be any id, afterwards it
  must be the same one, and a command naming it (or a prefix of it) gets the real one;
- ISO dates and times stand for any date and time.

A command shown without output may print anything but must succeed, unless its comment
says ``# fails``; ``echo $?`` prints the previous command's exit code. Each file's sessions
run in order in one temporary directory, with git and SQLite; an HTML comment
``<!-- console-setup ... -->`` right before a block holds commands run first and not shown
(the file edits a reader would make by hand), and ``<!-- console-skip -->`` skips a block
(a ``pip install``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "docs/tutorial.md", "docs/team.md")

_BLOCK = re.compile(
    r"(?:<!--\s*(?P<directive>console-setup|console-skip)(?P<setup>(?:(?!-->).)*)-->\s*\n)?"
    r"^```console\n(?P<body>.*?)^```$",
    re.DOTALL | re.MULTILINE,
)
_HEX = re.compile(r"(?<![0-9a-zA-Z])[0-9a-f]{7,40}(?![0-9a-zA-Z])")
_PREFIX = re.compile(r"(?<![0-9a-zA-Z])[0-9a-f]{4,40}(?![0-9a-zA-Z])")
_DATE = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)?")


@dataclass
class Command:
    line: str
    expected: list[str]


@dataclass
class Block:
    setup: list[str]
    commands: list[Command]
    lineno: int


def sessions(path: Path) -> list[Block]:
    """The console blocks of a Markdown file, in order (skipped ones left out)."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in _BLOCK.finditer(text):
        if match.group("directive") == "console-skip":
            continue
        setup = [
            line.strip()
            for line in (match.group("setup") or "").splitlines()
            if line.strip() and match.group("directive") == "console-setup"
        ]
        commands: list[Command] = []
        for line in match.group("body").splitlines():
            if line.startswith("$ "):
                commands.append(Command(line[2:], []))
            elif commands:
                commands[-1].expected.append(line)
        blocks.append(Block(setup, commands, text[: match.start("body")].count("\n") + 1))
    return blocks


def _is_id(token: str) -> bool:
    return any(c.isdigit() for c in token)


@dataclass
class Session:
    """One file's sessions: the working folder, the environment and the ids learnt."""

    cwd: Path
    env: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)  # id in the doc -> real id
    last_code: int = 0

    def command_line(self, line: str) -> str:
        """The command with the doc's ids (or their prefixes) replaced by the real ones."""

        def real(match: re.Match[str]) -> str:
            token = match.group(0)
            for doc_id, actual in self.ids.items():
                if doc_id.startswith(token) and _is_id(token):
                    return actual[: len(token)]
            return token

        return _PREFIX.sub(real, line)

    def run(self, line: str) -> tuple[int, str]:
        line = self.command_line(line)
        if line.strip() == "echo $?":
            return 0, f"{self.last_code}\n"
        if line.startswith("cd "):
            self.cwd = (self.cwd / line[3:].split("#")[0].strip()).resolve()
            return 0, ""
        proc = subprocess.run(
            ["bash", "-c", line],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.last_code = proc.returncode
        return proc.returncode, proc.stdout

    def expect(self, expected: list[str], output: str) -> str | None:
        """``None`` when ``output`` matches; else why not. Learns the ids on a match."""
        pattern, groups = self._pattern(expected)
        match = re.fullmatch(pattern, output.rstrip("\n"), re.DOTALL)
        if match is None:
            return "output differs"
        for name, doc_id in groups.items():
            self.ids[doc_id] = match.group(name)
        return None

    def _pattern(self, expected: list[str]) -> tuple[str, dict[str, str]]:
        groups: dict[str, str] = {}  # group name -> doc id
        names: dict[str, str] = {}

        def line_pattern(line: str) -> str:
            out = []
            pos = 0
            tokens = [(m.start(), m.end(), "id", m.group(0)) for m in _HEX.finditer(line)]
            tokens = [t for t in tokens if _is_id(t[3])]
            tokens += [(m.start(), m.end(), "date", "") for m in _DATE.finditer(line)]
            tokens += [(m.start(), m.end(), "any", "") for m in re.finditer(r"\.\.\.", line)]
            taken = -1
            for start, end, kind, token in sorted(tokens):
                if start < taken:
                    continue  # inside a date
                out.append(re.escape(line[pos:start]))
                if kind == "any":
                    out.append(".*?")
                elif kind == "date":
                    out.append(_DATE.pattern)
                elif token in self.ids:
                    out.append(re.escape(self.ids[token]))
                elif token in names:
                    out.append(f"(?P={names[token]})")
                else:
                    names[token] = f"id{len(names)}"
                    groups[names[token]] = token
                    out.append(f"(?P<{names[token]}>[0-9a-f]{{7,40}})")
                pos = taken = end
            out.append(re.escape(line[pos:]))
            return "".join(out).rstrip()

        parts = []
        for line in expected:
            if line.strip() == "...":
                parts.append(r"(?:[^\n]*(?:\n|\Z))*?")
            else:
                parts.append(line_pattern(line) + r"[ \t]*(?:\n|\Z)")
        return "".join(parts).removesuffix(r"(?:\n|\Z)") + r"\n?", groups


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITMIG_"))}
    env.update(
        HOME=str(home),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Ana",
        GIT_AUTHOR_EMAIL="ana@example.com",
        GIT_COMMITTER_NAME="Ana",
        GIT_COMMITTER_EMAIL="ana@example.com",
        COLUMNS="100",
    )
    return env


@pytest.mark.parametrize("doc", DOCS)
def test_doc_sessions_run_as_shown(doc: str, tmp_path: Path) -> None:
    blocks = sessions(ROOT / doc)
    assert blocks, f"{doc} has no console session"
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    session = Session(tmp_path, _environment(home))
    for block in blocks:
        for line in block.setup:
            code, output = session.run(line)
            assert code == 0, f"{doc}:{block.lineno}: setup `{line}` failed:\n{output}"
        for command in block.commands:
            code, output = session.run(command.line)
            where = f"{doc}:{block.lineno}: `$ {command.line}`"
            if not command.expected:
                if "# fails" not in command.line:
                    assert code == 0, f"{where} exited {code}:\n{output}"
                continue
            problem = session.expect(command.expected, output)
            assert problem is None, (
                f"{where}: {problem}\n--- the doc shows:\n"
                + "\n".join(command.expected)
                + f"\n--- gitmig printed (exit {code}):\n{output}"
            )


def test_the_convention_catches_drift(tmp_path: Path) -> None:
    session = Session(tmp_path, _environment(tmp_path))
    assert session.expect(["3f9c2a1b07de (head)"], "a1b2c3d4e5f6 (head)\n") is None
    assert session.ids == {"3f9c2a1b07de": "a1b2c3d4e5f6"}
    assert session.expect(["3f9c2a1b07de (head)"], "0000000000aa (head)\n") is not None
    assert session.expect(["x", "...", "z"], "x\ny\ny\nz\n") is None
    assert session.expect(["x", "z"], "x\ny\nz\n") is not None
    assert (
        session.expect(
            ["Generating .../v/1975ea83b712_a.py ... done"],
            "Generating /t/v/0123456789ab_a.py ... done",
        )
        is None
    )
    assert session.command_line("gitmig show 3f9c") == "gitmig show a1b2"


@pytest.mark.parametrize("doc", DOCS)
def test_every_session_is_a_console_block(doc: str) -> None:
    """A shell block with `$ ` prompts that is not marked console would escape the test."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    for match in re.finditer(r"^```(\w*)\n(.*?)^```$", text, re.DOTALL | re.MULTILINE):
        if match.group(1) != "console":
            prompts = [line for line in match.group(2).splitlines() if line.startswith("$ ")]
            assert not prompts, f"{doc}: a {match.group(1) or 'plain'} block has {prompts[0]!r}"
