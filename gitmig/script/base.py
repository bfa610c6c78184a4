"""Revision files on disk: find them, read their markers, import them only to run them."""

from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from gitmig.exc import CommandError, ScriptError
from gitmig.script.cache import MarkerCache, Stamp, stamps
from gitmig.script.markers import revision_from_values
from gitmig.script.revision import Revision, RevisionMap
from gitmig.script.source import is_revision_file, read_source, revision_file_names

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from typing import Any

    from gitmig.config import Config
    from gitmig.runtime.steps import RevisionStep, StampStep
    from gitmig.script.markers import MarkerValues

__all__ = ["RecoveredScript", "Script", "ScriptDirectory"]

_SCRIPT_TEMPLATE = "script.py.mako"


class Script(Revision):
    """A revision backed by a file; its module is imported only when first needed."""

    __slots__ = ("_module",)

    @classmethod
    def _from_path(cls, scriptdir: ScriptDirectory, path: str | os.PathLike[str]) -> Script | None:
        """The script the file at ``path`` declares, read from its markers without
        importing it (``None``: not a revision file); a broken file is a ScriptError
        naming it. Alembic's name, used by its test fixtures after rewriting a file."""
        path = os.fspath(path)
        if not is_revision_file(os.path.basename(path)):
            return None
        with open(path, "rb") as handle:
            values, problem = read_source(handle.read(), path)
        if problem is not None:
            raise ScriptError(problem)
        return None if values is None else revision_from_values(values, path, cls)

    @property
    def module(self) -> ModuleType:
        """The imported revision module (imported on first access)."""
        module: ModuleType | None = getattr(self, "_module", None)  # unset until first use
        if module is None:
            from gitmig.util.files import load_python_file

            assert self.path is not None
            module = self._module = load_python_file(self.path, f"gitmig_revision_{self.revision}")
        return module

    def run(self, direction: str, **kw: Any) -> None:
        """Call the module's ``upgrade()`` or ``downgrade()``."""
        function = getattr(self.module, direction, None)
        if not callable(function):
            raise ScriptError(
                f"{self.path}: revision {self.revision} has no {direction}() function"
            )
        try:
            function(**kw)
        except (NameError, AttributeError) as err:
            from gitmig.util.alembic_imports import alembic_failure_hint

            hint = alembic_failure_hint(self.path or "", err, self.module)
            if hint is None:
                raise
            raise ScriptError(hint) from err


class RecoveredScript(Script):
    """A revision the tree no longer has, its file's content read from git (``gitmig sync``).

    Its ``path`` says where the content came from (``HEAD@{1}:migrations/versions/a1.py``,
    as messages show it); it runs from a copy in a temporary folder (``copy``, what
    tracebacks show). ``recorded_path`` is where the file was in the migration environment
    (what the ledger records) and ``content`` its bytes.
    """

    __slots__ = ("content", "copy", "recorded_path")

    content: bytes
    copy: Path
    recorded_path: str

    @classmethod
    def from_content(
        cls, content: bytes, origin: str, recorded_path: str, folder: Path
    ) -> RecoveredScript | None:
        """The revision ``content`` declares, copied into ``folder`` to run from there.

        ``None`` when the content declares no revision; a file that does not compile or
        whose markers do not read raises ScriptError naming ``origin``.
        """
        values, problem = read_source(content, origin)
        if problem is not None:
            raise ScriptError(problem)
        if values is None:
            return None
        copy = folder / values[0] / Path(recorded_path).name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(content)
        script = revision_from_values(values, origin, cls)
        script.content = content
        script.copy = copy
        script.recorded_path = recorded_path
        return script

    @property
    def module(self) -> ModuleType:
        """The module, imported from the temporary copy (on first access)."""
        module: ModuleType | None = getattr(self, "_module", None)
        if module is None:
            from gitmig.util.files import load_python_file

            module = self._module = load_python_file(self.copy, f"gitmig_revision_{self.revision}")
        return module


