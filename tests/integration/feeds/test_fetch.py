"""Fetching against real servers on loopback: limits, encodings, redirects, slow servers."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from tests.servers import rss
from tracker.feeds.article import fetch_article_text
from tracker.feeds.fetch import (
    Failed,
    Fetched,
    Limits,
    NotModified,
    RetryLater,
    Validators,
    fetch,
    make_client,
)


def get(url: str, validators: Validators = Validators(),
        limits: Limits = Limits(allow_private=True)):
    async def run():
        async with make_client() as client:
            return await fetch(client, url, validators, limits)

    return asyncio.run(run())


def test_the_body_is_cut_at_the_limit(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big.xml").respond_with_data(b"x" * (3 * 1024 * 1024))
    result = get(httpserver.url_for("/big.xml"), limits=Limits(max_bytes=1024 * 1024))
    assert isinstance(result, Fetched) and result.truncated
    assert len(result.body) == 1024 * 1024


def test_gzip_is_decoded_and_a_gzip_bomb_is_cut(httpserver: HTTPServer) -> None:
    document = rss([]).encode()
    httpserver.expect_request("/small.xml").respond_with_data(
        gzip.compress(document), headers={"Content-Encoding": "gzip"})
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024))  # 200 MB of zeros in ~200 KB
    httpserver.expect_request("/bomb.xml").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"})
    small = get(httpserver.url_for("/small.xml"))
    assert isinstance(small, Fetched) and small.body == document
    cut = get(httpserver.url_for("/bomb.xml"), limits=Limits(max_bytes=2 * 1024 * 1024))
    assert isinstance(cut, Fetched) and cut.truncated and len(cut.body) == 2 * 1024 * 1024


def test_redirects_are_followed_up_to_five(httpserver: HTTPServer) -> None:
    for n in range(7):
        httpserver.expect_request(f"/r{n}").respond_with_data(
            "", status=302, headers={"Location": f"/r{n + 1}"})
    httpserver.expect_request("/r7").respond_with_data(rss([]), content_type="text/xml")
    assert isinstance(get(httpserver.url_for("/r3")), Fetched)  # four hops
    endless = get(httpserver.url_for("/r0"))
    assert isinstance(endless, Failed) and endless.reason == "too many redirects (more than 5)"


def test_conditional_get_and_retry_after(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed.xml", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304, headers={"ETag": '"v1"'})
    httpserver.expect_request("/busy.xml").respond_with_data(
        "", status=503, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    assert isinstance(get(httpserver.url_for("/feed.xml"), Validators('"v1"')), NotModified)
    busy = get(httpserver.url_for("/busy.xml"))
    assert isinstance(busy, RetryLater) and busy.retry_after > 86400


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/feed.xml", "file:///etc/passwd"])
def test_only_http_and_https(url: str) -> None:
    result = get(url)
    assert isinstance(result, Failed) and "must be http or https" in result.reason


@pytest.fixture
def drip() -> Iterator[str]:
    """A server that sends its headers, then one byte a second."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b"<")
                except OSError:
                    break
                time.sleep(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/feed.xml"
    stop.set()
    thread.join(timeout=5)
    server.close()


@pytest.mark.timeout(30)
def test_a_server_that_drips_is_given_up_on(drip: str) -> None:
    started = time.monotonic()
    result = get(drip, limits=Limits(connect_timeout=1, read_timeout=2))
    assert isinstance(result, Failed) and "too slowly" in result.reason
    assert time.monotonic() - started < 8


def test_an_article_page_is_read(httpserver: HTTPServer) -> None:
    paragraph = ("Russia's Supreme Court on Thursday removed the Taliban from the country's list "
                 "of terrorist organisations, granting a request by prosecutors. ")
    page = (f"<html><head><title>Ruling</title></head><body><nav>Home | World</nav><article>"
            f"<h1>Court lifts ban</h1><p>{paragraph * 3}</p><p>{paragraph}</p></article>"
            f"<footer>Copyright</footer></body></html>")
    httpserver.expect_request("/story").respond_with_response(
        Response(page, content_type="text/html"))
    httpserver.expect_request("/missing").respond_with_data("no", status=404)

    async def run(path: str):
        async with make_client() as client:
            return await fetch_article_text(client, httpserver.url_for(path),
                                            Limits(allow_private=True))

    text, error = asyncio.run(run("/story"))
    assert error is None and "removed the Taliban" in text and "Copyright" not in text
    assert asyncio.run(run("/missing")) == (None, "HTTP 404 NOT FOUND")
