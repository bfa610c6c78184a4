"""A small project like the one ``scripts/demo.sh`` builds (accounts, email, invoices, with
models), good or broken in one of the ways gitmig.testing must catch."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from gitmig import command
from gitmig.config import Config

REVISIONS = {
    "a1": (
        None,
        "create accounts",
        """
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    op.create_index("ix_account_name", "account", ["name"])
""",
        '    op.drop_index("ix_account_name", table_name="account")\n'
        '    op.drop_table("account")\n',
    ),
    "b2": (
        "a1",
        "add email",
        '    op.add_column("account", sa.Column("email", sa.String(200)))\n',
        '    op.drop_column("account", "email")\n',
    ),
    "c3": (
        "b2",
        "create invoices",
        """
    op.create_table(
        "invoice",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("total", sa.Numeric(10, 2), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="open"),
        sa.UniqueConstraint("number", name="uq_invoice_number"),
    )
""",
        '    op.drop_table("invoice")\n',
    ),
}

MODELS = '''"""The application's models: what the migrations must build."""

import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False, index=True),
    sa.Column("email", sa.String(200)),{extra}
)

invoice = sa.Table(
    "invoice",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
    sa.Column("number", sa.String(20), nullable=False),
    sa.Column("total", sa.Numeric(10, 2), nullable=False),
    sa.Column("status", sa.String(10), nullable=False, server_default="open"),
    sa.UniqueConstraint("number", name="uq_invoice_number"),
)
'''

#: the ways a project can be broken, each caught by one check
BROKEN = ("downgrade", "heads", "models", "lint")


def revision_source(
    rev: str, parent: str | tuple[str, ...] | None, message: str, up: str, down: str
) -> str:
    return (
        f'"""{message}\n\nRevision ID: {rev}\nRevises: {parent or ""}\n"""\n\n'
        "import sqlalchemy as sa\n\nfrom gitmig import op\n\n"
        f"revision = {rev!r}\ndown_revision = {parent!r}\n"
        "branch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade() -> None:\n{up.lstrip(chr(10))}\n\ndef downgrade() -> None:\n{down}"
    )


def write_project(root: Path, url: str, broken: Collection[str] = ()) -> Path:
    """Write the project into ``root`` (gitmig.ini, migrations/, models.py); return the ini.

    ``broken`` holds any of: ``downgrade`` (b2's downgrade forgets to drop its column),
    ``heads`` (h4, a second revision on b2), ``models`` (a model column no migration adds),
    ``lint`` (l5 drops a column); each breaks one check only.
    """
    assert set(broken) <= set(BROKEN), broken
    bare = Config()
    bare.config_file_name = str(root / "gitmig.ini")
    command.init(bare, root / "migrations", sqlalchemy_url=url)
    # Without the logging sections env.py leaves logging alone: pytester runs the user's
    # suite in this process, and a handler on its short-lived stderr would outlive it.
    ini = root / "gitmig.ini"
    ini.write_text(ini.read_text(encoding="utf-8").split("\n[loggers]")[0], encoding="utf-8")
    env_py = root / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text(encoding="utf-8").replace(
            "target_metadata = None\n", "from models import metadata as target_metadata\n"
        ),
        encoding="utf-8",
    )
    revisions = dict(REVISIONS)
    models = MODELS
    if "downgrade" in broken:
        parent, message, up, _ = revisions["b2"]
        revisions["b2"] = (parent, message, up, '    op.execute("SELECT 1")\n')
    if "heads" in broken:
        revisions["h4"] = (
            "b2",
            "add phone",
            '    op.add_column("account", sa.Column("phone", sa.String(30)))\n',
            '    op.drop_column("account", "phone")\n',
        )
        models = models.replace("{extra}", '\n    sa.Column("phone", sa.String(30)),{extra}')
    if "lint" in broken:
        revisions["l5"] = (
            "c3",
            "drop invoice status",
            '    op.drop_column("invoice", "status")\n',
            '    op.add_column("invoice", sa.Column("status", sa.String(10), nullable=False, '
            'server_default="open"))\n',
        )
        # the models follow the migration: only lint has something to say
        models = models.replace(
            '    sa.Column("status", sa.String(10), nullable=False, server_default="open"),\n', ""
        )
    extra = '\n    sa.Column("nickname", sa.String(30)),' if "models" in broken else ""
    versions = root / "migrations" / "versions"
    for rev, (parent, message, up, down) in revisions.items():
        slug = message.replace(" ", "_")
        (versions / f"{rev}_{slug}.py").write_text(
            revision_source(rev, parent, message, up, down), encoding="utf-8"
        )
    (root / "models.py").write_text(models.replace("{extra}", extra), encoding="utf-8")
    return ini
