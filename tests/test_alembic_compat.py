"""An Alembic project's revision files run unchanged once their import line says gitmig.

The files below are written the way Alembic's templates write them, across its versions:
annotated markers, old ``u''`` strings, markers after the imports, no ``branch_labels``,
a merge tuple, ``depends_on`` lists, an ``__init__.py`` in the versions folder,
``op.get_context().autocommit_block()`` and ``op.get_bind()``.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from gitmig import command
from gitmig.config import Config

MODERN = '''"""create account table

Revision ID: 1975ea83b712
Revises:
Create Date: 2011-11-08 11:40:27.089406

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '1975ea83b712'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'account',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('name', sa.String(50), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('account')
'''

OLD_STYLE = '''"""add a column

Revision ID: 27c6a30d7c24
Revises: 1975ea83b712
Create Date: 2011-11-08 11:50:27.089406

"""

# revision identifiers, used by Alembic.
revision = u'27c6a30d7c24'
down_revision = u'1975ea83b712'

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.add_column('account', sa.Column('last_transaction_date', sa.DateTime))


def downgrade():
    op.drop_column('account', 'last_transaction_date')
'''

BRANCH = '''"""seed with get_bind

Revision ID: ae1027a6acf
Revises: 1975ea83b712
Create Date: 2011-11-08 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = 'ae1027a6acf'
down_revision = '1975ea83b712'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    conn.execute(sa.text("INSERT INTO account (id, name) VALUES (1, 'it''s me')"))


def downgrade():
    op.get_bind().execute(sa.text("DELETE FROM account"))
'''

MERGE = '''"""merge heads

Revision ID: 5f0d8e7c9a11
Revises: 27c6a30d7c24, ae1027a6acf
Create Date: 2011-11-08 13:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '5f0d8e7c9a11'
down_revision: Union[str, Sequence[str], None] = ('27c6a30d7c24', 'ae1027a6acf')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = ['1975ea83b712']


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index('ix_account_name', 'account', ['name'])


def downgrade() -> None:
    op.drop_index('ix_account_name', table_name='account')
'''


def alembic_project(tmp_path: Path, url: str) -> Config:
    bare = Config()
    bare.config_file_name = str(tmp_path / "gitmig.ini")
    command.init(bare, tmp_path / "migrations", sqlalchemy_url=url)
    versions = tmp_path / "migrations" / "versions"
    (versions / "__init__.py").write_text("")
    files = {
        "1975ea83b712_create_account_table.py": MODERN,
        "27c6a30d7c24_add_a_column.py": OLD_STYLE,
        "ae1027a6acf_seed.py": BRANCH,
        "5f0d8e7c9a11_merge_heads.py": MERGE,
    }
    for name, text in files.items():
        # the only edit a user makes: the import line
        (versions / name).write_text(
            text.replace("from alembic import op", "from gitmig import op")
        )
    return Config(tmp_path / "gitmig.ini")


def test_alembic_revision_files_run_unchanged(tmp_path: Path, db_url: str) -> None:
    config = alembic_project(tmp_path, db_url)
    assert [s.revision for s in command.heads(config)] == ["5f0d8e7c9a11"]
    command.upgrade(config, "head")
    engine = sa.create_engine(db_url)
    try:
        inspector = sa.inspect(engine)
        columns = {c["name"] for c in inspector.get_columns("account")}
        assert columns == {"id", "name", "last_transaction_date"}
        assert "ix_account_name" in {i["name"] for i in inspector.get_indexes("account")}
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT name FROM account")).scalar_one() == "it's me"
            rows = conn.execute(sa.text("SELECT version_num FROM gitmig_version")).scalars()
            assert list(rows) == ["5f0d8e7c9a11"]
        command.downgrade(config, "base")
        assert sorted(sa.inspect(engine).get_table_names()) == ["gitmig_ledger", "gitmig_version"]
    finally:
        engine.dispose()
