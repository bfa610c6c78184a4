"""Native git hooks: ``hook install`` writes a hook that runs ``gitmig check-heads``.

The hook's shell script is a resource shipped in the wheel (``gitmig/resources/hook-tmpl``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitmig.command._base import open_repo, script_directory
from gitmig.exc import CommandError

if TYPE_CHECKING:
    from pathlib import Path

    from gitmig.config import Config

__all__ = ["HOOK_MARKER", "hook_install"]

#: the line that marks a hook file as written by gitmig
HOOK_MARKER = "gitmig check-heads hook"


def _hook_template() -> str:
    from importlib.resources import files

    return (files("gitmig") / "resources" / "hook-tmpl").read_text(encoding="utf-8")


def hook_install(config: Config, pre_push: bool = False, force: bool = False) -> Path:
    """Write a native git hook running ``check-heads`` (pre-commit, or pre-push).

    The pre-commit hook checks the staged graph; the pre-push hook checks against the
    branch's upstream (plain ``check-heads`` when it has none). An existing different hook
    is never replaced without ``force``. Returns the hook's path.
    """
    import shlex
    import sys

    script_dir = script_directory(config)
    hook_type = "pre-push" if pre_push else "pre-commit"
    with open_repo(script_dir, "hook install") as repo:
        hooks = repo.git_path("hooks")
        config_args = ""
        if config.config_file_name:
            config_args = f"-c {shlex.quote(repo.relative(config.config_file_name))} "
        if config.config_ini_section != "gitmig":
            config_args += f"-n {shlex.quote(config.config_ini_section)} "
    if pre_push:
        purpose = "Refuses a push whose migration graph would diverge from the upstream's."
        command_line = (
            'if git rev-parse --verify --quiet "@{upstream}" >/dev/null; then\n'
            "    CHECK_ARGS='--against @{upstream}'\nelse\n    CHECK_ARGS=''\nfi"
        )
    else:
        purpose = "Refuses a commit whose staged migration graph has divergent heads."
        command_line = "CHECK_ARGS='--staged'"
    text = _hook_template().format(
        marker=HOOK_MARKER,
        hook_type=hook_type,
        purpose=purpose,
        python=shlex.quote(sys.executable),
        command=command_line,
        config_args=config_args,
    )
    path = hooks / hook_type
    if path.exists() and path.read_text(encoding="utf-8", errors="replace") != text and not force:
        raise CommandError(
            f"{path} already exists and is not this gitmig hook; pass --force to replace it "
            "(or call `gitmig check-heads` from it yourself)"
        )
    hooks.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path
