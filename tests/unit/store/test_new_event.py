"""An event to append, built from a domain event: its encoding and the keys it is known by."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tracker.domain.events import FeedPolled
from tracker.store import codec
from tracker.store.log import NewEvent

POLL = FeedPolled(feed="wire", url="https://news.example/rss", outcome="fetched",
                  polled_at=datetime(2026, 5, 1, 9, 30, tzinfo=UTC), next_poll_at=None)


def test_the_event_is_encoded_under_its_class_name() -> None:
    built = NewEvent.of("feed-wire", POLL, "poll:1")
    assert (built.stream, built.type, built.type_version, built.idempotency_key) == (
        "feed-wire", "FeedPolled", codec.VERSIONS["FeedPolled"], "poll:1")
    assert json.loads(built.payload)["polled_at"].startswith("2026-05-01T09:30:00")


def test_aliases_keep_their_order_and_leave_out_the_key_itself() -> None:
    built = NewEvent.of("feed-wire", POLL, "link:1", ["guid:1", "link:1", "content:1"])
    assert built.aliases == ("guid:1", "content:1")
    assert NewEvent.of("feed-wire", POLL, "link:1").aliases == ()
