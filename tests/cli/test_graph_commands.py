"""init, list-templates, new, heads, branches, history, show and check-heads through the CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.cli.conftest import Project


class TestInit:
    def test_init_lays_down_the_environment(self, project: Project) -> None:
        env = project.root / "migrations"
        assert {p.name for p in env.iterdir()} == {
            ".gitignore",
            "env.py",
            "script.py.mako",
            "README",
            "versions",
        }
        assert (env / ".gitignore").read_text() == "__pycache__/\n"
        text = project.ini.read_text()
        assert "script_location = %(here)s/migrations" in text

    def test_init_refuses_a_non_empty_directory(
        self, tmp_path: Path, run_cli: Callable[..., Result]
    ) -> None:
        (tmp_path / "full").mkdir()
        (tmp_path / "full" / "keep.txt").write_text("mine")
        result = run_cli("-c", str(tmp_path / "g.ini"), "init", str(tmp_path / "full"))
        assert result.exit_code == 1
        assert "already exists and is not empty" in result.output
        assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
        assert "Traceback" not in result.output

    def test_unknown_template(self, tmp_path: Path, run_cli: Callable[..., Result]) -> None:
        result = run_cli("init", "-t", "nope", str(tmp_path / "m"))
        assert result.exit_code == 2  # a bad option value is a usage error
        assert "No such template 'nope'" in result.output and "generic" in result.output

    @pytest.mark.parametrize(
        ("template", "config"), [("pyproject", "db.ini"), ("generic", "pyproject.toml")]
    )
    def test_config_file_must_suit_the_template(
        self, tmp_path: Path, run_cli: Callable[..., Result], template: str, config: str
    ) -> None:
        """Else init writes TOML into an ini file (or the reverse) that the next command rejects."""
        target = tmp_path / config
        result = run_cli("-c", str(target), "init", "-t", template, str(tmp_path / "m"))
        assert result.exit_code == 2
        assert f"the {template!r} template writes" in result.output
        assert not target.exists() and not (tmp_path / "m").exists()

    @pytest.mark.parametrize("template", ["generic", "async", "multidb", "pyproject"])
    def test_every_template_inits(
        self,
        template: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        run_cli: Callable[..., Result],
    ) -> None:
        monkeypatch.chdir(tmp_path)
        result = run_cli("init", "-t", template, "--package", "migrations")
        assert result.exit_code == 0, result.output
        assert (tmp_path / "migrations" / "versions" / "__init__.py").exists()
        config = "pyproject.toml" if template == "pyproject" else "gitmig.ini"
        assert (tmp_path / config).exists()
        # the new environment is usable at once: a revision, then heads
        assert run_cli("new", "-m", "first").exit_code == 0
        heads = run_cli("heads")
        assert re.fullmatch(r"[0-9a-f]{12} \(head\)\n", heads.output), heads.output

    def test_pyproject_template_extends_an_existing_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Result]
    ) -> None:
        monkeypatch.chdir(tmp_path)
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
        assert run_cli("init", "-t", "pyproject", "migrations").exit_code == 0
        text = (tmp_path / "pyproject.toml").read_text()
        assert text.startswith('[project]\nname = "app"\n') and "[tool.gitmig]" in text

    def test_list_templates(self, run_cli: Callable[..., Result]) -> None:
        result = run_cli("list-templates")
        assert result.exit_code == 0
        names = [line.split()[0] for line in result.output.splitlines()[:4]]
        assert names == ["async", "generic", "multidb", "pyproject"]
        assert run_cli("list_templates").exit_code == 0  # Alembic's spelling


class TestNew:
    def test_revision_file_shape(self, project: Project) -> None:
        first = project.new("create accounts")
        second = project.new("add email")
        assert re.fullmatch(r"[0-9a-f]{12}", second)
        path = next(project.versions.glob(f"{second}_add_email.py"))
        text = path.read_text()
        assert text.startswith('"""add email\n\nRevision ID: ' + second + f"\nRevises: {first}\n")
        assert "from gitmig import op\n" in text
        assert f'revision = "{second}"\ndown_revision = "{first}"\n' in text
        assert "branch_labels = None\ndepends_on = None\n" in text
        assert "def upgrade() -> None:\n    pass\n" in text
        compile(text, str(path), "exec")

    def test_revision_alias_and_options(self, project: Project) -> None:
        base = project.new("base")
        project.run("revision", "-m", "labelled", "--rev-id", "custom_1", "--branch-label", "feat")
        text = next(project.versions.glob("custom_1_*.py")).read_text()
        assert 'branch_labels = ("feat",)' in text and f'down_revision = "{base}"' in text
        dep = project.new("depends", "--depends-on", base)
        text = next(project.versions.glob(f"{dep}_*.py")).read_text()
        assert f'depends_on = ("{base}",)' in text

    def test_several_heads_need_head(self, project: Project) -> None:
        root = project.new("root")
        project.new("one")
        project.new("two", "--head", root, "--splice")
        result = project.run("new", "-m", "three", expect=1)
        assert "Multiple heads are present" in result.output
        assert "--head" in result.output and "gitmig merge" in result.output

    def test_non_head_needs_splice(self, project: Project) -> None:
        root = project.new("root")
        project.new("child")
        result = project.run("new", "-m", "x", "--head", root, expect=1)
        assert f"Revision {root} is not a head revision" in result.output
        assert "--splice" in result.output

    def test_rejects_bad_or_duplicate_ids_and_labels(self, project: Project) -> None:
        project.run("new", "-m", "a", "--rev-id", "abc", "--branch-label", "lab")
        assert "already exists" in project.run("new", "-m", "b", "--rev-id", "abc", expect=1).output
        assert "Invalid --rev-id" in project.run("new", "--rev-id", "a-b", expect=2).output
        assert "Invalid --rev-id ''" in project.run("new", "--rev-id", "", expect=2).output
        out = project.run("new", "--branch-label", "lab", expect=1).output
        assert "Branch label 'lab' is already declared" in out

    def test_file_template_and_slug_length(self, project: Project) -> None:
        text = project.ini.read_text().replace(
            "[gitmig]\n",
            "[gitmig]\nfile_template = %%(year)d_%%(rev)s_%%(slug)s\ntruncate_slug_length = 10\n"
            "timezone = UTC\n",
        )
        project.ini.write_text(text)
        rev = project.new("a rather long message for a slug")
        (path,) = project.versions.glob("*.py")
        assert re.fullmatch(rf"20\d\d_{rev}_a_rather\.py", path.name)
        assert "+00:00" in path.read_text()

    def test_post_write_hook_runs_on_the_new_file(self, project: Project) -> None:
        marker = project.root / "hook.py"
        marker.write_text(
            "import sys, pathlib\n"
            "p = pathlib.Path(sys.argv[1])\n"
            "p.write_text(p.read_text() + '# formatted\\n')\n"
        )
        import sys

        text = project.ini.read_text().replace(
            "[post_write_hooks]\n",
            f"[post_write_hooks]\nhooks = fmt\nfmt.type = exec\nfmt.executable = {sys.executable}"
            f"\nfmt.options = {marker} REVISION_SCRIPT_FILENAME\n",
        )
        project.ini.write_text(text)
        rev = project.new("hooked")
        assert next(project.versions.glob(f"{rev}_*.py")).read_text().endswith("# formatted\n")

    def test_failing_hook_is_reported(self, project: Project) -> None:
        text = project.ini.read_text().replace(
            "[post_write_hooks]\n",
            "[post_write_hooks]\nhooks = bad\nbad.type = module\nbad.module = no_such_module_x\n",
        )
        project.ini.write_text(text)
        result = project.run("new", "-m", "x", expect=1)
        assert "post-write hook 'bad' failed" in result.output
        (kept,) = project.versions.glob("*_x.py")
        assert "The new revision file was kept, as written before the hooks:" in result.output
        assert kept.name in result.output


