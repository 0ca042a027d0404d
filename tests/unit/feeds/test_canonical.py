"""A link's identity (its canonical form) apart from the link an entry shows and fetches."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.feeds.canonical import canonical_url, digest
from tracker.feeds.parse import parse_feed

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def test_only_known_tracking_parameters_are_stripped() -> None:
    assert canonical_url("https://x.org/story?cid=1&utm_source=rss&fbclid=abc&gclid=1") == \
        "https://x.org/story?cid=1"
    assert canonical_url("https://x.org/story?cid=1") != canonical_url("https://x.org/story?cid=2")


def test_idna_and_percent_encoding_are_normalised() -> None:
    assert canonical_url("https://BÜCHER.de/%7euser/%e2%82%ac") == \
        canonical_url("https://xn--bcher-kva.de/~user/%E2%82%AC") == \
        "https://xn--bcher-kva.de/~user/%E2%82%AC"
    assert canonical_url("https://x.org/a%2Fb") == "https://x.org/a%2Fb"  # a slash kept escaped


def test_links_canonical_before_keep_their_form() -> None:
    """The log's keys are digests of these: a changed form would split old stories from new."""
    for link in ("https://example.org/a/1", "https://example.org/a?a=1&b=2",
                 "http://127.0.0.1:8080/feed/item-3", "https://news.example/2024/05/taliban"):
        assert canonical_url(link) == link


def test_the_entry_keeps_its_link_as_given_and_is_known_by_the_canonical_one() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>One</title><link>https://Example.org/a?cid=1&amp;utm_source=rss#top</link>
    <guid>g1</guid></item>
    <item><title>Two</title><link>https://example.org/a?cid=2</link><guid>g2</guid></item>
    </channel></rss>"""
    one, two = parse_feed(rss, url="https://example.org/rss", content_type="text/xml",
                          fetched_at=NOW).entries
    assert one.link == "https://Example.org/a?cid=1&utm_source=rss#top"
    assert one.dedupe_keys()[0] != two.dedupe_keys()[0]
    assert one.dedupe_keys()[0] == "link:" + digest("https://example.org/a?cid=1")
