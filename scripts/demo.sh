#!/usr/bin/env bash
# `make demo`: gitmig's main job end to end on SQLite, in a throwaway git repository.
set -euo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/gitmig-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

export GIT_AUTHOR_NAME="gitmig demo" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="gitmig demo" GIT_COMMITTER_EMAIL="demo@example.com"
git init -q -b main .
printf "__pycache__/\n*.db\n" > .gitignore

step gitmig init migrations
sed -i.bak "s|^sqlalchemy.url = .*|sqlalchemy.url = sqlite:///$work/demo.db|" gitmig.ini && rm gitmig.ini.bak

step gitmig new -m "create accounts" --rev-id a1
cat > migrations/versions/a1_create_accounts.py <<'PY'
"""create accounts

Revision ID: a1
Revises:
Create Date: 2026-01-01 00:00:00

"""

import sqlalchemy as sa

from gitmig import op

revision = "a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("account")
PY
git add -A && git commit -qm "accounts"

step gitmig new -m "add email" --rev-id b2
step gitmig heads
step gitmig history
git add -A && git commit -qm "email"

if gitmig upgrade --help >/dev/null 2>&1; then
  step gitmig upgrade head
  step gitmig current
  step gitmig upgrade head --sql
fi

# Two branches each add a revision on the same parent.
git checkout -q -b feature
step gitmig new -m "feature table" --rev-id f3
git add -A && git commit -qm "feature revision"
git checkout -q main
step gitmig new -m "main table" --rev-id m3
git add -A && git commit -qm "main revision"
git checkout -q feature
if gitmig check-heads --help | grep -q -- "--against"; then
  echo "# before merging: does the feature branch diverge from main?"
  step gitmig check-heads --against main || echo "(exit $?: divergence found before the merge)"
fi
echo "# the hooks refuse a commit or a merge that leaves two heads"
step gitmig hook install
step git merge --no-edit main || echo "(exit $?: the pre-merge-commit hook refused; the merge is still in progress)"
step gitmig check-heads || echo "(exit $?: two heads in the merge being made)"
if gitmig merge --help >/dev/null 2>&1; then
  step gitmig merge -m "merge main into feature"
  step gitmig check-heads
  git add -A && step git commit -q --no-edit
  step gitmig history
  step gitmig upgrade head
  step gitmig current
fi
if gitmig graph --help >/dev/null 2>&1; then
  echo "# the graph: lanes in the terminal, Mermaid for a pull-request comment"
  step gitmig history --graph
  step gitmig graph --db --git
fi
if gitmig check --help >/dev/null 2>&1; then
  echo "# the models gain an invoice table: autogenerate writes the migration"
  cat > models.py <<'PY'
import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
)

invoice = sa.Table(
    "invoice",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.ForeignKey("account.id"), nullable=False),
    sa.Column("total", sa.Numeric(10, 2), nullable=False, comment="in cents"),
)
PY
  sed -i.bak 's/^target_metadata = None$/from models import metadata as target_metadata/' migrations/env.py
  rm migrations/env.py.bak
  step gitmig check || echo "(exit $?: the models and the migrations disagree)"
  step gitmig new --autogenerate -m "add invoices" --rev-id i4
  sed -n '/^def upgrade/,$p' migrations/versions/i4_add_invoices.py
  step gitmig upgrade head
  step gitmig check
fi
if gitmig lint --help >/dev/null 2>&1; then
  echo "# a revision drops a column: gitmig lint stops it (the running app still reads it)"
  step gitmig new -m "drop account name" --rev-id l5
  python3 - migrations/versions/l5_drop_account_name.py <<'PY'
import sys
from pathlib import Path

path = Path(sys.argv[1])
text = path.read_text()
upgrade = '    with op.batch_alter_table("account") as batch_op:\n        batch_op.drop_column("name")\n'
downgrade = (
    '    with op.batch_alter_table("account") as batch_op:\n'
    '        batch_op.add_column(sa.Column("name", sa.String(50), server_default=""))\n'
)
head, _, rest = text.partition("def upgrade() -> None:\n    pass\n")
rest = rest.replace("def downgrade() -> None:\n    pass\n", "def downgrade() -> None:\n" + downgrade)
path.write_text(head + "def upgrade() -> None:\n" + upgrade + rest)
PY
  step gitmig lint || echo "(exit $?: a lint error)"
  echo "# the column has been unused since v2.3: allow it, saying why"
  sed -i.bak 's/^        batch_op.drop_column("name")/        # gitmig: allow drop-column -- unused since v2.3 (the app reads full_name)\n&/' \
    migrations/versions/l5_drop_account_name.py
  rm migrations/versions/l5_drop_account_name.py.bak
  sed -n '/^def upgrade/,/^def downgrade/p' migrations/versions/l5_drop_account_name.py
  step gitmig lint
  step gitmig upgrade head
fi
if gitmig verify --help >/dev/null 2>&1; then
  echo "# the ledger: every step applied to this database, newest first"
  step gitmig log -n 4
  step gitmig verify
  echo "# someone edits a revision that has already run, and commits it"
  printf '\n# tidied up after it ran\n' >> migrations/versions/a1_create_accounts.py
  git commit -qam "tidy the accounts revision"
  step gitmig verify || echo "(exit $?: an applied revision was edited after it ran)"
  echo "# a reviewer decides the edit is harmless and records it"
  step gitmig verify --accept a1
  step gitmig new -m "add phone" --rev-id p5
  echo "# what would an upgrade run, from where the database stands? (changes nothing)"
  step gitmig -q upgrade --dry-run
fi
if python -c "import pytest, gitmig.testing.plugin" 2>/dev/null; then
  echo "# gitmig.testing: the migrations as pytest tests, each on a new SQLite file (docs/testing.md)"
  printf "[pytest]\ngitmig_tests = true\n" > pytest.ini
  step python -m pytest -q -p no:cacheprovider --no-header --show-capture=no -rN ||
    echo "(exit $?: l5's downgrade brings name back nullable, and models.py still has it)"
fi
if gitmig sync --help >/dev/null 2>&1; then
  echo "# a branch switch leaves revisions this branch lacks: gitmig sync brings the dev database along"
  git add -A && git commit -qm "phone"
  step gitmig -q upgrade head
  git checkout -q -b experiment
  step gitmig new -m "experiment table" --rev-id x6
  python3 - migrations/versions/x6_experiment_table.py <<'PY'
import sys
from pathlib import Path

path = Path(sys.argv[1])
text = path.read_text()
text = text.replace(
    "def upgrade() -> None:\n    pass\n",
    'def upgrade() -> None:\n    op.create_table("experiment", sa.Column("id", sa.Integer, primary_key=True))\n',
)
text = text.replace(
    "def downgrade() -> None:\n    pass\n", 'def downgrade() -> None:\n    op.drop_table("experiment")\n'
)
path.write_text(text)
PY
  git add -A && git commit -qm "experiment"
  step gitmig -q upgrade head
  step git checkout -q feature
  step gitmig -q sync --dry-run
  step gitmig -q sync
  step gitmig -q current
fi
echo
echo "Demo finished: everything above ran in $work (now removed)."
