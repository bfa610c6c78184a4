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


def test_a_rewritten_file_replaces_its_revision(script_dir: ScriptDirectory) -> None:
    """Script._from_path reads a file's markers (no import); add_revision(_replace=True)
    puts the script in the graph in place of the old one, and the graph is checked again."""
    from gitmig.exc import ResolutionError, RevisionError
    from gitmig.script import Script

    a = script_dir.generate_revision("a1", "first", head="base")
    b = script_dir.generate_revision("b1", "second")
    assert a.path is not None and b.path is not None
    Path(b.path).write_text(
        '"""second, rewritten"""\nrevision = "b1"\ndown_revision = "a1"\n'
        'branch_labels = ("lbl",)\n\ndef upgrade():\n    pass\n'
    )
    script = Script._from_path(script_dir, b.path)
    assert script is not None and script.doc == "second, rewritten"
    graph = script_dir.revision_map
    graph.add_revision(script, _replace=True)
    assert graph.get("b1") is script and graph.labels("b1") == {"lbl"}
    assert graph.resolve("lbl@head") == ("b1",)
    assert Script._from_path(script_dir, Path(b.path).with_name("__init__.py")) is None
    with pytest.raises(RevisionError, match="Duplicate revision id b1"):
        graph.add_revision(script)
    with pytest.raises(ResolutionError, match="Cannot replace revision c1"):
        graph.add_revision(Script("c1", "b1"), _replace=True)
    graph.add_revision(Script("c1", "b1"))
    assert graph.heads == ("c1",)
    with pytest.raises(RevisionError, match="refers to zz"):
        graph.add_revision(Script("d1", "zz"))
