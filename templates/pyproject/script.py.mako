"""${message}

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
