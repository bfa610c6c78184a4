"""How gitmig connects to several databases and runs one revision stream on each.

This file is yours to edit.
"""

from __future__ import annotations

import logging
import re
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from gitmig import context

USE_TWOPHASE = False

config = context.config

if config.config_file_name is not None and config.get_section("loggers"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("gitmig.env")

# The engines, as named by "databases" in the config file.
db_names = re.split(r",\s*", config.get_main_option("databases", "") or "")
db_names = [name for name in db_names if name]

# Your models' MetaData per engine, for autogenerate:
# from myapp import models
# target_metadata = {"engine1": models.metadata1, "engine2": models.metadata2}
target_metadata: dict[str, object] = {}


def run_migrations_offline() -> None:
    """Write one SQL file per engine (<name>.sql): no connections."""
    for name in db_names:
        logger.info("Migrating database %s", name)
        file_name = f"{name}.sql"
        logger.info("Writing output to %s", file_name)
        with open(file_name, "w") as buffer:
            context.configure(
                url=context.config.get_section_option(name, "sqlalchemy.url"),
                output_buffer=buffer,
                target_metadata=target_metadata.get(name),
                literal_binds=True,
            )
            with context.begin_transaction():
                context.run_migrations(engine_name=name)


def run_migrations_online() -> None:
    """Run the revisions on every engine, each in its own transaction."""
    engines = {
        name: engine_from_config(
            context.config.get_section(name, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        for name in db_names
    }
    for name, engine in engines.items():
        logger.info("Migrating database %s", name)
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                upgrade_token=f"{name}_upgrades",
                downgrade_token=f"{name}_downgrades",
                target_metadata=target_metadata.get(name),
            )
            with context.begin_transaction():
                context.run_migrations(engine_name=name)
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
