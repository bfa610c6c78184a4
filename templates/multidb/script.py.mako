<%!
import re

%>"""${message}

Revision ID: ${up_revision}
Revises:${" " + revises if revises else ""}
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


def upgrade(engine_name: str) -> None:
    globals()[f"upgrade_{engine_name}"]()


def downgrade(engine_name: str) -> None:
    globals()[f"downgrade_{engine_name}"]()

<%
    db_names = config.get_main_option("databases") or ""
%>
% for db_name in re.split(r',\s*', db_names):
% if db_name:


def upgrade_${db_name}() -> None:
    ${context.get(f"{db_name}_upgrades", "pass")}


def downgrade_${db_name}() -> None:
    ${context.get(f"{db_name}_downgrades", "pass")}
% endif
% endfor
