"""What every backend's log shares: events as they are appended and stored, the hash chain,
building an append on a head, and the head an instance remembers between appends."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import orjson

from tracker.store import codec

GENESIS = "0" * 64


class NewEvent(NamedTuple):
    """An event to append: its stream, its encoded form and the keys it is known by (a
    named tuple: a replay or a bulk append builds many)."""

    stream: str
    type: str
    type_version: int
    payload: str
    idempotency_key: str
    aliases: tuple[str, ...] = ()

    @classmethod
    def of(cls, stream: str, event: Any, key: str, aliases: Sequence[str] = ()) -> NewEvent:
        name, version, payload = codec.encode(event)
        return cls(stream, name, version, payload, key, tuple(a for a in aliases if a != key))


class StoredEvent(NamedTuple):
    """One event as the log holds it (a named tuple: reading a long log builds millions)."""

    position: int
    stream: str
    version: int
    type: str
    type_version: int
    payload: str
    idempotency_key: str
    recorded_at: str
    prev_hash: str
    hash: str

    def decode(self) -> Any:
        return codec.decode(self.type, self.type_version, self.payload)

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


class Appended(NamedTuple):
    """Each requested event as it stands in the log, and which of them this append wrote."""

    events: list[StoredEvent]
    written: list[StoredEvent]


COLUMNS = ("position", "stream", "version", "type", "type_version", "payload",
           "idempotency_key", "recorded_at", "prev_hash", "hash")
SELECT = f"SELECT {', '.join(COLUMNS)} FROM events"
INSERT = f"INSERT INTO events ({', '.join(COLUMNS)}) "


def iso_of(micros: int) -> str:
    """The log's timestamp format for a time in microseconds since the epoch: UTC,
    microseconds, fixed width, sorts as text."""
    second, fraction = divmod(micros, 1_000_000)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(second))}.{fraction:06d}Z"


def now_iso(at: float | None = None) -> str:
    """Now, or `at` (seconds since the epoch), in the log's format: the API's one format."""
    return iso_of(time.time_ns() // 1000 if at is None else round(at * 1_000_000))


def event_hash(prev_hash: str, position: int, stream: str, version: int, type_: str,
               type_version: int, payload: str, key: str, recorded_at: str) -> str:
    """SHA-256 over the previous hash and the canonical encoding of the event."""
    # orjson writes a list of strings and integers byte for byte as canonical_json does.
    body = orjson.dumps([position, stream, version, type_, type_version, payload, key,
                         recorded_at])
    return hashlib.sha256(b"%s\n%s" % (prev_hash.encode(), body)).hexdigest()


_NO_VERSIONS: Mapping[str, int] = {}


class Built(NamedTuple):
    result: list[StoredEvent]  # each requested event as it will stand in the log
    written: list[StoredEvent]  # those this append writes
    rows: list[tuple[Any, ...]]  # the written events as plain tuples: the driver binds them faster
    key_rows: list[tuple[str, int]]  # every key of theirs, with its position
    versions: dict[str, int]  # the streams' versions once it is written


def build(new: Sequence[NewEvent], known: Mapping[str, StoredEvent], versions: dict[str, int],
          head: tuple[int, str], earlier: Mapping[str, int] = _NO_VERSIONS) -> Built:
    """Number, version and chain the events whose keys are neither `known` nor taken by an
    earlier event of the same append; `versions` (updated here) holds the streams' current
    versions, or `earlier` for those it does not name; `head` is the position and hash the
    chain goes on from."""
    position, prev = head
    recorded_at = now_iso()
    result: list[StoredEvent] = []
    written: list[StoredEvent] = []
    claimed: dict[str, StoredEvent] = {}
    rows: list[tuple[Any, ...]] = []
    key_rows: list[tuple[str, int]] = []
    make = StoredEvent._make
    for e in new:
        stream, type_, type_version, payload, key, aliases = e
        existing = known.get(key) or claimed.get(key)
        if aliases and existing is None:
            for alias in aliases:
                existing = known.get(alias) or claimed.get(alias)
                if existing is not None:
                    break
        if existing is not None:
            result.append(existing)
            continue
        position += 1
        version = (versions.get(stream) or earlier.get(stream, 0)) + 1
        versions[stream] = version
        digest = event_hash(prev, position, stream, version, type_, type_version, payload,
                            key, recorded_at)
        row = (position, stream, version, type_, type_version, payload, key, recorded_at,
               prev, digest)
        stored = make(row)
        prev = digest
        result.append(stored)
        written.append(stored)
        rows.append(row)
        claimed[key] = stored
        key_rows.append((key, position))
        for alias in aliases:  # usually none
            if alias not in claimed:
                claimed[alias] = stored
                key_rows.append((alias, position))
    return Built(result, written, rows, key_rows, versions)


# How many streams' versions the tip keeps before it starts again from one append's.
_TIP_STREAMS = 100_000


class Tip:
    """The head this instance's last append left, and the versions of the streams it has
    written, as of that head: while no one else appends, the next append is built on it
    without first reading the head, the versions and the keys."""

    def __init__(self) -> None:
        self._head: tuple[int, str] | None = None
        self._versions: dict[str, int] = {}
        self._lock = threading.Lock()

    def known(self) -> tuple[tuple[int, str], dict[str, int]] | None:
        """The head and the versions, if any append was remembered. Another append in
        between is found by the head having moved on, so the versions may be read after."""
        with self._lock:
            return None if self._head is None else (self._head, self._versions)

    def remember(self, built: Built) -> None:
        """Keep the head and the versions this append left, for the next one."""
        if not built.written:
            return
        first, last = built.written[0], built.written[-1]
        with self._lock:
            if (self._head is None or first.position != self._head[0] + 1
                    or len(self._versions) > _TIP_STREAMS):
                # Someone else appended in between (or the map is full): what is known
                # for certain, as of this head, is what this append wrote.
                self._versions = {}
            self._versions.update(built.versions)
            self._head = (last.position, last.hash)
