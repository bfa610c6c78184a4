"""`gitmig adopt`: an Alembic project (config, env.py, revisions, a migrated database)
converted in place, on SQLite, PostgreSQL and MariaDB.

The project here is built by hand in Alembic's shape, so the default suite always covers
adoption; tests/runtime/test_adopt_real_alembic.py does the same with Alembic itself.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gitmig import command
from gitmig.cli import cli
from gitmig.config import Config
from gitmig.exc import CommandError, RevisionError

INI = """\
# An Alembic configuration, as `alembic init` lays it out.

[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
sqlalchemy.url = {url}

[post_write_hooks]

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %%(levelname)-5.5s [%%(name)s] %%(message)s
datefmt = %%H:%%M:%%S
"""

# env.py as an Alembic project has it: Alembic's context, its Config, the URL from the ini.
ENV_PY = """\
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
target_metadata = None


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"""

TEMPLATE = '''\
"""${message}

Revision ID: ${up_revision}
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''

REVISION = '''\
"""create {table}

Revision ID: {rev}
Revises: {down}
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "{rev}"
down_revision: Union[str, Sequence[str], None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("{table}")
'''

CHAIN = [("a1", None, "account"), ("a2", "a1", "invoice"), ("a3", "a2", "payment")]


def alembic_project(root: Path, url: str) -> Path:
    """An Alembic project in ``root``; returns its alembic.ini."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "alembic.ini").write_text(INI.format(url=url))
    (root / "migrations" / "env.py").write_text(ENV_PY)
    (root / "migrations" / "script.py.mako").write_text(TEMPLATE)
    for rev, down, table in CHAIN:
        (versions / f"{rev}_create_{table}.py").write_text(
            REVISION.format(rev=rev, down=down, table=table)
        )
    return root / "alembic.ini"


def migrate_like_alembic(url: str, upto: int) -> None:
    """The database Alembic leaves after upgrading through CHAIN[:upto]."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for _, _, table in CHAIN[:upto]:
            conn.execute(sa.text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)"))
        conn.execute(
            sa.text(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
        )
        if upto:
            conn.execute(sa.text(f"INSERT INTO alembic_version VALUES ('{CHAIN[upto - 1][0]}')"))
    engine.dispose()


def rows(url: str, table: str) -> set[str] | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(table):
                return None
            return {r[0] for r in conn.execute(sa.text(f"SELECT version_num FROM {table}"))}
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def _restore_logging():
    """env.py's fileConfig() replaces the logging set-up; undo it after a test."""
    import logging

    loggers = [logging.getLogger(), logging.getLogger("gitmig")]
    saved = [(lg, lg.level, list(lg.handlers), lg.disabled) for lg in loggers]
    yield
    for lg, level, handlers, disabled in saved:
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.disabled = disabled


def test_adopt_copies_the_version_rows_and_carries_on(db_url, tmp_path):
    ini = alembic_project(tmp_path, db_url)
    migrate_like_alembic(db_url, upto=2)

    result = command.adopt(Config(), ini, version_table="copy")

    gitmig_ini = tmp_path / "gitmig.ini"
    assert result.config_file == gitmig_ini and result.config_status == "written"
    text = gitmig_ini.read_text()
    assert "[gitmig]\nscript_location = %(here)s/migrations" in text
    assert "[alembic]" not in text and "qualname = gitmig" in text
    assert "keys = root,sqlalchemy,gitmig" in text and "[logger_gitmig]" in text
    assert "version_table" not in text
    assert ini.read_text() == INI.format(url=db_url)  # Alembic's own file is left alone
    env_py = (tmp_path / "migrations" / "env.py").read_text()
    assert "from gitmig import context" in env_py and "alembic" not in env_py
    for path in (tmp_path / "migrations" / "versions").glob("*.py"):
        assert "from gitmig import op" in path.read_text()
        assert "used by gitmig." in path.read_text()
    assert "from gitmig import op" in (tmp_path / "migrations" / "script.py.mako").read_text()
    assert sorted(c.path.name for c in result.changes) == [
        "a1_create_account.py",
        "a2_create_invoice.py",
        "a3_create_payment.py",
        "env.py",
        "gitmig.ini",
        "script.py.mako",
    ]

    assert result.version is not None
    assert result.version.rows == ("a2",) and result.version.copied == ("a2",)
    assert result.version.table == "gitmig_version"
    assert rows(db_url, "gitmig_version") == {"a2"}
    assert rows(db_url, "alembic_version") == {"a2"}  # left for Alembic

    cfg = Config(gitmig_ini)
    assert command.current(cfg).rows == ("a2",)
    command.upgrade(cfg)
    assert rows(db_url, "gitmig_version") == {"a3"}
    assert "payment" in tables(db_url)
    # A new revision is written from the rewritten template.
    script = command.new(cfg, message="next")
    assert script is not None and script.path is not None
    assert "from gitmig import op" in Path(script.path).read_text()

    # Running adopt again changes nothing, and knows the rows were taken over.
    again = command.adopt(Config(), ini, version_table="copy")
    assert again.config_status == "exists" and again.changes == []
    assert again.version is not None and again.version.copied == ()
    assert rows(db_url, "gitmig_version") == {"a3"}


def test_adopt_keeps_the_alembic_table(db_url, tmp_path):
    ini = alembic_project(tmp_path, db_url)
    migrate_like_alembic(db_url, upto=1)

    result = command.adopt(Config(), ini, version_table="keep")

    assert "version_table = alembic_version" in (tmp_path / "gitmig.ini").read_text()
    assert result.version is not None
    assert result.version.mode == "keep" and result.version.copied == ()
    assert result.version.rows == ("a1",) and result.version.table == "alembic_version"
    assert rows(db_url, "gitmig_version") is None
    cfg = Config(tmp_path / "gitmig.ini")
    command.upgrade(cfg, "a2")
    assert rows(db_url, "alembic_version") == {"a2"}
    assert rows(db_url, "gitmig_version") is None


def test_adopt_dry_run_writes_nothing(sqlite_url, tmp_path):
    ini = alembic_project(tmp_path, sqlite_url)
    migrate_like_alembic(sqlite_url, upto=3)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    runner = CliRunner()
    result = runner.invoke(cli, ["adopt", str(ini), "--version-table", "copy", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert rows(sqlite_url, "gitmig_version") is None
    out = result.stdout
    assert "--- a/alembic.ini\n+++ b/gitmig.ini\n" in out
    assert "-[alembic]\n+[gitmig]\n" in out
    assert "--- a/migrations/env.py\n+++ b/migrations/env.py\n" in out
    assert "-from alembic import context\n+from gitmig import context\n" in out
    assert "--- a/migrations/versions/a2_create_invoice.py" in out
    assert "Would write" in out and "Would rewrite the alembic imports of 5 file(s)" in out
    assert "Dry run: nothing was written" in out


def test_adopt_from_the_current_directory_through_the_cli(sqlite_url, tmp_path, monkeypatch):
    alembic_project(tmp_path, sqlite_url)
    migrate_like_alembic(sqlite_url, upto=3)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["adopt", "--version-table", "copy"])
    assert result.exit_code == 0, result.output
    assert "copied alembic_version's a3 into gitmig_version" in result.stdout
    assert rows(sqlite_url, "gitmig_version") == {"a3"}


def test_adopt_needs_an_explicit_choice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["adopt"])
    assert result.exit_code == 2
    assert "--version-table" in result.output


def test_adopt_without_alembic_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["adopt", "--version-table", "copy"])
    assert result.exit_code == 1
    assert "No Alembic configuration here" in result.output
    assert "Traceback" not in result.output


def test_adopt_refuses_an_unknown_alembic_row(sqlite_url, tmp_path):
    ini = alembic_project(tmp_path, sqlite_url)
    migrate_like_alembic(sqlite_url, upto=0)
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('ffff')"))
    engine.dispose()
    with pytest.raises(RevisionError, match=r"alembic_version lists revision ffff"):
        command.adopt(Config(), ini, version_table="copy")
    assert not rows(sqlite_url, "gitmig_version")


def test_adopt_refuses_rows_that_disagree(sqlite_url, tmp_path):
    ini = alembic_project(tmp_path, sqlite_url)
    migrate_like_alembic(sqlite_url, upto=3)
    command.adopt(Config(), ini, version_table="copy", database=False)
    command.stamp(Config(tmp_path / "gitmig.ini"), "a1")
    with pytest.raises(CommandError, match=r"gitmig_version already holds a1, which is not"):
        command.adopt(Config(), ini, version_table="copy")
    assert rows(sqlite_url, "gitmig_version") == {"a1"}


def test_adopt_a_never_migrated_database(sqlite_url, tmp_path):
    ini = alembic_project(tmp_path, sqlite_url)
    result = command.adopt(Config(), ini, version_table="copy")
    assert result.version is not None and result.version.rows == ()
    command.upgrade(Config(tmp_path / "gitmig.ini"))
    assert rows(sqlite_url, "gitmig_version") == {"a3"}


def test_adopt_pyproject_only(sqlite_url, tmp_path):
    ini = alembic_project(tmp_path, sqlite_url)
    ini.unlink()
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "app"

            [tool.alembic]
            script_location = "%(here)s/migrations"
            prepend_sys_path = ["."]
            "sqlalchemy.url" = "{sqlite_url}"

            [[tool.alembic.post_write_hooks]]
            name = "fmt"
            type = "exec"
            executable = "true"

            [tool.other]
            x = 1
            """
        )
    )
    # No [loggers] any more: env.py's fileConfig would fail on a TOML file.
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text(env_py.read_text().replace("    fileConfig(", "    pass  # fileConfig("))
    result = command.adopt(Config(), pyproject, version_table="keep")
    text = pyproject.read_text()
    assert text.startswith('[project]\nname = "app"')
    assert "[tool.other]\nx = 1\n" in text
    assert '[tool.gitmig]\nversion_table = "alembic_version"\nscript_location' in text
    assert "[[tool.gitmig.post_write_hooks]]" in text
    cfg = Config(pyproject)
    assert cfg.get_main_option("version_table") == "alembic_version"
    assert cfg.get_section("post_write_hooks")["hooks"] == "fmt"
    assert result.version is not None and result.version.table == "alembic_version"
    command.upgrade(cfg)
    assert rows(sqlite_url, "alembic_version") == {"a3"}


def test_adopt_pyproject_with_alembic_ini(sqlite_url, tmp_path):
    """Alembic's pyproject template: options in [tool.alembic], URL and logging in the ini."""
    ini = alembic_project(tmp_path, sqlite_url)
    ini.write_text(
        ini.read_text().replace(
            "script_location = %(here)s/migrations\nprepend_sys_path = .\npath_separator = os\n",
            "",
        )
    )
    (tmp_path / "my versions").mkdir()
    for path in (tmp_path / "migrations" / "versions").glob("*.py"):
        path.rename(tmp_path / "my versions" / path.name)
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.alembic]
            script_location = "%(here)s/migrations"
            version_locations = ["%(here)s/my versions"]
            prepend_sys_path = ["."]
            """
        )
    )
    result = command.adopt(Config(), ini, version_table="copy")
    text = (tmp_path / "gitmig.ini").read_text()
    assert "[gitmig]\npath_separator = newline\nscript_location = %(here)s/migrations\n" in text
    assert "version_locations = \n    %(here)s/my versions\n" in text
    assert sorted(c.path.name for c in result.changes)[0] == "a1_create_account.py"
    cfg = Config(tmp_path / "gitmig.ini")
    command.upgrade(cfg)
    assert rows(sqlite_url, "gitmig_version") == {"a3"}


def test_adopt_keeps_a_table_env_py_names(sqlite_url, tmp_path):
    ini = alembic_project(tmp_path, sqlite_url)
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "target_metadata=target_metadata)",
            'target_metadata=target_metadata, version_table="app_versions")',
        )
    )
    migrate_like_alembic(sqlite_url, upto=2)
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE alembic_version RENAME TO app_versions"))
    engine.dispose()

    result = command.adopt(Config(), ini, version_table="copy")

    assert result.version is not None
    assert (result.version.source, result.version.table) == ("app_versions", "app_versions")
    assert result.version.rows == ("a2",) and result.version.copied == ()
    assert rows(sqlite_url, "gitmig_version") is None
    kept = command.adopt(Config(), ini, version_table="keep")
    assert kept.version is not None and kept.version.table == "app_versions"
    command.upgrade(Config(tmp_path / "gitmig.ini"))
    assert rows(sqlite_url, "app_versions") == {"a3"}


def test_adopt_keep_needs_the_config_to_say_so(sqlite_url, tmp_path):
    ini = alembic_project(tmp_path, sqlite_url)
    migrate_like_alembic(sqlite_url, upto=2)
    command.adopt(Config(), ini, version_table="copy", database=False)  # gitmig.ini written
    with pytest.raises(CommandError, match=r"gitmig.ini: gitmig uses the version table gitmig_"):
        command.adopt(Config(), ini, version_table="keep")
    assert rows(sqlite_url, "gitmig_version") in (None, set())
