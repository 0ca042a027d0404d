"""Parsing feed bytes with feedparser into plain entries; what cannot be read is reported."""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from tracker.domain.links import web_link
from tracker.domain.times import RANGE, in_range
from tracker.feeds.canonical import canonical_url, content_fingerprint, digest
from tracker.feeds.dates import AMBIGUOUS, NO_ZONE, UNREADABLE, FeedTime, read_time

_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
OUT_OF_RANGE = "out of range"
# What the poll's note says of each kind of entry time that was not read as given.
_DATE_NOTES = {
    OUT_OF_RANGE: f"entry dates out of range (times run {RANGE}): read as missing",
    UNREADABLE: "entry dates could not be read: read as missing",
    AMBIGUOUS: "entry dates could be day/month or month/day: read as missing",
    NO_ZONE: "entry dates gave no time zone (or one not known): read as UTC",
}


@dataclass(frozen=True)
class ParsedEntry:
    entry_id: str
    link: str | None
    title: str
    summary: str
    content: str
    authors: tuple[str, ...]
    published: datetime
    published_source: str  # published | updated | page (set by the poller) | fetched

    def dedupe_keys(self) -> tuple[str, ...]:
        """The keys a story is known by, its preferred identity first."""
        keys = []
        if self.link:
            keys.append("link:" + digest(canonical_url(self.link)))
        keys.append("guid:" + digest(self.entry_id))
        text = self.content or self.summary
        if self.title or text:
            keys.append("content:" + content_fingerprint(self.title, text))
        return tuple(keys)


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    entries: tuple[ParsedEntry, ...]
    error: str | None
    is_feed: bool
    dropped_links: int = 0  # entry links that were not http or https, left out
    bad_dates: int = 0  # entry times out of range, unreadable or ambiguous, read as missing


def text(value: Any) -> str:
    """A string fit for the log: lone surrogates (a character reference to one, say)
    become U+FFFD, which UTF-8 can carry; NUL characters are dropped."""
    value = value if isinstance(value, str) else str(value or "")
    if "\x00" in value:  # no database column takes it
        value = value.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def plain_text(value: str) -> str:
    """HTML (as feedparser's sanitiser leaves it) to plain text."""
    value = text(value)
    if "<" in value:
        value = _TAGS.sub(" ", value)
    return text(_SPACE.sub(" ", html.unescape(value)).strip())


def parse_feed(body: bytes, *, url: str, content_type: str | None,
               fetched_at: datetime) -> ParsedFeed:
    """What can be read of a feed document, and what was wrong with it."""
    if not body.strip():
        return ParsedFeed("", (), "the response was empty: not an RSS or Atom feed", False)
    if _ENTITY_DECLARATION.search(body[:65536]):
        # Feeds have no business declaring entities; expanding them is how XML bombs and
        # external-entity reads work, so such a document is not read at all.
        return ParsedFeed("", (), "the document declares XML entities; refused unread", False)
    # No base URL for feedparser: given one, it resolves every element's base against it,
    # a fifth of the parse. Links are resolved here instead, and URIs inside HTML not at all
    # (it is flattened to text).
    headers = {"content-type": content_type or "application/xml"}
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers,
                                  resolve_relative_uris=False)
        if not parsed.get("version") and not parsed.entries:
            what = (content_type or "").split(";")[0].strip() or "something else"
            return ParsedFeed("", (), f"not an RSS or Atom feed (got {what})", False)
        read = [_entry(e, url, fetched_at) for e in parsed.entries]
        error = _error(parsed.get("bozo_exception")) if parsed.get("bozo") else None
        title = plain_text(parsed.feed.get("title", ""))
    except Exception as exc:  # feedparser's own failures (a lone surrogate, say): the feed's
        return ParsedFeed("", (), f"the feed could not be read: {type(exc).__name__}: "
                          f"{text(str(exc))[:300]}", False)
    entries = tuple(entry for entry, _, _ in read)
    dropped = sum(1 for _, d, _ in read if d)
    problems = Counter(p for _, _, p in read if p)
    notes = [error, dropped and f"{dropped} entry links dropped: only http and https links are "
                                "kept"]
    notes += [f"{problems[p]} {what}" for p, what in _DATE_NOTES.items() if problems[p]]
    bad = problems[OUT_OF_RANGE] + problems[UNREADABLE] + problems[AMBIGUOUS]
    return ParsedFeed(title, entries, "; ".join(n for n in notes if n) or None, True, dropped,
                      bad)


def _link(base: str, raw: Any) -> tuple[str | None, bool]:
    """The entry's link made absolute, as the feed gives it (for showing and fetching; its
    canonical form is only its identity), or None if it is not a readable http or https URL;
    and whether a link was dropped for its scheme or form."""
    raw = text(raw).strip()
    if not raw:
        return None, False
    try:
        link = urljoin(base, raw)
        canonical_url(link)
    except ValueError:  # a bad port or IPv6 address
        return None, True
    if web_link(link) is None or web_link(canonical_url(link)) is None:  # javascript:, data:
        return None, True
    return link, False


def _entry(e: Any, base: str, fetched_at: datetime) -> tuple[ParsedEntry, bool, str | None]:
    """The entry; whether its link was dropped; what was wrong with the time it gave."""
    link, dropped = _link(base, e.get("link"))
    dropped = dropped and e.get("link") != e.get("id")  # feedparser's copy of a tag: id
    title = plain_text(e.get("title", ""))
    summary = plain_text(e.get("summary", ""))
    contents = [plain_text(c.get("value", "")) for c in e.get("content", [])]
    content = max(contents, key=len, default="")
    if content == summary:  # feedparser copies Atom content into an absent summary
        summary = ""
    # Without a guid, the canonical link is the id (as it was before links kept their form).
    entry_id = (text(e.get("id")).strip() or (canonical_url(link) if link else "")
                or "text:" + content_fingerprint(title, summary))
    authors = tuple(text(a["name"]) for a in e.get("authors", []) if a.get("name"))
    published, source, problem = fetched_at, "fetched", None
    for name in ("published", "updated"):
        given = _time(e, name)
        if given is None:
            continue
        if given.when is not None and not in_range(given.when):  # the log would refuse it
            given = FeedTime(None, OUT_OF_RANGE)
        problem = problem or given.problem  # the first one, where a later time serves
        if given.when is not None:
            published, source = given.when, name
            break
    entry = ParsedEntry(entry_id, link, title, summary, content, authors, published, source)
    return entry, dropped, problem


def _time(e: Any, name: str) -> FeedTime | None:
    """The entry's time with the offset the feed gave (see tracker.feeds.dates)."""
    # dict.get: feedparser's own get maps a missing `updated` to `published`, with a warning.
    raw = dict.get(e, name)
    return read_time(text(raw)) if raw else None


def _error(exc: Any) -> str | None:
    if exc is None:
        return None
    message = getattr(exc, "getMessage", lambda: str(exc))()
    line = getattr(exc, "getLineNumber", lambda: None)()
    kind = type(exc).__name__
    if kind == "NonXMLContentType":  # a feed served as text/html or text/plain reads fine
        return None
    if kind == "CharacterEncodingOverride":
        return f"the feed's declared encoding was wrong: {exc}"
    where = f" at line {line}" if line else ""
    return f"malformed XML{where}: {message}"
