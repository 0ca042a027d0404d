"""Old event shapes are upcast when read and never rewritten."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from sqlalchemy import text

from tests.conftest import FEEDS_YAML
from tracker.config import load_catalog
from tracker.domain.events import EvidenceRecorded, FeedPolled
from tracker.projections.feeds import FeedHealthProjection
from tracker.projections.runner import Runner
from tracker.projections.status import StatusProjection
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


# An EvidenceRecorded as version 1 wrote it, before readings said where their sentence stood
# and where their date came from.
EVIDENCE_V1 = {"designation": "taliban-designation", "observation_id": "o1",
               "stage": "court-approved", "confidence": 0.9, "quote": "A sentence.",
               "classifier_version": "rules-1", "feed": "wire",
               "url": "https://news.example/1", "title": "A headline",
               "published_at": "2025-04-17T00:00:00+00:00"}


def test_old_evidence_reads_as_a_body_reading_dated_by_its_feed(database_url: str) -> None:
    assert codec.VERSIONS["EvidenceRecorded"] == 2
    engine = make_engine(database_url)
    log = EventLog(engine)
    payload = codec.canonical_json(EVIDENCE_V1)
    log.append([NewEvent("designation-taliban-designation", "EvidenceRecorded", 1, payload,
                         "evidence:v1")])
    (old,) = log.read()
    event = old.decode()
    assert old.payload == payload  # stored as written
    assert (event.basis, event.date_source) == ("body", "feed")
    assert event == EvidenceRecorded(**{**EVIDENCE_V1, "published_at": event.published_at})
    verify_chain(log.read())

    catalog = load_catalog(_feeds(database_url))
    Runner(engine).catch_up(StatusProjection(catalog))
    with engine.connect() as conn:
        stage = conn.execute(text("SELECT stage FROM designation_status")).scalar()
        basis = conn.execute(text("SELECT basis FROM evidence")).scalar()
    assert (stage, basis) == ("court-approved", "body")  # a plain body sentence: confirmed
    engine.dispose()


def _feeds(database_url: str) -> Path:
    """The tests' designations with the default confirmation rules."""
    path = Path(tempfile.mkdtemp()) / "feeds.yaml"
    path.write_text(FEEDS_YAML.replace("    confirm: {sources: 1}", "    confirm: {}"))
    return path
