"""Generate one synthetic migration history, twice: as a gitmig and as an Alembic environment.

The history has N revisions and a realistic shape: mostly linear, with a fork every so
often whose two short branches are joined again by a merge revision, and a single head at
the end.  It is a pure function of (N, seed), so gitmig and Alembic always see the same
graph.  Every revision does a little real work on a table of its own (create it, add a
column; drop it on downgrade), so ``upgrade head --sql`` and a real ``upgrade head`` on
SQLite have something to do.

Layout written under OUT::

    OUT/manifest.json                      N, seed, head, counts, generator version
    OUT/gitmig/gitmig.ini                  [gitmig] section, SQLite at OUT/gitmig/bench.db
    OUT/gitmig/migrations/{env.py,script.py.mako,versions/*.py}
    OUT/alembic/alembic.ini                [alembic] section, SQLite at OUT/alembic/bench.db
    OUT/alembic/migrations/{env.py,script.py.mako,versions/*.py}

With ``--ops sql`` the revisions run the same statements through ``op.execute("...")``
instead (for a gitmig tree whose ``op.create_table`` does not exist yet).

Usage: ``python benchmarks/generate.py OUT -n 1000 [--seed 1] [--ops ddl|sql]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "GENERATOR_VERSION",
    "OPS_STYLES",
    "Manifest",
    "Rev",
    "build_history",
    "ensure_history",
    "generate",
    "main",
]

# Bump when the output changes, so cached histories are rebuilt.
GENERATOR_VERSION = 2
# What a revision's upgrade()/downgrade() do: op.create_table etc., or op.execute("...").
OPS_STYLES = ("ddl", "sql")

# Roughly one fork in this many revisions (when there is room left for one).
FORK_EVERY = 15
# Each side of a fork is 1..MAX_BRANCH_LENGTH revisions long before the merge.
MAX_BRANCH_LENGTH = 4

_EPOCH = datetime.datetime(2024, 1, 1, 9, 0, 0)


@dataclass(frozen=True)
class Rev:
    """One generated revision: its id, its parents, and the table it owns."""

    index: int
    revision: str
    parents: tuple[str, ...]

    @property
    def table(self) -> str:
        return f"t{self.index:05d}"

    @property
    def message(self) -> str:
        if len(self.parents) > 1:
            return f"merge branches and create table {self.table}"
        return f"create table {self.table}"

    @property
    def slug(self) -> str:
        return self.message.replace(" ", "_")

    @property
    def create_date(self) -> str:
        return str(_EPOCH + datetime.timedelta(hours=self.index))


@dataclass(frozen=True)
class Manifest:
    """What a generated history holds (written as manifest.json beside the environments)."""

    n: int
    seed: int
    ops: str
    head: str
    merges: int
    generator_version: int = GENERATOR_VERSION

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2) + "\n"


def build_history(n: int, seed: int) -> list[Rev]:
    """N revisions in creation order (parents first), ending in exactly one head."""
    if n < 1:
        raise ValueError("a history needs at least one revision")
    rng = random.Random(seed)
    seen: set[str] = set()
    revs: list[Rev] = []

    def add(parents: tuple[str, ...]) -> str:
        while True:
            rev_id = f"{rng.getrandbits(48):012x}"
            if rev_id not in seen:
                break
        seen.add(rev_id)
        revs.append(Rev(len(revs), rev_id, parents))
        return rev_id

    head = add(())
    while len(revs) < n:
        remaining = n - len(revs)
        # A fork needs at least one revision per side plus the merge.
        if remaining >= 3 and rng.randrange(FORK_EVERY) == 0:
            left = rng.randint(1, MAX_BRANCH_LENGTH)
            right = rng.randint(1, MAX_BRANCH_LENGTH)
            while left + right + 1 > remaining:
                if left >= right:
                    left -= 1
                else:
                    right -= 1
            tips = []
            for length in (left, right):
                tip = head
                for _ in range(length):
                    tip = add((tip,))
                tips.append(tip)
            head = add(tuple(tips))
        else:
            head = add((head,))
    return revs


# -- file contents ---------------------------------------------------------------------------


def _gitmig_literal(value: str | tuple[str, ...] | None) -> str:
    """Markers as gitmig's script template writes them: double-quoted strings."""
    if value is None:
        return "None"
    if isinstance(value, str):
        return f'"{value}"'
    return "(" + ", ".join(f'"{v}"' for v in value) + ")"


def _down_revision(rev: Rev) -> str | tuple[str, ...] | None:
    if not rev.parents:
        return None
    if len(rev.parents) == 1:
        return rev.parents[0]
    return rev.parents


def _body(rev: Rev, ops: str) -> str:
    if ops == "sql":
        return f"""

def upgrade() -> None:
    op.execute(
        "CREATE TABLE {rev.table} ("
        "id INTEGER NOT NULL, name VARCHAR(50) NOT NULL, PRIMARY KEY (id))"
    )
    op.execute("ALTER TABLE {rev.table} ADD COLUMN note TEXT")


def downgrade() -> None:
    op.execute("DROP TABLE {rev.table}")
"""
    return f'''

def upgrade() -> None:
    op.create_table(
        "{rev.table}",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    op.add_column("{rev.table}", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_table("{rev.table}")
'''


