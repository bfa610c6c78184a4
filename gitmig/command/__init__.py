"""gitmig's Python API: one plain function per command (no click, no text output).

Functions take a :class:`~gitmig.config.Config` first, return values (small typed result
objects) and raise :class:`~gitmig.exc.GitmigError` subclasses for anything the user must
fix; :mod:`gitmig.display` turns results into text. As in Alembic::

    from gitmig import command
    from gitmig.config import Config

    command.upgrade(Config("gitmig.ini"), "head")

One module per area, imported when one of its names is first used, and heavy libraries
(SQLAlchemy, Mako, the git layer) imported inside the functions that need them, so that
``heads``, ``branches``, ``history`` and ``check-heads`` load only what they run.
"""

from __future__ import annotations

import importlib

# Bound now: loading the submodule `graph` would otherwise leave the module under this name.
from gitmig.command.graph import graph as graph

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from typing import Any

    from gitmig.command._base import revision_graph as revision_graph
    from gitmig.command._base import script_directory as script_directory
    from gitmig.command._base import supplied_parents as supplied_parents
    from gitmig.command.adoption import AdoptResult as AdoptResult
    from gitmig.command.adoption import adopt as adopt
    from gitmig.command.branch_sync import SyncReport as SyncReport
    from gitmig.command.branch_sync import sync as sync
    from gitmig.command.environment import InitResult as InitResult
    from gitmig.command.environment import TemplateInfo as TemplateInfo
    from gitmig.command.environment import init as init
    from gitmig.command.environment import list_templates as list_templates
    from gitmig.command.fleet import FleetStatus as FleetStatus
    from gitmig.command.fleet import fleet_downgrade as fleet_downgrade
    from gitmig.command.fleet import fleet_stamp as fleet_stamp
    from gitmig.command.fleet import fleet_status as fleet_status
    from gitmig.command.fleet import fleet_upgrade as fleet_upgrade
    from gitmig.command.git_flows import Blame as Blame
    from gitmig.command.git_flows import HeadsCheck as HeadsCheck
    from gitmig.command.git_flows import blame as blame
    from gitmig.command.git_flows import check_heads_report as check_heads_report
    from gitmig.command.git_flows import provenance as provenance
    from gitmig.command.git_flows import rebase as rebase
    from gitmig.command.git_flows import since_range as since_range
    from gitmig.command.graph import branches as branches
    from gitmig.command.graph import check_heads as check_heads
    from gitmig.command.graph import heads as heads
    from gitmig.command.graph import history as history
    from gitmig.command.graph import history_current as history_current
    from gitmig.command.graph import history_graph as history_graph
    from gitmig.command.graph import show as show
    from gitmig.command.graph_results import CurrentHistory as CurrentHistory
    from gitmig.command.graph_results import GraphNode as GraphNode
    from gitmig.command.graph_results import GraphPicture as GraphPicture
    from gitmig.command.hooks import HOOK_MARKER as HOOK_MARKER
    from gitmig.command.hooks import hook_install as hook_install
    from gitmig.command.ledger import DryRun as DryRun
    from gitmig.command.ledger import LedgerLog as LedgerLog
    from gitmig.command.ledger import VerifyReport as VerifyReport
    from gitmig.command.ledger import dry_run as dry_run
    from gitmig.command.ledger import ledger_log as ledger_log
    from gitmig.command.ledger import verify as verify
    from gitmig.command.migrate import CurrentState as CurrentState
    from gitmig.command.migrate import DatabaseState as DatabaseState
    from gitmig.command.migrate import check as check
    from gitmig.command.migrate import current as current
    from gitmig.command.migrate import downgrade as downgrade
    from gitmig.command.migrate import ensure_version as ensure_version
    from gitmig.command.migrate import pending_operations as pending_operations
    from gitmig.command.migrate import stamp as stamp
    from gitmig.command.migrate import upgrade as upgrade
    from gitmig.command.revisions import edit as edit
    from gitmig.command.revisions import merge as merge
    from gitmig.command.revisions import new as new
    from gitmig.command.revisions import revision as revision
    from gitmig.command.safety import LintReport as LintReport
    from gitmig.command.safety import lint as lint
    from gitmig.command.safety import lint_rules as lint_rules


