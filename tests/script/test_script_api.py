"""ScriptDirectory's Alembic API: generate_revision, walk_revisions, get_heads and friends."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitmig import command, util
from gitmig.config import Config
from gitmig.exc import MultipleHeadsError
from gitmig.script import ScriptDirectory


@pytest.fixture
def script_dir(tmp_path: Path) -> ScriptDirectory:
    # As Alembic's own fixtures do it: the Config exists before its file, init writes it.
    config = Config(tmp_path / "gitmig.ini")
    command.init(config, tmp_path / "migrations")
    return ScriptDirectory.from_config(config)


def test_generate_revision_writes_and_returns_the_script(script_dir: ScriptDirectory) -> None:
    a = script_dir.generate_revision(util.rev_id(), "revision a", refresh=True, head="base")
    b = script_dir.generate_revision(util.rev_id(), "revision b", head=a.revision)
    c = script_dir.generate_revision(None, "revision c")  # on the single head
    assert (a.parents, b.parents, c.parents) == ((), (a.revision,), (b.revision,))
    assert a.path is not None and Path(a.path).is_file()
    assert "revision a" in Path(a.path).read_text()
    assert script_dir.get_heads() == [c.revision]
    assert script_dir.get_current_head() == c.revision
    assert script_dir.get_bases() == [a.revision]
    walked = [s.revision for s in script_dir.walk_revisions()]
    assert walked == [c.revision, b.revision, a.revision]
    assert [s.revision for s in script_dir.walk_revisions(b.revision, c.revision)] == [
        c.revision,
        b.revision,
    ]


def test_several_heads(script_dir: ScriptDirectory) -> None:
    a = script_dir.generate_revision(util.rev_id(), "a", head="base")
    b = script_dir.generate_revision(util.rev_id(), "b", head=a.revision)
    c = script_dir.generate_revision(util.rev_id(), "c", head=a.revision, splice=True)
    assert sorted(script_dir.get_heads()) == sorted([b.revision, c.revision])
    with pytest.raises(MultipleHeadsError, match="multiple heads"):
        script_dir.get_current_head()
    with pytest.raises(MultipleHeadsError):
        script_dir.generate_revision(util.rev_id(), "d")  # no head= with two heads


def test_no_revisions(script_dir: ScriptDirectory) -> None:
    assert script_dir.get_heads() == []
    assert script_dir.get_current_head() is None
    assert list(script_dir.walk_revisions()) == []
