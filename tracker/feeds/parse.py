"""Parsing feed bytes with feedparser into plain entries; what cannot be read is reported."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from tracker.domain.links import web_link
from tracker.domain.times import RANGE, in_range
from tracker.feeds.canonical import canonical_url, content_fingerprint, digest

_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_SURROGATE = re.compile(r"[\ud800-\udfff]")


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
    bad_dates: int = 0  # entry times out of range, read as missing


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
    dates = sum(1 for _, _, b in read if b)
    notes = [n for n in (error,
                         dropped and f"{dropped} entry links dropped: only http and https "
                                     "links are kept",
                         dates and f"{dates} entry dates out of range (times run {RANGE}): "
                                   "read as missing") if n]
    return ParsedFeed(title, entries, "; ".join(notes) or None, True, dropped, dates)


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


def _entry(e: Any, base: str, fetched_at: datetime) -> tuple[ParsedEntry, bool, bool]:
    """The entry; whether its link was dropped; whether a time it gave was out of range."""
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
    published, source, bad_date = fetched_at, "fetched", False
    for name in ("published", "updated"):
        when = _time(e, name)
        if when is not None and not in_range(when):  # the log would refuse it
            when, bad_date = None, True
        if when is not None:
            published, source = when, name
            break
    entry = ParsedEntry(entry_id, link, title, summary, content, authors, published, source)
    return entry, dropped, bad_date


def _time(e: Any, name: str) -> datetime | None:
    """The entry's time with the offset the feed gave; UTC where it gave none."""
    # dict.get: feedparser's own get maps a missing `updated` to `published`, with a warning.
    raw = dict.get(e, name)
    if raw:
        for parse in (parsedate_to_datetime, _iso):
            try:
                value = parse(raw)
            except (TypeError, ValueError, IndexError, OverflowError):
                continue
            if value is not None:
                return value if value.tzinfo else value.replace(tzinfo=UTC)
    struct = dict.get(e, f"{name}_parsed")
    if struct:
        try:
            return datetime(*struct[:6], tzinfo=UTC)
        except (TypeError, ValueError):
            return None
    return None


def _iso(raw: str) -> datetime:
    return datetime.fromisoformat(raw.strip())


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
