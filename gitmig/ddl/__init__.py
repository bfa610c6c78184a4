"""A standalone ALTER library: SQLAlchemy DDL constructs compiled per dialect.

Importing ``gitmig.ddl`` registers the dialect forms (PostgreSQL, MySQL/MariaDB, SQLite,
SQL Server, Oracle), so the constructs compile correctly on any engine::

    from gitmig.ddl import AddColumn
    conn.execute(AddColumn("account", Column("age", Integer)))
"""

from __future__ import annotations

from gitmig.ddl import mssql, mysql, oracle, postgresql, sqlite
from gitmig.ddl.base import (
    AddColumn,
    AlterColumn,
    AlterTable,
    ColumnComment,
    ColumnDefault,
    ColumnIdentity,
    ColumnName,
    ColumnNullable,
    ColumnType,
    DropColumn,
    RenameTable,
)
from gitmig.ddl.impl import DefaultImpl, impl_for_dialect
from gitmig.ddl.mssql import MSSQLDropColumnConstraints, MSSQLImpl
from gitmig.ddl.mysql import MariaDBImpl, MySQLChangeColumn, MySQLImpl, MySQLModifyColumn
from gitmig.ddl.oracle import OracleImpl
from gitmig.ddl.postgresql import PostgresqlImpl
from gitmig.ddl.sqlite import SQLiteImpl

__all__ = [
    "AddColumn",
    "AlterColumn",
    "AlterTable",
    "ColumnComment",
    "ColumnDefault",
    "ColumnIdentity",
    "ColumnName",
    "ColumnNullable",
    "ColumnType",
    "DefaultImpl",
    "DropColumn",
    "MSSQLDropColumnConstraints",
    "MSSQLImpl",
    "MariaDBImpl",
    "MySQLChangeColumn",
    "MySQLImpl",
    "MySQLModifyColumn",
    "OracleImpl",
    "PostgresqlImpl",
    "RenameTable",
    "SQLiteImpl",
    "impl_for_dialect",
    "mssql",
    "mysql",
    "oracle",
    "postgresql",
    "sqlite",
]
