"""The text of an entry's linked article, for feeds that carry only headlines, and the date
the page gives, for entries that carry none."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import NamedTuple

import httpx

from tracker.config import ARTICLES_EXTRA
from tracker.feeds.fetch import Fetched, Limits, fetch


class Page(NamedTuple):
    text: str | None
    published: datetime | None  # the page's own date (a day, at midnight UTC), if it has one
    reason: str | None  # why there is no text


async def fetch_article(client: httpx.AsyncClient, url: str,
                        limits: Limits = Limits()) -> Page:
    """The page's main text and date, as far as they can be read."""
    result = await fetch(client, url, limits=limits, check_first=True)
    if not isinstance(result, Fetched):
        return Page(None, None, getattr(result, "reason", type(result).__name__))
    html = result.body.decode("utf-8", errors="replace")
    return await asyncio.to_thread(_read, html, url)


def _read(html: str, url: str) -> Page:
    try:
        import trafilatura  # only feeds that fetch articles pay for it
    except ImportError:
        return Page(None, None, ARTICLES_EXTRA)
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False)
    metadata = trafilatura.extract_metadata(html, default_url=url)
    published = None
    if metadata is not None and metadata.date:
        try:
            day = date.fromisoformat(metadata.date[:10])
            published = datetime(day.year, day.month, day.day, tzinfo=UTC)
        except ValueError:
            published = None
    return Page(text or None, published, None if text else "no article text found on the page")


async def fetch_article_text(client: httpx.AsyncClient, url: str,
                             limits: Limits = Limits()) -> tuple[str | None, str | None]:
    """(text, None) when the page's main text could be read, else (None, why not)."""
    page = await fetch_article(client, url, limits)
    return page.text, page.reason
