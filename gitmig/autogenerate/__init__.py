"""Autogenerate: compare the models' MetaData with the database and write the migration.

See docs/autogenerate.md for what is detected, what is not, and the hooks.
"""

from __future__ import annotations

from gitmig.autogenerate.api import (
    RevisionContext,
    compare_metadata,
    produce_migrations,
    render_python_code,
)
from gitmig.autogenerate.api import _render_migration_diffs as _render_migration_diffs
from gitmig.autogenerate.compare import comparators
from gitmig.autogenerate.context import AutogenContext
from gitmig.autogenerate.render import render_op_text, renderers
from gitmig.autogenerate.rewriter import Rewriter

__all__ = [
    "AutogenContext",
    "RevisionContext",
    "Rewriter",
    "comparators",
    "compare_metadata",
    "produce_migrations",
    "render_op_text",
    "render_python_code",
    "renderers",
]
