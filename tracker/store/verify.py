"""Checking the log: positions without gaps and an unbroken hash chain."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tracker.errors import ChainBroken
from tracker.store.log import GENESIS, StoredEvent, event_hash


@dataclass(frozen=True)
class Head:
    position: int
    hash: str

    def __str__(self) -> str:
        return f"{self.position}:{self.hash}"

    @classmethod
    def parse(cls, value: str) -> Head:
        position, _, digest = value.partition(":")
        if not position.isdigit() or len(digest) != 64:
            raise ValueError(f"expected POSITION:HASH (a number, a colon, 64 hex digits), "
                             f"got {value!r}")
        return cls(int(position), digest.lower())


def verify_chain(stored: Iterable[StoredEvent],
                 progress: Callable[[int], None] | None = None) -> Head:
    """Walk the events in order; raise ChainBroken at the first bad one, else return the head."""
    expected, prev = 1, GENESIS
    for e in stored:
        if e.position != expected:
            raise ChainBroken(expected, f"expected position {expected}, found {e.position}"
                              if e.position > expected else
                              f"position {e.position} appears out of order")
        if e.prev_hash != prev:
            raise ChainBroken(e.position, "its previous hash does not match the event before it")
        digest = event_hash(e.prev_hash, e.position, e.stream, e.version, e.type,
                            e.type_version, e.payload, e.idempotency_key, e.recorded_at)
        if digest != e.hash:
            raise ChainBroken(e.position, "its content does not match its hash")
        prev, expected = e.hash, expected + 1
        if progress:
            progress(e.position)
    return Head(expected - 1, prev)
