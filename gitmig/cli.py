"""The ``gitmig`` command line: a thin click adapter over :mod:`gitmig.command`.

Errors are translated once, here: a :class:`~gitmig.exc.GitmigError` prints a one-line
message and exits 1; usage errors exit 2; anything unexpected prints a short note (the
traceback only with ``--raiseerr``) and exits 1.
"""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

import click

from gitmig import __version__, command
from gitmig.exc import GitmigError

if TYPE_CHECKING:
    from gitmig.config import Config
    from gitmig.script.base import Script
    from gitmig.script.revision import Divergence, RevisionMap

__all__ = ["main"]

# Alembic's spellings, so its users' fingers keep working.
_ALIASES = {"revision": "new", "list_templates": "list-templates", "check_heads": "check-heads"}


@dataclass
class CliState:
    """What the root group parsed; builds the Config when a command first needs it."""

    config_file: str | None
    name: str
    x: list[str]
    quiet: bool
    raiseerr: bool
    _config: Config | None = field(default=None, repr=False)

    def config(self) -> Config:
        if self._config is None:
            from gitmig.config import Config, find_config_file

            self._config = Config(
                file_=find_config_file(self.config_file),
                ini_section=self.name,
                cmd_opts=Namespace(x=self.x, quiet=self.quiet, raiseerr=self.raiseerr),
            )
        return self._config

    def bare_config(self) -> Config:
        """A Config that reads no file (for init and list-templates)."""
        from gitmig.config import Config

        return Config(
            file_=None,
            ini_section=self.name,
            cmd_opts=Namespace(x=self.x, quiet=self.quiet, raiseerr=self.raiseerr),
        )


