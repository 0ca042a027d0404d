"""Entry times as feeds write them: read when they can be read for sure, never guessed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracker.feeds.dates import AMBIGUOUS, NO_ZONE, UNREADABLE, read_time


def at(hours: int, *args: int) -> datetime:
    return datetime(*args, tzinfo=timezone(timedelta(hours=hours)))


@pytest.mark.parametrize(("raw", "when", "problem"), [
    ("Fri, 01 May 2026 10:00:00 +0300", at(3, 2026, 5, 1, 10), None),
    ("Fri, 01 May 2026 10:00:00 GMT", at(0, 2026, 5, 1, 10), None),
    ("Fri, 01 May 2026 10:00:00 EDT", at(-4, 2026, 5, 1, 10), None),
    ("2026-05-01T10:00:00+03:00", at(3, 2026, 5, 1, 10), None),
    ("2026-05-01T10:00:00Z", at(0, 2026, 5, 1, 10), None),
    # the looser forms some feeds write: the time of day and the month kept
    ("2026-05-01 10:00:00 GMT", at(0, 2026, 5, 1, 10), None),
    ("May 1, 2026 10:00 AM EDT", at(-4, 2026, 5, 1, 10), None),
    ("2026/05/01", at(0, 2026, 5, 1), NO_ZONE),
    ("13/05/2026 10:00", at(0, 2026, 5, 13, 10), NO_ZONE),
    ("2026-05", at(0, 2026, 5, 1), NO_ZONE),
    # no zone, or one nobody can place: read as UTC, and said
    ("2026-05-01T10:00:00", at(0, 2026, 5, 1, 10), NO_ZONE),
    ("Fri, 01 May 2026 10:00:00 -0000", at(0, 2026, 5, 1, 10), NO_ZONE),
    ("Fri, 01 May 2026 10:00:00 XYZ", at(0, 2026, 5, 1, 10), NO_ZONE),
    # the first of May or the fifth of January: not guessed
    ("01/05/2026", None, AMBIGUOUS),
    ("05.01.2026 10:00", None, AMBIGUOUS),
    ("not a date", None, UNREADABLE),
    ("1 floréal 2026", None, UNREADABLE),
])
def test_read_time(raw: str, when: datetime | None, problem: str | None) -> None:
    got = read_time(raw)
    assert (got.when, got.problem) == (when, problem)
    if got.when is not None:
        assert got.when.utcoffset() == when.utcoffset()


def test_a_missing_year_is_not_this_year() -> None:
    assert read_time("May 1 10:00").when == datetime(1, 5, 1, 10, tzinfo=UTC)  # out of range


def test_the_same_day_twice_is_not_ambiguous() -> None:
    assert read_time("05/05/2026").when == datetime(2026, 5, 5, tzinfo=UTC)


def test_a_poll_says_which_times_it_did_not_take_as_given() -> None:
    from tracker.feeds.parse import parse_feed

    fetched = datetime(2026, 6, 1, 12, tzinfo=UTC)
    items = "".join(f"<item><guid>{i}</guid><title>t</title><pubDate>{raw}</pubDate></item>"
                    for i, raw in enumerate(["2026-05-01 10:00:00 GMT", "01/05/2026",
                                             "Fri, 01 May 2026 10:00:00 XYZ", "soon"]))
    feed = parse_feed(f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>'
                      f"{items}</channel></rss>".encode(), url="https://example.org/feed",
                      content_type="application/rss+xml", fetched_at=fetched)
    assert [(e.published, e.published_source) for e in feed.entries] == [
        (datetime(2026, 5, 1, 10, tzinfo=UTC), "published"), (fetched, "fetched"),
        (datetime(2026, 5, 1, 10, tzinfo=UTC), "published"), (fetched, "fetched")]
    assert feed.bad_dates == 2
    assert feed.error == ("1 entry dates could not be read: read as missing; "
                          "1 entry dates could be day/month or month/day: read as missing; "
                          "1 entry dates gave no time zone (or one not known): read as UTC")
