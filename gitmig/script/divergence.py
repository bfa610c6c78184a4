"""What :meth:`RevisionMap.divergences <gitmig.script.revision.RevisionMap.divergences>`
returns: heads that a merge must join.

A module of its own because ``typing.NamedTuple`` imports :mod:`typing`, which the light
commands otherwise never load (about 4 ms at every start).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Divergence"]


class Divergence(NamedTuple):
    """Heads on one line of history that a merge (or a re-parenting) must join."""

    heads: tuple[str, ...]
    #: the lowest revisions every head descends from (usually one)
    common_ancestors: tuple[str, ...]
    #: for each head, the revisions it added since the common ancestors, oldest first
    added: dict[str, tuple[str, ...]]
