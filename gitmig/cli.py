"""The ``gitmig`` command line: a thin click adapter over :mod:`gitmig.command`.

Each command parses its options, calls one :mod:`gitmig.command` function and prints what
:mod:`gitmig.display` makes of the result. Errors are translated once, by
:func:`gitmig.error_handler.handle` (the fast path uses the same handler).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import click

from gitmig import __version__, command, display
from gitmig.exc import UsageError

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.script.base import Script

__all__ = ["main"]

# Alembic's spellings, so its users' fingers keep working.
_ALIASES = {
    "revision": "new",
    "list_templates": "list-templates",
    "check_heads": "check-heads",
    "ensure_version": "ensure-version",
}


class CliState:
    """What the root group parsed; builds the Config when a command first needs it."""

    def __init__(
        self, config_file: str | None, name: str, x: list[str], quiet: bool, raiseerr: bool
    ) -> None:
        self.config_file = config_file
        self.name = name
        self.x = x
        self.quiet = quiet
        self.raiseerr = raiseerr
        self._config: Config | None = None

    def config(self) -> Config:
        if self._config is None:
            from gitmig.config import Config, find_config_file

            self._config = Config(
                file_=find_config_file(self.config_file),
                ini_section=self.name,
                cmd_opts=SimpleNamespace(x=self.x, quiet=self.quiet, raiseerr=self.raiseerr),
            )
        return self._config

    def bare_config(self) -> Config:
        """A Config that reads no file (for init and list-templates)."""
        from gitmig.config import Config

        return Config(
            file_=None,
            ini_section=self.name,
            cmd_opts=SimpleNamespace(x=self.x, quiet=self.quiet, raiseerr=self.raiseerr),
        )


class GitmigGroup(click.Group):
    """Resolves Alembic's command spellings and hands every error to the one error handler."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, _ALIASES.get(cmd_name, cmd_name))

    def invoke(self, ctx: click.Context) -> Any:
        import warnings

        from gitmig.exc import NoMigrationsRun

        try:
            with warnings.catch_warnings():
                # A command that ran env.py and did nothing must not pass for a success.
                warnings.simplefilter("error", NoMigrationsRun)
                return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click reports its own usage errors (exit 2)
        except (Exception, KeyboardInterrupt) as err:
            from gitmig.error_handler import handle

            state = ctx.obj
            raiseerr = isinstance(state, CliState) and state.raiseerr
            sys.exit(handle(err, ctx.invoked_subcommand, raiseerr))


def _echo(text: str) -> None:
    """Print a command's result (already rendered by :mod:`gitmig.display`)."""
    click.echo(text, nl=False)


def _note(state: CliState, text: str) -> None:
    """Print a progress note, unless -q."""
    if not state.quiet:
        click.echo(text, nl=False)


pass_state = click.make_pass_decorator(CliState)


@click.group(cls=GitmigGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-c",
    "--config",
    "config_file",
    envvar="GITMIG_CONFIG",
    metavar="FILE",
    help="Config file (default: gitmig.ini, else [tool.gitmig] in pyproject.toml).",
)
@click.option(
    "-n",
    "--name",
    default="gitmig",
    show_default=True,
    metavar="SECTION",
    help="Config section to use.",
)
@click.option(
    "-x", "x", multiple=True, metavar="KEY=VALUE", help="Extra argument for env.py (repeatable)."
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors and results.")
@click.option("--raiseerr", is_flag=True, help="Show the full traceback on errors.")
@click.version_option(__version__, "--version", prog_name="gitmig")
@click.pass_context
def cli(
    ctx: click.Context,
    config_file: str | None,
    name: str,
    x: tuple[str, ...],
    quiet: bool,
    raiseerr: bool,
) -> None:
    """gitmig: database schema migrations for teams that live in git."""
    ctx.obj = CliState(config_file, name, list(x), quiet, raiseerr)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="gitmig", auto_envvar_prefix="GITMIG")


# -- environment ----------------------------------------------------------------------------


