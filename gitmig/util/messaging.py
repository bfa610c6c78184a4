"""Helpers for what gitmig tells people: masked URLs, short lists."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable

TYPE_CHECKING = False  # typing costs 4 ms to import; checkers read this as True
if TYPE_CHECKING:
    from typing import Any


__all__ = ["format_ids", "mask_url", "url_text", "warn"]

_PASSWORD_IN_URL = re.compile(r"(?P<head>[a-zA-Z][\w+.\-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<at>@)")
# Drivers also take the password as a query parameter (psycopg, pymysql: ...?password=...).
_PASSWORD_IN_QUERY = re.compile(r"(?P<head>[?&](?:password|passwd|pwd)=)(?P<pw>[^&\s#]*)", re.I)


def mask_url(text: object) -> str:
    """``text`` with the password of any database URL in it replaced by ``***``."""
    masked = _PASSWORD_IN_URL.sub(r"\g<head>***\g<at>", str(text))
    return _PASSWORD_IN_QUERY.sub(r"\g<head>***", masked)


def url_text(url: Any) -> str:
    """A SQLAlchemy ``URL`` for a message: its password hidden, in the query string too."""
    return mask_url(url.render_as_string(hide_password=True))


def format_ids(ids: Iterable[str], empty: str = "base") -> str:
    """Revision ids joined for a message (``empty`` when there are none)."""
    joined = ", ".join(ids)
    return joined or empty


def warn(message: str, stacklevel: int = 2) -> None:
    """Issue a ``UserWarning`` attributed to the caller of the function that calls this."""
    warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)
