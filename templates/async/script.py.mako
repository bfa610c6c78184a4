<%!
import re

%><%
    # Import only what the generated bodies use (so they pass ruff as written); a
    # hand-written revision starts with both imports.
    body = (upgrades or "") + (downgrades or "")
    hand_written = not body.strip()
%>"""${message}

Revision ID: ${up_revision}
Revises:${" " + revises if revises else ""}
Create Date: ${create_date}

"""

% if hand_written or re.search(r"\bsa\.", body):
import sqlalchemy as sa
% endif
% if hand_written or re.search(r"\bop\.", body):
from gitmig import op
% endif
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