class GitmigGroup(click.Group):
    """Resolves Alembic's command spellings and turns GitmigError into exit codes."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, _ALIASES.get(cmd_name, cmd_name))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GitmigError as err:
            state = ctx.obj
            if isinstance(state, CliState) and state.raiseerr:
                raise
            _fail(str(err))
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as err:
            state = ctx.obj
            if isinstance(state, CliState) and state.raiseerr:
                raise
            _fail(
                f"unexpected {type(err).__name__}: {err} "
                "(run again with --raiseerr to see the traceback)"
            )


def _fail(message: str) -> NoReturn:
    from gitmig.util.messaging import mask_url

    click.echo(f"gitmig: error: {mask_url(message)}", err=True)
    sys.exit(1)


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
@click.option("-n", "--name", default="gitmig", show_default=True, help="Config section to use.")
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


@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "-t", "--template", default="generic", show_default=True, help="Environment template."
)
@click.option("--package", is_flag=True, help="Write __init__.py files (importable package).")
@pass_state
def init_cmd(state: CliState, directory: str, template: str, package: bool) -> None:
    """Create a new migration environment in DIRECTORY (which must be empty or absent)."""
    config = state.bare_config()
    config.config_file_name = state.config_file
    for path in command.init(config, directory, template=template, package=package):
        config.print_stdout(f"  created {path}")
    config.print_stdout(
        f"Migration environment ready in {directory}. Set sqlalchemy.url in the config file, "
        "then run 'gitmig new -m \"first revision\"'."
    )


@cli.command("list-templates")
@pass_state
def list_templates_cmd(state: CliState) -> None:
    """List the environment templates that `gitmig init -t` takes."""
    templates = command.list_templates(state.bare_config())
    width = max(len(t.name) for t in templates)
    for info in templates:
        click.echo(f"{info.name.ljust(width)}  {info.description}")
    click.echo("\nUse: gitmig init --template <name> DIRECTORY")


# -- new revisions --------------------------------------------------------------------------


@cli.command("new")
@click.option("-m", "--message", help="What the revision does (its docstring and file slug).")
@click.option("--head", help="The head to build on (needed when there are several).")
@click.option("--splice", is_flag=True, help="Allow --head to name a revision that is not a head.")
@click.option("--branch-label", multiple=True, help="Branch label for the new revision.")
@click.option("--depends-on", multiple=True, help="Revision this one depends on (repeatable).")
@click.option("--rev-id", help="Use this id instead of a generated one.")
@click.option("--version-path", help="Version folder to write into (one of version_locations).")
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
) -> None:
    """Write a new revision file (alias: revision)."""
    config = state.config()
    path = command.new(
        config,
        message=message,
        head=head,
        splice=splice,
        branch_label=list(branch_label),
        depends_on=list(depends_on),
        rev_id=rev_id,
        version_path=version_path,
    )
    config.print_stdout(f"Generating {path} ... done")


# -- inspecting the graph -------------------------------------------------------------------


def _tags(script: Script, graph: RevisionMap) -> str:
    parts = []
    labels = sorted(graph.labels(script.revision))
    if labels:
        parts.append(f"({', '.join(labels)})")
    if script.revision in graph.heads:
        parts.append("(head)")
    if script.is_merge_point:
        parts.append("(mergepoint)")
    if len(graph.children(script.revision)) > 1:
        parts.append("(branchpoint)")
    return " ".join(parts)


def _line(script: Script, graph: RevisionMap) -> str:
    """One history line: ``parent -> id (tags), message``."""
    if not script.parents:
        down = "<base>"
    elif len(script.parents) == 1:
        down = script.parents[0]
    else:
        down = "(" + ", ".join(script.parents) + ")"
    tags = _tags(script, graph)
    return f"{down} -> {script.revision}{' ' + tags if tags else ''}, {script.doc}"


def _verbose(script: Script, graph: RevisionMap) -> str:
    tags = _tags(script, graph)
    lines = [f"Rev: {script.revision}{' ' + tags if tags else ''}"]
    lines.append(f"Parent: {', '.join(script.parents) or '<base>'}")
    if script.dependencies:
        lines.append(f"Also depends on: {', '.join(script.dependencies)}")
    children = graph.children(script.revision)
    if len(children) > 1:
        lines.append(f"Branches into: {', '.join(children)}")
    if script.is_merge_point:
        lines.append(f"Merges: {', '.join(script.parents)}")
    labels = sorted(graph.labels(script.revision))
    if labels:
        lines.append(f"Branch names: {', '.join(labels)}")
    lines.append(f"Path: {script.path}")
    lines.append("")
    lines.extend(f"    {text}".rstrip() for text in script.longdoc.splitlines())
    return "\n".join(lines) + "\n"


def _as_json(script: Script, graph: RevisionMap) -> dict[str, Any]:
    return {
        "revision": script.revision,
        "down_revision": list(script.parents),
        "depends_on": list(script.dependencies),
        "branch_labels": sorted(script.branch_labels),
        "branches": sorted(graph.labels(script.revision)),
        "is_head": script.revision in graph.heads,
        "is_merge_point": script.is_merge_point,
        "message": script.doc,
        "path": script.path,
    }


def _print_scripts(
    state: CliState, scripts: Iterable[Script], verbose: bool, as_json: bool, history: bool
) -> None:
    from gitmig.script.base import ScriptDirectory

    graph = ScriptDirectory.from_config(state.config()).revision_map
    scripts = list(scripts)
    if as_json:
        click.echo(json.dumps([_as_json(s, graph) for s in scripts], indent=2))
        return
    for script in scripts:
        if verbose:
            click.echo(_verbose(script, graph))
        elif history:
            click.echo(_line(script, graph))
        else:
            tags = _tags(script, graph)
            click.echo(f"{script.revision}{' ' + tags if tags else ''}")


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
    from gitmig.script.base import ScriptDirectory

    graph = ScriptDirectory.from_config(state.config()).revision_map
    for point, children in command.branches(state.config()):
        click.echo(_verbose(point, graph) if verbose else _line(point, graph))
        for child in children:
            click.echo(f"    -> {_line(child, graph)}")


@cli.command("history")
@click.option("-r", "--rev-range", metavar="START:END", help="Only revisions in this range.")
@click.option("-v", "--verbose", is_flag=True, help="Show each revision's details.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def history_cmd(state: CliState, rev_range: str | None, verbose: bool, as_json: bool) -> None:
    """List revisions, newest first."""
    scripts = command.history(state.config(), rev_range)
    _print_scripts(state, scripts, verbose, as_json, history=True)


@cli.command("show")
@click.argument("rev")
@pass_state
def show_cmd(state: CliState, rev: str) -> None:
    """Show the revision(s) REV names (an id, a prefix, head, LABEL@head, ...)."""
    _print_scripts(state, command.show(state.config(), rev), True, False, history=False)


def _describe_divergence(divergence: Divergence) -> list[str]:
    lines = [f"Divergent heads on one line of history: {', '.join(divergence.heads)}"]
    lines.append(f"  common ancestor: {', '.join(divergence.common_ancestors) or '<base>'}")
    for head, added in divergence.added.items():
        lines.append(f"  {head} adds: {', '.join(added)}")
    return lines


_FIX_HINT = (
    "Fix it with one of:\n"
    '  gitmig merge -m "merge heads"     write a merge revision that joins them\n'
    "  gitmig rebase --onto REF          re-parent this branch's revisions onto REF's head\n"
    "                                    (or edit the first one's down_revision by hand)"
)


@cli.command("check-heads")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def check_heads_cmd(state: CliState, as_json: bool) -> None:
    """Exit 1 if a line of history has more than one head (a merge is needed)."""
    divergences = command.check_heads(state.config())
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": not divergences,
                    "divergences": [
                        {
                            "heads": list(d.heads),
                            "common_ancestors": list(d.common_ancestors),
                            "added": {h: list(a) for h, a in d.added.items()},
                        }
                        for d in divergences
                    ],
                },
                indent=2,
            )
        )
    elif divergences:
        for divergence in divergences:
            click.echo("\n".join(_describe_divergence(divergence)))
        click.echo(_FIX_HINT)
    else:
        state.config().print_stdout("OK: every line of history has a single head")
    if divergences:
        sys.exit(1)