class TestInspect:
    @pytest.fixture
    def branched(self, project: Project) -> tuple[Project, dict[str, str]]:
        revs = {"a": project.new("first")}
        revs["b"] = project.new("second")
        revs["c"] = project.new(
            "feature", "--head", revs["a"], "--splice", "--branch-label", "feat"
        )
        return project, revs

    def test_heads_plain_verbose_json(self, branched: tuple[Project, dict[str, str]]) -> None:
        project, revs = branched
        out = project.run("heads").output.splitlines()
        assert sorted(out) == sorted([f"{revs['b']} (head)", f"{revs['c']} (feat) (head)"])
        verbose = project.run("heads", "-v").output
        assert f"Rev: {revs['c']} (feat) (head)" in verbose and f"Parent: {revs['a']}" in verbose
        data = json.loads(project.run("heads", "--json").output)
        assert {d["revision"] for d in data} == {revs["b"], revs["c"]}
        assert all(d["is_head"] for d in data)

    def test_branches(self, branched: tuple[Project, dict[str, str]]) -> None:
        project, revs = branched
        out = project.run("branches").output
        assert f"<base> -> {revs['a']} (branchpoint), first" in out
        assert f"-> {revs['a']} -> {revs['c']} (feat) (head), feature" in out

    def test_history_and_range(self, branched: tuple[Project, dict[str, str]]) -> None:
        project, revs = branched
        lines = project.run("history").output.splitlines()
        assert lines[-1] == f"<base> -> {revs['a']} (branchpoint), first"
        assert len(lines) == 3
        ranged = project.run("history", "-r", f"{revs['a']}:{revs['b']}").output.splitlines()
        assert [line.split(" -> ")[1].split()[0] for line in ranged] == [revs["b"], revs["a"]]
        data = json.loads(project.run("history", "--json").output)
        assert len(data) == 3
        assert "START:END" in project.run("history", "-r", "abc", expect=2).output

    def test_a_range_upside_down_is_an_error_not_empty(
        self, branched: tuple[Project, dict[str, str]]
    ) -> None:
        project, revs = branched
        out = project.run("history", "-r", f"{revs['b']}:{revs['a']}", expect=1).output
        assert f"Range '{revs['b']}:{revs['a']}' names no revision" in out
        assert f"(e.g. {revs['a']}:{revs['b']})" in out
        assert (
            "names no revision"
            in project.run("history", "-r", f"{revs['b']}:base", expect=1).output
        )
        # the two branches: neither is below the other
        assert (
            "names no revision"
            in project.run(
                "lint", "--dialect", "sqlite", f"{revs['c']}:{revs['b']}", expect=1
            ).output
        )
        one = project.run("history", "-r", f"{revs['b']}:{revs['b']}").output.splitlines()
        assert len(one) == 1

    def test_show(self, branched: tuple[Project, dict[str, str]]) -> None:
        project, revs = branched
        out = project.run("show", "feat@head").output
        assert f"Rev: {revs['c']}" in out and "feature" in out

    def test_check_heads_labelled_branch_is_fine(
        self, branched: tuple[Project, dict[str, str]]
    ) -> None:
        project, _ = branched
        assert "OK" in project.run("check-heads").output

    def test_merge_of_one_revision_named_twice(self, project: Project) -> None:
        root = project.new("root")
        one = project.new("one")
        project.new("two", "--head", root, "--splice")
        out = project.run("merge", one, one, "-m", "m", expect=1).output
        assert f"Nothing to merge: {one} {one} name a single revision ({one})" in out

    def test_check_heads_divergence(self, project: Project) -> None:
        root = project.new("root")
        one = project.new("one")
        two = project.new("two", "--head", root, "--splice")
        result = project.run("check-heads", expect=1)
        assert f"Divergent heads on one line of history: {min(one, two)}" in result.output
        assert f"common ancestor: {root}" in result.output
        assert f"{one} adds: {one}" in result.output
        assert "gitmig merge" in result.output and "rebase" in result.output
        data = json.loads(project.run("check-heads", "--json", expect=1).output)
        assert data["ok"] is False and set(data["divergences"][0]["heads"]) == {one, two}


