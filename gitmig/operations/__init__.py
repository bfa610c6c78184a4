"""The operations of revision scripts (``from gitmig import op``) and their registries.

Importing this package registers the built-in op implementations (``toimpl``) and
PostgreSQL's ``create_exclude_constraint``.
"""

from __future__ import annotations

from gitmig.operations import postgresql as postgresql
from gitmig.operations import toimpl as toimpl
from gitmig.operations.base import (
    AbstractOperations,
    BatchOperations,
    Operations,
    inline_literal,
)
from gitmig.operations.ops import MigrateOperation

__all__ = [
    "AbstractOperations",
    "BatchOperations",
    "MigrateOperation",
    "Operations",
    "inline_literal",
]
