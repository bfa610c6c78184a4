"""Native git hooks: ``hook install`` writes hooks that run ``gitmig check-heads``.

The hooks' shell script is a resource shipped in the wheel (``gitmig/resources/hook-tmpl``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from gitmig.command._base import open_repo, script_directory
from gitmig.exc import CommandError

if TYPE_CHECKING:
    from pathlib import Path

    from gitmig.config import Config

__all__ = ["HOOK_MARKER", "HOOK_TYPES", "OPT_IN", "hook_install"]

#: the line that marks a hook file as written by gitmig
HOOK_MARKER = "gitmig check-heads hook"


class _Hook(NamedTuple):
    purpose: str
    #: shell lines that set CHECK_ARGS (the global options and the check-heads command)
    command: str
    #: shell lines run when the check failed (``$status`` holds its exit code)
    on_failure: str = ""


_STAGED = "CHECK_ARGS='check-heads --staged'"

#: what each hook does; pre-push and post-checkout are opt-in (see :data:`OPT_IN`)
HOOK_TYPES: dict[str, _Hook] = {
    "pre-commit": _Hook(
        "Refuses a commit whose staged migration graph has divergent heads.", _STAGED
    ),
    # `git merge` commits without running pre-commit: this one sees the merged index.
    "pre-merge-commit": _Hook(
        "Refuses a merge that would leave divergent migration heads or colliding migrations.",
        _STAGED,
        'if [ $status -eq 1 ]; then\n    echo "gitmig: the merge is still in progress. Fix '
        "what is listed above (divergent heads: join them with "
        '\\`gitmig merge -m \\"merge heads\\"\\`), \\`git add\\` the changes, then '
        '\\`git commit\\` to complete it (or \\`git merge --abort\\`)." >&2\n'
        "fi\n",
    ),
    "pre-push": _Hook(
        "Refuses a push whose migration graph would diverge from the upstream's.",
        # A branch's first push has no upstream yet: one line, then the plain check.
        'if git rev-parse --verify --quiet "@{upstream}" >/dev/null 2>&1; then\n'
        "    CHECK_ARGS='check-heads --against @{upstream}'\nelse\n"
        '    echo "gitmig pre-push hook: this branch has no upstream yet; checking its own '
        'graph only"\n'
        "    CHECK_ARGS='-q check-heads'\nfi",
    ),
    "post-checkout": _Hook(
        "Syncs the development database with the branch just checked out (`gitmig sync`).",
        # $3 is 1 for a branch checkout (0: files checked out); the same commit needs
        # nothing; an all-zero $1 is a new clone or worktree, not a switch of this one's
        # branch; and a rebase checks out commits on its way.
        'if [ "$3" != "1" ] || [ "$1" = "$2" ]; then\n    exit 0\nfi\n'
        'case "$1" in *[!0]*) ;; *) exit 0 ;; esac\n'
        'if [ -d "$(git rev-parse --git-path rebase-merge)" ] || '
        '[ -d "$(git rev-parse --git-path rebase-apply)" ]; then\n    exit 0\nfi\n'
        "CHECK_ARGS='sync --hook'",
        'if [ $status -ne 0 ]; then\n    echo "gitmig post-checkout hook: the checkout is '
        "done, but the database was not synced (see above); fix that, then run "
        '\\`gitmig sync\\`." >&2\nfi\n',
    ),
}

#: hooks installed only when asked for
OPT_IN = ("pre-push", "post-checkout")


def _hook_template() -> str:
    from importlib.resources import files

    return (files("gitmig") / "resources" / "hook-tmpl").read_text(encoding="utf-8")


def hook_install(
    config: Config, pre_push: bool = False, force: bool = False, post_checkout: bool = False
) -> list[Path]:
    """Write the native git hooks that run ``check-heads``; return their paths.

    ``pre-commit`` and ``pre-merge-commit`` check the staged graph (``git merge`` runs
    only the latter); with ``pre_push`` also ``pre-push``, which checks against the
    branch's upstream (its own graph when it has none yet); with ``post_checkout`` also
    ``post-checkout``, which runs ``gitmig sync --hook`` after a branch checkout. A hook
    an earlier gitmig wrote (it carries :data:`HOOK_MARKER`) is brought up to date; any
    other existing hook is never replaced without ``force``: then nothing is written.
    """
    import shlex
    import sys

    script_dir = script_directory(config)
    with open_repo(script_dir, "hook install") as repo:
        hooks = repo.git_path("hooks")
        config_args = ""
        if config.config_file_name:
            config_args = f"-c {shlex.quote(repo.relative(config.config_file_name))} "
        if config.config_ini_section != "gitmig":
            config_args += f"-n {shlex.quote(config.config_ini_section)} "
    chosen = {"pre-push": pre_push, "post-checkout": post_checkout}
    wanted = [name for name in HOOK_TYPES if name not in OPT_IN or chosen[name]]
    texts = {}
    for hook_type in wanted:
        hook = HOOK_TYPES[hook_type]
        texts[hooks / hook_type] = _hook_template().format(
            marker=HOOK_MARKER,
            hook_type=hook_type,
            purpose=hook.purpose,
            python=shlex.quote(sys.executable),
            command=hook.command,
            config_args=config_args,
            on_failure=hook.on_failure,
        )
    for path in texts:
        if not force and path.exists() and HOOK_MARKER not in _first_lines(path):
            raise CommandError(
                f"{path} already exists and is not this gitmig hook; pass --force to "
                "replace it (or call `gitmig check-heads --staged` from it yourself)"
            )
    hooks.mkdir(parents=True, exist_ok=True)
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
        path.chmod(0o755)
    return list(texts)


def _first_lines(path: Path) -> str:
    """The head of an existing hook, where gitmig's marker line stands in its own hooks."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        return handle.read(512)
