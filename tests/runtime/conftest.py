"""Fixtures for the runner's tests: a migration environment with hand-written revisions."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa

from gitmig import command
from gitmig.config import Config


class Project:
    """A migration environment in a temp dir, pointed at one database URL."""

    def __init__(self, root: Path, url: str, template: str = "generic") -> None:
        self.root = root
        self.url = url
        self.ini = root / "gitmig.ini"
        bare = Config()
        bare.config_file_name = str(self.ini)
        command.init(bare, root / "migrations", template=template, sqlalchemy_url=url)
        self.versions = root / "migrations" / "versions"
        env_py = root / "migrations" / "env.py"
        if template == "generic":
            # Let tests pass extra configure() options through config.attributes.
            text = (
                env_py.read_text(encoding="utf-8")
                .replace(
                    "context.configure(connection=connection, target_metadata=target_metadata)",
                    "context.configure(connection=connection, target_metadata=target_metadata, "
                    '**config.attributes.get("configure_opts", {}))',
                )
                .replace(
                    "literal_binds=True,",
                    'literal_binds=True, **config.attributes.get("configure_opts", {}),',
                )
            )
            env_py.write_text(text, encoding="utf-8")

    def config(self, **attributes: object) -> Config:
        cfg = Config(self.ini)
        cfg.attributes.update(attributes)
        return cfg

    def rev(
        self,
        rev: str,
        down: str | Sequence[str] | None,
        up: Sequence[str] = (),
        down_sql: Sequence[str] = (),
        labels: str | Sequence[str] | None = None,
        depends_on: str | Sequence[str] | None = None,
        message: str | None = None,
        up_body: str | None = None,
        down_body: str | None = None,
    ) -> Path:
        """Write revision ``rev``: op.execute() each statement of ``up`` / ``down_sql``."""

        def body(statements: Sequence[str], code: str | None) -> str:
            if code is not None:
                return textwrap.indent(textwrap.dedent(code).strip(), "    ")
            lines = [f"    op.execute({sql!r})" for sql in statements]
            return "\n".join(lines) or "    pass"

        down_value = tuple(down) if isinstance(down, (list, tuple)) else down
        path = self.versions / f"{rev}_step.py"
        path.write_text(
            f'"""{message or "step " + rev}"""\n\n'
            "import sqlalchemy as sa\n\n"
            "from gitmig import op\n\n"
            f"revision = {rev!r}\n"
            f"down_revision = {down_value!r}\n"
            f"branch_labels = {labels!r}\n"
            f"depends_on = {depends_on!r}\n\n\n"
            f"def upgrade():\n{body(up, up_body)}\n\n\n"
            f"def downgrade():\n{body(down_sql, down_body)}\n",
            encoding="utf-8",
        )
        return path

    def table_rev(self, rev: str, down: str | Sequence[str] | None, **kw: object) -> Path:
        """A revision that creates table t_<rev> (and drops it on downgrade)."""
        return self.rev(
            rev,
            down,
            up=[f"CREATE TABLE t_{rev} (id INTEGER PRIMARY KEY)"],
            down_sql=[f"DROP TABLE t_{rev}"],
            **kw,  # type: ignore[arg-type]
        )

    def rows(self, table: str = "gitmig_version") -> set[str]:
        """The version table's rows, read directly."""
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                if not sa.inspect(conn).has_table(table):
                    return set()
                return {r[0] for r in conn.execute(sa.text(f"SELECT version_num FROM {table}"))}
        finally:
            engine.dispose()

    def tables(self) -> set[str]:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return set(sa.inspect(conn).get_table_names())
        finally:
            engine.dispose()


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    """``make_project(url, template="generic")``: a fresh environment in tmp_path."""
    count = 0

    def make(url: str, template: str = "generic") -> Project:
        nonlocal count
        count += 1
        root = tmp_path / f"project{count}"
        root.mkdir()
        return Project(root, url, template)

    return make


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    """env.py's fileConfig() points handlers at CliRunner's streams; undo it after a test."""
    import logging

    loggers = [logging.getLogger(), logging.getLogger("gitmig"), logging.getLogger("sqlalchemy")]
    saved = [(lg, lg.level, list(lg.handlers), lg.propagate, lg.disabled) for lg in loggers]
    yield
    for lg, level, handlers, propagate, disabled in saved:
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.propagate = propagate
        lg.disabled = disabled
