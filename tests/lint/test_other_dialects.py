"""The MariaDB and all-dialect rules are true on real servers (SQLite, PostgreSQL, MariaDB)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gitmig.operations import Operations
from gitmig.runtime.migration import MigrationContext
from tests.lint.revfile import active, lint_lines


def rules(tmp_path: Path, code: str, dialect: str) -> set[str]:
    return {f.rule for f in active(lint_lines(tmp_path, code.splitlines(), dialect))}


def run_op(engine: Engine, code: str) -> None:
    with engine.begin() as conn:
        exec(code, {"op": Operations(MigrationContext.configure(connection=conn)), "sa": sa})


@pytest.fixture
def mariadb(mariadb_url: str) -> Iterator[Engine]:
    engine = sa.create_engine(mariadb_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("CREATE TABLE account (id INTEGER PRIMARY KEY, name VARCHAR(50), n INTEGER)")
        )
        conn.execute(sa.text("INSERT INTO account VALUES (1, 'x', 1)"))
    yield engine
    engine.dispose()


def test_mariadb_fills_a_not_null_column_with_an_implicit_default(
    mariadb: Engine, tmp_path: Path
) -> None:
    code = 'op.add_column("account", sa.Column("m", sa.Integer, nullable=False))'
    assert "mysql-not-null-no-default" in rules(tmp_path, code, "mariadb")
    run_op(mariadb, code)  # no error ...
    with mariadb.connect() as conn:  # ... and the existing row silently got 0
        assert conn.execute(sa.text("SELECT m FROM account")).scalar_one() == 0


@pytest.mark.parametrize(
    ("code", "modify", "copies"),
    [
        (
            'op.alter_column("account", "n", type_=sa.BigInteger, existing_type=sa.Integer, '
            "existing_nullable=True)",
            "n BIGINT NULL",
            True,
        ),
        (
            'op.alter_column("account", "name", type_=sa.String(100), '
            "existing_type=sa.String(50), existing_nullable=True)",
            "name VARCHAR(100) NULL",
            True,
        ),
        (
            'op.alter_column("account", "name", type_=sa.String(60), '
            "existing_type=sa.String(50), existing_nullable=True)",
            "name VARCHAR(60) NULL",
            False,
        ),
    ],
)
def test_mariadb_type_changes_copy_the_table(
    mariadb: Engine, tmp_path: Path, code: str, modify: str, copies: bool
) -> None:
    assert ("mysql-type-change-copy" in rules(tmp_path, code, "mariadb")) is copies
    in_place = f"ALTER TABLE account MODIFY {modify}, ALGORITHM=INPLACE, LOCK=NONE"
    with mariadb.begin() as conn:
        if copies:
            with pytest.raises(sa.exc.OperationalError, match="ALGORITHM=INPLACE is not supported"):
                conn.execute(sa.text(in_place))
        else:
            conn.execute(sa.text(in_place))
    run_op(mariadb, code)  # gitmig's own statement runs (by copying when it must)


def test_mariadb_online_index_and_the_fulltext_exception(mariadb: Engine, tmp_path: Path) -> None:
    assert "mysql-index-not-online" in rules(
        tmp_path, 'op.create_index("ix_name", "account", ["name"])', "mariadb"
    )
    fulltext = 'op.create_index("ft_name", "account", ["name"], mysql_prefix="FULLTEXT")'
    assert "mysql-index-not-online" not in rules(tmp_path, fulltext, "mariadb")
    with mariadb.begin() as conn:
        conn.execute(
            sa.text("ALTER TABLE account ADD INDEX ix_name (name), ALGORITHM=INPLACE, LOCK=NONE")
        )
        with pytest.raises(sa.exc.OperationalError, match="LOCK=NONE is not supported"):
            conn.execute(
                sa.text(
                    "ALTER TABLE account ADD FULLTEXT INDEX ft_name (name), ALGORITHM=INPLACE, "
                    "LOCK=NONE"
                )
            )


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_not_null_column_without_default_fails_on_a_table_with_rows(
    dialect: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue(f"{dialect}_url")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE account (id INTEGER PRIMARY KEY)"))
            conn.execute(sa.text("INSERT INTO account VALUES (1)"))
        code = 'op.add_column("account", sa.Column("m", sa.Integer, nullable=False))'
        assert "not-null-no-default" in rules(tmp_path, code, dialect)
        with pytest.raises(sa.exc.DBAPIError):
            run_op(engine, code)
        safe = (
            'op.add_column("account", sa.Column("m", sa.Integer, nullable=False, '
            'server_default="0"))'
        )
        assert "not-null-no-default" not in rules(tmp_path, safe, dialect)
        run_op(engine, safe)
    finally:
        engine.dispose()
