"""Fixtures for autogenerate: a migration project whose env.py takes its models from the test."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gitmig import command
from gitmig.config import Config

# env.py finds its models in config.attributes (Python API tests) or in models.py beside
# gitmig.ini (command-line tests); extra configure() options come from attributes too.
ENV_MODELS = """
import importlib.util
import pathlib

target_metadata = config.attributes.get("target_metadata")
_path = pathlib.Path(config.config_file_name).parent / "models.py"
if target_metadata is None and _path.exists():
    _spec = importlib.util.spec_from_file_location("gitmig_project_models", _path)
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    target_metadata = _module.metadata
"""


class Project:
    """A generic-template migration environment in a temp dir, on one database."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url
        self.ini = root / "gitmig.ini"
        bare = Config()
        bare.config_file_name = str(self.ini)
        command.init(bare, root / "migrations", sqlalchemy_url=url)
        self.versions = root / "migrations" / "versions"
        env_py = root / "migrations" / "env.py"
        text = env_py.read_text(encoding="utf-8")
        text = text.replace("target_metadata = None\n", ENV_MODELS)
        text = text.replace(
            "context.configure(connection=connection, target_metadata=target_metadata)",
            "context.configure(connection=connection, target_metadata=target_metadata, "
            '**config.attributes.get("configure_opts", {}))',
        )
        env_py.write_text(text, encoding="utf-8")

    def config(self, metadata: sa.MetaData | None = None, **configure_opts: object) -> Config:
        cfg = Config(str(self.ini))
        if metadata is not None:
            cfg.attributes["target_metadata"] = metadata
        cfg.attributes["configure_opts"] = configure_opts
        return cfg

    def autogenerate(
        self, metadata: sa.MetaData, message: str = "auto", **configure_opts: object
    ) -> Path:
        script = command.new(
            self.config(metadata, **configure_opts), message=message, autogenerate=True
        )
        assert script is not None and script.path is not None
        return Path(script.path)

    def upgrade(self, metadata: sa.MetaData | None = None, target: str = "head") -> None:
        command.upgrade(self.config(metadata), target)

    def downgrade(self, target: str) -> None:
        command.downgrade(self.config(), target)

    def tables(self, schema: str | None = None) -> set[str]:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return set(sa.inspect(conn).get_table_names(schema=schema))
        finally:
            engine.dispose()


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[str], Project]:
    """``make_project(url)``: a fresh migration environment in tmp_path."""

    def make(url: str) -> Project:
        return Project(tmp_path / "project", url)

    return make


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """An engine on the test's fresh database (each of the three servers in turn)."""
    eng = sa.create_engine(db_url)
    yield eng
    eng.dispose()


def ruff_check(path: Path, line_length: bool = False) -> subprocess.CompletedProcess[str]:
    """``ruff check`` as a user would run it: ruff's defaults (with ``line_length``, the line
    length rule too), from the project's folder (so that gitmig is a third-party import)."""
    ruff = shutil.which("ruff") or str(Path(__import__("sys").executable).parent / "ruff")
    extra = ["--extend-select", "E501"] if line_length else []
    return subprocess.run(
        [ruff, "check", "--isolated", *extra, "--no-cache", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=path.parent,
    )
