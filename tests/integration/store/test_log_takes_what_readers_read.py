"""Any event the log accepts, every follower and replay can apply: hypothesis over every
event type's fields, edge values included; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tracker import views
from tracker.bootstrap import build
from tracker.domain.events import (
    EntryObserved,
    EvidenceRecorded,
    EvidenceRejected,
    FeedPolled,
    StageOverridden,
    StatusChanged,
)
from tracker.domain.times import TimeOutOfRange
from tracker.services import audit
from tracker.services.designations import stream_of
from tracker.settings import Settings
from tracker.store.log import NewEvent

D = "taliban-designation"
offsets = st.integers(-23 * 60, 23 * 60).map(lambda m: timezone(timedelta(minutes=m)))
times = st.one_of(
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(timezones=offsets),
    st.sampled_from([datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-1))),
                     datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
                     datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC),
                     datetime(2025, 4, 17, tzinfo=UTC)]))
texts = st.text(max_size=40)  # surrogates, NULs, line breaks and all
stages = st.sampled_from([None, "considered", "proposed", "court-approved", "reversed",
                          "nonsense", ""])
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0.0, 1.0, -0.0, 1e308]))
ids = st.text(min_size=1, max_size=12)
links = st.one_of(st.none(), texts, st.sampled_from(["javascript:alert(1)", "https://x.example/"]))


def events():
    return st.one_of(
        st.builds(EvidenceRecorded, st.just(D), ids, stages, numbers, st.one_of(st.none(), texts),
                  texts, texts, links, texts, times),
        st.builds(StageOverridden, st.just(D), stages, texts, times, st.one_of(st.none(), texts)),
        st.builds(EvidenceRejected, st.just(D), ids, texts, st.one_of(st.none(), texts)),
        st.builds(StatusChanged, st.just(D), stages, stages, times,
                  st.sampled_from(["evidence", "reversed", "override"]),
                  st.lists(ids, max_size=3).map(tuple)),
        st.builds(EntryObserved, ids, st.just("wire"), texts, links, texts, texts, texts,
                  st.lists(texts, max_size=2).map(tuple), times,
                  st.sampled_from(["published", "updated", "fetched"]), times,
                  st.just((D,))),
        st.builds(FeedPolled, st.just("wire"), texts, st.sampled_from(["fetched", "failed"]),
                  times, st.one_of(st.none(), times), st.one_of(st.none(), st.integers(0, 999)),
                  st.one_of(st.none(), texts)),
    )


REFUSED = (TimeOutOfRange, ValueError, UnicodeError)


def test_every_event_the_log_accepts_every_reader_can_apply(settings: Settings) -> None:
    tracker = build(settings)
    accepted = refused = 0

    @given(event=events())
    @example(event=EvidenceRecorded(D, "nan", "proposed", float("nan"), None, "v", "w", None,
                                    "t", datetime(2025, 1, 1, tzinfo=UTC)))
    @example(event=EvidenceRecorded(D, "inf", "proposed", float("inf"), None, "v", "w", None,
                                    "t", datetime(2025, 1, 1, tzinfo=UTC)))
    @example(event=StageOverridden(D, "proposed", "bad \ud800", datetime(2025, 1, 1, tzinfo=UTC)))
    @example(event=StageOverridden(D, "proposed", "edge",
                                   datetime(9999, 12, 31, 23, 59, tzinfo=timezone(
                                       timedelta(hours=-1)))))
    @hypothesis_settings(max_examples=120, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))
    def check(event: object) -> None:
        nonlocal accepted, refused
        stream = stream_of(D) if hasattr(event, "designation") else "feed-wire"
        try:
            new = NewEvent.of(stream, event, f"k-{accepted + refused}")
            tracker.log.append([new])
        except REFUSED:
            refused += 1
            return
        accepted += 1
        tracker.settle()  # the reader, every projection and the outbox
        assert not tracker.runner.stopped, tracker.runner.stopped
        json.loads(views.status_json(tracker.engine, tracker.catalog, D))
        json.loads(views.status_json(tracker.engine, tracker.catalog, D,
                                     as_of=datetime(2025, 1, 1, tzinfo=UTC),
                                     known_at=datetime.now(UTC)))
        tracker.writer.state(D).timeline()
        views.feeds(tracker.engine, tracker.catalog)
        views.events(tracker.log, 0, 1000)

    check()
    assert accepted > 30 and refused > 0
    # Replaying beside the live projections, and in their place, applies every event too.
    # (Whether the two agree on such arbitrary sequences is the fold's own property, tested
    # with its rules.)
    audit.replay_beside(tracker.following, tracker.log, tracker.catalog)
    audit.replay(tracker.following)
    assert not tracker.runner.stopped
    tracker.close()
