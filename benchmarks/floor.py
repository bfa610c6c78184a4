"""The `sql` benchmark's baseline: a floor for any migration runner built on SQLAlchemy.

Imports SQLAlchemy and compiles, for SQLite, the statements the N generated revisions make
(``CREATE TABLE`` and ``ADD COLUMN`` from schema objects for ``--ops ddl``, the same SQL as
``text()`` for ``--ops sql``), writing them to stdout as ``upgrade head --sql`` does.  It
reads no revision file and writes no version table, so a runner cannot take less time:
Alembic's time over this one is the most any such runner can gain on Alembic.

Usage: ``python benchmarks/floor.py N [ddl|sql]``.  Needs only SQLAlchemy.
"""

from __future__ import annotations

import sys

import sqlalchemy as sa
from sqlalchemy.schema import CreateColumn, CreateTable


def main(n: int, ops: str) -> None:
    dialect = sa.engine.make_url("sqlite://").get_dialect()(paramstyle="named")
    write = sys.stdout.write
    for i in range(n):
        name = f"t{i:05d}"
        if ops == "sql":
            for sql in (
                f"CREATE TABLE {name} (id INTEGER NOT NULL, name VARCHAR(50) NOT NULL, "
                "PRIMARY KEY (id))",
                f"ALTER TABLE {name} ADD COLUMN note TEXT",
            ):
                write(f"{sa.text(sql).compile(dialect=dialect)};\n\n")
            continue
        table = sa.Table(
            name,
            sa.MetaData(),
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
        )
        write(f"{str(CreateTable(table).compile(dialect=dialect)).strip()};\n\n")
        note = CreateColumn(sa.Column("note", sa.Text(), nullable=True))
        write(f"ALTER TABLE {name} ADD COLUMN {note.compile(dialect=dialect)};\n\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "ddl")
