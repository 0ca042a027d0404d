"""feedparser's own test corpus, served on loopback and polled through the real path.

Each file is one feed (plus one ordinary feed as a control). No poll may raise or hang;
every file gets its FeedPolled event, a failure with its reason; the control is unaffected.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.servers import rss
from tracker import views
from tracker.bootstrap import build
from tracker.feeds.fetch import Limits, make_client
from tracker.services.polling import Poller
from tracker.settings import Settings

CORPUS = Path(__file__).resolve().parents[2] / "data" / "feedparser"
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in (".md", "")
               and p.name != "LICENSE")
HEADER = re.compile(rb"^Header:\s+(Content-type|Content-Language|Content-Location):\s*(.+)$",
                    re.MULTILINE | re.IGNORECASE)
ENCODINGS = {".gz": "gzip", ".z": "deflate"}
CONTROL = [{"guid": "control-1", "link": "https://news.example/control", "title": "Control",
            "published": datetime(2025, 1, 1, tzinfo=UTC), "text": "An ordinary item."}]
# The corpus files a poll may fail on, and why.
EXPECTED_FAILURES = {
    "compression/deflate-not-compressed.z",  # Content-Encoding says deflate; it is not
    "compression/gzip-not-compressed.gz",  # likewise gzip
    "compression/gzip-struct-error.gz",  # a broken gzip stream
    "http/http_status_302-no-location.xml",  # a redirect to nowhere
    "illformed/rss_empty_document.xml",  # an empty document
    "wellformed/cdf/channel_abstract_map_description.xml",  # CDF: no RSS or Atom
    "wellformed/cdf/channel_title.xml",  # CDF: no RSS or Atom
    "wellformed/rdf/doctype_contains_entity_decl.xml",  # declares an entity: refused unread
}


def response_for(path: Path) -> Response:
    """The file's body, with the HTTP headers its test declares in its leading comment."""
    body = path.read_bytes()
    headers = {name.decode().title(): value.strip().decode("latin-1")
               for name, value in HEADER.findall(body[:2000])}
    if path.suffix in ENCODINGS:
        headers["Content-Encoding"] = ENCODINGS[path.suffix]
    headers.setdefault("Content-Type", "application/xml")
    return Response(body, headers=headers)


def test_every_corpus_file_is_polled_and_recorded(sqlite_url: str, tmp_path: Path,
                                                  httpserver: HTTPServer) -> None:
    assert len(FILES) >= 500
    names = {f"fp{n:04d}": path for n, path in enumerate(FILES)}

    def serve(request: Request) -> Response:
        name = request.path.strip("/")
        if name == "control":
            return Response(rss(CONTROL), content_type="application/rss+xml")
        return response_for(names[name])

    httpserver.expect_request(re.compile(r"/\w+")).respond_with_handler(serve)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "designations:\n  taliban-designation:\n    title: Taliban\n    subject: [Taliban]\n"
        "    authority: [Russia]\nfeeds:\n" + "".join(
            f"  - id: {name}\n    url: {httpserver.url_for('/' + name)}\n    interval: 1h\n"
            "    designations: [taliban-designation]\n" for name in [*names, "control"]))
    tracker = build(Settings(database_url=sqlite_url, feeds=feeds))

    async def run() -> list:
        limits = Limits(connect_timeout=5, read_timeout=5)
        async with make_client() as client:
            poller = Poller(tracker.engine, tracker.log, tracker.catalog, client, limits)
            gate = asyncio.Semaphore(16)

            async def one(feed: str):  # type: ignore[no-untyped-def]
                async with gate:
                    return await poller.poll(feed, force=True)

            return await asyncio.wait_for(
                asyncio.gather(*(one(f) for f in [*names, "control"])), 240)

    reports = {r.feed: r for r in asyncio.run(run())}
    tracker.project()
    assert set(reports) == {*names, "control"}
    polled = [json.loads(e.payload) for e in tracker.log.read(types=["FeedPolled"])]
    assert sorted(p["feed"] for p in polled) == sorted(reports)  # each once
    for feed, report in reports.items():
        if report.outcome != "fetched":
            assert report.outcome == "failed" and report.error, (names.get(feed), report)
    control = reports["control"]
    assert (control.outcome, control.entries, control.new_entries, control.error) == (
        "fetched", 1, 1, None)
    health = {f["id"]: f for f in views.feeds(tracker.engine, tracker.catalog)}
    for feed, report in reports.items():  # what the feeds page shows
        assert (health[feed]["last_outcome"], health[feed]["last_error"]) == (
            report.outcome, report.error)
    failed = [str(names[f].relative_to(CORPUS)) for f, r in reports.items()
              if r.outcome == "failed"]
    with_errors = sum(1 for r in reports.values() if r.error)
    print(f"\nfeedparser corpus: {len(names)} files polled, {len(failed)} failed, "
          f"{with_errors} with an error recorded, "
          f"{sum(r.entries for r in reports.values())} entries read; failed: {failed}")
    # Only these may fail, each for a reason of its own; every other file is read.
    assert set(failed) <= EXPECTED_FAILURES, set(failed) - EXPECTED_FAILURES
    assert with_errors <= 100 and sum(r.entries for r in reports.values()) >= 200
    tracker.close()