@cli.command("init", short_help="Create a migration environment.")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "-t",
    "--template",
    default="generic",
    show_default=True,
    metavar="NAME",
    help="Environment template (see list-templates).",
)
@click.option("--package", is_flag=True, help="Write __init__.py files (importable package).")
@pass_state
def init_cmd(state: CliState, directory: str, template: str, package: bool) -> None:
    """Create a new migration environment in DIRECTORY (which must be empty or absent)."""
    config = state.bare_config()
    config.config_file_name = state.config_file
    result = command.init(config, directory, template=template, package=package)
    _note(state, display.init_text(result, directory))


@cli.command("adopt", short_help="Convert an Alembic project to gitmig, in place.")
@click.argument("alembic_config", required=False, metavar="[ALEMBIC_INI]")
@click.option(
    "--version-table",
    "version_table",
    type=click.Choice(["copy", "keep"]),
    required=True,
    metavar="copy|keep",
    help="copy: copy alembic_version's rows into gitmig_version (alembic_version stays); "
    "keep: go on using alembic_version (written to the config as version_table).",
)
@click.option(
    "-s",
    "--section",
    default="alembic",
    show_default=True,
    metavar="SECTION",
    help="The Alembic ini section to read.",
)
@click.option("--dry-run", is_flag=True, help="Show the changes; write nothing, read no database.")
@click.option(
    "--skip-database", is_flag=True, help="Convert the files only; take the database over later."
)
@pass_state
def adopt_cmd(
    state: CliState,
    alembic_config: str | None,
    version_table: str,
    section: str,
    dry_run: bool,
    skip_database: bool,
) -> None:
    """Convert the Alembic project of ALEMBIC_INI (default: alembic.ini, else [tool.alembic]
    in pyproject.toml) to gitmig, showing every change as a diff.

    Writes gitmig.ini (or [tool.gitmig]) from Alembic's options, rewrites the `alembic`
    imports of env.py, script.py.mako and the revision files, then, through env.py, takes
    over the database's alembic_version rows in one transaction. Safe to run again.
    """
    result = command.adopt(
        state.bare_config(),
        alembic_config,
        version_table=version_table,
        section=section,
        dry_run=dry_run,
        database=not skip_database,
    )
    _echo(display.adopt_text(result))


@cli.command("list-templates", short_help="List the templates init takes.")
@pass_state
def list_templates_cmd(state: CliState) -> None:
    """List the environment templates that `gitmig init -t` takes."""
    _echo(display.templates_text(command.list_templates(state.bare_config())))


# -- new revisions --------------------------------------------------------------------------


@cli.command("new")
@click.option(
    "-m", "--message", metavar="MESSAGE", help="What the revision does (docstring, file name)."
)
@click.option(
    "--head", metavar="REV", help="The revision to build on (needed when there are several heads)."
)
@click.option("--splice", is_flag=True, help="Allow --head to name a revision that is not a head.")
@click.option("--branch-label", multiple=True, metavar="LABEL", help="Branch label (repeatable).")
@click.option(
    "--depends-on", multiple=True, metavar="REV", help="Revision this one depends on (repeatable)."
)
@click.option("--rev-id", metavar="ID", help="Use this id instead of a generated one.")
@click.option(
    "--version-path", metavar="DIR", help="Version folder to write into (one of version_locations)."
)
@click.option(
    "--autogenerate",
    is_flag=True,
    help="Fill the revision with the changes between env.py's target_metadata and the database.",
)
@pass_state
def new_cmd(
    state: CliState,
    message: str | None,
    head: str | None,
    splice: bool,
    branch_label: tuple[str, ...],
    depends_on: tuple[str, ...],
    rev_id: str | None,
    version_path: str | None,
    autogenerate: bool,
) -> None:
    """Write a new revision file (alias: revision)."""
    config = state.config()
    script = command.new(
        config,
        message=message,
        head=head,
        splice=splice,
        branch_label=list(branch_label),
        depends_on=list(depends_on),
        rev_id=rev_id,
        version_path=version_path,
        autogenerate=autogenerate,
    )
    _note(state, display.written_text(script))


# -- inspecting the graph -------------------------------------------------------------------


def _print_scripts(
    state: CliState,
    scripts: Iterable[Script],
    verbose: bool,
    as_json: bool,
    history: bool,
    current: tuple[str, ...] | None = None,
) -> None:
    graph = command.revision_graph(state.config())
    _echo(
        display.scripts_text(
            scripts, graph, verbose=verbose, as_json=as_json, history=history, current=current
        )
    )
    _supplied_notes(state)


