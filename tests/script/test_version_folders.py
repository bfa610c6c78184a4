"""Where new revisions go: several version folders, folders not made yet, file names, dates."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from gitmig import command, util
from gitmig.config import Config
from gitmig.exc import CommandError, UsageError
from gitmig.script import ScriptDirectory


def _multi_dir(tmp_path: Path, *names: str) -> ScriptDirectory:
    config = Config(tmp_path / "gitmig.ini")
    command.init(config, tmp_path / "migrations")
    folders = [tmp_path / name for name in names]
    return ScriptDirectory(tmp_path / "migrations", version_locations=list(folders))


def test_a_new_base_among_several_folders_needs_a_version_path(tmp_path: Path) -> None:
    script_dir = _multi_dir(tmp_path, "model1", "model2")
    with pytest.raises(UsageError, match=r"Multiple version locations present.*--version-path"):
        script_dir.generate_revision("a1", "first", head="base")


def test_a_version_path_outside_the_locations_is_refused(tmp_path: Path) -> None:
    script_dir = _multi_dir(tmp_path, "model1", "model2")
    with pytest.raises(UsageError, match="Path foo/bar is not represented"):
        script_dir.generate_revision("a1", "first", head="base", version_path="foo/bar/")


def test_writing_creates_a_configured_folder_and_children_follow_their_parent(
    tmp_path: Path,
) -> None:
    script_dir = _multi_dir(tmp_path, "model1", "model2")
    one = script_dir.generate_revision("a1", "one", head="base", version_path=tmp_path / "model1")
    # Another spelling of the same folder (a trailing separator) names it too.
    two = script_dir.generate_revision(
        "b1", "two", head="base", version_path=f"{tmp_path / 'model2'}/"
    )
    child = script_dir.generate_revision("b2", "child", head="b1")
    assert Path(one.path or "").parent == tmp_path / "model1"
    assert Path(two.path or "").parent == tmp_path / "model2"
    assert Path(child.path or "").parent == tmp_path / "model2"
    assert sorted(script_dir.get_heads()) == ["a1", "b2"]


def test_a_folder_not_made_yet_holds_no_revisions(tmp_path: Path) -> None:
    script_dir = _multi_dir(tmp_path, "model1", "model2")
    script_dir.generate_revision("a1", "one", head="base", version_path=tmp_path / "model1")
    assert not (tmp_path / "model2").exists()
    assert ScriptDirectory(
        tmp_path / "migrations", version_locations=[tmp_path / "model1", tmp_path / "model2"]
    ).get_heads() == ["a1"]


def test_version_locations_none_of_which_exists_are_an_error(tmp_path: Path) -> None:
    script_dir = _multi_dir(tmp_path, "model1", "model2")
    with pytest.raises(CommandError, match=r"Version folders .*model1.*model2.* do not exist"):
        script_dir.get_heads()


def test_a_folder_listed_twice_is_read_once_with_a_warning(tmp_path: Path) -> None:
    script_dir = _multi_dir(tmp_path, "model1")
    script_dir.generate_revision("a1", "one", head="base")
    twice = ScriptDirectory(
        tmp_path / "migrations", version_locations=[tmp_path / "model1", tmp_path / "model1"]
    )
    with pytest.warns(UserWarning, match="loaded twice"):
        assert twice.get_heads() == ["a1"]


def test_locations_and_the_single_versions_folder(tmp_path: Path) -> None:
    script_dir = _multi_dir(tmp_path, "model1", "model2")
    assert script_dir._version_locations == [tmp_path / "model1", tmp_path / "model2"]
    with pytest.raises(CommandError, match="several version_locations"):
        script_dir.versions  # noqa: B018
    single = ScriptDirectory(tmp_path / "migrations")
    assert single.versions == str(tmp_path / "migrations" / "versions")


def test_get_base(tmp_path: Path) -> None:
    script_dir = _multi_dir(tmp_path, "model1")
    (tmp_path / "model1").mkdir()
    assert script_dir.get_base() is None
    script_dir.generate_revision("a1", "one", head="base")
    assert script_dir.get_base() == "a1"
    script_dir.generate_revision("b1", "two", head="base")
    with pytest.raises(CommandError, match="multiple bases"):
        script_dir.get_base()


def test_a_file_template_with_subfolders_needs_recursive_locations(tmp_path: Path) -> None:
    config = Config(tmp_path / "gitmig.ini")
    command.init(config, tmp_path / "migrations")
    template = "%(year)d/%(month).2d/%(rev)s_%(slug)s"
    flat = ScriptDirectory(tmp_path / "migrations", file_template=template)
    with pytest.raises(UsageError, match="recursive_version_locations"):
        flat.generate_revision("a1", "one")
    assert not list((tmp_path / "migrations" / "versions").rglob("*.py"))
    deep = ScriptDirectory(
        tmp_path / "migrations", file_template=template, recursive_version_locations=True
    )
    script = deep.generate_revision("a1", "one")
    when = datetime.datetime.now()
    assert Path(script.path or "").parent == (
        tmp_path / "migrations" / "versions" / str(when.year) / f"{when.month:02d}"
    )


def test_rev_path_fills_in_the_file_template(tmp_path: Path) -> None:
    script_dir = ScriptDirectory(
        tmp_path, file_template="%(epoch)s_%(rev)s_%(slug)s_%(year)s_%(month)s_%(day)s"
    )
    when = datetime.datetime(2012, 7, 25, 15, 8, 5, tzinfo=datetime.timezone.utc)
    assert script_dir._rev_path(tmp_path, "12345", "this is a message", when) == (
        tmp_path / "1343228885_12345_this_is_a_message_2012_7_25.py"
    )


@pytest.mark.parametrize(("name", "zone"), [("UTC", "UTC"), ("utc", "UTC"), ("est5edt", "EST5EDT")])
def test_create_date_in_the_configured_zone(tmp_path: Path, name: str, zone: str) -> None:
    created = ScriptDirectory(tmp_path, timezone=name)._generate_create_date()
    assert created.tzinfo is not None and str(created.tzinfo) == zone
    assert ScriptDirectory(tmp_path)._generate_create_date().tzinfo is None


def test_an_unknown_zone_is_named(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="unknown timezone 'Mars/Olympus'"):
        ScriptDirectory(tmp_path, timezone="Mars/Olympus")._generate_create_date()


def test_rev_ids_differ() -> None:
    assert util.rev_id() != util.rev_id()
