"""Parsing where a bug would hide: a feed with no items, a charset given only by the HTTP
header, times without an offset, each kind of parse error, and the dedupe keys the log keeps."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from tracker.domain.times import RANGE
from tracker.feeds.canonical import content_fingerprint
from tracker.feeds.parse import ParsedEntry, parse_feed, text

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def parse(body: bytes, content_type: str | None = "application/rss+xml"):
    return parse_feed(body, url="https://example.org/feed.xml", content_type=content_type,
                      fetched_at=NOW)


def rss(items: str, declaration: bytes = b'<?xml version="1.0" encoding="utf-8"?>',
        title: str = "Wire") -> bytes:
    return declaration + f"<rss version=\"2.0\"><channel><title>{title}</title>" \
        f"{items}</channel></rss>".encode()


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@pytest.mark.parametrize("body", [
    rss(""),
    b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    b"<title>Wire</title></feed>",
])
def test_a_valid_feed_with_no_items_is_a_feed_with_nothing_wrong(body: bytes) -> None:
    feed = parse(body)
    assert (feed.is_feed, feed.title, feed.entries, feed.error) == (True, "Wire", (), None)
    assert (feed.dropped_links, feed.bad_dates) == (0, 0)


def test_a_charset_given_only_by_the_http_header_is_used() -> None:
    title = "Суд запретил движение"
    body = b'<?xml version="1.0"?>' + f'<rss version="2.0"><channel><title>{title}</title>' \
        f"<item><guid>1</guid><title>{title}</title></item></channel></rss>".encode("cp1251")
    feed = parse(body, "application/rss+xml; charset=windows-1251")
    assert feed.title == title and feed.entries[0].title == title
    assert feed.error is None


@pytest.mark.parametrize(("given", "expected", "source"), [
    # RFC 822 without a zone, ISO 8601 without an offset: UTC, as the README says.
    ("<pubDate>Fri, 01 May 2026 10:00:00</pubDate>", datetime(2026, 5, 1, 10, tzinfo=UTC),
     "published"),
    ("<pubDate>2026-05-01T10:00:00</pubDate>", datetime(2026, 5, 1, 10, tzinfo=UTC),
     "published"),
    ("<pubDate>Fri, 01 May 2026 10:00:00 +0300</pubDate>",
     datetime(2026, 5, 1, 7, tzinfo=UTC), "published"),
    # Looser forms (python-dateutil): UTC as well; a missing day is the first.
    ("<pubDate>2026-05</pubDate>", datetime(2026, 5, 1, tzinfo=UTC), "published"),
    ("<pubDate>May 1, 2026 10:00 AM</pubDate>", datetime(2026, 5, 1, 10, tzinfo=UTC),
     "published"),
    ("<pubDate>not a date</pubDate>", NOW, "fetched"),
    ("", NOW, "fetched"),
])
def test_entry_times(given: str, expected: datetime, source: str) -> None:
    (entry,) = parse(rss(f"<item><guid>1</guid><title>t</title>{given}</item>")).entries
    assert entry.published == expected and entry.published.tzinfo is not None
    assert entry.published.utcoffset() == (timedelta(hours=3) if "+0300" in given
                                           else timedelta(0))
    assert entry.published_source == source


def test_an_out_of_range_time_is_read_as_missing_and_counted() -> None:
    feed = parse(b'<?xml version="1.0" encoding="utf-8"?>'
                 b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>'
                 b"<entry><id>1</id><title>t</title><published>0001-01-01T00:00:00Z</published>"
                 b"<updated>2026-05-01T10:00:00Z</updated></entry>"
                 b"<entry><id>2</id><title>t</title><updated>9999-12-31T23:59:59Z</updated>"
                 b"</entry></feed>", "application/atom+xml")
    first, second = feed.entries
    assert (first.published, first.published_source) == (
        datetime(2026, 5, 1, 10, tzinfo=UTC), "updated")
    assert (second.published, second.published_source) == (NOW, "fetched")
    assert feed.bad_dates == 2
    assert feed.error == f"2 entry dates out of range (times run {RANGE}): read as missing"


def test_every_note_is_kept_beside_the_others() -> None:
    feed = parse(rss("<item><guid>1</guid><title>t</title><link>javascript:x()</link>"
                     "<pubDate>9999-12-31T23:59:59Z</pubDate></item>"))
    assert (feed.dropped_links, feed.bad_dates) == (1, 1)
    assert feed.error == ("1 entry links dropped: only http and https links are kept; "
                          f"1 entry dates out of range (times run {RANGE}): read as missing")


def test_a_feed_without_a_title_has_an_empty_one() -> None:
    feed = parse(b'<?xml version="1.0"?><rss version="2.0"><channel>'
                 b"<item><guid>1</guid><title>t</title></item></channel></rss>")
    assert (feed.is_feed, feed.title, len(feed.entries)) == (True, "", 1)


@pytest.mark.parametrize(("body", "content_type", "is_feed", "error"), [
    (b"", "application/rss+xml", False,
     "the response was empty: not an RSS or Atom feed"),
    (b"<html><body>Hello</body></html>", "text/html; charset=utf-8", False,
     "not an RSS or Atom feed (got text/html)"),
    (b"plain words", None, False, "not an RSS or Atom feed (got something else)"),
    (b'<!DOCTYPE rss [<!ENTITY a "b">]><rss/>', "application/rss+xml", False,
     "the document declares XML entities; refused unread"),
    # A feed served as HTML or plain text reads fine: no error for the content type.
    (rss("<item><guid>1</guid><title>t</title></item>"), "text/html", True, None),
    (rss("<item><guid>1</guid><title>t</title></item>"), "text/plain", True, None),
])
def test_each_kind_of_unreadable_document_says_what_it_was(
        body: bytes, content_type: str | None, is_feed: bool, error: str | None) -> None:
    feed = parse(body, content_type)
    assert (feed.is_feed, feed.error) == (is_feed, error)
    if not is_feed:  # refused whole: nothing read
        assert (feed.title, feed.entries) == ("", ())


def test_malformed_xml_names_its_line_and_keeps_what_it_read() -> None:
    body = rss("<item><guid>1</guid><title>first</title></item>\n"
               "<item><guid>2</guid><title>second & third</title></item>")
    feed = parse(body)
    assert feed.is_feed and [e.title for e in feed.entries][:1] == ["first"]
    assert feed.error == "malformed XML at line 2: not well-formed (invalid token)"


def test_a_wrong_declared_encoding_is_reported_as_such() -> None:
    body = rss("<item><guid>1</guid><title>Суд</title></item>",
               declaration=b'<?xml version="1.0" encoding="us-ascii"?>')
    feed = parse(body, "application/rss+xml")
    assert feed.is_feed
    assert (feed.error or "").startswith("the feed's declared encoding was wrong: ")


def test_dropped_links_are_counted_beside_the_parse_error() -> None:
    feed = parse(rss("<item><guid>1</guid><title>t</title><link>javascript:alert(1)</link>"
                     "</item><item><guid>2</guid><title>u</title>"
                     "<link>https://example.org/a</link></item>"))
    assert [e.link for e in feed.entries] == [None, "https://example.org/a"]
    assert feed.dropped_links == 1
    assert feed.error == "1 entry links dropped: only http and https links are kept"


def test_dedupe_keys_are_the_link_then_the_guid_then_the_content() -> None:
    (entry,) = parse(rss("<item><guid>tag:1</guid><title>Court bans</title>"
                         "<link>https://example.org/a?utm_source=x</link>"
                         "<description>The body.</description></item>")).entries
    assert entry.dedupe_keys() == (
        "link:" + sha("https://example.org/a"), "guid:" + sha("tag:1"),
        "content:" + content_fingerprint("Court bans", "The body."))


def test_an_entry_without_a_guid_is_known_by_its_link_or_its_text() -> None:
    linked, bare = parse(rss(
        "<item><title>a</title><link>https://example.org/a</link></item>"
        "<item><title>b</title><description>words</description></item>")).entries
    assert linked.entry_id == "https://example.org/a"
    assert linked.dedupe_keys()[:2] == ("link:" + sha("https://example.org/a"),
                                        "guid:" + sha("https://example.org/a"))
    assert bare.entry_id == "text:" + content_fingerprint("b", "words")
    assert bare.dedupe_keys() == ("guid:" + sha(bare.entry_id),
                                  "content:" + content_fingerprint("b", "words"))


def test_an_entry_with_no_text_has_no_content_key() -> None:
    entry = ParsedEntry("id", None, "", "", "", (), NOW, "fetched")
    assert entry.dedupe_keys() == ("guid:" + sha("id"),)
    content_only = ParsedEntry("id", None, "", "", "body", (), NOW, "fetched")
    assert content_only.dedupe_keys()[1] == "content:" + content_fingerprint("", "body")
    summary_only = ParsedEntry("id", None, "", "gist", "", (), NOW, "fetched")
    assert summary_only.dedupe_keys()[1] == "content:" + content_fingerprint("", "gist")


@pytest.mark.parametrize(("value", "expected"), [
    ("plain", "plain"),
    ("a\x00b\x00", "ab"),  # no database column takes NUL
    ("x\ud800y\udfff", "x\ufffdy\ufffd"),  # lone surrogates: UTF-8 cannot carry them
    ("\x00\udc80", "\ufffd"),
    (None, ""),
    (5, "5"),
])
def test_text_for_the_log(value: object, expected: str) -> None:
    assert text(value) == expected


def test_the_longest_of_an_entrys_contents_is_its_content() -> None:
    (entry,) = parse(rss(
        "<item><guid>1</guid><title>t</title>"
        "<content:encoded>zz short</content:encoded>"
        "<content:encoded>aa the longer of the two</content:encoded></item>").replace(
        b'<rss version="2.0">',
        b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">')).entries
    assert entry.content == "aa the longer of the two"


def test_atom_content_without_a_summary_is_not_read_as_both() -> None:
    feed = parse(b'<?xml version="1.0" encoding="utf-8"?>'
                 b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>'
                 b"<entry><id>1</id><content>The whole story.</content></entry></feed>",
                 "application/atom+xml")
    (entry,) = feed.entries
    assert (entry.title, entry.summary, entry.content) == ("", "", "The whole story.")


def test_an_entry_with_only_a_summary_has_no_content() -> None:
    (entry,) = parse(rss("<item><guid>1</guid><title>t</title><description>gist</description>"
                         "</item>")).entries
    assert (entry.summary, entry.content) == ("gist", "")
