"""What the projections write and read many rows with, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.store.database import insert_many, insert_new, make_engine, upsert, where_in, writing
from tracker.store.tables import checkpoints


@pytest.fixture
def engine(database_url: str):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_where_in_finds_each_row_once_across_many_values(engine) -> None:
    """More values than one statement may carry on SQLite (a thousand)."""
    names = [f"p{i:04d}" for i in range(2500)]
    with writing(engine) as conn:
        insert_many(conn, checkpoints, [{"name": n, "position": i} for i, n in enumerate(names)])
    with engine.connect() as conn:
        found = [row[0] for row in where_in(conn, "SELECT name FROM checkpoints WHERE name",
                                            names[::-1])]
    assert sorted(found) == names


def test_upsert_updates_known_keys_and_insert_new_leaves_them(engine) -> None:
    with writing(engine) as conn:
        insert_many(conn, checkpoints, [{"name": "a", "position": 1}])
        upsert(conn, checkpoints, [{"name": "a", "position": 5}, {"name": "b", "position": 2}],
               "name")
        insert_new(conn, checkpoints, [{"name": "b", "position": 9}, {"name": "c", "position": 3}])
    with engine.connect() as conn:
        rows = dict(conn.execute(select(checkpoints.c.name, checkpoints.c.position)).all())
    assert rows == {"a": 5, "b": 2, "c": 3}
