"""Run order on a real database: a history with two roots, the second needing the first.

Alembic runs this history; so must gitmig, online and in an offline script.  Root ``u2``
creates ``users``; root ``o1`` creates ``orders`` with a foreign key to it and copies its
rows.  Alembic applies the root whose head's file sorts last first (``u2``) and unapplies
in the reverse order; applying in id order (``o1`` first) fails.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from gitmig import command


def _two_roots(project) -> None:
    project.rev(
        "u2",
        None,
        up=["CREATE TABLE users (id INTEGER PRIMARY KEY)", "INSERT INTO users (id) VALUES (7)"],
        down_sql=["DROP TABLE users"],
    )
    project.rev(
        "o1",
        None,
        up=[
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id))",
            "INSERT INTO orders (id, user_id) SELECT id, id FROM users",
        ],
        down_sql=["DROP TABLE orders"],
    )


def test_second_root_runs_after_the_root_it_needs(db_url, make_project):
    project = make_project(db_url)
    _two_roots(project)
    cfg = project.config()
    command.upgrade(cfg, "heads")
    assert project.rows() == {"u2", "o1"}
    assert {"users", "orders"} <= project.tables()
    command.downgrade(cfg, "base")  # orders first, or PostgreSQL refuses to drop users
    assert project.rows() == set()
    assert not {"users", "orders"} & project.tables()


def test_offline_script_has_the_same_order(sqlite_url, make_project):
    project = make_project(sqlite_url)
    _two_roots(project)
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        command.upgrade(project.config(), "heads", sql=True)
    script = buffer.getvalue()
    assert script.index("CREATE TABLE users") < script.index("CREATE TABLE orders")