def _supplied_notes(state: CliState) -> None:
    """On stderr: parents this graph took from a git ref (right after `gitmig rebase`)."""
    for line in display.supplied_lines(command.supplied_parents(state.config())):
        click.echo(line, err=True)


@cli.command("heads")
@click.option("-v", "--verbose", is_flag=True, help="Show each head's details.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--resolve-dependencies", is_flag=True, help="Leave out heads that others depend on.")
@pass_state
def heads_cmd(state: CliState, verbose: bool, as_json: bool, resolve_dependencies: bool) -> None:
    """Show the head revisions (revisions nothing builds on)."""
    scripts = command.heads(state.config(), resolve_dependencies=resolve_dependencies)
    _print_scripts(state, scripts, verbose, as_json, history=False)


@cli.command("branches")
@click.option("-v", "--verbose", is_flag=True, help="Show each branch point's details.")
@pass_state
def branches_cmd(state: CliState, verbose: bool) -> None:
    """Show branch points: revisions with more than one child."""
    points = command.branches(state.config())
    _echo(display.branches_text(points, command.revision_graph(state.config()), verbose))
    _supplied_notes(state)


@cli.command("history")
@click.option("-r", "--rev-range", metavar="START:END", help="Only revisions in this range.")
@click.option("-v", "--verbose", is_flag=True, help="Show each revision's details.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--git", "with_git", is_flag=True, help="Add who committed each file, and where.")
@click.option("--graph", "draw", is_flag=True, help="Draw the lanes, as git log --graph does.")
@click.option(
    "-i",
    "--indicate-current",
    is_flag=True,
    help="Mark the database's current revision(s) (runs env.py to read them).",
)
@pass_state
def history_cmd(
    state: CliState,
    rev_range: str | None,
    verbose: bool,
    as_json: bool,
    with_git: bool,
    draw: bool,
    indicate_current: bool,
) -> None:
    """List revisions, newest first.

    START or END may be `current` (the database's revision, read through env.py).
    """
    if draw:
        picture = command.history_graph(
            state.config(), rev_range, indicate_current, verbose, as_json, with_git
        )
        _echo(display.graph_text(picture))
        _supplied_notes(state)
        return
    if indicate_current:
        scripts, current = command.history_current(state.config(), rev_range)
    else:
        scripts, current = command.history(state.config(), rev_range), None
    if with_git:
        graph = command.revision_graph(state.config())
        blames = command.provenance(state.config(), scripts)
        _echo(display.blame_text(blames, graph, as_json=as_json))
        return
    _print_scripts(state, scripts, verbose, as_json, history=True, current=current)


@cli.command("graph", short_help="Draw the revision graph (Mermaid, DOT, SVG, HTML).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(display.GRAPH_FORMATS),
    default=display.GRAPH_FORMATS[0],
    show_default=True,
    metavar="|".join(display.GRAPH_FORMATS),
    help="mermaid and dot for other tools; svg and html drawn as git log --graph.",
)
@click.option("-r", "--rev-range", metavar="START:END", help="Only revisions in this range.")
@click.option(
    "--db", is_flag=True, help="Mark the revisions applied to the database (runs env.py)."
)
@click.option(
    "--git", "with_git", is_flag=True, help="Colour each revision by the git branch that added it."
)
@click.option(
    "--collapse",
    type=click.IntRange(min=0),
    metavar="N",
    help="svg/html: fold runs of more than N plain revisions into one row (0: never; "
    "default: html 5, svg 0). html unfolds them on click.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), metavar="FILE", help="Write to FILE."
)
@pass_state
def graph_cmd(
    state: CliState,
    fmt: str,
    rev_range: str | None,
    db: bool,
    with_git: bool,
    collapse: int | None,
    output: str | None,
) -> None:
    """Draw the revision graph: merges, branch points, labels and heads.

    Mermaid renders in GitHub and GitLab comments; dot is Graphviz input; svg and html are
    drawn in git log --graph's layout, one row per revision, newest first.
    """
    picture = command.graph(state.config(), rev_range, db=db, git=with_git)
    text = display.graph_output(picture, fmt, collapse)
    if output is None:
        _echo(text)
    else:
        with open(output, "w", encoding="utf-8") as stream:
            stream.write(text)
    _supplied_notes(state)


