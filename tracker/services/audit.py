"""Audit: rebuild projections (beside the live ones, to compare), verify, export."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, select

from tracker.config import Catalog
from tracker.projections.runner import Projection, Runner
from tracker.services.designations import stream_of
from tracker.services.followers import Followers
from tracker.store.database import SCRATCH_URL, make_engine
from tracker.store.log import EventLog, StoredEvent
from tracker.store.tables import metadata
from tracker.store.verify import Head, verify_chain
from tracker.views import event_json

Progress = Callable[[int], None] | None
EXPORT_FIELDS = ("position", "stream", "version", "type", "type_version", "idempotency_key",
                 "recorded_at", "payload", "prev_hash", "hash")


def digest(engine: Engine, projection: Projection) -> str:
    """A SHA-256 over the projection's rows, table by table in key order."""
    h = hashlib.sha256()
    with engine.connect() as conn:
        for table in projection.tables:
            h.update(table.name.encode())
            order = list(table.primary_key.columns)
            for row in conn.execute(select(table).order_by(*order)):
                h.update(json.dumps(list(row), default=str).encode())
    return h.hexdigest()


def first_difference(live: Engine, rebuilt: Engine, projection: Projection) -> str | None:
    """The first row that differs between two copies of a projection, in words."""
    with live.connect() as a, rebuilt.connect() as b:
        for table in projection.tables:
            order = list(table.primary_key.columns)
            rows_a = iter(a.execute(select(table).order_by(*order)))
            rows_b = iter(b.execute(select(table).order_by(*order)))
            for ra, rb in zip_all(rows_a, rows_b):
                if ra != rb:
                    key = (ra or rb)._mapping[order[0].name]  # type: ignore[union-attr]
                    return f"{table.name} row {order[0].name}={key}: live {_row(ra)} " \
                           f"but rebuilt {_row(rb)}"
    return None


def _row(row: object) -> str:
    return "missing" if row is None else json.dumps(dict(row._mapping), default=str)[:300]  # type: ignore[attr-defined]


def zip_all(a: Iterator, b: Iterator) -> Iterator[tuple]:
    sentinel = object()
    while True:
        x, y = next(a, sentinel), next(b, sentinel)
        if x is sentinel and y is sentinel:
            return
        yield (None if x is sentinel else x), (None if y is sentinel else y)


@dataclass(frozen=True)
class Comparison:
    projection: str
    live: str
    rebuilt: str
    difference: str | None


def replay(followers: Followers, progress: Progress = None) -> dict[str, str]:
    """Drop every projection and rebuild it from position 0; return their digests. An
    event a projection cannot apply stops the replay, naming its position."""
    runner, projections = followers.runner, followers.projections
    try:
        runner.rebuild(projections, progress)
    except Exception:
        if runner.stopped:
            raise next(iter(runner.stopped.values())) from None
        raise
    return {p.name: digest(runner.engine, p) for p in projections}


def replay_beside(followers: Followers, log: EventLog, catalog: Catalog,
                  progress: Progress = None) -> list[Comparison]:
    """Rebuild every projection into a scratch database and compare with the live ones."""
    followers.project()
    live_engine, projections = followers.runner.engine, followers.projections
    scratch = make_engine(SCRATCH_URL)
    metadata.create_all(scratch)
    runner = Runner(scratch, source=log)
    rebuilt = [type(p)(catalog) if hasattr(p, "catalog") else type(p)()  # type: ignore[call-arg]
               for p in projections]
    try:
        runner.rebuild(rebuilt, progress)
    except Exception:
        if runner.stopped:
            raise next(iter(runner.stopped.values())) from None
        raise
    out = []
    for live, fresh in zip(projections, rebuilt, strict=True):
        a, b = digest(live_engine, live), digest(scratch, fresh)
        out.append(Comparison(live.name, a, b,
                              None if a == b else first_difference(live_engine, scratch, live)))
    scratch.dispose()
    return out


def verify(log: EventLog, progress: Progress = None) -> Head:
    return verify_chain(log.read(batch=5000), progress)


def designation_events(log: EventLog, designation: str) -> Iterator[StoredEvent]:
    """One designation's stream, with the observations its evidence rests on, in log order."""
    own = log.read_stream(stream_of(designation))
    wanted = {e.decode().observation_id for e in own if e.type == "EvidenceRecorded"}
    observations = [e for e in log.read(types=["EntryObserved"])
                    if json.loads(e.payload)["observation_id"] in wanted]
    yield from sorted([*own, *observations], key=lambda e: e.position)


def export_lines(stored: Iterable[StoredEvent], fmt: str) -> Iterator[str]:
    if fmt == "jsonl":
        for e in stored:
            yield json.dumps(event_json(e), ensure_ascii=False) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for e in stored:
        writer.writerow([getattr(e, f) for f in EXPORT_FIELDS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def stored_from_export(line: str) -> StoredEvent:
    """An exported JSON line back as the stored event it was."""
    data = json.loads(line)
    payload = json.dumps(data["payload"], sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False)
    return StoredEvent(data["position"], data["stream"], data["version"], data["type"],
                       data["type_version"], payload, data["idempotency_key"],
                       data["recorded_at"], data["prev_hash"], data["hash"])


