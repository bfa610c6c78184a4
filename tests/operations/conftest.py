"""Fixtures for running operations online against the real databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from gitmig.operations import Operations
from gitmig.runtime.migration import MigrationContext
from tests.operations.helpers import transactional_sqlite

Run = Callable[[Callable[[Operations], Any]], Any]


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    eng = sa.create_engine(db_url)
    if eng.dialect.name == "sqlite":
        transactional_sqlite(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def run(engine: sa.Engine) -> Run:
    """``run(fn)``: call ``fn(op)`` in one transaction on the test database."""

    def _run(fn: Callable[[Operations], Any], **opts: Any) -> Any:
        with engine.begin() as conn:
            ctx = MigrationContext.configure(connection=conn, opts=opts)
            return fn(Operations(ctx))

    return _run


@pytest.fixture
def inspect(engine: sa.Engine) -> Callable[[], sa.Inspector]:
    """A fresh inspector each call (reflection caches what it saw)."""
    return lambda: sa.inspect(engine)