class TestErrors:
    def test_missing_config(self, tmp_path: Path, run_cli: Callable[..., Result]) -> None:
        result = run_cli("-c", str(tmp_path / "nope.ini"), "heads")
        assert result.exit_code == 1
        assert "No config file" in result.output and "nope.ini" in result.output
        assert "Traceback" not in result.output

    def test_broken_config(self, tmp_path: Path, run_cli: Callable[..., Result]) -> None:
        ini = tmp_path / "gitmig.ini"
        ini.write_text("[gitmig\nscript_location = x\n")
        result = run_cli("-c", str(ini), "heads")
        assert result.exit_code == 1
        assert str(ini) in result.output and "cannot read config file" in result.output

    def test_config_without_section(self, tmp_path: Path, run_cli: Callable[..., Result]) -> None:
        ini = tmp_path / "gitmig.ini"
        ini.write_text("[other]\na = 1\n")
        result = run_cli("-c", str(ini), "heads")
        assert "no [gitmig] section" in result.output and result.exit_code == 1

    def test_missing_parent_names_the_file(self, project: Project) -> None:
        (project.versions / "orphan.py").write_text('revision = "o1"\ndown_revision = "gone"\n')
        result = project.run("heads", expect=1)
        assert "orphan.py: down_revision refers to gone" in result.output

    def test_duplicate_id_names_both_files(self, project: Project) -> None:
        for name in ("one.py", "two.py"):
            (project.versions / name).write_text('revision = "d1"\ndown_revision = None\n')
        result = project.run("history", expect=1)
        assert "Duplicate revision id d1" in result.output
        assert "one.py" in result.output and "two.py" in result.output

    def test_cycle(self, project: Project) -> None:
        (project.versions / "x.py").write_text('revision = "x1"\ndown_revision = "y1"\n')
        (project.versions / "y.py").write_text('revision = "y1"\ndown_revision = "x1"\n')
        assert "cycle" in project.run("heads", expect=1).output

    def test_non_literal_marker(self, project: Project) -> None:
        (project.versions / "dyn.py").write_text('revision = "z1"\ndown_revision = make()\n')
        assert (
            "dyn.py:2: 'down_revision' must be a literal" in project.run("heads", expect=1).output
        )

    def test_unknown_and_ambiguous_ids(self, project: Project) -> None:
        project.run("new", "-m", "a", "--rev-id", "aa1")
        project.run("new", "-m", "b", "--rev-id", "aa2")
        assert "No such revision or branch: 'zz'" in project.run("show", "zz", expect=1).output
        assert "matches: aa1, aa2" in project.run("show", "aa", expect=1).output

    def test_gitmig_config_env_var(
        self,
        project: Project,
        monkeypatch: pytest.MonkeyPatch,
        run_cli: Callable[..., Result],
        tmp_path_factory: pytest.TempPathFactory,
    ) -> None:
        project.new("one")
        monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
        monkeypatch.setenv("GITMIG_CONFIG", str(project.ini))
        result = run_cli("heads")
        assert result.exit_code == 0 and "(head)" in result.output

    def test_version_and_help(self, run_cli: Callable[..., Result]) -> None:
        assert "gitmig, version" in run_cli("--version").output
        for command in ("init", "new", "heads", "branches", "history", "show", "check-heads"):
            result = run_cli(command, "--help")
            assert result.exit_code == 0 and "Usage:" in result.output

    def test_unknown_command_is_a_usage_error(self, run_cli: Callable[..., Result]) -> None:
        assert run_cli("frobnicate").exit_code == 2

    def test_unexpected_errors_hide_the_traceback_unless_raiseerr(
        self, project: Project, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from gitmig import command

        def boom(*args: object, **kw: object) -> None:
            raise RuntimeError("kaboom")

        monkeypatch.setattr(command, "heads", boom)
        result = project.run("heads", expect=1)
        assert "unexpected RuntimeError: kaboom" in result.output and "--raiseerr" in result.output
        with pytest.raises(RuntimeError):
            project.run("--raiseerr", "heads", expect=None)


class TestConfigMessages:
    def test_missing_script_location_names_the_config_file(self, project: Project) -> None:
        text = project.ini.read_text().replace(
            "script_location = %(here)s/migrations", "script_location = %(here)s/nowhere"
        )
        project.ini.write_text(text)
        result = project.run("heads", expect=1)
        assert f"{project.ini}: script_location" in result.output
        assert "nowhere' does not exist" in result.output

    def test_unknown_timezone_names_the_config_file(self, project: Project) -> None:
        project.ini.write_text(
            project.ini.read_text().replace("[gitmig]\n", "[gitmig]\ntimezone = Mars/Olympus\n")
        )
        result = project.run("new", "-m", "x", expect=1)
        assert f"{project.ini}: unknown timezone 'Mars/Olympus'" in result.output

    def test_missing_parent_hints_at_a_git_merge(self, project: Project) -> None:
        (project.versions / "orphan.py").write_text('revision = "o1"\ndown_revision = "gone"\n')
        assert "merge that branch first" in project.run("heads", expect=1).output