#: Where each public name lives; it is imported on first use (PEP 562).
_HOMES: dict[str, str] = {
    "revision_graph": "gitmig.command._base",
    "script_directory": "gitmig.command._base",
    "supplied_parents": "gitmig.command._base",
    "AdoptResult": "gitmig.command.adoption",
    "adopt": "gitmig.command.adoption",
    "InitResult": "gitmig.command.environment",
    "TemplateInfo": "gitmig.command.environment",
    "init": "gitmig.command.environment",
    "list_templates": "gitmig.command.environment",
    "FleetStatus": "gitmig.command.fleet",
    "fleet_downgrade": "gitmig.command.fleet",
    "fleet_stamp": "gitmig.command.fleet",
    "fleet_status": "gitmig.command.fleet",
    "fleet_upgrade": "gitmig.command.fleet",
    "Blame": "gitmig.command.git_flows",
    "HeadsCheck": "gitmig.command.git_flows",
    "blame": "gitmig.command.git_flows",
    "check_heads_report": "gitmig.command.git_flows",
    "provenance": "gitmig.command.git_flows",
    "rebase": "gitmig.command.git_flows",
    "since_range": "gitmig.command.git_flows",
    "CurrentHistory": "gitmig.command.graph_results",
    "GraphNode": "gitmig.command.graph_results",
    "GraphPicture": "gitmig.command.graph_results",
    "branches": "gitmig.command.graph",
    "check_heads": "gitmig.command.graph",
    "graph": "gitmig.command.graph",
    "heads": "gitmig.command.graph",
    "history": "gitmig.command.graph",
    "history_current": "gitmig.command.graph",
    "history_graph": "gitmig.command.graph",
    "show": "gitmig.command.graph",
    "HOOK_MARKER": "gitmig.command.hooks",
    "hook_install": "gitmig.command.hooks",
    "DryRun": "gitmig.command.ledger",
    "LedgerLog": "gitmig.command.ledger",
    "VerifyReport": "gitmig.command.ledger",
    "dry_run": "gitmig.command.ledger",
    "ledger_log": "gitmig.command.ledger",
    "verify": "gitmig.command.ledger",
    "CurrentState": "gitmig.command.migrate",
    "DatabaseState": "gitmig.command.migrate",
    "check": "gitmig.command.migrate",
    "current": "gitmig.command.migrate",
    "downgrade": "gitmig.command.migrate",
    "ensure_version": "gitmig.command.migrate",
    "pending_operations": "gitmig.command.migrate",
    "stamp": "gitmig.command.migrate",
    "upgrade": "gitmig.command.migrate",
    "edit": "gitmig.command.revisions",
    "merge": "gitmig.command.revisions",
    "new": "gitmig.command.revisions",
    "revision": "gitmig.command.revisions",
    "LintReport": "gitmig.command.safety",
    "lint": "gitmig.command.safety",
    "lint_rules": "gitmig.command.safety",
    "SyncReport": "gitmig.command.branch_sync",
    "sync": "gitmig.command.branch_sync",
}

__all__ = [
    "HOOK_MARKER",
    "AdoptResult",
    "Blame",
    "CurrentHistory",
    "CurrentState",
    "DatabaseState",
    "DryRun",
    "FleetStatus",
    "GraphNode",
    "GraphPicture",
    "HeadsCheck",
    "InitResult",
    "LedgerLog",
    "LintReport",
    "SyncReport",
    "TemplateInfo",
    "VerifyReport",
    "adopt",
    "blame",
    "branches",
    "check",
    "check_heads",
    "check_heads_report",
    "current",
    "downgrade",
    "dry_run",
    "edit",
    "ensure_version",
    "fleet_downgrade",
    "fleet_stamp",
    "fleet_status",
    "fleet_upgrade",
    "graph",
    "heads",
    "history",
    "history_current",
    "history_graph",
    "hook_install",
    "init",
    "ledger_log",
    "lint",
    "lint_rules",
    "list_templates",
    "merge",
    "new",
    "pending_operations",
    "provenance",
    "rebase",
    "revision",
    "revision_graph",
    "script_directory",
    "show",
    "since_range",
    "stamp",
    "supplied_parents",
    "sync",
    "upgrade",
    "verify",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
