"""Insert-or-update that reads the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(conn: Connection, table: Table, rows: list[dict[str, Any]], key: str) -> None:
    """Insert or update rows (all with the same columns), in one statement run for all."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[key], set_={k: stmt.excluded[k] for k in rows[0] if k != key})
    conn.execute(stmt, rows)


def insert_new(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert the rows whose primary keys are not there yet."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).on_conflict_do_nothing(), rows)
