"""The text of an entry's linked article, for feeds that carry only headlines."""

from __future__ import annotations

import asyncio

import httpx
import trafilatura

from tracker.feeds.fetch import Fetched, Limits, fetch


async def fetch_article_text(client: httpx.AsyncClient, url: str,
                             limits: Limits = Limits()) -> tuple[str | None, str | None]:
    """(text, None) when the page's main text could be read, else (None, why not)."""
    result = await fetch(client, url, limits=limits, check_first=True)
    if not isinstance(result, Fetched):
        return None, getattr(result, "reason", type(result).__name__)
    html = result.body.decode("utf-8", errors="replace")
    text = await asyncio.to_thread(trafilatura.extract, html, url=url, include_comments=False,
                                   include_tables=False)
    return (text, None) if text else (None, "no article text found on the page")
