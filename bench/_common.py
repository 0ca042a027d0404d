"""What the benchmarks share: a scratch database on either backend."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def scratch_database(backend: str, workdir: Path, label: str) -> tuple[str, object]:
    """A new empty database: a file for SQLite, a database of its own on PostgreSQL."""
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'{label}-{uuid.uuid4().hex[:6]}.db'}", None
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", (admin, name)


def drop(handle: object) -> None:
    if handle is None:
        return
    admin, name = handle  # type: ignore[misc]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
