"""Config files: gitmig.ini, [tool.gitmig] in pyproject.toml, sections, lookup order, errors."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

import pytest

from gitmig.config import Config, find_config_file
from gitmig.exc import ConfigError


def test_ini_main_options_and_here(tmp_path: Path) -> None:
    ini = tmp_path / "gitmig.ini"
    ini.write_text(
        "[gitmig]\nscript_location = %(here)s/migrations\nversion_locations = a, b %(here)s/c\n"
        "truncate_slug_length = 12\n[post_write_hooks]\nhooks = x\n"
    )
    config = Config(ini)
    assert config.get_main_option("script_location") == f"{tmp_path}/migrations"
    assert config.get_list_option("version_locations") == ["a", "b", f"{tmp_path}/c"]
    assert config.get_int_option("truncate_slug_length", 40) == 12
    assert config.get_section("post_write_hooks") == {"hooks": "x"}
    assert config.get_section_option("post_write_hooks", "hooks") == "x"
    with pytest.raises(ConfigError, match="no \\[nosuch\\] section"):
        config.get_section_option("nosuch", "x")


def test_named_section(tmp_path: Path) -> None:
    ini = tmp_path / "gitmig.ini"
    ini.write_text("[gitmig]\nscript_location = one\n[other]\nscript_location = two\n")
    assert Config(ini, ini_section="other").get_main_option("script_location") == "two"


def test_bad_integer_option(tmp_path: Path) -> None:
    ini = tmp_path / "gitmig.ini"
    ini.write_text("[gitmig]\ntruncate_slug_length = lots\n")
    with pytest.raises(ConfigError, match="'truncate_slug_length' must be a whole number"):
        Config(ini).get_int_option("truncate_slug_length", 40)


def test_broken_logging_section_does_not_break_the_main_section(tmp_path: Path) -> None:
    ini = tmp_path / "gitmig.ini"
    ini.write_text("[gitmig]\nscript_location = m\n[formatter_x]\nformat = %(bad\n")
    config = Config(ini)
    assert config.get_main_option("script_location") == "m"
    with pytest.raises(ConfigError, match=r"\[formatter_x\]"):
        config.get_section("formatter_x")


def test_pyproject_table(tmp_path: Path) -> None:
    toml = tmp_path / "pyproject.toml"
    toml.write_text(
        '[project]\nname = "x"\n\n[tool.gitmig]\nscript_location = "%(here)s/m"\n'
        'prepend_sys_path = [".", "src"]\n"sqlalchemy.url" = "sqlite://"\n\n'
        '[[tool.gitmig.post_write_hooks]]\nname = "ruff"\ntype = "exec"\nexecutable = "ruff"\n'
    )
    config = Config(toml)
    assert config.get_main_option("script_location") == f"{tmp_path}/m"
    assert config.get_list_option("prepend_sys_path") == [".", "src"]
    assert config.get_main_option("sqlalchemy.url") == "sqlite://"
    assert config.get_section("post_write_hooks") == {
        "hooks": "ruff",
        "ruff.type": "exec",
        "ruff.executable": "ruff",
    }


def test_pyproject_errors(tmp_path: Path) -> None:
    toml = tmp_path / "pyproject.toml"
    toml.write_text('[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"no \[tool.gitmig\] table"):
        Config(toml).get_main_option("script_location")
    toml.write_text("[tool.gitmig\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: cannot read config file"):
        Config(toml).get_main_option("script_location")


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_config_file(directory=tmp_path) == tmp_path / "gitmig.ini"
    (tmp_path / "pyproject.toml").write_text("[tool.gitmig]\nscript_location = 'm'\n")
    assert find_config_file(directory=tmp_path) == tmp_path / "pyproject.toml"
    (tmp_path / "gitmig.ini").write_text("[gitmig]\n")
    assert find_config_file(directory=tmp_path) == tmp_path / "gitmig.ini"
    monkeypatch.setenv("GITMIG_CONFIG", "/elsewhere.ini")
    assert find_config_file(directory=tmp_path) == Path("/elsewhere.ini")
    assert find_config_file("explicit.ini", directory=tmp_path) == Path("explicit.ini")


def test_programmatic_config_and_x_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    config = Config(cmd_opts=Namespace(x=["a=1"], quiet=False))
    config.set_main_option("script_location", "%(here)s/m")
    assert config.get_main_option("script_location", "").endswith("/m")
    assert config.x_arguments == ["a=1"]
    config.print_stdout("hello %s", "world")
    assert capsys.readouterr().out == "hello world\n"
    Config(cmd_opts=Namespace(x=[], quiet=True)).print_stdout("silent")
    assert capsys.readouterr().out == ""


def test_percent_in_ini_is_masked_and_explained(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from gitmig.cli import cli

    ini = tmp_path / "gitmig.ini"
    ini.write_text(
        "[gitmig]\nscript_location = migrations\n"
        "sqlalchemy.url = postgresql+psycopg://u:%21s3cret@host/db\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        Config(ini).get_main_option("sqlalchemy.url")  # read on first use, as in Alembic
    message = str(info.value)
    assert "s3cret" not in message
    assert f"{ini}: [gitmig] sqlalchemy.url: a literal '%' must be written '%%'" in message
    result = CliRunner().invoke(cli, ["-c", str(ini), "current"])
    assert result.exit_code == 1 and "s3cret" not in result.output
    assert "'%%'" in result.output


def test_url_encoded_password_written_with_double_percent(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    ini = tmp_path / "gitmig.ini"
    ini.write_text(
        "[gitmig]\nsqlalchemy.url = postgresql+psycopg://u:%%21s3cret@host/db\n",
        encoding="utf-8",
    )
    url = Config(ini).get_main_option("sqlalchemy.url")
    assert url == "postgresql+psycopg://u:%21s3cret@host/db"
    assert make_url(url).password == "!s3cret"


def test_built_before_its_file_exists(tmp_path: Path) -> None:
    # Alembic's way: make the Config, then write the file (init does), then read.
    ini = tmp_path / "gitmig.ini"
    config = Config(ini)
    ini.write_text("[gitmig]\nscript_location = %(here)s/migrations\n")
    assert config.get_main_option("script_location") == f"{tmp_path}/migrations"


def test_missing_file_is_an_error_when_first_read(tmp_path: Path) -> None:
    config = Config(tmp_path / "nowhere.ini")
    with pytest.raises(ConfigError, match=r"No config file .*nowhere\.ini"):
        config.get_main_option("script_location")


def test_alembic_positional_order_and_attributes(tmp_path: Path) -> None:
    ini = tmp_path / "alembic.ini"
    toml = tmp_path / "pyproject.toml"
    ini.write_text("[mine]\nsqlalchemy.url = sqlite:///%(db)s\n")
    toml.write_text('[tool.gitmig]\nscript_location = "migrations"\n')
    buffer, out = object(), object()
    opts = Namespace(x=["a=1"], quiet=True)
    config = Config(ini, toml, "mine", buffer, out, opts, {"db": "x.db"}, {"k": 1})  # type: ignore[arg-type]
    assert config.config_file_name == str(ini)
    assert config.toml_file_name == str(toml)
    assert config.config_ini_section == "mine"
    assert config.output_buffer is buffer
    assert config.stdout is out
    assert config.cmd_opts is opts
    assert config.attributes == {"k": 1}
    # ini values from [mine] with config_args interpolated, toml values beside them
    assert config.get_main_option("sqlalchemy.url") == "sqlite:///x.db"
    assert config.get_main_option("script_location") == "migrations"
    assert "db" not in config.get_section("mine")


def test_alembic_sections_are_read_when_there_is_no_gitmig_one(tmp_path: Path) -> None:
    ini = tmp_path / "alembic.ini"
    ini.write_text("[alembic]\nscript_location = migrations\n")
    config = Config(ini)
    assert config.get_main_option("script_location") == "migrations"
    assert config.config_ini_section == "alembic"
    toml = tmp_path / "pyproject.toml"
    toml.write_text('[tool.alembic]\nscript_location = "versions_here"\n')
    assert Config(toml).get_main_option("script_location") == "versions_here"
    # an explicit other section name gets no fallback
    with pytest.raises(ConfigError, match=r"no \[other\] section"):
        Config(ini, ini_section="other").get_main_option("script_location")


def test_set_main_option_before_the_file_is_read(tmp_path: Path) -> None:
    ini = tmp_path / "gitmig.ini"
    ini.write_text("[gitmig]\nscript_location = a\nsqlalchemy.url = sqlite://\n")
    config = Config(ini)
    config.set_main_option("script_location", "b")
    assert config.get_main_option("script_location") == "b"
    assert config.get_main_option("sqlalchemy.url") == "sqlite://"


def test_remove_main_option(tmp_path: Path) -> None:
    ini = tmp_path / "gitmig.ini"
    ini.write_text("[gitmig]\nscript_location = a\nsqlalchemy.url = sqlite://\n")
    config = Config(ini)
    config.remove_main_option("sqlalchemy.url")
    config.remove_main_option("not_there")
    assert config.get_main_option("sqlalchemy.url") is None
    assert config.get_main_option("script_location") == "a"


def test_toml_file_alone_when_the_ini_is_missing(tmp_path: Path) -> None:
    toml = tmp_path / "pyproject.toml"
    toml.write_text('[tool.gitmig]\nscript_location = "m"\n')
    config = Config(tmp_path / "alembic.ini", toml)
    assert config.get_main_option("script_location") == "m"


def test_init_with_alembic_style_config(tmp_path: Path) -> None:
    from gitmig import command
    from gitmig.util.templates import template_root

    class StrTemplates(Config):
        def get_template_directory(self) -> str:  # type: ignore[override]
            return str(template_root())  # Alembic's method returns a str

    config = StrTemplates(tmp_path / "alembic.ini", tmp_path / "pyproject.toml")
    assert "pyproject" in {t.name for t in command.list_templates(config)}
    command.init(config, tmp_path / "migrations", template="pyproject")
    assert "[tool.gitmig]" in (tmp_path / "pyproject.toml").read_text()
    assert not (tmp_path / "alembic.ini").exists()
    assert config.get_main_option("script_location") == f"{tmp_path}/migrations"


@pytest.mark.parametrize("name", ["gitmig.ini", "pyproject.toml"])
def test_unreadable_config_file_is_named_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Tests may run as root, where chmod 000 does not stop a read: fake the refusal.
    config_file = tmp_path / name
    config_file.write_text("[gitmig]\nscript_location = m\n")
    real_read_text = Path.read_text

    def refuse(self: Path, *args: object, **kwargs: object) -> str:
        if self == config_file:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", refuse)
    assert find_config_file(directory=tmp_path) == config_file
    with pytest.raises(ConfigError, match=f"{name}: cannot read config file: Permission denied"):
        Config(config_file).get_main_option("script_location")


def test_config_file_not_utf8(tmp_path: Path) -> None:
    ini = tmp_path / "gitmig.ini"
    ini.write_bytes(b"[gitmig]\nscript_location = \xff\n")
    with pytest.raises(ConfigError, match=r"gitmig\.ini: cannot read config file: 'utf-8' codec"):
        Config(ini).get_main_option("script_location")
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.gitmig]\nx = '\xff'\n")
    ini.unlink()
    assert find_config_file(directory=tmp_path) == tmp_path / "pyproject.toml"
