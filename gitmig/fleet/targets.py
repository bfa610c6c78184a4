"""Fleet targets: the databases (or PostgreSQL schemas) one ``gitmig fleet`` run covers.

Targets come from a targets file (``NAME URL [SCHEMA]`` per line, ``#`` comments,
``${VAR}`` expanded from the environment) or from a Python callable named
``module:callable`` that returns ``(name, url, schema)`` triples.  Either is given by
``--targets`` or by the config's ``targets`` option.  A SCHEMA with glob characters
(``tenant_*``) stands for every schema of that PostgreSQL database it matches, each a
target named ``NAME.SCHEMA``; the server is asked when the targets are loaded.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitmig.exc import ConfigError, UsageError
from gitmig.util.messaging import mask_url

if TYPE_CHECKING:
    from gitmig.config import Config

__all__ = ["Target", "load_targets", "parse_targets", "select_targets"]

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CALLABLE = re.compile(r"\A[A-Za-z_][\w.]*:[A-Za-z_][\w.]*\Z")
_NAME = re.compile(r"\A[\w.\-@]+\Z")
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Target:
    """One database of the fleet: a name, a URL and, for a schema per tenant, a schema."""

    name: str
    url: str
    schema: str | None = None

    @property
    def shown_url(self) -> str:
        """The URL with its password masked (for every message and file gitmig writes)."""
        return mask_url(self.url)

    def connect_url(self) -> str:
        """The URL gitmig connects with.  PostgreSQL: the sessions are named after the
        target (``application_name``) and, for a schema target, have that schema as their
        ``search_path`` (libpq's ``options``)."""
        from sqlalchemy.engine import make_url

        url = make_url(self.url)
        if url.get_backend_name() != "postgresql":
            if self.schema is not None:
                raise ConfigError(
                    f"target {self.name}: a schema target needs PostgreSQL, not "
                    f"{url.get_backend_name()} ({self.shown_url})"
                )
            return self.url
        query: dict[str, str] = {}
        if "application_name" not in url.query:
            # Names the target's sessions in pg_stat_activity (and in the server's logs).
            query["application_name"] = f"gitmig fleet {self.name}"[:63]
        if self.schema is not None:
            options = url.query.get("options", "")
            extra = f"-csearch_path={self.schema}"
            query["options"] = f"{options} {extra}".strip() if isinstance(options, str) else extra
        if not query:
            return self.url
        return url.update_query_dict(query).render_as_string(hide_password=False)


def parse_targets(text: str, source: str, environ: dict[str, str] | None = None) -> list[Target]:
    """The targets of a targets file's ``text`` (``source`` names it in errors)."""
    env = os.environ if environ is None else environ
    found: list[Target] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        # A comment starts a line or follows a blank ("#" inside a URL is not one).
        line = re.sub(r"(\A|\s)#.*", "", raw).strip()
        if not line:
            continue
        where = f"{source}:{number}"

        def expand(match: re.Match[str], where: str = where) -> str:
            name = match.group(1)
            if name not in env:
                raise ConfigError(f"{where}: environment variable {name} is not set")
            return env[name]

        fields = _ENV.sub(expand, line).split()
        if len(fields) not in (2, 3):
            raise ConfigError(f"{where}: expected NAME URL [SCHEMA], found {len(fields)} field(s)")
        if len(fields) == 3 and _GLOB.search(fields[2]):
            found.extend(_matching_schemas(fields[0], fields[1], fields[2], where))
            continue
        found.append(_target(fields[0], fields[1], fields[2] if len(fields) == 3 else None, where))
    return _unique(found, source)


def _matching_schemas(name: str, url: str, pattern: str, where: str) -> list[Target]:
    """One target per schema of the database at ``url`` that ``pattern`` matches."""
    import fnmatch

    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url

    _target(name, url, None, where)  # the name and URL must be valid on their own
    if not make_url(url).get_backend_name().startswith("postgresql"):
        raise ConfigError(
            f"{where}: target {name}: a schema pattern ({pattern}) needs a PostgreSQL URL"
        )
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            schemas = inspect(conn).get_schema_names()
    except Exception as err:
        reason = str(getattr(err, "orig", None) or err).splitlines()[0]
        raise ConfigError(
            mask_url(f"{where}: target {name}: cannot list the schemas of {url}: {reason}")
        ) from None
    finally:
        engine.dispose()
    matched = sorted(s for s in schemas if fnmatch.fnmatchcase(s, pattern))
    if not matched:
        raise ConfigError(
            mask_url(f"{where}: target {name}: no schema of {url} matches {pattern!r}")
        )
    return [_target(f"{name}.{schema}", url, schema, where) for schema in matched]


def _target(name: str, url: str, schema: str | None, where: str) -> Target:
    if not _NAME.match(name):
        raise ConfigError(f"{where}: target name {name!r} may hold only letters, digits, ._-@")
    if "://" not in url:
        raise ConfigError(f"{where}: target {name}: {mask_url(url)!r} is not a database URL")
    if schema is not None and not re.fullmatch(r"[A-Za-z_][\w$]*", schema):
        raise ConfigError(f"{where}: target {name}: {schema!r} is not a plain schema name")
    return Target(name, url, schema)


def _unique(targets: list[Target], source: str) -> list[Target]:
    seen: set[str] = set()
    for target in targets:
        if target.name in seen:
            raise ConfigError(f"{source}: target {target.name} is listed twice")
        seen.add(target.name)
    return targets


def _from_callable(spec: str) -> list[Target]:
    module_name, _, attr = spec.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
        rows: Iterable[Any] = obj()
        found = [_as_target(row, spec) for row in rows]
    except ConfigError:
        raise
    except Exception as err:
        raise ConfigError(
            mask_url(f"targets {spec}: failed: {type(err).__name__}: {err}")
        ) from None
    return _unique(found, f"targets {spec}")


def _as_target(row: Any, spec: str) -> Target:
    if isinstance(row, Target):
        return row
    values = tuple(row)
    if len(values) == 2:
        values = (*values, None)
    if len(values) != 3:
        raise ConfigError(f"targets {spec}: returned {mask_url(row)!r}, not (name, url, schema)")
    name, url, schema = values
    return _target(str(name), str(url), None if schema in (None, "") else str(schema), spec)


def load_targets(config: Config, targets: str | None = None) -> list[Target]:
    """The fleet's targets: from ``targets`` (a file or ``module:callable``), else from the
    config's ``targets`` option (a path there is relative to the config file)."""
    spec = targets
    base = Path.cwd()
    if spec is None:
        spec = (config.get_main_option("targets") or "").strip() or None
        base = config.here
    if spec is None:
        raise UsageError(
            "fleet: no targets; pass --targets FILE, or set the config's targets option "
            "(a file, or module:callable)"
        )
    path = Path(os.path.expanduser(spec))
    path = path if path.is_absolute() else base / path
    if not path.is_file() and _CALLABLE.match(spec):
        return _from_callable(spec)
    if not path.is_file():
        raise ConfigError(f"{path}: no such targets file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read targets file: {err}") from None
    return parse_targets(text, str(path))


def select_targets(targets: Sequence[Target], names: Iterable[str], source: str) -> list[Target]:
    """The targets called ``names`` (in the fleet's order); an unknown name is an error."""
    wanted = set(names)
    known = {t.name for t in targets}
    missing = sorted(wanted - known)
    if missing:
        raise ConfigError(f"{source}: target(s) {', '.join(missing)} are no longer in the fleet")
    return [t for t in targets if t.name in wanted]
