"""The outbound policy's own words: each refusal names the URL's role and the reason, and a URL
written to a log line carries no credentials and no control characters."""

from __future__ import annotations

import asyncio

import pytest

from tracker.outbound import UnsafeURL, redacted, system_resolver, targets, unsafe_address


@pytest.mark.parametrize(("url", "expected"), [
    ("https://user:secret@hooks.example/in", "https://***@hooks.example/in"),
    ("https://user@hooks.example/in", "https://***@hooks.example/in"),
    ("https://:secret@hooks.example/in", "https://***@hooks.example/in"),
    ("https://a@b@hooks.example/in", "https://***@hooks.example/in"),
    ("https://hooks.example/in?x=1", "https://hooks.example/in?x=1"),
    ("https://hooks.example/a b\n", "https://hooks.example/a%20b\\n"),
    ("https://user:pw@hooks.example/\x00", "https://***@hooks.example/\\x00"),
    ("http://[::1/", "http://[::1/"),  # unreadable: left as it was
])
def test_a_url_for_a_log_line(url: str, expected: str) -> None:
    assert redacted(url) == expected


@pytest.mark.parametrize(("url", "what", "expected"), [
    ("hook", None, "a URL must be http or https, not schemeless"),
    ("ftp://example.org/", "feed redirect", "a feed redirect must be http or https, not ftp"),
    ("https:///x", "feed redirect", "the feed redirect names no host"),
])
def test_a_refusal_names_the_urls_role(url: str, what: str | None, expected: str) -> None:
    with pytest.raises(UnsafeURL) as refused:
        asyncio.run(targets(url, True) if what is None else targets(url, True, what))
    assert str(refused.value) == expected


def test_a_name_the_resolver_cannot_encode_is_refused_with_the_reason() -> None:
    async def unencodable(host: str, port: int) -> list[str]:
        raise UnicodeError("label too long")

    with pytest.raises(UnsafeURL) as refused:
        asyncio.run(targets("https://hooks.example/", False, resolver=unencodable))
    assert str(refused.value) == "cannot resolve hooks.example: label too long"


def test_nat64_of_a_public_address_is_public() -> None:
    assert unsafe_address("64:ff9b::5db8:d822") is None  # 93.184.216.34
    assert unsafe_address("64:ff9b::a00:1") == "64:ff9b::a00:1 is a NAT64 address of the " \
        "non-public 10.0.0.1"


def test_the_system_resolver_answers_for_the_name_asked() -> None:
    assert asyncio.run(system_resolver("127.0.0.2", 80)) == ["127.0.0.2"]