class ScriptDirectory:
    """The migration environment folder: ``env.py``, ``script.py.mako`` and version folders."""

    def __init__(
        self,
        dir: str | os.PathLike[str],
        version_locations: list[str | os.PathLike[str]] | None = None,
        file_template: str = "%(rev)s_%(slug)s",
        truncate_slug_length: int = 40,
        timezone: str | None = None,
        recursive_version_locations: bool = False,
        config: Config | None = None,
    ) -> None:
        self.dir = Path(dir)
        self.config = config
        if not self.dir.is_dir():
            raise CommandError(
                f"{self.config_source}: script_location {str(self.dir)!r} does not exist; run "
                "'gitmig init DIR' to create a migration environment, or fix script_location"
            )
        locations = version_locations or [self.dir / "versions"]
        # Absolute (as Alembic's): a script's path names its file whatever the cwd later.
        self.version_locations = [Path(os.path.abspath(p)) for p in locations]
        self.file_template = file_template
        self.truncate_slug_length = truncate_slug_length
        self.timezone = timezone
        self.recursive_version_locations = recursive_version_locations
        self._revision_map: RevisionMap | None = None

    @classmethod
    def from_config(cls, config: Config) -> ScriptDirectory:
        """The script directory a config file's ``script_location`` names."""
        location = config.get_main_option("script_location")
        if not location:
            raise CommandError(
                f"{config.config_file_name or 'The configuration'}: no 'script_location' "
                "option; set it to the migration environment folder (e.g. migrations)"
            )
        from gitmig.util.paths import resolve_location

        for path in config.get_list_option("prepend_sys_path"):
            if path not in sys.path:
                sys.path.insert(0, path)
        return cls(
            resolve_location(location),
            version_locations=[
                resolve_location(p) for p in config.get_list_option("version_locations")
            ]
            or None,
            file_template=config.get_main_option("file_template") or "%(rev)s_%(slug)s",
            truncate_slug_length=config.get_int_option("truncate_slug_length", 40),
            timezone=config.get_main_option("timezone"),
            recursive_version_locations=(
                (config.get_main_option("recursive_version_locations") or "").lower()
                in ("true", "1", "yes", "on")
            ),
            config=config,
        )

    @property
    def config_source(self) -> str:
        """Where this directory's options come from, for messages: the config file's name."""
        name = self.config.config_file_name if self.config is not None else None
        return name or "the configuration"

    # -- revision files ---------------------------------------------------------------------

    @property
    def _version_locations(self) -> list[Path]:
        """The version folders as absolute paths, in configured order."""
        return [location.absolute() for location in self.version_locations]

    @property
    def versions(self) -> str:
        """The one version folder (an error when several are configured)."""
        locations = self._version_locations
        if len(locations) > 1:
            raise CommandError(
                f"{self.config_source}: several version_locations are configured "
                f"({', '.join(map(str, locations))}); name one (e.g. with --version-path)"
            )
        return str(locations[0])

    def has_version_folder(self) -> bool:
        """Whether at least one of the version folders exists."""
        return any(location.is_dir() for location in self.version_locations)

    def _folders(self) -> Iterator[str]:
        # A folder among several that does not exist yet holds no revisions (writing one
        # there creates it); when none exists, the setting is taken for a mistake rather
        # than read as an empty history.
        if not self.has_version_folder():
            missing = ", ".join(repr(str(p)) for p in self.version_locations)
            if len(self.version_locations) == 1:
                raise CommandError(f"Version folder {missing} does not exist")
            raise CommandError(f"Version folders {missing} do not exist (none of them)")
        for location in self.version_locations:
            if not location.is_dir():
                continue
            if self.recursive_version_locations:
                for root, dirs, _ in os.walk(location):
                    dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
                    yield root
            else:
                yield str(location)

    def scripts(self) -> Iterator[Script]:
        """Every revision file's markers, read without importing the files.

        Markers of files unchanged since the last read come from a cache (see
        :mod:`gitmig.script.cache`).  A file that does not compile, whose markers do not
        read, or that looks like a revision without a ``revision`` marker raises
        :class:`~gitmig.exc.ScriptError` naming it (see :mod:`gitmig.script.source`).
        """
        yield from self._read()[0]

    def _read(self) -> tuple[list[Script], MarkerCache | None]:
        """Every revision file's script, in folder then name order, and the cache of the
        one folder they come from when there is one (the caches are saved)."""
        found: list[Script] = []
        caches: list[MarkerCache] = []
        seen: set[str] = set()  # folders read, resolved: one listed twice is read once
        try:
            for folder in self._folders():
                real_folder = os.path.realpath(folder)
                twice = real_folder in seen
                seen.add(real_folder)
                cache, names, values = _read_folder(folder)
                caches.append(cache)
                if twice:
                    from gitmig.util.messaging import warn

                    for name, marker in zip(names, values, strict=True):
                        if marker is not None:
                            warn(
                                f"File {os.path.join(real_folder, name)} loaded twice! "
                                "ignoring. Please ensure version_locations is unique."
                            )
                    continue
                prefix = os.path.join(folder, "")
                found += [
                    Script(*marker, prefix + name)
                    for name, marker in zip(names, values, strict=True)
                    if marker is not None
                ]
        finally:
            for cache in caches:
                cache.save()
        return found, caches[0] if len(caches) == 1 else None

    @property
    def revision_map(self) -> RevisionMap:
        """The validated graph of every revision file (built once)."""
        if self._revision_map is None:
            scripts, cache = self._read()
            graph = RevisionMap._from_facts(scripts, cache.graph() if cache else None)
            if cache is not None:
                # this folder's files make a valid graph: the next run can trust it
                cache.put_graph(graph._facts())
                cache.save()
            self._revision_map = graph
        return self._revision_map

    def get_revision(self, identifier: str) -> Script:
        """The script one identifier names (several heads are an error)."""
        from gitmig.exc import MultipleHeadsError

        ids = self.revision_map.resolve(identifier)
        if len(ids) != 1:
            if not ids:
                raise CommandError(f"{identifier!r} names no revision (it is the base)")
            raise MultipleHeadsError(
                f"{identifier!r} names several revisions ({', '.join(ids)}); name one", ids
            )
        return self.get_script(ids[0])

    def get_script(self, rev_id: str) -> Script:
        """The script with this exact id."""
        script = self.revision_map.get(rev_id)
        assert isinstance(script, Script)
        return script

    def revision_written(self, path: str | os.PathLike[str]) -> None:
        """Take a revision file just written into the graph.

        A graph already read gets the new script appended, so that it keeps the order the
        revisions were written in, as Alembic's does (ties in a run's order follow it);
        otherwise the files are read, in name order, on first use.
        """
        if self._revision_map is None:
            return
        script = Script._from_path(self, path)
        if script is None or script.revision in self._revision_map:
            self.invalidate()
            return
        self._revision_map.add_revision(script)

    def invalidate(self) -> None:
        """Forget the graph so the next access reads the files again."""
        self._revision_map = None

    # -- Alembic's ScriptDirectory API ------------------------------------------------------

    def get_heads(self) -> list[str]:
        """The ids of every head revision."""
        return list(self.revision_map.heads)

    def get_current_head(self) -> str | None:
        """The single head's id (None without revisions); an error with several heads."""
        from gitmig.exc import MultipleHeadsError

        heads = self.revision_map.heads
        if len(heads) > 1:
            raise MultipleHeadsError(
                f"The script directory has multiple heads ({', '.join(heads)}); "
                "name one (e.g. with head=) or merge them",
                heads,
            )
        return heads[0] if heads else None

    def get_base(self) -> str | None:
        """The single base revision's id (None without revisions); several are an error."""
        bases = self.revision_map.bases
        if len(bases) > 1:
            raise CommandError(
                f"The script directory has multiple bases ({', '.join(bases)}); use get_bases()"
            )
        return bases[0] if bases else None

    def get_bases(self) -> list[str]:
        """The ids of every base revision (one with no down_revision)."""
        return list(self.revision_map.bases)

    def iterate_revisions(
        self, upper: str | tuple[str, ...] | None, lower: str | tuple[str, ...] | None, **kw: Any
    ) -> Iterator[Script]:
        """The scripts from ``upper`` down to ``lower``, newest first (Alembic's
        ``RevisionMap.iterate_revisions``, in :mod:`gitmig.script.traversal`)."""
        from typing import cast

        return cast("Iterator[Script]", self.revision_map.iterate_revisions(upper, lower, **kw))

    def _upgrade_revs(self, destination: str, current_rev: str | None) -> list[RevisionStep]:
        """Alembic's steps from the rows ``current_rev`` up to ``destination``."""
        from gitmig.runtime.migration import MigrationStep

        with _as_command_error(
            f"Destination {destination} is not a valid upgrade target from current head(s)"
        ):
            revs = list(self.iterate_revisions(destination, current_rev, implicit_base=True))
            graph = self.revision_map
            return [MigrationStep.upgrade_from_script(graph, script) for script in reversed(revs)]

    def _downgrade_revs(self, destination: str, current_rev: str | None) -> list[RevisionStep]:
        """Alembic's steps from the rows ``current_rev`` down to ``destination``."""
        from gitmig.runtime.migration import MigrationStep

        with _as_command_error(
            f"Destination {destination} is not a valid downgrade target from current head(s)"
        ):
            revs = self.iterate_revisions(current_rev, destination, select_for_downgrade=True)
            graph = self.revision_map
            return [MigrationStep.downgrade_from_script(graph, script) for script in revs]

    def _stamp_revs(
        self, revision: str | Sequence[str] | None, heads: str | Sequence[str] | None
    ) -> list[StampStep]:
        """Alembic's stamp steps from the rows ``heads`` to ``revision``."""
        from gitmig.runtime.steps import stamp_revs

        with _as_command_error(
            multiple_heads="Multiple heads are present; please specify a single target revision"
        ):
            return stamp_revs(self.revision_map, revision, heads)

    def walk_revisions(self, base: str = "base", head: str = "heads") -> Iterator[Script]:
        """The scripts from ``head`` down to ``base`` (both inclusive), newest first."""
        lower = None if base == "base" else base
        for rev in reversed(self.revision_map.range(lower, head)):
            assert isinstance(rev, Script)
            yield rev

    def generate_revision(
        self,
        revid: str | None,
        message: str | None,
        head: str | Sequence[str] | None = None,
        splice: bool = False,
        branch_labels: str | Sequence[str] | None = None,
        version_path: str | os.PathLike[str] | None = None,
        depends_on: str | Sequence[str] | None = None,
        **kw: Any,
    ) -> Script:
        """Write a new revision file, as ``gitmig new`` does, and return its script.

        ``head="base"`` starts a new base; other keywords reach the script template.
        Example: ``script_dir.generate_revision(util.rev_id(), "add account", head="head")``
        """
        from gitmig.config import Config
        from gitmig.script.generate import new_revision

        kw.pop("refresh", None)  # Alembic's deprecated switch: the graph is always re-read
        path = new_revision(
            self.config if self.config is not None else Config(),
            self,
            message,
            head,
            splice,
            branch_labels,
            depends_on,
            revid,
            os.fspath(version_path) if version_path is not None else None,
            kw,
        )
        return self.script_at(path)

    def script_at(self, path: str | os.PathLike[str]) -> Script:
        """The script of the revision file at ``path``, as the graph holds it."""
        wanted = Path(path).resolve()
        for rev in self.revision_map:
            if rev.path is not None and Path(rev.path).resolve() == wanted:
                assert isinstance(rev, Script)
                return rev
        raise ScriptError(f"{path}: written, but not read back as a revision")

    def _generate_create_date(self) -> datetime.datetime:
        """Now, in the ``timezone`` option's zone (local time, without a zone, when unset).

        A zone name is tried as written, then upper-cased (``utc``, ``est5edt``).
        """
        if self.timezone is None:
            return datetime.datetime.now()
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only to write a revision

        zone: ZoneInfo | None = None
        for name in dict.fromkeys((self.timezone, self.timezone.upper())):
            try:
                zone = ZoneInfo(name)
                break
            except (ZoneInfoNotFoundError, ValueError):
                continue
        if zone is None:
            raise CommandError(
                f"{self.config_source}: unknown timezone {self.timezone!r} in the 'timezone' "
                "option; use an IANA name such as UTC or Europe/Paris (Can't locate "
                f"timezone: {self.timezone})"
            )
        return datetime.datetime.now(tz=datetime.timezone.utc).astimezone(zone)

    def _rev_path(
        self,
        path: str | os.PathLike[str],
        rev_id: str,
        message: str | None,
        create_date: datetime.datetime,
    ) -> Path:
        """Where a new revision goes: ``path`` joined with ``file_template`` filled in."""
        from gitmig.script.write import revision_file_name, slugify

        slug = slugify(message, self.truncate_slug_length)
        return Path(path) / revision_file_name(self.file_template, rev_id, slug, create_date)

    # -- environment ------------------------------------------------------------------------

    @property
    def env_py_location(self) -> Path:
        return self.dir / "env.py"

    @property
    def script_template(self) -> Path:
        return self.dir / _SCRIPT_TEMPLATE

    def run_env(self) -> None:
        """Run the environment's ``env.py`` (which calls ``context.run_migrations()``)."""
        from gitmig.util.files import load_python_file

        if not self.env_py_location.is_file():
            raise ScriptError(f"{self.env_py_location}: no env.py in the migration environment")
        load_python_file(self.env_py_location, "gitmig_env", doing="run")


