"""The marker cache: unchanged files are not parsed again; any change is seen."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from gitmig.script import base, cache, source
from gitmig.script.base import ScriptDirectory


@pytest.fixture(autouse=True)
def _python_writes_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    # whatever PYTHONDONTWRITEBYTECODE / PYTHONPYCACHEPREFIX the machine running the tests has
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(sys, "pycache_prefix", None)


@pytest.fixture
def env(tmp_path: Path) -> Path:
    (tmp_path / "versions").mkdir()
    for rev, down in (("a1", "None"), ("b2", '"a1"')):
        (tmp_path / "versions" / f"{rev}.py").write_text(
            f'"""{rev} message"""\nrevision = "{rev}"\ndown_revision = {down}\n'
        )
    return tmp_path


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real = base.read_source

    def counting(source: bytes, path: str) -> object:
        parsed.append(os.path.basename(path))
        return real(source, path)

    monkeypatch.setattr(base, "read_source", counting)
    return parsed


def heads(env: Path) -> tuple[str, ...]:
    return ScriptDirectory(env).revision_map.heads


def test_second_read_comes_from_the_cache(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = count_parses(monkeypatch)
    assert heads(env) == ("b2",)
    assert sorted(parsed) == ["a1.py", "b2.py"]
    parsed.clear()
    assert heads(env) == ("b2",)
    assert parsed == []
    assert list((env / "versions" / "__pycache__").glob("gitmig-markers-*.bin"))


def test_an_edited_file_is_read_again(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    heads(env)
    parsed = count_parses(monkeypatch)
    path = env / "versions" / "b2.py"
    same_size = path.read_text().replace("b2 message", "b2 MESSAGE")
    path.write_text(same_size)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    graph = ScriptDirectory(env).revision_map
    assert parsed == ["b2.py"]
    assert graph.get("b2").doc == "b2 MESSAGE"


def test_new_and_removed_files(env: Path) -> None:
    heads(env)
    (env / "versions" / "c3.py").write_text('revision = "c3"\ndown_revision = "b2"\n')
    assert heads(env) == ("c3",)
    (env / "versions" / "c3.py").unlink()
    assert heads(env) == ("b2",)


def test_a_corrupt_cache_is_ignored(env: Path) -> None:
    heads(env)
    (cache,) = (env / "versions" / "__pycache__").glob("gitmig-markers-*.bin")
    cache.write_bytes(b"\x00garbage")
    assert heads(env) == ("b2",)


def test_an_unwritable_folder_still_works(env: Path) -> None:
    (env / "versions" / "__pycache__").write_text("a file where the cache folder would go")
    assert heads(env) == ("b2",)


def test_nothing_is_written_when_python_writes_no_bytecode(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert heads(env) == ("b2",)
    assert not (env / "versions" / "__pycache__").exists()


def test_the_cache_follows_the_pycache_prefix(
    env: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = tmp_path_factory.mktemp("prefix")
    monkeypatch.setattr(sys, "pycache_prefix", str(prefix))
    assert heads(env) == ("b2",)
    assert not (env / "versions" / "__pycache__").exists()
    assert list(prefix.rglob("gitmig-markers-*.bin"))


def _poison(env: Path) -> None:
    """Make the cache say b2 is a root, as a reader with another verdict might have stored."""
    import marshal

    (cache,) = (env / "versions" / "__pycache__").glob("gitmig-markers-*.bin")
    names, stamps, values, _ = marshal.loads(cache.read_bytes())
    at = names.index("b2.py")
    values[at] = (values[at][0], None, *values[at][2:])
    # and no graph facts: that reader would have derived them from its own markers
    cache.write_bytes(marshal.dumps((names, stamps, values, None)))


def test_the_cache_is_keyed_by_the_reader_version(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as older:
        older.setattr(cache, "READER_VERSION", cache.READER_VERSION - 1)
        heads(env)
        _poison(env)  # a wrong entry an older reader stored
        # that reader trusts what it stored, which is why the version must be in the key
        assert ScriptDirectory(env).revision_map.bases == ("a1", "b2")
    parsed = count_parses(monkeypatch)
    assert ScriptDirectory(env).revision_map.bases == ("a1",)
    assert sorted(parsed) == ["a1.py", "b2.py"]
    assert len(list((env / "versions" / "__pycache__").glob("gitmig-markers-*.bin"))) == 2


def test_the_loader_and_the_cache_share_the_reader_version() -> None:
    assert cache.READER_VERSION is source.READER_VERSION


def count_sorts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from gitmig.script.revision import RevisionMap

    sorts: list[int] = []
    real = RevisionMap._toposort

    def counting(self: RevisionMap) -> list[str]:
        sorts.append(len(self._revs))
        return real(self)

    monkeypatch.setattr(RevisionMap, "_toposort", counting)
    return sorts


def test_an_unchanged_folder_reuses_its_graph_facts(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sorts = count_sorts(monkeypatch)
    assert heads(env) == ("b2",)
    assert sorts == [2]
    graph = ScriptDirectory(env).revision_map
    assert sorts == [2]  # order, heads and bases came from the cache
    assert (graph.heads, graph.bases, [r.revision for r in graph]) == (
        ("b2",),
        ("a1",),
        ["a1", "b2"],
    )
    assert graph.children("a1") == ("b2",)


def test_an_edit_that_changes_the_graph_is_sorted_again(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    heads(env)
    sorts = count_sorts(monkeypatch)
    (env / "versions" / "c3.py").write_text('revision = "c3"\ndown_revision = "a1"\n')
    assert heads(env) == ("b2", "c3")
    path = env / "versions" / "c3.py"
    path.write_text('revision = "c3"\ndown_revision = "b2"\n')
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert heads(env) == ("c3",)
    assert sorts == [3, 3]


def test_an_invalid_graph_stores_no_facts(env: Path) -> None:
    from gitmig.exc import RevisionError

    (env / "versions" / "c3.py").write_text('revision = "c3"\ndown_revision = "zz"\n')
    for _ in range(2):  # the second read, from the cache, checks the graph again
        with pytest.raises(RevisionError, match="zz"):
            heads(env)


def test_facts_that_do_not_fit_are_ignored(env: Path) -> None:
    import marshal

    heads(env)
    (found,) = (env / "versions" / "__pycache__").glob("gitmig-markers-*.bin")
    names, stamps, values, _ = marshal.loads(found.read_bytes())
    found.write_bytes(marshal.dumps((names, stamps, values, (["a1"], ("a1",), ("a1",)))))
    assert heads(env) == ("b2",)


def test_several_folders_are_each_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for folder, rev, down in (("one", "a1", "None"), ("two", "b2", '"a1"')):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{rev}.py").write_text(
            f'revision = "{rev}"\ndown_revision = {down}\n'
        )
    folders = [str(tmp_path / "one"), str(tmp_path / "two")]
    assert ScriptDirectory(tmp_path, version_locations=folders).revision_map.heads == ("b2",)
    parsed = count_parses(monkeypatch)
    assert ScriptDirectory(tmp_path, version_locations=folders).revision_map.heads == ("b2",)
    assert parsed == []


def test_stamps_without_dir_fd(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # as on Windows, where os.stat takes no dir_fd
    monkeypatch.setattr(os, "supports_dir_fd", set())
    names = ["a1.py", "b2.py"]
    expected = [
        (s.st_size, s.st_mtime_ns, s.st_ino) for s in (os.stat(env / "versions" / n) for n in names)
    ]
    assert cache.stamps(str(env / "versions"), names) == expected
