"""A labelled corpus's items, served on loopback as one RSS feed with their real dates."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

NOON = 12  # a labelled item's date is a day: served as published at noon UTC


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    url: str | None
    published: date
    text: str
    labels: dict[str, str]


def load_items(folder: Path) -> list[Item]:
    """The corpus's items that carry a publication date, in id order."""
    out = []
    for path in sorted(folder.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not data.get("published"):
            continue
        out.append(Item(data["id"], data.get("title") or "", data.get("url"),
                        date.fromisoformat(data["published"][:10]), data.get("text") or "",
                        dict(data.get("labels") or {})))
    return out


def item_link(item: Item) -> str:
    assert item.url is not None
    return f"{item.url}{'&' if '?' in item.url else '?'}item={item.id}"


def rss(items: list[Item]) -> bytes:
    """The items as one RSS 2.0 feed with their real dates."""
    entries = []
    for item in items:
        when = datetime(item.published.year, item.published.month, item.published.day, NOON,
                        tzinfo=UTC)
        # The headline-only rendering of a page and its article are two items with one URL:
        # each is served as its own entry (of the same site), so that none hides the other.
        link = f"<link>{escape(item_link(item))}</link>" if item.url else ""
        entries.append(
            f'<item><guid isPermaLink="false">{escape(item.id)}</guid>'
            f"<title>{escape(item.title)}</title>{link}"
            f"<pubDate>{format_datetime(when)}</pubDate>"
            f"<description>{escape(item.text)}</description></item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Corpus</title><link>http://127.0.0.1/</link>{''.join(entries)}"
            "</channel></rss>").encode()


class FeedServer:
    """One RSS document on loopback, replaced between polls."""

    def __init__(self) -> None:
        self.body = rss([])
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                body = server.body
                self.send_response(200)
                self.send_header("content-type", "application/rss+xml")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/feed.xml"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
