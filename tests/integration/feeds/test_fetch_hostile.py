"""Hostile servers on loopback: stacked encodings, bombs, redirects the policy refuses."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import zlib

import pytest
from pytest_httpserver import HTTPServer

from tests.servers import RawServer, free_port, rss
from tracker.feeds.article import fetch_article_text
from tracker.feeds.fetch import Failed, Fetched, Limits, fetch, make_client

MB = 1024 * 1024


def gzipped_zeros(size: int) -> bytes:
    """gzip of `size` zero bytes, made a megabyte at a time."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MB)
    return b"".join(z.compress(block) for _ in range(size // MB)) + z.flush()


def get(url: str, limits: Limits, **kwargs):
    async def run():
        async with make_client() as client:
            return await fetch(client, url, limits=limits, **kwargs)

    return asyncio.run(run())


MEASURE = """
import asyncio, json, sys, tracemalloc
from tracker.feeds.fetch import Fetched, Limits, fetch, make_client

async def run():
    async with make_client() as client:
        tracemalloc.start()
        result = await fetch(client, sys.argv[1], limits=Limits(max_bytes=int(sys.argv[2]),
                                                                  allow_private=True))
        peak = tracemalloc.get_traced_memory()[1]
    fetched = isinstance(result, Fetched)
    print(json.dumps({"fetched": fetched, "truncated": fetched and result.truncated,
                      "size": len(result.body) if fetched else None, "peak": peak}))

asyncio.run(run())
"""


def measured(url: str, limits: Limits) -> tuple[dict, int]:
    """The fetch's outcome, and the most memory Python held during it, in a process of its
    own (the test process's other threads would be counted too)."""
    done = subprocess.run([sys.executable, "-c", MEASURE, url, str(limits.max_bytes)],
                          capture_output=True, text=True, timeout=120, check=True)
    outcome = json.loads(done.stdout)
    return outcome, outcome["peak"]


def test_a_doubly_gzipped_bomb_is_cut_at_the_limit_on_decoded_bytes(
        httpserver: HTTPServer) -> None:
    bomb = gzip.compress(gzipped_zeros(200 * MB))  # 200 MB of zeros in a few KB
    assert len(bomb) < 20 * 1024
    httpserver.expect_request("/bomb.xml").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip, gzip"})
    httpserver.expect_request("/small.xml").respond_with_data(
        gzip.compress(gzip.compress(rss([]).encode())), headers={"Content-Encoding": "gzip, gzip"})
    limits = Limits(max_bytes=MB, allow_private=True)
    _, baseline = measured(httpserver.url_for("/small.xml"), limits)
    result, peak = measured(httpserver.url_for("/bomb.xml"), limits)
    assert result["fetched"] and result["truncated"] and result["size"] == MB
    # The body, and its copy as bytes: not the 200 MB the layers would inflate to.
    assert peak - baseline < 3 * MB, f"decoding took {(peak - baseline) / MB:.1f} MB"


def test_a_single_gzip_bomb_never_arrives_as_one_huge_chunk(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/bomb.xml").respond_with_data(
        gzipped_zeros(200 * MB), headers={"Content-Encoding": "gzip"})
    httpserver.expect_request("/small.xml").respond_with_data(
        gzip.compress(rss([]).encode()), headers={"Content-Encoding": "gzip"})
    limits = Limits(max_bytes=2 * MB, allow_private=True)
    _, baseline = measured(httpserver.url_for("/small.xml"), limits)
    result, peak = measured(httpserver.url_for("/bomb.xml"), limits)
    assert result["fetched"] and result["truncated"] and result["size"] == 2 * MB
    assert peak - baseline < 6 * MB, f"decoding took {(peak - baseline) / MB:.1f} MB"


def test_stacked_encodings_decode_and_more_than_two_are_refused(httpserver: HTTPServer) -> None:
    document = rss([]).encode()
    httpserver.expect_request("/two.xml").respond_with_data(
        zlib.compress(gzip.compress(document)), headers={"Content-Encoding": "gzip, deflate"})
    httpserver.expect_request("/three.xml").respond_with_data(
        gzip.compress(gzip.compress(gzip.compress(document))),
        headers={"Content-Encoding": "gzip, gzip, gzip"})
    httpserver.expect_request("/br.xml").respond_with_data(
        document, headers={"Content-Encoding": "br"})
    httpserver.expect_request("/junk.xml").respond_with_data(
        b"not gzip at all", headers={"Content-Encoding": "gzip"})
    limits = Limits(allow_private=True)
    two = get(httpserver.url_for("/two.xml"), limits)
    assert isinstance(two, Fetched) and two.body == document
    three = get(httpserver.url_for("/three.xml"), limits)
    assert isinstance(three, Failed) and "3 layers of Content-Encoding; refused" in three.reason
    br = get(httpserver.url_for("/br.xml"), limits)
    assert isinstance(br, Failed) and "does not accept: br" in br.reason
    junk = get(httpserver.url_for("/junk.xml"), limits)
    assert isinstance(junk, Failed) and "cannot be decoded" in junk.reason
    assert {r.headers["Accept-Encoding"] for r, _ in httpserver.log} == {"gzip, deflate"}


def test_redirects_are_held_to_the_address_policy(httpserver: HTTPServer) -> None:
    target = f"http://127.0.0.1:{httpserver.port}/private.xml"
    httpserver.expect_request("/feed.xml").respond_with_data(
        "", status=302, headers={"Location": target})
    httpserver.expect_request("/private.xml").respond_with_data(rss([]), content_type="text/xml")
    refused = get(httpserver.url_for("/feed.xml"), Limits())
    assert isinstance(refused, Failed)
    assert refused.reason.startswith(f"redirect to 127.0.0.1:{httpserver.port} refused")
    assert "loopback" in refused.reason
    assert [r.path for r, _ in httpserver.log] == ["/feed.xml"]  # the private one never asked
    allowed = get(httpserver.url_for("/feed.xml"), Limits(allow_private=True))
    assert isinstance(allowed, Fetched)


@pytest.mark.parametrize("location", [
    "http://127.0.0.1:99999/x", "http://[127.0.0.1]/x", "http://[::1/x", "javascript:alert(1)",
    "http://a b.example/", "http://example.org:0/", "http://u:p@127.0.0.1/x",
])
def test_a_redirect_to_an_invalid_url_is_a_failure(location: str) -> None:
    server = RawServer(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n"
                       "Connection: close\r\n\r\n".encode())
    try:
        for limits in (Limits(), Limits(allow_private=True)):
            result = get(server.url("/feed.xml"), limits)
            assert isinstance(result, Failed) and "redirect" in result.reason, result
    finally:
        server.close()


def test_an_article_link_is_held_to_the_address_policy(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/story").respond_with_data("<html><body>secret</body></html>",
                                                          content_type="text/html")

    async def run(url: str, limits: Limits):
        async with make_client() as client:
            return await fetch_article_text(client, url, limits)

    for url in (httpserver.url_for("/story"), f"http://127.0.0.1:{httpserver.port}/story",
                f"http://[::1]:{free_port()}/story", "http://100.100.100.200/latest/meta-data",
                "http://[fec0::1]/", "http://[2002:7f00:1::1]/"):
        text, why = asyncio.run(run(url, Limits(connect_timeout=1)))
        assert text is None and "refused" in why, url
    assert not httpserver.log
