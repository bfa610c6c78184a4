"""The fleet: many databases (or PostgreSQL schemas) migrated by one run.

:func:`upgrade_target` (and :func:`downgrade_target`, :func:`stamp_target`) run ONE target
and return its :class:`TargetOutcome`, so that a job system can spread a large fleet over
machines; ``gitmig fleet`` runs many, with bounded concurrency (see docs/fleet.md).
"""

from __future__ import annotations

from gitmig.fleet.run import DEFAULT_JOBS as DEFAULT_JOBS
from gitmig.fleet.run import FleetResult as FleetResult
from gitmig.fleet.run import Progress as Progress
from gitmig.fleet.run import TargetOutcome as TargetOutcome
from gitmig.fleet.run import downgrade_target as downgrade_target
from gitmig.fleet.run import run_fleet as run_fleet
from gitmig.fleet.run import stamp_target as stamp_target
from gitmig.fleet.run import target_config as target_config
from gitmig.fleet.run import upgrade_target as upgrade_target
from gitmig.fleet.state import RunState as RunState
from gitmig.fleet.state import read_rows as read_rows
from gitmig.fleet.status import TargetStatus as TargetStatus
from gitmig.fleet.status import fleet_status as fleet_status
from gitmig.fleet.targets import Target as Target
from gitmig.fleet.targets import load_targets as load_targets
