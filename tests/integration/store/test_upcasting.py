"""Old event shapes are upcast when read and never rewritten."""

from __future__ import annotations

import json

from sqlalchemy import text

from tracker.domain.events import FeedPolled
from tracker.projections.feeds import FeedHealthProjection
from tracker.projections.runner import Runner
from tracker.store import codec
from tracker.store.database import make_engine
from tracker.store.log import EventLog, NewEvent
from tracker.store.verify import verify_chain

# A FeedPolled as version 1 wrote it, before `duration_ms` was recorded.
V1 = {"feed": "wire", "url": "http://127.0.0.1:9/feed.xml", "outcome": "fetched",
      "polled_at": "2025-01-02T03:04:05+00:00", "next_poll_at": "2025-01-02T03:19:05+00:00",
      "status": 200, "error": None, "entries": 3, "new_entries": 3, "etag": '"abc"',
      "last_modified": None, "moved_to": None}


def test_a_version_1_event_reads_as_the_current_shape(database_url: str) -> None:
    assert codec.VERSIONS["FeedPolled"] == 2
    engine = make_engine(database_url)
    log = EventLog(engine)
    payload = codec.canonical_json(V1)
    log.append([NewEvent("feed-wire", "FeedPolled", 1, payload, "poll:v1")])
    log.append([NewEvent.of("feed-wire", FeedPolled(**{**_decoded(), "duration_ms": 42}),
                            "poll:v2")])

    old, new = list(log.read())
    assert (old.type_version, new.type_version) == (1, 2)
    assert old.payload == payload  # stored as written
    assert old.decode().duration_ms is None and old.decode().entries == 3
    assert new.decode().duration_ms == 42
    verify_chain(log.read())

    Runner(engine).catch_up(FeedHealthProjection())
    with engine.connect() as conn:
        seen = conn.execute(text("SELECT entries_seen FROM feed_health")).scalar()
    assert seen == 6
    engine.dispose()


def _decoded() -> dict:
    return {k: v for k, v in codec.decode("FeedPolled", 1, json.dumps(V1)).__dict__.items()}