@cli.command("show", short_help="Show one revision's details.")
@click.argument("rev")
@pass_state
def show_cmd(state: CliState, rev: str) -> None:
    """Show the revision(s) REV names (an id, a prefix, head, LABEL@head, current, ...).

    `base` and `LABEL@base` name no revision: nothing is shown.
    """
    scripts = command.show(state.config(), rev)
    if not scripts and not state.quiet:
        click.echo(display.show_base_text(rev), err=True, nl=False)
    _print_scripts(state, scripts, True, False, history=False)


@cli.command("edit", short_help="Open a revision file in $EDITOR.")
@click.argument("rev")
@pass_state
def edit_cmd(state: CliState, rev: str) -> None:
    """Open the revision file(s) REV names in $EDITOR (else $VISUAL).

    REV is any revision identifier; `current` opens the database's current revision(s).
    """
    command.edit(state.config(), rev)


@cli.command("check-heads", short_help="Exit 1 if the graph needs a merge.")
@click.option(
    "--against",
    "against",
    multiple=True,
    metavar="REF",
    help="Also check what merging git ref REF would produce (repeatable; default: the "
    "config's git_target).",
)
@click.option("--staged", is_flag=True, help="Check the graph staged in the git index.")
@click.option("--fix-head-file", is_flag=True, help="Rewrite the heads file from the graph.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def check_heads_cmd(
    state: CliState, against: tuple[str, ...], staged: bool, fix_head_file: bool, as_json: bool
) -> None:
    """Exit 1 if a line of history has more than one head (a merge is needed).

    With --against REF, also exit 1 if merging REF would: leave divergent heads, bring the
    same revision id with different contents, or leave a revision whose parent exists on
    neither side.
    """
    report = command.check_heads_report(
        state.config(), against=against or None, staged=staged, fix_head_file=fix_head_file
    )
    _echo(display.heads_check_text(report, as_json=as_json, quiet=state.quiet))
    if not report.ok:
        sys.exit(1)


@cli.command("merge", short_help="Write a merge revision joining heads.")
@click.argument("revisions", nargs=-1)
@click.option("-m", "--message", metavar="MESSAGE", help="What the merge revision says.")
@click.option("--branch-label", multiple=True, metavar="LABEL", help="Branch label (repeatable).")
@click.option("--rev-id", metavar="ID", help="Use this id instead of a generated one.")
@pass_state
def merge_cmd(
    state: CliState,
    revisions: tuple[str, ...],
    message: str | None,
    branch_label: tuple[str, ...],
    rev_id: str | None,
) -> None:
    """Write a merge revision joining REVISIONS (default: every head)."""
    config = state.config()
    script = command.merge(
        config, list(revisions), message=message, branch_label=list(branch_label), rev_id=rev_id
    )
    _note(state, display.written_text(script))


@cli.command("rebase", short_help="Re-parent this branch's revisions onto REF.")
@click.option("--onto", required=True, metavar="REF", help="Git ref whose head to build on.")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@pass_state
def rebase_cmd(state: CliState, onto: str, dry_run: bool) -> None:
    """Re-parent this branch's revisions onto REF's head (the linear-history merge)."""
    plan = command.rebase(state.config(), onto, dry_run=dry_run)
    _note(state, display.rebase_text(plan, onto, dry_run))


