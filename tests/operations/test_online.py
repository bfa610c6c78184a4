"""The same operations on real SQLite, PostgreSQL and MariaDB, checked by reflection.

Changes SQLite's ALTER TABLE cannot make go through ``batch_alter_table``, which ALTERs on
the other two and rebuilds on SQLite, so every test runs the same script everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from gitmig.exc import UnsupportedOperationError
from gitmig.operations import Operations
from tests.operations.conftest import Run

Inspect = Callable[[], sa.Inspector]


def _account(op: Operations) -> sa.Table:
    return op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )


def _columns(inspect: Inspect, table: str) -> dict[str, dict[str, object]]:
    return {c["name"]: dict(c) for c in inspect().get_columns(table)}


def test_create_add_drop_column_and_table(run: Run, inspect: Inspect) -> None:
    run(_account)
    run(
        lambda op: op.add_column(
            "account", sa.Column("age", sa.Integer, nullable=False, server_default="0")
        )
    )
    cols = _columns(inspect, "account")
    assert list(cols) == ["id", "name", "age"]
    assert cols["age"]["nullable"] is False
    assert "0" in str(cols["age"]["default"])
    run(lambda op: op.drop_column("account", "age"))
    assert list(_columns(inspect, "account")) == ["id", "name"]
    run(lambda op: op.rename_table("account", "customer"))
    assert inspect().get_table_names() == ["customer"]
    run(lambda op: op.drop_table("customer"))
    assert inspect().get_table_names() == []


def test_reserved_words_and_mixed_case_names(run: Run, inspect: Inspect) -> None:
    run(
        lambda op: op.create_table(
            "Order",
            sa.Column("select", sa.Integer, primary_key=True),
            sa.Column("From", sa.Integer),
        )
    )
    run(lambda op: op.add_column("Order", sa.Column("Group", sa.String(10))))
    run(lambda op: op.alter_column("Order", "From", new_column_name="to", existing_type=sa.Integer))
    run(lambda op: op.create_index("ix_Order_Group", "Order", ["Group", "to"], unique=True))
    insp = inspect()
    assert [c["name"] for c in insp.get_columns("Order")] == ["select", "to", "Group"]
    (index,) = insp.get_indexes("Order")
    assert index["name"] == "ix_Order_Group"
    assert index["column_names"] == ["Group", "to"]
    assert bool(index["unique"])


def test_alter_column_through_batch(run: Run, inspect: Inspect) -> None:
    run(_account)
    run(lambda op: op.add_column("account", sa.Column("age", sa.Integer)))

    def alter(op: Operations) -> None:
        with op.batch_alter_table("account") as batch_op:
            batch_op.alter_column(
                "age",
                type_=sa.BigInteger,
                nullable=False,
                server_default="7",
                existing_type=sa.Integer,
                existing_nullable=True,
            )
            batch_op.alter_column(
                "name",
                new_column_name="full_name",
                existing_type=sa.String(50),
                existing_nullable=False,
            )
            batch_op.alter_column("full_name", type_=sa.String(120), existing_nullable=False)

    run(alter)
    cols = _columns(inspect, "account")
    assert list(cols) == ["id", "full_name", "age"]
    assert isinstance(cols["age"]["type"], sa.BigInteger)
    assert cols["age"]["nullable"] is False
    assert "7" in str(cols["age"]["default"])
    assert getattr(cols["full_name"]["type"], "length", None) == 120
    assert cols["full_name"]["nullable"] is False

    def drop_default(op: Operations) -> None:
        with op.batch_alter_table("account") as batch_op:
            batch_op.alter_column(
                "age", server_default=None, existing_type=sa.BigInteger, existing_nullable=False
            )

    run(drop_default)
    assert _columns(inspect, "account")["age"]["default"] is None


def test_constraints_and_indexes(run: Run, inspect: Inspect) -> None:
    run(_account)
    run(
        lambda op: op.create_table(
            "purchase",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("account_id", sa.Integer),
            sa.Column("amount", sa.Integer),
            sa.Column("code", sa.String(10)),
        )
    )

    def add(op: Operations) -> None:
        with op.batch_alter_table("purchase") as batch_op:
            batch_op.create_foreign_key(
                "fk_purchase_account", "account", ["account_id"], ["id"], ondelete="CASCADE"
            )
            batch_op.create_unique_constraint("uq_purchase_code", ["code"])
            batch_op.create_check_constraint("ck_purchase_amount", "amount > 0")
            batch_op.create_index("ix_purchase_amount", ["amount"])

    run(add)
    insp = inspect()
    (fk,) = insp.get_foreign_keys("purchase")
    assert fk["name"] == "fk_purchase_account" or fk["name"] is None  # SQLite may not keep it
    assert fk["referred_table"] == "account"
    assert fk["constrained_columns"] == ["account_id"]
    assert fk["options"].get("ondelete") == "CASCADE"
    uniques = {u["name"]: u["column_names"] for u in insp.get_unique_constraints("purchase")}
    assert uniques["uq_purchase_code"] == ["code"]
    checks = {c["name"] for c in insp.get_check_constraints("purchase")}
    assert "ck_purchase_amount" in checks
    assert "ix_purchase_amount" in {i["name"] for i in insp.get_indexes("purchase")}

    def drop(op: Operations) -> None:
        with op.batch_alter_table("purchase") as batch_op:
            batch_op.drop_constraint("fk_purchase_account", type_="foreignkey")
            batch_op.drop_constraint("uq_purchase_code", type_="unique")
            batch_op.drop_constraint("ck_purchase_amount", type_="check")
            batch_op.drop_index("ix_purchase_amount")

    if inspect().get_foreign_keys("purchase")[0]["name"] is None:
        pytest.skip("this SQLite keeps foreign keys unnamed")
    run(drop)
    insp = inspect()
    assert insp.get_foreign_keys("purchase") == []
    assert insp.get_unique_constraints("purchase") == []
    assert "ck_purchase_amount" not in {c["name"] for c in insp.get_check_constraints("purchase")}
    assert "ix_purchase_amount" not in {i["name"] for i in insp.get_indexes("purchase")}


def test_add_column_with_foreign_key(run: Run, inspect: Inspect) -> None:
    run(_account)
    run(lambda op: op.create_table("note", sa.Column("id", sa.Integer, primary_key=True)))
    run(
        lambda op: op.add_column(
            "note", sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"))
        )
    )
    (fk,) = inspect().get_foreign_keys("note")
    assert (fk["referred_table"], fk["referred_columns"]) == ("account", ["id"])


def test_direct_constraint_ops(run: Run, inspect: Inspect, db_url: str) -> None:
    """The plain (non-batch) constraint ops; SQLite refuses them, naming batch mode."""
    run(_account)
    run(lambda op: op.create_table("ref", sa.Column("account_id", sa.Integer, nullable=False)))
    if db_url.startswith("sqlite"):
        with pytest.raises(UnsupportedOperationError, match="batch_alter_table"):
            run(lambda op: op.create_unique_constraint("uq_ref", "ref", ["account_id"]))
        return

    def create(op: Operations) -> None:
        op.create_primary_key("pk_ref", "ref", ["account_id"])
        op.create_foreign_key("fk_ref_account", "ref", "account", ["account_id"], ["id"])
        op.create_unique_constraint("uq_account_name", "account", ["name"])
        op.create_check_constraint("ck_account_name", "account", "name <> ''")

    run(create)
    insp = inspect()
    assert insp.get_pk_constraint("ref")["constrained_columns"] == ["account_id"]
    assert [f["name"] for f in insp.get_foreign_keys("ref")] == ["fk_ref_account"]
    assert [u["name"] for u in insp.get_unique_constraints("account")] == ["uq_account_name"]
    assert "ck_account_name" in {c["name"] for c in insp.get_check_constraints("account")}

    def drop(op: Operations) -> None:
        op.drop_constraint("fk_ref_account", "ref", type_="foreignkey")
        op.drop_constraint("uq_account_name", "account", type_="unique")
        op.drop_constraint("ck_account_name", "account", type_="check")

    run(drop)
    insp = inspect()
    assert insp.get_foreign_keys("ref") == []
    assert insp.get_unique_constraints("account") == []
    assert "ck_account_name" not in {c["name"] for c in insp.get_check_constraints("account")}


def test_comments(run: Run, inspect: Inspect, db_url: str) -> None:
    run(_account)
    run(lambda op: op.create_table_comment("account", "customers"))
    run(
        lambda op: op.alter_column(
            "account", "name", comment="who", existing_type=sa.String(50), existing_nullable=False
        )
    )
    insp = inspect()
    if db_url.startswith("sqlite"):
        # SQLite has no comments: the ops succeed and there is nothing to see
        assert insp.get_table_names() == ["account"]
        return
    assert insp.get_table_comment("account")["text"] == "customers"
    assert _columns(inspect, "account")["name"]["comment"] == "who"
    assert _columns(inspect, "account")["name"]["nullable"] is False
    run(lambda op: op.drop_table_comment("account"))
    assert inspect().get_table_comment("account")["text"] in (None, "")


def test_if_exists_variants(run: Run, inspect: Inspect, db_url: str) -> None:
    run(_account)
    run(lambda op: op.create_index("ix_name", "account", ["name"], if_not_exists=True))
    run(lambda op: op.create_index("ix_name", "account", ["name"], if_not_exists=True))
    run(lambda op: op.drop_index("ix_name", "account", if_exists=True))
    run(lambda op: op.drop_index("ix_name", "account", if_exists=True))
    run(lambda op: op.drop_table("missing", if_exists=True))
    if db_url.startswith("sqlite"):
        return
    run(lambda op: op.add_column("account", sa.Column("x", sa.Integer), if_not_exists=True))
    run(lambda op: op.add_column("account", sa.Column("x", sa.Integer), if_not_exists=True))
    run(lambda op: op.drop_column("account", "x", if_exists=True))
    run(lambda op: op.drop_column("account", "x", if_exists=True))
    assert list(_columns(inspect, "account")) == ["id", "name"]


def test_postgresql_schema_and_using(postgresql_url: str) -> None:
    engine = sa.create_engine(postgresql_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text('CREATE SCHEMA "Sales"'))
            from gitmig.runtime.migration import MigrationContext

            op = Operations(MigrationContext.configure(connection=conn))
            op.create_table(
                "Item", sa.Column("code", sa.String(10), primary_key=True), schema="Sales"
            )
            op.add_column("Item", sa.Column("qty", sa.String(10)), schema="Sales")
            op.execute(sa.text("INSERT INTO \"Sales\".\"Item\" VALUES ('a', '12')"))
            op.alter_column(
                "Item",
                "qty",
                type_=sa.Integer,
                existing_type=sa.String(10),
                postgresql_using="qty::integer",
                schema="Sales",
            )
            op.create_index("ix_item_qty", "Item", ["qty"], schema="Sales")
            op.rename_table("Item", "Article", schema="Sales")
        insp = sa.inspect(engine)
        assert insp.get_table_names(schema="Sales") == ["Article"]
        cols = {c["name"]: c for c in insp.get_columns("Article", schema="Sales")}
        assert isinstance(cols["qty"]["type"], sa.Integer)
        with engine.connect() as conn:
            assert conn.execute(sa.text('SELECT qty FROM "Sales"."Article"')).scalar() == 12
    finally:
        engine.dispose()
