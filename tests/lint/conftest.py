"""The git fixtures (a repository with a gitmig project) serve the lint tests too."""

from __future__ import annotations

from tests.git.conftest import team as team

__all__ = ["team"]