@cli.command("blame", short_help="Show who added each revision to git.")
@click.argument("rev", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def blame_cmd(state: CliState, rev: str | None, as_json: bool) -> None:
    """Show who added REV's file to git (every revision without REV), and where it is."""
    _echo(display.blame_text(command.blame(state.config(), rev), as_json=as_json))


@cli.group("hook", short_help="Install native git hooks.")
def hook_group() -> None:
    """Native git hooks (for repositories that don't use the pre-commit framework)."""


@hook_group.command("install")
@click.option(
    "--pre-push", is_flag=True, help="Also install the pre-push hook (checks @{upstream})."
)
@click.option(
    "--post-checkout",
    is_flag=True,
    help="Also install the post-checkout hook (runs `gitmig sync` on branch checkouts).",
)
@click.option("--force", is_flag=True, help="Replace existing hooks.")
@pass_state
def hook_install_cmd(state: CliState, pre_push: bool, post_checkout: bool, force: bool) -> None:
    """Install git hooks that run `gitmig check-heads`: pre-commit and pre-merge-commit."""
    paths = command.hook_install(
        state.config(), pre_push=pre_push, force=force, post_checkout=post_checkout
    )
    _note(state, display.installed_text(paths))


# -- running migrations ---------------------------------------------------------------------

# "-1" is a revision (one step down), not an option.
_RELATIVE_ARGS = {"ignore_unknown_options": True}

# Options of the root group: a user who writes them after the command is told where they go.
_GLOBAL_OPTIONS = {
    "-c": "-c FILE",
    "--config": "--config FILE",
    "-n": "-n SECTION",
    "--name": "--name SECTION",
    "-x": "-x KEY=VALUE",
    "-q": "-q",
    "--quiet": "--quiet",
    "--raiseerr": "--raiseerr",
}


class RelativeRevisionCommand(click.Command):
    """A command whose revision arguments may look like options (``-1``, ``-2``).

    ``ignore_unknown_options`` lets ``-1`` through as an argument, but it would also let a
    mistyped option through, to be read as a revision (``downgrade --verbose base``: "unexpected
    extra argument (base)"). Only ``-N`` may pass; any other unknown option is refused by name.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        import re

        names: set[str] = set(ctx.help_option_names)
        takes_value: set[str] = set()
        for param in self.params:
            if isinstance(param, click.Option):
                names.update(param.opts + param.secondary_opts)
                if not param.is_flag and not param.count:
                    takes_value.update(param.opts)
        skip_next = False
        for arg in args:
            if skip_next:
                skip_next = False
                continue
            if arg == "--":
                break
            if not arg.startswith("-") or re.fullmatch(r"-\d+", arg):
                continue
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if name in names:
                skip_next = name in takes_value and "=" not in arg
                continue
            message = None
            if name in _GLOBAL_OPTIONS:
                message = (
                    f"{name} is an option of gitmig itself: write it before the command "
                    f"(gitmig {_GLOBAL_OPTIONS[name]} {ctx.info_name} ...)"
                )
            raise click.NoSuchOption(
                name,
                message=message,
                possibilities=sorted(n for n in names if n.startswith("--")),
                ctx=ctx,
            )
        return super().parse_args(ctx, args)


_sql_option = click.option(
    "--sql", is_flag=True, help="Write the SQL to stdout instead of running it (offline mode)."
)
_tag_option = click.option(
    "--tag", metavar="TAG", help="A value for env.py (context.get_tag_argument())."
)
_dry_run_option = click.option(
    "--dry-run",
    is_flag=True,
    help="Read where the database stands, print the plan and the SQL from there; change "
    "nothing (no lock, no write).",
)
_lock_option = click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="How long to wait for another run's migration lock (default 60).",
)


@contextmanager
def _progress(state: CliState) -> Iterator[None]:
    """Show gitmig's INFO log (one line per step) on stderr unless -q, or env.py sets it up.

    env.py's ``fileConfig()`` replaces this handler when the config file has [loggers].
    """
    import logging

    logger = logging.getLogger("gitmig")
    if state.quiet or logger.handlers or logging.getLogger().handlers:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@cli.command(
    "upgrade",
    context_settings=_RELATIVE_ARGS,
    cls=RelativeRevisionCommand,
    short_help="Upgrade the database.",
)
@click.argument("revision", default="head")
@_sql_option
@_tag_option
@_lock_option
@_dry_run_option
@click.option(
    "--since",
    metavar="REF",
    help="With --sql: only this branch's revisions, starting where it forked from git ref REF.",
)
@pass_state
def upgrade_cmd(
    state: CliState,
    revision: str,
    sql: bool,
    tag: str | None,
    lock_timeout: float | None,
    dry_run: bool,
    since: str | None,
) -> None:
    """Upgrade the database to REVISION (default: head).

    REVISION: head, heads, an id or prefix, LABEL@head, +N; with --sql also START:END.
    """
    if dry_run:
        _dry_run(state, "upgrade", revision, sql, tag)
        return
    if since is not None:
        if not sql:
            raise UsageError("--since REF needs --sql (it writes offline SQL for review)")
        revision = command.since_range(state.config(), since, revision)
    with _progress(state):
        command.upgrade(state.config(), revision, sql=sql, tag=tag, lock_timeout=lock_timeout)


@cli.command(
    "downgrade",
    context_settings=_RELATIVE_ARGS,
    cls=RelativeRevisionCommand,
    short_help="Downgrade the database.",
)
@click.argument("revision")
@_sql_option
@_tag_option
@_lock_option
@_dry_run_option
@pass_state
def downgrade_cmd(
    state: CliState,
    revision: str,
    sql: bool,
    tag: str | None,
    lock_timeout: float | None,
    dry_run: bool,
) -> None:
    """Downgrade the database to REVISION (base, an id, -1, LABEL@base; --sql: START:END)."""
    if dry_run:
        _dry_run(state, "downgrade", revision, sql, tag)
        return
    with _progress(state):
        command.downgrade(state.config(), revision, sql=sql, tag=tag, lock_timeout=lock_timeout)


def _dry_run(state: CliState, direction: str, revision: str, sql: bool, tag: str | None) -> None:
    if sql:
        raise UsageError(
            f"{direction} --dry-run starts from the database; --sql starts from nothing: "
            "use one of them"
        )
    with _progress(state):
        found = command.dry_run(state.config(), direction, revision, tag=tag)
    _echo(display.dry_run_text(found))


@cli.command(
    "stamp",
    context_settings=_RELATIVE_ARGS,
    cls=RelativeRevisionCommand,
    short_help="Set the version table without migrating.",
)
@click.argument("revisions", nargs=-1, required=True)
@_sql_option
@_tag_option
@click.option("--purge", is_flag=True, help="Empty the version table first (unknown rows too).")
@_lock_option
@pass_state
def stamp_cmd(
    state: CliState,
    revisions: tuple[str, ...],
    sql: bool,
    tag: str | None,
    purge: bool,
    lock_timeout: float | None,
) -> None:
    """Set the version table to REVISIONS without running any migration."""
    with _progress(state):
        command.stamp(
            state.config(),
            list(revisions),
            sql=sql,
            tag=tag,
            purge=purge,
            lock_timeout=lock_timeout,
        )


@cli.command("ensure-version", short_help="Create the version table if it is missing.")
@_sql_option
@pass_state
def ensure_version_cmd(state: CliState, sql: bool) -> None:
    """Create the version table if the database has none yet (alias: ensure_version)."""
    with _progress(state):
        command.ensure_version(state.config(), sql=sql)


@cli.command("current")
@click.option("-v", "--verbose", is_flag=True, help="Show each current revision's details.")
@click.option("--check-heads", is_flag=True, help="Exit 1 unless the database is on every head.")
@pass_state
def current_cmd(state: CliState, verbose: bool, check_heads: bool) -> None:
    """Show the database's current revision(s)."""
    config = state.config()
    with _progress(state):
        found = command.current(config, check_heads=check_heads, verbose=verbose)
    graph = command.script_directory(config).revision_map
    _echo(display.current_text(found, graph, verbose))


@cli.command("check", short_help="Exit 1 if the models differ from the database.")
@pass_state
def check_cmd(state: CliState) -> None:
    """Exit 1 if the models differ from the database at head (autogenerate finds changes)."""
    operations = command.pending_operations(state.config())
    if not operations:
        _note(state, display.check_text(operations))
        return
    _echo(display.check_text(operations))
    sys.exit(1)


# -- safety ---------------------------------------------------------------------------------


@cli.command("lint", short_help="Exit 1 if revisions make lock-heavy or destructive changes.")
@click.argument("rev_range", required=False, metavar="[REV_RANGE]")
@click.option("--all", "all_revisions", is_flag=True, help="Lint every revision of the history.")
@click.option(
    "--dialect", metavar="NAME", help="Lint for this dialect (default: from sqlalchemy.url)."
)
@click.option("-v", "--verbose", is_flag=True, help="Also list findings allowed with a reason.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--rules", "list_rules", is_flag=True, help="List the rules and exit.")
@pass_state
def lint_cmd(
    state: CliState,
    rev_range: str | None,
    all_revisions: bool,
    dialect: str | None,
    verbose: bool,
    as_json: bool,
    list_rules: bool,
) -> None:
    """Check revisions for lock-heavy and destructive operations (see docs/safety.md).

    REV_RANGE is START:END as `history -r` takes, or one revision; the default is the
    revisions the git_target ref(s) do not have yet (all of them without git_target).
    Exit 1 when an error is found; warnings alone exit 0.
    """
    if list_rules:
        _echo(display.lint_rules_text(command.lint_rules(), as_json))
        return
    report = command.lint(state.config(), rev_range, all_revisions=all_revisions, dialect=dialect)
    _echo(display.lint_text(report, as_json, verbose))
    if not report.ok:
        sys.exit(1)


@cli.command("sync", short_help="Make the dev database follow the checked-out branch.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the plan (what comes down, from where, what goes up); change nothing.",
)
@click.option("--yes", is_flag=True, help="Sync even a database not marked as a development one.")
@click.option(
    "--hook",
    is_flag=True,
    help="Run as the post-checkout hook does: a dry run when sync_on_checkout = dry-run.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def sync_cmd(state: CliState, dry_run: bool, yes: bool, hook: bool, as_json: bool) -> None:
    """Downgrade the revisions this tree lacks (their scripts read from git), then upgrade
    to this tree's heads.

    Scripts come from the git blob the ledger recorded, else HEAD@{1}, ORIG_HEAD, any
    branch or tag, or the HEAD reflog. Refuses a database that is not SQLite, not on
    localhost and not marked `dev_database = true`, unless --yes.
    """
    with _progress(state):
        report = command.sync(state.config(), dry_run=dry_run, yes=yes, hook=hook)
    _echo(display.sync_text(report, as_json=as_json))


# -- the ledger -----------------------------------------------------------------------------


@cli.command("log", short_help="Show the ledger of applied steps.")
@click.option(
    "-n", "limit", type=click.IntRange(min=1), metavar="N", help="Only the newest N rows."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def log_cmd(state: CliState, limit: int | None, as_json: bool) -> None:
    """Show the ledger, newest first: when, what, how long, outcome."""
    found = command.ledger_log(state.config(), limit=limit)
    _echo(display.ledger_log_text(found, as_json=as_json))


@cli.command("verify", short_help="Exit 1 if an applied revision's file changed.")
@click.option(
    "--accept",
    metavar="REV",
    help="Record REV's current checksum: its edit was reviewed (logged in the ledger).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def verify_cmd(state: CliState, accept: str | None, as_json: bool) -> None:
    """Exit 1 if a revision the database applied was edited, deleted, or is unknown here.

    Compares the checksum the ledger recorded with the file in the tree now, and names the
    git commit(s) that changed or deleted it, or the refs that have an unknown revision.
    """
    report = command.verify(state.config(), accept=accept)
    _echo(display.verify_text(report, as_json=as_json))
    if not report.ok:
        sys.exit(1)


# -- fleet ----------------------------------------------------------------------------------


@cli.group("fleet", cls=click.Group, short_help="Migrate many databases or schemas at once.")
def fleet_group() -> None:
    """Status, upgrade, downgrade and stamp over every target of the fleet (docs/fleet.md).

    Targets come from --targets FILE (NAME URL [SCHEMA] per line) or the config's targets
    option (a file, or module:callable returning (name, url, schema) triples).
    """


_targets_option = click.option(
    "--targets",
    metavar="FILE",
    help="Targets file, or module:callable (default: the config's targets option).",
)
_json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


def _fleet_options(fn: Any) -> Any:
    for option in reversed(
        [
            _targets_option,
            click.option(
                "-j",
                "--jobs",
                type=click.IntRange(min=1),
                metavar="N",
                help="Targets migrated at once (default 4, or the config's fleet_jobs).",
            ),
            click.option("--continue-on-error", is_flag=True, help="Go on past failed targets."),
            click.option(
                "--retry-failed",
                "retry_failed",
                is_flag=False,
                flag_value="latest",
                default=None,
                metavar="[RUN]",
                help="Only the targets RUN (default: the last run) left failed or not run.",
            ),
            _lock_option,
            _json_option,
        ]
    ):
        fn = option(fn)
    return fn


def _fleet_progress(state: CliState, as_json: bool) -> Any:
    """The progress callback: a live line on a terminal, else a plain line per target."""
    if state.quiet or as_json:
        return None
    live = sys.stderr.isatty()

    def show(progress: Any) -> None:
        text = display.fleet_progress_text(progress, live)
        if text:
            click.echo(text, nl=False, err=True)

    return show


def _fleet_finish(state: CliState, result: Any, as_json: bool) -> None:
    if sys.stderr.isatty() and not (as_json or state.quiet):
        click.echo("", err=True)  # end the live line
    _echo(display.fleet_result_text(result, as_json))
    if result.signum is not None:
        sys.exit(128 + result.signum)
    if not result.ok:
        sys.exit(1)


@fleet_group.command("status")
@_targets_option
@_json_option
@pass_state
def fleet_status_cmd(state: CliState, targets: str | None, as_json: bool) -> None:
    """Show every target's revision, whether it is at head and how many are pending.

    Reads only the version tables (one short connection each, no env.py). Exit 1 unless
    every target is at head.
    """
    status = command.fleet_status(state.config(), targets)
    _echo(display.fleet_status_text(status, as_json))
    if not status.at_head:
        sys.exit(1)


_canary_option = click.option(
    "--canary",
    type=click.IntRange(min=0),
    default=0,
    metavar="K",
    help="Run the first K targets first; stop if any of them fails.",
)


@fleet_group.command("upgrade", context_settings=_RELATIVE_ARGS)
@click.argument("revision", default="heads")
@_fleet_options
@_canary_option
@pass_state
def fleet_upgrade_cmd(
    state: CliState,
    revision: str,
    targets: str | None,
    jobs: int | None,
    continue_on_error: bool,
    retry_failed: str | None,
    lock_timeout: float | None,
    as_json: bool,
    canary: int,
) -> None:
    """Upgrade every target to REVISION (default: heads), at most --jobs at once."""
    result = command.fleet_upgrade(
        state.config(),
        revision,
        targets=targets,
        jobs=jobs,
        canary=canary,
        continue_on_error=continue_on_error,
        retry_failed=retry_failed,
        lock_timeout=lock_timeout,
        progress=_fleet_progress(state, as_json),
    )
    _fleet_finish(state, result, as_json)


@fleet_group.command("downgrade", context_settings=_RELATIVE_ARGS)
@click.argument("revision")
@_fleet_options
@_canary_option
@pass_state
def fleet_downgrade_cmd(
    state: CliState,
    revision: str,
    targets: str | None,
    jobs: int | None,
    continue_on_error: bool,
    retry_failed: str | None,
    lock_timeout: float | None,
    as_json: bool,
    canary: int,
) -> None:
    """Downgrade every target to REVISION, at most --jobs at once."""
    result = command.fleet_downgrade(
        state.config(),
        revision,
        targets=targets,
        jobs=jobs,
        canary=canary,
        continue_on_error=continue_on_error,
        retry_failed=retry_failed,
        lock_timeout=lock_timeout,
        progress=_fleet_progress(state, as_json),
    )
    _fleet_finish(state, result, as_json)


@fleet_group.command("stamp")
@click.argument("revision")
@_fleet_options
@pass_state
def fleet_stamp_cmd(
    state: CliState,
    revision: str,
    targets: str | None,
    jobs: int | None,
    continue_on_error: bool,
    retry_failed: str | None,
    lock_timeout: float | None,
    as_json: bool,
) -> None:
    """Set every target's version table to REVISION without running migrations."""
    result = command.fleet_stamp(
        state.config(),
        revision,
        targets=targets,
        jobs=jobs,
        continue_on_error=continue_on_error,
        retry_failed=retry_failed,
        lock_timeout=lock_timeout,
        progress=_fleet_progress(state, as_json),
    )
    _fleet_finish(state, result, as_json)
