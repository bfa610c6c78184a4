"""Batch mode: SQLite "move and copy" keeps rows, indexes, uniques, checks and foreign keys."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gitmig.exc import UnsupportedOperationError
from gitmig.operations import Operations
from gitmig.runtime.migration import MigrationContext
from tests.operations.helpers import render, transactional_sqlite

SCHEMA = """
CREATE TABLE parent (id INTEGER PRIMARY KEY, name VARCHAR(20));
CREATE TABLE item (
    id INTEGER PRIMARY KEY,
    code VARCHAR(10) NOT NULL CHECK (length(code) > 1),
    qty INTEGER DEFAULT 1,
    parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE,
    CONSTRAINT uq_item_code UNIQUE (code),
    CONSTRAINT ck_item_qty CHECK (qty >= 0),
    UNIQUE (parent_id, qty)
);
CREATE INDEX ix_item_qty ON item (qty);
CREATE TABLE child (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES item (id));
INSERT INTO parent VALUES (1, 'p');
INSERT INTO item VALUES (1, 'ab', 3, 1), (2, 'cd', NULL, NULL), (3, 'e''f', 0, 1);
INSERT INTO child VALUES (1, 3);
"""


@pytest.fixture
def engine(tmp_path: Path):
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'batch.db'}")
    transactional_sqlite(eng)
    with eng.begin() as conn:
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                conn.exec_driver_sql(stmt)
    yield eng
    eng.dispose()


def _batch(engine: sa.Engine, fn, **kw) -> list[str]:
    """Run ``fn(batch_op)`` in a batch on ``item``; return the statements executed."""
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    with engine.begin() as conn:
        op = Operations(MigrationContext.configure(connection=conn))
        with op.batch_alter_table("item", **kw) as batch_op:
            fn(batch_op)
    return seen


def _rows(engine: sa.Engine, sql: str = "SELECT * FROM item ORDER BY id") -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def test_recreate_keeps_rows_indexes_uniques_checks_fks(engine: sa.Engine) -> None:
    before = _rows(engine)
    executed = _batch(
        engine,
        lambda b: b.alter_column("qty", type_=sa.BigInteger, existing_type=sa.Integer),
    )
    assert any(s.strip().startswith("CREATE TABLE _alembic_tmp_item") for s in executed)
    assert _rows(engine) == before
    insp = sa.inspect(engine)
    assert insp.get_table_names() == ["child", "item", "parent"]
    cols = {c["name"]: c for c in insp.get_columns("item")}
    assert list(cols) == ["id", "code", "qty", "parent_id"]
    assert isinstance(cols["qty"]["type"], sa.BigInteger)
    assert cols["code"]["nullable"] is False
    assert "1" in str(cols["qty"]["default"])
    assert insp.get_pk_constraint("item")["constrained_columns"] == ["id"]
    assert [i["name"] for i in insp.get_indexes("item")] == ["ix_item_qty"]
    uniques = sorted(
        (u["name"] or "", u["column_names"]) for u in insp.get_unique_constraints("item")
    )
    assert uniques == [("", ["parent_id", "qty"]), ("uq_item_code", ["code"])]
    checks = sorted(c["sqltext"] for c in insp.get_check_constraints("item"))
    assert checks == ["length(code) > 1", "qty >= 0"]
    (fk,) = insp.get_foreign_keys("item")
    assert (fk["referred_table"], fk["options"].get("ondelete")) == ("parent", "CASCADE")
    # the child table's foreign key still points at item
    assert insp.get_foreign_keys("child")[0]["referred_table"] == "item"
    # and the constraints still bite
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO item (id, code, qty) VALUES (9, 'ab', 1)")
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO item (id, code, qty) VALUES (9, 'zz', -1)")


def test_add_drop_rename_and_reorder(engine: sa.Engine) -> None:
    def change(b) -> None:
        b.add_column(sa.Column("note", sa.String(20), server_default="n/a"), insert_after="id")
        b.drop_column("parent_id")
        b.alter_column("code", new_column_name="sku", existing_type=sa.String(10))
        b.alter_column("qty", nullable=False, server_default="0", existing_type=sa.Integer)

    with pytest.raises(sa.exc.IntegrityError):
        _batch(engine, change)  # row 2 has a NULL qty: the copy fails and nothing changes
    assert [c["name"] for c in sa.inspect(engine).get_columns("item")] == [
        "id",
        "code",
        "qty",
        "parent_id",
    ]
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE item SET qty = 5 WHERE qty IS NULL")
    _batch(engine, change)
    insp = sa.inspect(engine)
    assert [c["name"] for c in insp.get_columns("item")] == ["id", "note", "sku", "qty"]
    assert _rows(engine) == [(1, "n/a", "ab", 3), (2, "n/a", "cd", 5), (3, "n/a", "e'f", 0)]
    # the unique on the renamed column follows it; the one on the dropped column goes
    assert [(u["name"], u["column_names"]) for u in insp.get_unique_constraints("item")] == [
        ("uq_item_code", ["sku"])
    ]
    assert insp.get_foreign_keys("item") == []
    # a reflected CHECK's SQL text follows the rename
    assert sorted(c["sqltext"] for c in insp.get_check_constraints("item")) == [
        "length(sku) > 1",
        "qty >= 0",
    ]


def test_partial_reordering(engine: sa.Engine) -> None:
    _batch(
        engine,
        lambda b: b.alter_column("qty", nullable=True, existing_type=sa.Integer),
        partial_reordering=[("qty", "code")],
    )
    assert [c["name"] for c in sa.inspect(engine).get_columns("item")] == [
        "id",
        "qty",
        "code",
        "parent_id",
    ]
    assert _rows(engine, "SELECT id, code, qty FROM item ORDER BY id")[2] == (3, "e'f", 0)


def test_circular_reordering_is_an_error(engine: sa.Engine) -> None:
    with pytest.raises(UnsupportedOperationError, match="circular"):
        _batch(
            engine,
            lambda b: b.drop_column("qty"),
            partial_reordering=[("id", "code"), ("code", "id")],
        )


def test_constraints_added_and_dropped_in_batch(engine: sa.Engine) -> None:
    def change(b) -> None:
        b.drop_constraint("uq_item_code", type_="unique")
        b.drop_constraint("ck_item_qty", type_="check")
        b.drop_index("ix_item_qty")
        b.create_check_constraint("ck_item_qty_small", "qty < 100")
        b.create_index("ix_item_code", ["code"], unique=True)
        b.add_column(sa.Column("ref", sa.Integer, sa.ForeignKey("parent.id"), unique=True))

    _batch(engine, change)
    insp = sa.inspect(engine)
    assert sorted(c["sqltext"] for c in insp.get_check_constraints("item")) == [
        "length(code) > 1",
        "qty < 100",
    ]
    assert [(i["name"], bool(i["unique"])) for i in insp.get_indexes("item")] == [
        ("ix_item_code", True)
    ]
    assert sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints("item")) == [
        ("parent_id", "qty"),
        ("ref",),
    ]
    assert sorted(f["constrained_columns"][0] for f in insp.get_foreign_keys("item")) == [
        "parent_id",
        "ref",
    ]


def test_batch_without_rebuild_uses_alter(engine: sa.Engine) -> None:
    executed = _batch(
        engine,
        lambda b: (
            b.add_column(sa.Column("extra", sa.Integer)),
            b.alter_column("qty", new_column_name="quantity"),
            b.create_index("ix_item_extra", ["extra"]),
        ),
    )
    assert not any("_alembic_tmp_" in s for s in executed)
    assert [c["name"] for c in sa.inspect(engine).get_columns("item")] == [
        "id",
        "code",
        "quantity",
        "parent_id",
        "extra",
    ]


def test_recreate_never_reports_what_sqlite_cannot_do(engine: sa.Engine) -> None:
    with pytest.raises(UnsupportedOperationError, match="batch mode"):
        _batch(
            engine,
            lambda b: b.alter_column("qty", type_=sa.String(5)),
            recreate="never",
        )


def test_recreate_must_be_known(engine: sa.Engine) -> None:
    with pytest.raises(ValueError, match="recreate must be one of"):
        _batch(engine, lambda b: None, recreate="sometimes")


def test_unnamed_constraint_cannot_be_added(engine: sa.Engine) -> None:
    with pytest.raises(UnsupportedOperationError, match="needs constraints to have a name"):
        _batch(engine, lambda b: b.create_unique_constraint(None, ["qty"]))


def test_naming_convention_names_reflected_constraints(engine: sa.Engine) -> None:
    # the unnamed UNIQUE (parent_id, qty) gets a name through the convention, so it can go
    _batch(
        engine,
        lambda b: b.drop_constraint("uq_item_parent_id", type_="unique"),
        naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"},
    )
    names = [u["name"] for u in sa.inspect(engine).get_unique_constraints("item")]
    assert names == ["uq_item_code"]


COPY_FROM = sa.Table(
    "item",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("qty", sa.Integer),
    sa.Column("code", sa.String(10)),
    sa.UniqueConstraint("code", name="uq_item_code"),
    sa.Index("ix_item_qty", "qty"),
)


def test_offline_rebuild_needs_copy_from() -> None:
    def fn(op: Operations) -> None:
        with op.batch_alter_table("item") as b:
            b.alter_column("qty", type_=sa.BigInteger)

    with pytest.raises(UnsupportedOperationError, match="copy_from"):
        render("sqlite", fn)


def test_offline_rebuild_with_copy_from() -> None:
    def fn(op: Operations) -> None:
        with op.batch_alter_table("item", copy_from=COPY_FROM) as b:
            b.alter_column("qty", type_=sa.BigInteger, nullable=False)

    assert render("sqlite", fn) == [
        "CREATE TABLE _alembic_tmp_item ( id INTEGER NOT NULL, qty BIGINT NOT NULL, "
        "code VARCHAR(10), PRIMARY KEY (id), CONSTRAINT uq_item_code UNIQUE (code) )",
        # INTEGER to BIGINT keeps the affinity: copied as is, no CAST (as Alembic)
        "INSERT INTO _alembic_tmp_item (id, qty, code) SELECT item.id, item.qty, item.code "
        "FROM item",
        "DROP TABLE item",
        "ALTER TABLE _alembic_tmp_item RENAME TO item",
        "CREATE INDEX ix_item_qty ON item (qty)",
    ]
    assert COPY_FROM.c.qty.nullable is True  # the caller's table is left alone


def test_offline_batch_without_rebuild_needs_no_copy_from() -> None:
    def fn(op: Operations) -> None:
        with op.batch_alter_table("item") as b:
            b.add_column(sa.Column("x", sa.Integer))

    assert render("sqlite", fn) == ["ALTER TABLE item ADD COLUMN x INTEGER"]


def test_other_dialects_alter_in_place() -> None:
    def fn(op: Operations) -> None:
        with op.batch_alter_table("item") as b:
            b.alter_column("qty", type_=sa.BigInteger, existing_type=sa.Integer)
            b.create_unique_constraint("uq_item_qty", ["qty"])

    assert render("postgresql", fn) == [
        "ALTER TABLE item ALTER COLUMN qty TYPE BIGINT",
        "ALTER TABLE item ADD CONSTRAINT uq_item_qty UNIQUE (qty)",
    ]


def test_recreate_always_on_server(run, inspect, db_url: str) -> None:
    """``recreate="always"`` rebuilds on PostgreSQL and MariaDB too, keeping the rows."""

    def setup(op: Operations) -> None:
        t = op.create_table(
            "gadget",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("label", sa.String(20)),
            sa.UniqueConstraint("label", name="uq_gadget_label"),
        )
        op.create_index("ix_gadget_label_id", "gadget", ["label", "id"])
        op.bulk_insert(t, [{"id": 1, "label": "a"}, {"id": 2, "label": "b"}])

    run(setup)

    def rebuild(op: Operations) -> None:
        with op.batch_alter_table("gadget", recreate="always") as b:
            b.add_column(sa.Column("size", sa.Integer, server_default="3"))

    run(rebuild)
    insp = inspect()
    assert [c["name"] for c in insp.get_columns("gadget")] == ["id", "label", "size"]
    assert [u["name"] for u in insp.get_unique_constraints("gadget")] == ["uq_gadget_label"]
    assert "ix_gadget_label_id" in [i["name"] for i in insp.get_indexes("gadget")]
    assert run(
        lambda op: list(op.get_bind().execute(sa.text("SELECT * FROM gadget ORDER BY id")))
    ) == [(1, "a", 3), (2, "b", 3)]


def test_apply_batch_impl_takes_alembics_positional_order() -> None:
    # ApplyBatchImpl(impl, table, table_args, table_kwargs, reflected, partial_reordering)
    from gitmig.operations.batch import ApplyBatchImpl
    from tests.operations.helpers import offline_ops

    ops_, _ = offline_ops("sqlite")
    table = sa.Table("t", sa.MetaData(), sa.Column("x", sa.Integer), sa.Column("y", sa.Integer))
    apply = ApplyBatchImpl(ops_.impl, table, (), {}, True, [("y", "x")])
    assert apply.reflected is True
    assert [c.name for c in apply._new_table().c] == ["y", "x"]
    plain = ApplyBatchImpl(ops_.impl, table, (), {}, False)
    assert [c.name for c in plain._new_table().c] == ["x", "y"]
