"""Hostile feed documents: script links, dates at the calendar's edge, unreadable text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.feeds.parse import parse_feed
from tracker.services.observations import observation_of
from tracker.store.codec import encode

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def rss(items: str, title: str = "W") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title>{items}</channel></rss>").encode()


def item(guid: str, link: str = "", date: str = "", title: str = "T") -> str:
    return (f"<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title>"
            + (f"<link>{link}</link>" if link else "")
            + (f"<pubDate>{date}</pubDate>" if date else "") + "</item>")


def parse(body: bytes):
    return parse_feed(body, url="https://example.org/feed.xml", content_type="text/xml",
                      fetched_at=NOW)


@pytest.mark.parametrize("link", [
    "javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "vbscript:msgbox(1)",
    "file:///etc/passwd", "ftp://example.org/x", "mailto:a@example.org",
    "java&#x09;script:alert(1)", "http://x:99999/", "http://[::1/",
])
def test_only_http_and_https_links_are_kept(link: str) -> None:
    feed = parse(rss(item("1", link)))
    (entry,) = feed.entries
    assert entry.link is None
    assert feed.dropped_links == 1 and "only http and https links are kept" in feed.error


def test_web_links_and_ipv6_literals_are_kept() -> None:
    feed = parse(rss(item("1", "https://example.org/a") + item("2", "http://[2001:db8::1]:8080/b")
                     + item("3", "/relative")))
    assert [e.link for e in feed.entries] == [
        "https://example.org/a", "http://[2001:db8::1]:8080/b", "https://example.org/relative"]
    assert feed.error is None


@pytest.mark.parametrize("date", [
    "Fri, 31 Dec 9999 23:59:59 -0100", "Fri, 31 Dec 9999 23:59:59 +0000",
    "Thu, 01 Jan 1900 00:00:00 GMT",
    "Wed, 31 Dec 1969 23:59:59 GMT",
])
def test_dates_out_of_range_are_read_as_missing(date: str) -> None:
    feed = parse(rss(item("1", "https://example.org/a", date)))
    (entry,) = feed.entries
    assert (entry.published, entry.published_source) == (NOW, "fetched")
    assert feed.bad_dates == 1 and "dates out of range" in feed.error
    encode(observation_of(entry, "wire", (), NOW)[0])  # and the log takes it as parsed


def test_iso_dates_at_the_edge_too() -> None:
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>W</title><entry><id>x</id>'
            b"<title>T</title><published>0001-01-01T00:00:00+01:00</published>"
            b"<updated>2025-04-17T10:00:00Z</updated></entry></feed>")
    (entry,) = parse(atom).entries
    assert entry.published == datetime(2025, 4, 17, 10, tzinfo=UTC)  # the next time it gave
    assert entry.published_source == "updated"


def test_a_document_feedparser_cannot_read_is_a_failure_not_an_exception() -> None:
    feed = parse(rss(item("1", "https://example.org/a", title="A &#xD800; B"), title="&#xD800;"))
    assert (feed.is_feed, feed.title, feed.entries) == (False, "", ())
    assert (feed.error or "").startswith("the feed could not be read: UnicodeEncodeError: ")


def test_lone_surrogates_that_get_through_become_replacement_characters() -> None:
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>W</title><entry>'
            '<id>tag:\udc80</id><title>T \udc80</title></entry></feed>').encode(
        "utf-8", "surrogateescape")
    feed = parse(atom)
    for entry in feed.entries:
        encode(observation_of(entry, "wire", (), NOW)[0])  # nothing the log cannot store
