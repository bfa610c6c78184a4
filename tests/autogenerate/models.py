"""A realistic model set for the round-trip tests: a small shop, 17 tables.

Foreign keys (also composite and self-referencing), composite and unique indexes, unique
constraints, server defaults, enums, named check constraints, comments; on PostgreSQL the
tables spread over three schemas (the default one, ``sales`` and ``audit``).
"""

from __future__ import annotations

import enum

import sqlalchemy as sa

SCHEMAS = ("sales", "audit")


class Status(enum.Enum):
    draft = "draft"
    placed = "placed"
    shipped = "shipped"


def build(dialect: str) -> sa.MetaData:
    """The shop's MetaData; schemas only on PostgreSQL."""
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    sales = "sales" if dialect == "postgresql" else None
    audit = "audit" if dialect == "postgresql" else None

    def ref(schema: str | None, target: str) -> str:
        return f"{schema}.{target}" if schema else target

    now = sa.text("CURRENT_TIMESTAMP")
    sa.Table(
        "country",
        metadata,
        sa.Column("code", sa.String(2), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, comment="English name"),
        comment="ISO 3166 countries",
    )
    sa.Table(
        "customer",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(200), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("country_code", sa.ForeignKey("country.code"), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=now),
        sa.Index(None, "country_code", "name"),
    )
    sa.Table(
        "address",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False),
        sa.Column("line1", sa.String(200), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("postcode", sa.String(20)),
        sa.Column("country_code", sa.ForeignKey("country.code"), nullable=False),
    )
    sa.Table(
        "category",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.ForeignKey("category.id")),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.UniqueConstraint("parent_id", "slug"),
    )
    sa.Table(
        "supplier",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, index=True),
        sa.Column("country_code", sa.ForeignKey("country.code")),
    )
    sa.Table(
        "product",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sku", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category_id", sa.ForeignKey("category.id"), nullable=False),
        sa.Column("supplier_id", sa.ForeignKey("supplier.id")),
        sa.Column("price", sa.Numeric(10, 2), nullable=False, server_default="0"),
        sa.Column("weight_kg", sa.Float),
        sa.Column("description", sa.Text, comment="Markdown"),
        sa.UniqueConstraint("sku", name="product_sku"),
        sa.CheckConstraint("price >= 0", name="price_positive"),
        sa.Index(None, "category_id", "price"),
    )
    sa.Table(
        "tag",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(50), nullable=False, unique=True),
    )
    sa.Table(
        "product_tag",
        metadata,
        sa.Column("product_id", sa.ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag_id", sa.ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
    )
    sa.Table(
        "warehouse",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(10), nullable=False, unique=True),
        sa.Column("country_code", sa.ForeignKey("country.code"), nullable=False),
    )
    sa.Table(
        "stock",
        metadata,
        sa.Column("warehouse_id", sa.ForeignKey("warehouse.id"), primary_key=True),
        sa.Column("product_id", sa.ForeignKey("product.id"), primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint("quantity >= 0", name="quantity_positive"),
        schema=sales,
    )
    sa.Table(
        "order",
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("customer_id", sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("address_id", sa.ForeignKey("address.id")),
        sa.Column(
            "status",
            sa.Enum(Status, name="order_status"),
            nullable=False,
            server_default="draft",
        ),
        sa.Column("placed_at", sa.DateTime(timezone=True)),
        sa.Column("note", sa.String(500), comment="Shown on the invoice"),
        sa.Index(None, "customer_id", "placed_at"),
        schema=sales,
        comment="Customer orders",
    )
    sa.Table(
        "order_line",
        metadata,
        sa.Column("order_id", sa.ForeignKey(ref(sales, "order.id")), primary_key=True),
        sa.Column("line_no", sa.Integer, primary_key=True),
        sa.Column("product_id", sa.ForeignKey("product.id"), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False, server_default="1"),
        sa.Column("unit_price", sa.Numeric(10, 2), nullable=False),
        schema=sales,
    )
    sa.Table(
        "payment",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.ForeignKey(ref(sales, "order.id")), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("method", sa.Enum("card", "transfer", "cash", name="payment_method")),
        sa.Column("paid_at", sa.DateTime, server_default=now),
        schema=sales,
    )
    sa.Table(
        "shipment",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.ForeignKey(ref(sales, "order.id")), nullable=False),
        sa.Column("warehouse_id", sa.ForeignKey("warehouse.id"), nullable=False),
        sa.Column("tracking", sa.String(64)),
        sa.UniqueConstraint("order_id", "warehouse_id"),
        schema=sales,
    )
    sa.Table(
        "shipment_line",
        metadata,
        sa.Column("shipment_id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.BigInteger, nullable=False),
        sa.Column("line_no", sa.Integer, primary_key=True),
        sa.ForeignKeyConstraint(
            ["order_id", "line_no"],
            [f"{ref(sales, 'order_line')}.order_id", f"{ref(sales, 'order_line')}.line_no"],
        ),
        sa.ForeignKeyConstraint(["shipment_id"], [f"{ref(sales, 'shipment')}.id"]),
        schema=sales,
    )
    sa.Table(
        "event",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("customer_id", sa.ForeignKey("customer.id", ondelete="SET NULL")),
        sa.Column("payload", sa.JSON),
        sa.Column("at", sa.DateTime, nullable=False, server_default=now),
        sa.Index(None, "kind", "at"),
        schema=audit,
        comment="Append-only log",
    )
    sa.Table(
        "login",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("ip", sa.String(45), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False, server_default=sa.false()),
        schema=audit,
    )
    return metadata
