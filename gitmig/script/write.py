"""Write new revision files from the environment's ``script.py.mako``."""

from __future__ import annotations

import datetime
import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitmig.exc import CommandError, ScriptError, UsageError
from gitmig.script.source import is_revision_file

if TYPE_CHECKING:
    from gitmig.script.base import ScriptDirectory

__all__ = [
    "check_rev_id_length",
    "docstring_text",
    "new_rev_id",
    "python_literal",
    "render_template",
    "render_text",
    "revision_file_name",
    "slugify",
]


_SLUG_JUNK = re.compile(r"[^\w]+")


def new_rev_id() -> str:
    """A fresh revision id: 12 hex digits from a random UUID."""
    return uuid.uuid4().hex[-12:]


def check_rev_id_length(rev_id: str) -> None:
    """Refuse an id longer than the version table can record (a UsageError naming it)."""
    from gitmig.runtime.migration import VERSION_NUM_LENGTH

    if len(rev_id) > VERSION_NUM_LENGTH:
        raise UsageError(
            f"--rev-id {rev_id!r} is {len(rev_id)} characters long; the version table's "
            f"column version_num holds at most {VERSION_NUM_LENGTH}"
        )


def docstring_text(message: str) -> str:
    """``message`` escaped to sit inside a triple-quoted docstring and read back unchanged.

    Backslashes and quotes that would end the docstring early are escaped, so any message
    gives an importable file whose docstring is the message.
    """
    text = message.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    return text


def slugify(message: str | None, length: int) -> str:
    """The file-name slug of a message, cut at a word boundary to at most ``length``."""
    words = _SLUG_JUNK.sub(" ", (message or "").lower()).split()
    slug = ""
    for word in words:
        candidate = f"{slug}_{word}" if slug else word
        if len(candidate) > length:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:length]
    return slug


def revision_file_name(template: str, rev: str, slug: str, when: datetime.datetime) -> str:
    """Apply ``file_template`` (tokens rev, slug, year, month, ... epoch) and add ``.py``."""
    tokens = {
        "rev": rev,
        "slug": slug,
        "year": when.year,
        "month": when.month,
        "day": when.day,
        "hour": when.hour,
        "minute": when.minute,
        "second": when.second,
        "epoch": int(when.timestamp()),
    }
    try:
        name = template % tokens
    except (KeyError, ValueError, TypeError) as err:
        raise CommandError(f"file_template {template!r} is not valid: {err}") from None
    return name.rstrip("_") + ".py"


def python_literal(value: object) -> str:
    """Render a marker value as Python source, strings in double quotes."""
    if value is None:
        return "None"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (tuple, list)):
        items = [python_literal(item) for item in value]
        if len(items) == 1:
            return f"({items[0]},)"
        return "(" + ", ".join(items) + ")"
    return repr(value)


def render_text(template: Path, **kw: Any) -> str:
    """Render a Mako template file to text.

    On failure the message names the template and the error, and a file holding Mako's
    template-oriented traceback (the template lines around the failing one).
    """
    import tempfile

    from mako import exceptions
    from mako.template import Template

    try:
        return str(Template(filename=str(template)).render_unicode(**kw))
    except Exception as err:
        traceback = str(exceptions.text_error_template().render())
        detail = traceback.strip().splitlines()[-1]
        with tempfile.NamedTemporaryFile(
            "w", suffix=".txt", prefix="gitmig-template-", delete=False, encoding="utf-8"
        ) as handle:
            handle.write(traceback)
        raise ScriptError(
            f"Template rendering failed; see {handle.name} for a template-oriented traceback "
            f"({template}: {detail})"
        ) from err


def render_template(template: Path, destination: Path, **kw: Any) -> None:
    """Render a Mako template file to ``destination``."""
    destination.write_text(render_text(template, **kw), encoding="utf-8")


def write_revision(
    script_dir: ScriptDirectory,
    rev_id: str,
    message: str | None,
    down_revision: str | Sequence[str] | None,
    branch_labels: Sequence[str] | None = None,
    depends_on: Sequence[str] | None = None,
    version_path: Path | None = None,
    **template_args: Any,
) -> Path:
    """Render a new revision file and return its path."""
    when = script_dir._generate_create_date()
    folder = version_path or script_dir.version_locations[0]
    path = script_dir._rev_path(folder, rev_id, message, when)
    if path.parent != folder and not script_dir.recursive_version_locations:
        # Written there, the revision would not be read back: it would silently not exist.
        raise UsageError(
            f"file_template {script_dir.file_template!r} puts revisions in a subfolder "
            f"({os.path.relpath(path.parent, folder)}) of {folder}, which is read only with "
            "recursive_version_locations = true; set that option or change the template"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if not is_revision_file(path.name):
        # Written, it would be skipped as hidden: the revision would silently not exist.
        raise UsageError(
            f"--rev-id {rev_id!r} gives the file name {path.name!r}, which gitmig does not "
            "read as a revision (it starts with '.' or '__init__'); choose another id"
        )
    if path.exists():
        raise CommandError(f"{path} already exists; pick another --rev-id or message")
    if not script_dir.script_template.is_file():
        raise CommandError(f"{script_dir.script_template}: no script template in the environment")
    parents = down_revision if not isinstance(down_revision, str) else (down_revision,)
    template_args.setdefault("imports", "")
    template_args.setdefault("upgrades", "")
    template_args.setdefault("downgrades", "")
    check_rev_id_length(rev_id)
    render_template(
        script_dir.script_template,
        path,
        up_revision=rev_id,
        down_revision=down_revision,
        revises=", ".join(parents or ()),
        branch_labels=tuple(branch_labels) if branch_labels else None,
        depends_on=tuple(depends_on) if depends_on else None,
        create_date=when.isoformat(sep=" "),
        message=docstring_text(message or ""),
        lit=python_literal,
        config=script_dir.config,
        **template_args,
    )
    _check_compiles(path)
    return path


def _check_compiles(path: Path) -> None:
    """Remove a written file that is not valid Python (e.g. a broken script template)."""
    source = path.read_text(encoding="utf-8")
    try:
        compile(source, str(path), "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as err:
        path.unlink()
        line = f" line {err.lineno}" if isinstance(err, SyntaxError) and err.lineno else ""
        detail = err.msg if isinstance(err, SyntaxError) else str(err)
        raise ScriptError(
            f"{path}: the rendered revision is not valid Python ({detail},{line}), so it was "
            "removed; check the script template script.py.mako"
        ) from None
