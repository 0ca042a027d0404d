"""Parsing: formats, times, HTML, malformed and hostile documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.feeds.canonical import canonical_url
from tracker.feeds.parse import parse_feed

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def parse(body: bytes, content_type: str | None = "application/xml"):
    return parse_feed(body, url="https://example.org/feed.xml", content_type=content_type,
                      fetched_at=NOW)


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
<entry><id>tag:example.org,2025:1</id><title>Court &amp; ban</title>
<link href="/news/1?utm_source=x#top"/><updated>2025-04-17T13:20:00+03:00</updated>
<author><name>A. Writer</name></author>
<content type="html">&lt;p&gt;The &lt;b&gt;ruling&lt;/b&gt; came today.&lt;/p&gt;</content></entry>
<entry><id>tag:example.org,2025:2</id><title>Undated</title></entry>
</feed>"""


def test_atom_with_offsets_relative_links_html_and_fallbacks() -> None:
    feed = parse(ATOM)
    assert feed.is_feed and feed.error is None and feed.title == "Wire"
    first, undated = feed.entries
    assert first.title == "Court & ban" and first.content == "The ruling came today."
    assert first.link == "https://example.org/news/1?utm_source=x#top"  # as given, for showing
    assert canonical_url(first.link) == "https://example.org/news/1"  # its identity
    assert first.published.utcoffset() == timedelta(hours=3)
    assert first.published_source == "updated" and first.authors == ("A. Writer",)
    assert (undated.published, undated.published_source) == (NOW, "fetched")


def test_malformed_yields_what_it_can_with_the_error() -> None:
    truncated = ATOM[:ATOM.index(b"<entry><id>tag:example.org,2025:2")] + b"<entry><id>x"
    feed = parse(truncated)
    assert feed.is_feed and len(feed.entries) >= 1
    assert feed.error.startswith("malformed XML at line")


def test_not_a_feed() -> None:
    assert parse(b"<html><body><p>Hello</p></body></html>", "text/html").error == \
        "not an RSS or Atom feed (got text/html)"
    assert not parse(b"   ").is_feed
    assert not parse(b'{"json": true}', "application/json").is_feed


def test_entity_bombs_and_external_entities_are_refused_unread() -> None:
    lol = b'<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10))
    bomb = b'<?xml version="1.0"?><!DOCTYPE rss [' + lol + b']><rss><channel><title>&lol9;' \
           b'</title></channel></rss>'
    xxe = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b"<rss><channel><title>&xxe;</title></channel></rss>")
    for document in (bomb, xxe):
        feed = parse(document)
        assert not feed.is_feed and "declares XML entities" in feed.error


def test_links_relative_to_the_feed_and_unreadable_links() -> None:
    rss = b"""<rss version="2.0"><channel><title>W</title>
<item><guid isPermaLink="false">1</guid><title>A</title><link>../a/1</link></item>
<item><guid isPermaLink="false">2</guid><title>B</title><link>http://x:port/b</link></item>
<item><guid isPermaLink="false">3</guid><title>C</title><link>http://[::1/c</link></item>
</channel></rss>"""
    feed = parse_feed(rss, url="https://example.org/feeds/rss.xml", content_type="text/xml",
                      fetched_at=NOW)
    assert [(e.entry_id, e.link) for e in feed.entries] == [
        ("1", "https://example.org/a/1"), ("2", None), ("3", None)]


def test_canonical_links() -> None:
    assert canonical_url("HTTPS://Example.org:443/a/?utm_medium=rss&b=2&a=1#frag") == \
        "https://example.org/a?a=1&b=2"


@settings(max_examples=150, deadline=None)
@given(st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda n: ATOM[:n], st.integers(0, len(ATOM))),
    st.builds(lambda t, enc: t.encode(enc, errors="replace"),
              st.text(max_size=300), st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1251"])),
))
def test_never_raises_on_junk(body: bytes) -> None:
    feed = parse(body)
    if not feed.is_feed:  # refused whole: a reason, and nothing read
        assert feed.error and (feed.title, feed.entries) == ("", ())
    assert feed.error is None or (isinstance(feed.error, str) and feed.error.strip())
    for entry in feed.entries:  # whatever was read is fit for the log
        assert entry.entry_id and entry.published.tzinfo is not None
        assert entry.published_source in ("published", "updated", "fetched")
