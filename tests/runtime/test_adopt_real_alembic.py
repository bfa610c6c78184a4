"""`gitmig adopt` on databases that Alembic itself migrated (SQLite, PostgreSQL, MariaDB).

Runs only when ``GITMIG_ALEMBIC_PYTHON`` names a Python with Alembic installed (and the
database drivers, psycopg and pymysql, for the server databases): Alembic lays the project
out and migrates the database; gitmig adopts it and carries on.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from gitmig import command
from gitmig.config import Config
from tests.runtime.test_adopt import rows, tables

ALEMBIC_PYTHON = os.environ.get("GITMIG_ALEMBIC_PYTHON")

pytestmark = pytest.mark.skipif(
    not ALEMBIC_PYTHON, reason="set GITMIG_ALEMBIC_PYTHON to a Python with alembic installed"
)

_DRIVERS = {"postgresql": "psycopg", "mysql": "pymysql"}


def _alembic(root: Path, *args: str) -> str:
    assert ALEMBIC_PYTHON is not None
    done = subprocess.run(
        [ALEMBIC_PYTHON, "-m", "alembic", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _alembic_migrated(root: Path, url: str, template: str = "generic") -> None:
    """`alembic init`, three revisions creating a table each, `alembic upgrade` to the 2nd."""
    driver = _DRIVERS.get(url.partition("+")[0])
    if driver:
        found = subprocess.run([ALEMBIC_PYTHON or "", "-c", f"import {driver}"], check=False)
        if found.returncode:
            pytest.skip(f"{ALEMBIC_PYTHON} has no {driver}")
    if template == "pyproject":
        (root / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n')
    _alembic(root, "init", "-t", template, "migrations")
    ini = root / "alembic.ini"
    ini.write_text(
        re.sub(r"^sqlalchemy\.url = .*$", f"sqlalchemy.url = {url}", ini.read_text(), flags=re.M)
    )
    down = None
    for rev, table in (("r1", "account"), ("r2", "invoice"), ("r3", "payment")):
        _alembic(root, "revision", "-m", f"create {table}", "--rev-id", rev)
        path = next((root / "migrations" / "versions").glob(f"{rev}_*.py"))
        text = path.read_text()
        text = text.replace(
            "def upgrade() -> None:\n",
            "def upgrade() -> None:\n"
            f"    op.create_table({table!r}, sa.Column('id', sa.Integer, primary_key=True))\n",
        ).replace(
            "def downgrade() -> None:\n",
            f"def downgrade() -> None:\n    op.drop_table({table!r})\n",
        )
        path.write_text(text)
        down = rev
    assert down == "r3"
    _alembic(root, "upgrade", "r2")
    assert _alembic(root, "current").split()[0] == "r2"


@pytest.mark.parametrize("mode", ["copy", "keep"])
def test_adopt_a_database_alembic_migrated(db_url, tmp_path, mode):
    _alembic_migrated(tmp_path, db_url)
    assert rows(db_url, "alembic_version") == {"r2"}

    result = command.adopt(Config(), tmp_path / "alembic.ini", version_table=mode)

    assert result.version is not None and result.version.rows == ("r2",)
    cfg = Config(tmp_path / "gitmig.ini")
    assert command.current(cfg).rows == ("r2",)
    command.upgrade(cfg)
    assert {"account", "invoice", "payment"} <= tables(db_url)
    table = "alembic_version" if mode == "keep" else "gitmig_version"
    assert rows(db_url, table) == {"r3"}
    if mode == "copy":
        assert rows(db_url, "alembic_version") == {"r2"}
    else:
        assert rows(db_url, "gitmig_version") is None
    command.downgrade(cfg, "base")
    assert not {"account", "invoice", "payment"} & tables(db_url)


def test_adopt_alembic_pyproject_template(sqlite_url, tmp_path):
    """Alembic's pyproject template: [tool.alembic] plus an alembic.ini for URL and logging."""
    _alembic_migrated(tmp_path, sqlite_url, template="pyproject")
    result = command.adopt(Config(), version_table="copy", source=tmp_path / "alembic.ini")
    assert result.version is not None and result.version.copied == ("r2",)
    cfg = Config(tmp_path / "gitmig.ini")
    command.upgrade(cfg)
    assert rows(sqlite_url, "gitmig_version") == {"r3"}
    assert "payment" in tables(sqlite_url)


def test_unconverted_files_with_alembic_installed(sqlite_url, tmp_path):
    """Alembic's own proxies fail (NameError in a revision, AttributeError in env.py):
    gitmig names the file and the fix. Alembic is put on the path alone (a folder holding
    only its package), so that gitmig keeps its own SQLAlchemy."""
    import subprocess
    import sys

    _alembic_migrated(tmp_path, sqlite_url)
    where = subprocess.run(
        [
            ALEMBIC_PYTHON or "",
            "-c",
            "import alembic, os; print(os.path.dirname(alembic.__file__))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    only = tmp_path / "only-alembic"
    only.mkdir()
    (only / "alembic").symlink_to(where)
    (tmp_path / "gitmig.ini").write_text(
        (tmp_path / "alembic.ini").read_text().replace("[alembic]", "[gitmig]", 1)
    )
    env = {**os.environ, "PYTHONPATH": str(only)}

    def upgrade() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "gitmig", "-c", str(tmp_path / "gitmig.ini"), "-q", "upgrade"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 1
        return done.stderr

    env_py = tmp_path / "migrations" / "env.py"
    assert f"{env_py}: imports from alembic; change" in upgrade()
    env_py.write_text(env_py.read_text().replace("from alembic import", "from gitmig import"))
    # gitmig_version is empty, so the run starts at r1 (and fails before any SQL).
    revision = next((tmp_path / "migrations" / "versions").glob("r1_*.py"))
    assert f"{revision}: imports from alembic; change" in upgrade()
