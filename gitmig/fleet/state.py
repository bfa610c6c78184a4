"""What the fleet knows without running env.py: each target's version rows, and run files.

:func:`read_rows` reads one target's version table on one short connection of its own
(no env.py, no lock).  A run's state file (JSON, one per run) records every target's
outcome so that ``--retry-failed`` can take up exactly the targets that did not finish.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitmig.exc import ConfigError
from gitmig.util.messaging import mask_url

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.fleet.targets import Target

__all__ = [
    "RunState",
    "TargetRecord",
    "latest_run",
    "load_run",
    "new_run_id",
    "read_rows",
    "state_dir",
    "version_table_of",
    "write_run",
]


def version_table_of(config: Config) -> str:
    """The version table's name, as env.py gets it from the config."""
    return (config.get_main_option("version_table") or "").strip() or "gitmig_version"


def read_rows(config: Config, target: Target) -> tuple[str, ...]:
    """The version rows of ``target`` (empty when it has no version table yet)."""
    from sqlalchemy import MetaData, String, Table, create_engine, select
    from sqlalchemy.pool import NullPool
    from sqlalchemy.sql.schema import Column

    table = Table(
        version_table_of(config),
        MetaData(),
        Column("version_num", String(32)),
        schema=target.schema,
    )
    engine = create_engine(target.connect_url(), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if not conn.dialect.has_table(conn, table.name, schema=target.schema):
                return ()
            return tuple(row[0] for row in conn.execute(select(table.c.version_num)))
    finally:
        engine.dispose()


@dataclass
class TargetRecord:
    """One target's line in a run's state file."""

    name: str
    url: str
    schema: str | None
    #: ``done``, ``skipped``, ``failed`` or ``not-run``
    status: str
    before: list[str] | None = None
    after: list[str] | None = None
    duration: float = 0.0
    #: the error's first line (the full report is in ``report``)
    error: str = ""
    report: str = ""


@dataclass
class RunState:
    """A fleet run as its state file records it."""

    run: str
    action: str
    revision: str
    started: float
    finished: float | None = None
    interrupted: bool = False
    targets: list[TargetRecord] = field(default_factory=list)

    def names(self, *statuses: str) -> list[str]:
        """The targets whose status is one of ``statuses``."""
        return [t.name for t in self.targets if t.status in statuses]


def state_dir(config: Config) -> Path:
    """Where run files go: the config's ``fleet_state_dir``, else ``.gitmig/fleet`` next to
    the config file."""
    option = (config.get_main_option("fleet_state_dir") or "").strip()
    path = Path(option) if option else Path(".gitmig") / "fleet"
    return path if path.is_absolute() else config.here / path


def new_run_id(action: str) -> str:
    """A sortable, unique run id: ``20261201-101502-upgrade-3fa2``."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return f"{stamp}-{action}-{secrets.token_hex(2)}"


def write_run(config: Config, state: RunState) -> Path:
    """Write (atomically) the run's state file; URLs in it are masked."""
    folder = state_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{state.run}.json"
    data = asdict(state)
    for record in data["targets"]:
        record["url"] = mask_url(record["url"])
        record["report"] = mask_url(record["report"])
        record["error"] = mask_url(record["error"])
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def latest_run(config: Config, action: str | None = None) -> str:
    """The id of the newest run (of ``action``, when given)."""
    folder = state_dir(config)
    runs: Sequence[Path] = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if action is not None:
        runs = [p for p in runs if f"-{action}-" in p.name]
    if not runs:
        raise ConfigError(f"{folder}: no fleet run recorded yet")
    return runs[-1].stem


def load_run(config: Config, run: str) -> RunState:
    """Read the state file of ``run`` (an id, or a path to the file)."""
    path = Path(run) if run.endswith(".json") else state_dir(config) / f"{run}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        records = [TargetRecord(**record) for record in data.pop("targets")]
        return RunState(**data, targets=records)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such fleet run") from None
    except (OSError, ValueError, TypeError, KeyError) as err:
        raise ConfigError(f"{path}: not a fleet run file: {err}") from None
