"""What a reading is independent by: the article's host (without `www.`), else its feed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.domain.status import Reading, since_of, site_of


def reading(url: str | None, published: int = 1, date_source: str = "feed") -> Reading:
    return Reading("o", "proposed", 0.9, None, "v1", "the-feed", url, "t",
                   datetime(2025, 1, published, tzinfo=UTC), "", 1, "body", date_source)


@pytest.mark.parametrize(("url", "site"), [
    ("https://www.Example.org/a", "example.org"),
    ("https://user:pw@Host.example:8443/x?y=1#z", "host.example"),
    ("https://host.example?q=1", "host.example"),
    ("https://host.example#top", "host.example"),
    ("https://a@b@host.example/", "host.example"),
    ("https://[2001:DB8::1]:443/x", "2001:db8::1"),
    ("https://[2001:db8::1]/x", "2001:db8::1"),
    ("http://wwwexample.org/", "wwwexample.org"),
    ("https:///only-a-path", "the-feed"),
    ("mailto:someone", "the-feed"),
    (None, "the-feed"),
    ("", "the-feed"),
])
def test_site_of(url: str | None, site: str) -> None:
    assert site_of(reading(url)) == site


def test_since_is_the_earliest_reading_dated_by_its_feed_when_there_is_one() -> None:
    assert since_of([reading(None, 5), reading(None, 2, "page"), reading(None, 3)]) == \
        datetime(2025, 1, 3, tzinfo=UTC)
    assert since_of([reading(None, 5, "first_seen"), reading(None, 2, "page")]) == \
        datetime(2025, 1, 2, tzinfo=UTC)