@contextmanager
def _as_command_error(
    not_ancestor: str | None = None, multiple_heads: str | None = None
) -> Iterator[None]:
    """Alembic's API errors as its ``CommandError``: ``not_ancestor`` when a range's ends
    are not on one line, ``multiple_heads`` for several heads where one was needed, and the
    identifier that does not resolve."""
    from gitmig.exc import MultipleHeadsError, RangeNotAncestorError, ResolutionError

    try:
        yield
    except RangeNotAncestorError as err:
        if not_ancestor is None:
            raise
        raise CommandError(not_ancestor) from err
    except MultipleHeadsError as err:
        if multiple_heads is None:
            raise
        raise CommandError(multiple_heads) from err
    except ResolutionError as err:
        raise CommandError(f"Can't locate revision identified by '{err.identifier}'") from err


def _read_folder(folder: str) -> tuple[MarkerCache, list[str], list[MarkerValues | None]]:
    """The cache of one folder (not yet saved), its revision files' names in order, and
    each one's markers (``None``: the file declares no revision).

    Only the files whose stamp changed since the cache was written are read; a broken
    one raises, after the others were read, and is left out of the cache, so it is
    checked again on every run until fixed.
    """
    cache = MarkerCache(folder)
    names = revision_file_names(os.listdir(folder))
    now = stamps(folder, names)
    if cache.holds(names, now):
        return cache, names, cache.values()
    known = cache.known()
    good_names: list[str] = []
    good_stamps: list[Stamp] = []
    values: list[MarkerValues | None] = []
    problem: str | None = None
    prefix = os.path.join(folder, "")
    for name, stamp in zip(names, now, strict=True):
        hit = known.get(name)
        if hit is not None and hit[0] == stamp:
            marker = hit[1]
        else:
            with open(prefix + name, "rb") as handle:
                marker, error = read_source(handle.read(), prefix + name)
            if error is not None:
                problem = problem or error
                continue
        good_names.append(name)
        good_stamps.append(stamp)
        values.append(marker)
    cache.replace(good_names, good_stamps, values)
    if problem is not None:
        cache.save()  # the good files' markers, even though this one is broken
        raise ScriptError(problem)
    return cache, good_names, values
