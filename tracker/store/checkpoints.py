"""Followers' checkpoints: how far each has read, written with its rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text


@dataclass
class Claim:
    """A follower's checkpoint, claimed for one step: `start` as claimed; the step sets
    `end` to where it got, saved when the claim ends unless an error ended it."""

    conn: Connection | None  # the claiming transaction, when the step writes in it
    start: int
    end: int


@contextmanager
def stepped(conn: Connection, name: str, start: int | None) -> Iterator[Claim | None]:
    """A step from `start` in the claiming transaction `conn` (None: another holds the
    checkpoint), its end saved in that transaction unless an error ended it."""
    if start is None:
        yield None
        return
    claim = Claim(conn, start, start)
    yield claim
    if claim.end != start:
        save_checkpoint(conn, name, claim.end)


def checkpoint_of(conn: Connection, name: str) -> int:
    row = conn.execute(text("SELECT position FROM checkpoints WHERE name = :n"),
                       {"n": name}).first()
    return int(row[0]) if row else 0


def save_checkpoint(conn: Connection, name: str, position: int) -> None:
    updated = conn.execute(text("UPDATE checkpoints SET position = :p WHERE name = :n"),
                           {"p": position, "n": name})
    if updated.rowcount == 0:
        conn.execute(text("INSERT INTO checkpoints (name, position) VALUES (:n, :p)"),
                     {"n": name, "p": position})


def positions(engine: Engine) -> tuple[int, dict[str, int]]:
    """The log's head position and every saved checkpoint, by name."""
    with engine.connect() as conn:
        head = conn.execute(text("SELECT COALESCE(MAX(position), 0) FROM events")).scalar()
        saved = dict(conn.execute(text("SELECT name, position FROM checkpoints")).all())
    return int(head or 0), saved
