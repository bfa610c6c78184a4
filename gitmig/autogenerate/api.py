"""Autogenerate's public API: compare models with a database, produce and render operations.

Example (no env.py needed)::

    from sqlalchemy import create_engine
    from gitmig.autogenerate import compare_metadata
    from gitmig.runtime.migration import MigrationContext

    with create_engine(url).connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

# imported for their @comparators.dispatch_for registrations (tables: through its import below)
from gitmig.autogenerate.compare import columns as _columns  # noqa: F401
from gitmig.autogenerate.compare import constraints as _constraints  # noqa: F401
from gitmig.autogenerate.compare import indexes as _indexes  # noqa: F401
from gitmig.autogenerate.compare.tables import populate_upgrade_ops
from gitmig.autogenerate.context import AutogenContext
from gitmig.autogenerate.render import _render_python_into_templatevars, render_ops_body
from gitmig.exc import AutogenerateError
from gitmig.operations import ops

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from gitmig.config import Config
    from gitmig.runtime.migration import MigrationContext
    from gitmig.script.base import ScriptDirectory

__all__ = [
    "RevisionContext",
    "compare_metadata",
    "produce_migrations",
    "render_python_code",
]


def compare_metadata(migration_context: MigrationContext, metadata: MetaData) -> list[Any]:
    """The differences between ``metadata`` and the database, as Alembic-style diff tuples.

    Each entry is e.g. ``("add_table", Table)``, ``("remove_column", schema, table,
    Column)``, or a list of ``("modify_type", ...)``-style tuples for one column.
    """
    script = produce_migrations(migration_context, metadata)
    return script.upgrade_ops.as_diffs()


def produce_migrations(
    migration_context: MigrationContext, metadata: MetaData | Sequence[MetaData]
) -> ops.MigrationScript:
    """A :class:`~gitmig.operations.ops.MigrationScript` with the upgrade and downgrade ops."""
    autogen_context = AutogenContext(migration_context, metadata=metadata)
    upgrade_ops = ops.UpgradeOps([])
    populate_upgrade_ops(autogen_context, upgrade_ops)
    return ops.MigrationScript(None, upgrade_ops, upgrade_ops.reverse())


def render_python_code(
    up_or_down_op: ops.OpContainer,
    sqlalchemy_module_prefix: str = "sa.",
    alembic_module_prefix: str = "op.",
    render_as_batch: bool = False,
    imports: Iterable[str] = (),
    render_item: Callable[..., Any] | None = None,
    migration_context: MigrationContext | None = None,
    user_module_prefix: str | None = None,
) -> str:
    """Python code for the operations of an ``UpgradeOps``/``DowngradeOps``.

    Without ``migration_context``, SQL is rendered for SQLAlchemy's default dialect.
    """
    opts = {
        "sqlalchemy_module_prefix": sqlalchemy_module_prefix,
        "alembic_module_prefix": alembic_module_prefix,
        "render_as_batch": render_as_batch,
        "render_item": render_item,
        "user_module_prefix": user_module_prefix,
    }
    if migration_context is None:
        from sqlalchemy.engine.default import DefaultDialect

        from gitmig.runtime.migration import MigrationContext

        migration_context = MigrationContext.configure(dialect=DefaultDialect())
    autogen_context = AutogenContext(migration_context, opts=opts, autogenerate=False)
    autogen_context.imports = set(imports)
    return render_ops_body(autogen_context, up_or_down_op)


def _render_migration_diffs(
    migration_context: MigrationContext, template_args: dict[str, Any]
) -> None:
    """Compare ``target_metadata`` with the database; put the rendered bodies in
    ``template_args`` under the context's upgrade/downgrade tokens (Alembic's name)."""
    autogen_context = AutogenContext(migration_context)
    upgrade_ops = ops.UpgradeOps([])
    populate_upgrade_ops(autogen_context, upgrade_ops)
    script = ops.MigrationScript(None, upgrade_ops, upgrade_ops.reverse())
    _render_python_into_templatevars(autogen_context, script, template_args)


class RevisionContext:
    """Collects the revisions an env.py run autogenerates, then their template arguments.

    The command hands :meth:`run_autogenerate` to the EnvironmentContext as ``fn``; env.py
    may call ``run_migrations()`` several times (multidb template), each adding the
    operations for its ``upgrade_token``/``downgrade_token``.
    """

    def __init__(
        self,
        config: Config,
        script_directory: ScriptDirectory,
        command_args: Mapping[str, Any],
        process_revision_directives: Callable[..., None] | None = None,
    ) -> None:
        self.config = config
        self.script_directory = script_directory
        self.command_args = dict(command_args)
        self.process_revision_directives = process_revision_directives
        self.generated_revisions: list[ops.MigrationScript] = [self._default_revision()]
        self._contexts: list[AutogenContext] = []
        self._needs_token = False
        #: the script template's extra arguments: the command hands this dict to env.py's
        #: EnvironmentContext as ``template_args``, which ``configure(template_args=)`` updates
        self.env_template_args: dict[str, Any] = {}

    def _default_revision(self) -> ops.MigrationScript:
        args = self.command_args
        return ops.MigrationScript(
            rev_id=args.get("rev_id"),
            message=args.get("message"),
            upgrade_ops=ops.UpgradeOps([]),
            downgrade_ops=ops.DowngradeOps([]),
            head=args.get("head"),
            splice=args.get("splice"),
            branch_label=args.get("branch_label"),
            version_path=args.get("version_path"),
            depends_on=args.get("depends_on"),
        )

    def run_autogenerate(
        self, heads: tuple[str, ...], migration_context: MigrationContext
    ) -> list[Any]:
        """The EnvironmentContext ``fn``: compare, record, and run no migration steps."""
        script_heads = set(self.script_directory.revision_map.heads)
        if set(heads) != script_heads:
            at = ", ".join(heads) or "<base>"
            raise AutogenerateError(
                f"Target database is not up to date. It is at {at}; the scripts' "
                f"head is {', '.join(sorted(script_heads)) or '<base>'}. Run 'gitmig upgrade "
                "head' first."
            )
        opts = migration_context.opts
        script = self.generated_revisions[-1]
        upgrade_token = opts.get("upgrade_token") or "upgrades"
        downgrade_token = opts.get("downgrade_token") or "downgrades"
        if self._needs_token:
            script.upgrade_ops_list.append(ops.UpgradeOps([], upgrade_token=upgrade_token))
            script.downgrade_ops_list.append(ops.DowngradeOps([], downgrade_token=downgrade_token))
        else:
            script.upgrade_ops_list[-1].upgrade_token = upgrade_token
            script.downgrade_ops_list[-1].downgrade_token = downgrade_token
            self._needs_token = True
        autogen_context = AutogenContext(migration_context)
        self._contexts.append(autogen_context)
        upgrade_ops = script.upgrade_ops_list[-1]
        populate_upgrade_ops(autogen_context, upgrade_ops)
        upgrade_ops.reverse_into(script.downgrade_ops_list[-1])
        self._run_directives(heads, migration_context)
        return []

    def run_no_autogenerate(
        self, heads: tuple[str, ...], migration_context: MigrationContext
    ) -> list[Any]:
        """The EnvironmentContext ``fn`` of a revision written with ``revision_environment``
        on but no autogenerate: nothing is compared, the directive hooks still run."""
        self._run_directives(heads, migration_context)
        return []

    def _run_directives(self, heads: tuple[str, ...], migration_context: MigrationContext) -> None:
        """The command's ``process_revision_directives``, then env.py's."""
        if self.process_revision_directives is not None:
            self.process_revision_directives(migration_context, heads, self.generated_revisions)
        hook = migration_context.opts.get("process_revision_directives")
        if hook is not None:
            hook(migration_context, heads, self.generated_revisions)

    def template_args(self, script: ops.MigrationScript) -> dict[str, Any]:
        """The script template's arguments for one revision: env.py's ``template_args``,
        op bodies and imports."""
        autogen_context = (
            self._contexts[-1]
            if self._contexts
            else AutogenContext(None, opts={}, autogenerate=False)
        )
        autogen_context.imports = set(script.imports)
        args: dict[str, Any] = dict(self.env_template_args)
        for upgrade_ops in script.upgrade_ops_list:
            args[upgrade_ops.upgrade_token] = render_ops_body(autogen_context, upgrade_ops)
        for downgrade_ops in script.downgrade_ops_list:
            args[downgrade_ops.downgrade_token] = render_ops_body(autogen_context, downgrade_ops)
        imports = sorted(autogen_context.imports)
        args["imports"] = "\n".join(imports) + "\n" if imports else ""
        return args

    def operations(self) -> list[ops.MigrateOperation]:
        """Every upgrade operation found (flattened out of ModifyTableOps)."""
        found: list[ops.MigrateOperation] = []
        for script in self.generated_revisions:
            for upgrade_ops in script.upgrade_ops_list:
                found.extend(_flatten(upgrade_ops.ops))
        return found


def _flatten(op_list: Iterable[ops.MigrateOperation]) -> Iterable[ops.MigrateOperation]:
    for op_ in op_list:
        if isinstance(op_, ops.OpContainer):
            yield from _flatten(op_.ops)
        else:
            yield op_
