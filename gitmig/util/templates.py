"""Where the bundled environment templates live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["template_root"]


def template_root() -> Path:
    """The directory holding one folder per environment template."""
    try:
        import gitmig.templates as bundled  # present in an installed wheel
    except ModuleNotFoundError:
        # A source checkout: templates/ sits beside the package (see pyproject's package-dir).
        return Path(__file__).resolve().parents[2] / "templates"
    return Path(next(iter(bundled.__path__)))