def _header(rev: Rev) -> str:
    revises = ", ".join(rev.parents)
    return f'''"""{rev.message}

Revision ID: {rev.revision}
Revises: {revises}
Create Date: {rev.create_date}

"""
'''


def gitmig_script(rev: Rev, ops: str = "ddl") -> str:
    """A revision file shaped like gitmig's generic ``script.py.mako`` output."""
    down = _gitmig_literal(_down_revision(rev))
    return (
        _header(rev)
        + f"""
import sqlalchemy as sa

from gitmig import op

# revision identifiers, used by gitmig.
revision = "{rev.revision}"
down_revision = {down}
branch_labels = None
depends_on = None
"""
        + _body(rev, ops)
    )


def alembic_script(rev: Rev, ops: str = "ddl") -> str:
    """A revision file shaped like Alembic's generic ``script.py.mako`` output."""
    return (
        _header(rev)
        + f"""from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = {rev.revision!r}
down_revision: Union[str, Sequence[str], None] = {_down_revision(rev)!r}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None
"""
        + _body(rev, ops)
    )


# One env.py for both tools (only the import differs), shaped like their generic templates.
_ENV_PY = '''"""Benchmark environment: SQLite from sqlalchemy.url; offline mode writes SQL."""

from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from {tool} import context

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {{}}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

_INI = """[{section}]
script_location = %(here)s/migrations
{extra}prepend_sys_path = .
sqlalchemy.url = sqlite:///%(here)s/bench.db

[loggers]
keys = root,sqlalchemy,{tool}

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

[logger_{tool}]
level = INFO
handlers =
qualname = {tool}

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

_GITMIG_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${revises}
Create Date: ${create_date}

"""

import sqlalchemy as sa

from gitmig import op
${imports if imports else ""}
# revision identifiers, used by gitmig.
revision = ${lit(up_revision)}
down_revision = ${lit(down_revision)}
branch_labels = ${lit(branch_labels)}
depends_on = ${lit(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''

_ALEMBIC_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    """Upgrade schema."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Downgrade schema."""
    ${downgrades if downgrades else "pass"}
'''


def _write_env(root: Path, tool: str, revs: Sequence[Rev], ops: str) -> None:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    if tool == "gitmig":
        ini, mako, render, extra = "gitmig.ini", _GITMIG_MAKO, gitmig_script, ""
    else:
        # path_separator: Alembic >= 1.16 warns when it is missing.
        ini, mako, render, extra = (
            "alembic.ini",
            _ALEMBIC_MAKO,
            alembic_script,
            "path_separator = os\n",
        )
    (root / ini).write_text(_INI.format(section=tool, tool=tool, extra=extra))
    (root / "migrations" / "env.py").write_text(_ENV_PY.format(tool=tool))
    (root / "migrations" / "script.py.mako").write_text(mako)
    for rev in revs:
        (versions / f"{rev.revision}_{rev.slug}.py").write_text(render(rev, ops))


def generate(out: Path, n: int, seed: int, ops: str = "ddl") -> Manifest:
    """Write both environments and manifest.json under ``out`` (replacing what was there).

    ``ops`` is what each revision does: ``ddl`` (``op.create_table``/``op.add_column``, the
    realistic case) or ``sql`` (the same statements as ``op.execute`` strings, for a runner
    whose op API is not complete yet).
    """
    if ops not in OPS_STYLES:
        raise ValueError(f"ops must be one of {OPS_STYLES}, not {ops!r}")
    revs = build_history(n, seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    _write_env(out / "gitmig", "gitmig", revs, ops)
    _write_env(out / "alembic", "alembic", revs, ops)
    manifest = Manifest(
        n=n,
        seed=seed,
        ops=ops,
        head=revs[-1].revision,
        merges=sum(1 for rev in revs if len(rev.parents) > 1),
    )
    # Written last: its presence marks a complete history.
    (out / "manifest.json").write_text(manifest.to_json())
    return manifest


def ensure_history(out: Path, n: int, seed: int, ops: str = "ddl") -> Manifest:
    """The history at ``out``, generated only if missing, partial or from another version."""
    try:
        data = json.loads((out / "manifest.json").read_text())
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError):
        return generate(out, n, seed, ops)
    wanted = (n, seed, ops, GENERATOR_VERSION)
    if (manifest.n, manifest.seed, manifest.ops, manifest.generator_version) != wanted:
        return generate(out, n, seed, ops)
    return manifest


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder (replaced)")
    parser.add_argument("-n", type=int, default=1000, help="number of revisions (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--ops", choices=OPS_STYLES, default="ddl", help="what each revision does (default ddl)"
    )
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.n, args.seed, args.ops)
    print(
        f"{args.out}: {manifest.n} revisions, {manifest.merges} merges, head {manifest.head}",
    )


if __name__ == "__main__":
    main()
