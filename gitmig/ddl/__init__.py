"""A standalone ALTER library: SQLAlchemy DDL constructs compiled per dialect."""

from __future__ import annotations
