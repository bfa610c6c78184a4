"""Turn an env.py failure into the one-line reason a person needs.

env.py is the user's code: when it fails, SQLAlchemy's exception says what went wrong in
its own words (a class prefix, a link line). The two failures a newcomer hits first, a
missing or placeholder ``sqlalchemy.url`` and a database that does not answer, are
recognised here from the exception that caused the ScriptError, and restated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitmig.exc import ConfigError, GitmigError, ScriptError

if TYPE_CHECKING:
    from pathlib import Path

    from gitmig.config import Config

__all__ = ["explain_env_failure", "section_label"]

_EXAMPLE = "set it to your database's URL (e.g. postgresql+psycopg://user@localhost/app)"


def explain_env_failure(config: Config, env_py: Path, err: ScriptError) -> GitmigError | None:
    """A clearer error for env.py's failure ``err``, or ``None`` to report ``err`` as it is."""
    return (
        _url_problem(config, err) or _connection_failure(env_py, err) or _no_greenlet(env_py, err)
    )


def section_label(config: Config, section: str) -> str:
    """How ``section`` is spelled in the config file (an ini section or a TOML table)."""
    if not (config.config_file_name or "").endswith(".toml"):
        return section
    return "tool.gitmig" if section == config.config_ini_section else f"tool.gitmig.{section}"


def _url_problem(config: Config, err: BaseException) -> ConfigError | None:
    """A ConfigError if ``err`` comes from a missing or placeholder URL."""
    from sqlalchemy.exc import ArgumentError

    from gitmig.config import PLACEHOLDER_URL

    where = config.config_file_name or "the config"
    cause = err.__cause__
    # The main section, and the per-database sections of the multidb template.
    sections = [config.config_ini_section, *config.get_list_option("databases")]
    for section in sections:
        url = (config.get_section(section).get("sqlalchemy.url") or "").strip()
        if url == PLACEHOLDER_URL and isinstance(cause, ArgumentError):
            return ConfigError(
                f"{where}: [{section_label(config, section)}] sqlalchemy.url is still the "
                f"placeholder {PLACEHOLDER_URL!r}; {_EXAMPLE}"
            )
    missing_url = (isinstance(cause, KeyError) and cause.args == ("url",)) or (
        isinstance(cause, ValueError) and "needs a connection, a url" in str(cause)
    )
    if missing_url and not config.get_main_option("sqlalchemy.url"):
        return ConfigError(
            f"{where}: [{section_label(config, config.config_ini_section)}] "
            f"sqlalchemy.url is not set; {_EXAMPLE}"
        )
    return None


def _connection_failure(env_py: Path, err: BaseException) -> ScriptError | None:
    """A shorter ScriptError if env.py failed because it could not connect.

    SQLAlchemy's message repeats the exception class and adds a link line; the driver's own
    words (host, port, why) are what the user needs.
    """
    from sqlalchemy.exc import DBAPIError

    cause = err.__cause__
    if not isinstance(cause, DBAPIError) or cause.statement is not None:
        return None  # not a failure to connect (a statement env.py ran itself)
    lines = str(cause.orig if cause.orig is not None else cause).splitlines()
    reason = "; ".join(" ".join(line.split()) for line in lines if line.strip())
    return ScriptError(f"{env_py}: cannot connect to the database: {reason}")


def _no_greenlet(env_py: Path, err: BaseException) -> ScriptError | None:
    """A ScriptError naming the extra to install if an async env.py lacks ``greenlet``."""
    cause = err.__cause__
    if not isinstance(cause, ImportError) or "greenlet" not in str(cause):
        return None
    return ScriptError(
        f"{env_py}: SQLAlchemy's asyncio support needs the greenlet package: "
        "pip install 'gitmig[async]'"
    )
