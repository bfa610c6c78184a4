"""Fleet targets: the targets file, a callable, and masked passwords."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from gitmig.cli import cli
from gitmig.config import Config
from gitmig.exc import ConfigError
from gitmig.fleet import Target, load_targets
from gitmig.fleet.targets import parse_targets


def test_targets_file_lines_comments_env_and_schemas() -> None:
    text = textwrap.dedent(
        """\
        # tenants
        a  sqlite:///a.db
        b  postgresql+psycopg://app:${PW}@db/main  tenant_b   # a schema per tenant

        c  mysql+pymysql://root@h/${DB}
        """
    )
    found = parse_targets(text, "t.txt", {"PW": "s3cret", "DB": "shard3"})
    assert found == [
        Target("a", "sqlite:///a.db"),
        Target("b", "postgresql+psycopg://app:s3cret@db/main", "tenant_b"),
        Target("c", "mysql+pymysql://root@h/shard3"),
    ]
    assert found[1].shown_url == "postgresql+psycopg://app:***@db/main"
    url = found[1].connect_url()
    assert "search_path%3Dtenant_b" in url or "search_path=tenant_b" in url
    assert "application_name" in url


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a sqlite:///${NOPE}.db\n", "t.txt:1: environment variable NOPE is not set"),
        ("a\n", "t.txt:1: expected NAME URL [SCHEMA], found 1 field(s)"),
        ("a sqlite:///a.db s x\n", "found 4 field(s)"),
        ("a sqlite:///a\na sqlite:///b\n", "t.txt: target a is listed twice"),
        ("a notaurl\n", "t.txt:1: target a: 'notaurl' is not a database URL"),
        ("a postgresql://h/d bad;name\n", "is not a plain schema name"),
    ],
)
def test_targets_file_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=".*".join(map(__import__("re").escape, [message]))):
        parse_targets(text, "t.txt", {})


def test_schema_target_needs_postgresql() -> None:
    with pytest.raises(ConfigError, match="target x: a schema target needs PostgreSQL"):
        Target("x", "sqlite:///x.db", "tenant").connect_url()


def test_targets_from_a_callable_named_in_the_config(tmp_path, monkeypatch) -> None:
    (tmp_path / "tenants_mod.py").write_text(
        "def list_targets():\n"
        "    return [('t1', 'sqlite:///t1.db', None), ('t2', 'postgresql://h/d', 'tenant2')]\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    config = Config()
    config.set_main_option("targets", "tenants_mod:list_targets")
    assert load_targets(config) == [
        Target("t1", "sqlite:///t1.db"),
        Target("t2", "postgresql://h/d", "tenant2"),
    ]
    config.set_main_option("targets", "tenants_mod:missing")
    with pytest.raises(ConfigError, match="targets tenants_mod:missing: failed: AttributeError"):
        load_targets(config)


def test_config_targets_file_is_relative_to_the_config(tmp_path) -> None:
    (tmp_path / "gitmig.ini").write_text(
        "[gitmig]\nscript_location = m\ntargets = fleet/targets.txt\n", encoding="utf-8"
    )
    (tmp_path / "fleet").mkdir()
    (tmp_path / "fleet" / "targets.txt").write_text("a sqlite:///a.db\n", encoding="utf-8")
    assert load_targets(Config(tmp_path / "gitmig.ini")) == [Target("a", "sqlite:///a.db")]


def test_no_targets_is_a_usage_error(tmp_path) -> None:
    from gitmig.exc import UsageError

    with pytest.raises(UsageError, match="pass --targets FILE"):
        load_targets(Config())


def test_passwords_are_never_printed_nor_written(make_fleet) -> None:
    url = "postgresql+psycopg://app:s3cret@127.0.0.1:1/nowhere?connect_timeout=2"
    fleet = make_fleet([("a", "sqlite:///unused.db", None), ("down", url, None)])
    (fleet.targets_file).write_text(f"down {url}\n", encoding="utf-8")
    ini = str(fleet.project.ini)
    runner = CliRunner()
    for args in (["status"], ["status", "--json"], ["upgrade"], ["upgrade", "--json"]):
        result = runner.invoke(
            cli, ["-c", ini, "fleet", *args, "--targets", str(fleet.targets_file)]
        )
        assert result.exit_code == 1, result.output
        assert "down" in result.output
        assert "s3cret" not in result.output
        assert "app:***@" in result.output
    state_files = list((fleet.project.root / ".gitmig" / "fleet").glob("*.json"))
    assert state_files
    for path in state_files:
        assert "s3cret" not in path.read_text(encoding="utf-8")


@pytest.mark.postgresql
def test_a_schema_pattern_stands_for_every_matching_schema(postgresql_url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(postgresql_url)
    with engine.begin() as conn:
        for schema in ("tenant_b", "tenant_a", "tenant_c", "other"):
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    found = parse_targets(f"tenants {postgresql_url} tenant_*\n", "t.txt")
    assert found == [
        Target(f"tenants.{schema}", postgresql_url, schema)
        for schema in ("tenant_a", "tenant_b", "tenant_c")
    ]
    with pytest.raises(ConfigError, match=r"t.txt:1: target x: no schema of .* matches 'nope_\*'"):
        parse_targets(f"x {postgresql_url} nope_*\n", "t.txt")


def test_a_schema_pattern_needs_postgresql() -> None:
    with pytest.raises(ConfigError, match=r"t.txt:1: target x: a schema pattern .* PostgreSQL"):
        parse_targets("x sqlite:///a.db tenant_*\n", "t.txt")
