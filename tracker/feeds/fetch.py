"""Fetching a feed: ordinary outcomes (not modified, rate limited, gone) are results."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

USER_AGENT = "designation-tracker/0.1 (+feed reader; polite, conditional GET)"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8"
REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}


@dataclass(frozen=True)
class Limits:
    connect_timeout: float = 10
    read_timeout: float = 30
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5

    @property
    def deadline(self) -> float:
        """The most one fetch may take in all, however slowly a server drips."""
        return self.connect_timeout + 2 * self.read_timeout


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Fetched:
    url: str
    body: bytes
    status: int
    validators: Validators
    content_type: str | None
    moved_to: str | None  # the new URL after a permanent redirect
    truncated: bool  # the body was longer than the limit and was cut there


@dataclass(frozen=True)
class NotModified:
    validators: Validators
    status: int = 304


@dataclass(frozen=True)
class RetryLater:
    status: int
    retry_after: float | None
    reason: str


@dataclass(frozen=True)
class Gone:
    status: int
    reason: str


@dataclass(frozen=True)
class Failed:
    reason: str
    status: int | None = None


FetchResult = Fetched | NotModified | RetryLater | Gone | Failed


def make_client(user_agent: str = USER_AGENT) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent, "Accept": ACCEPT},
        follow_redirects=False, http2=False,
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
    )


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds from now: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


async def fetch(client: httpx.AsyncClient, url: str, validators: Validators = Validators(),
                limits: Limits = Limits()) -> FetchResult:
    """GET a feed within the limits; never raises for what a server or the network does."""
    try:
        return await asyncio.wait_for(_fetch(client, url, validators, limits), limits.deadline)
    except TimeoutError:
        return Failed(f"gave up after {limits.deadline:.0f} s: the server sends too slowly")


async def _fetch(client: httpx.AsyncClient, url: str, validators: Validators,
                 limits: Limits) -> FetchResult:
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
    moved_to: str | None = None
    permanent = True
    for _ in range(limits.max_redirects + 1):
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            return Failed(f"only http and https URLs can be polled, not {scheme or url!r}")
        try:
            async with client.stream("GET", url, headers=headers, timeout=timeout) as response:
                if response.status_code in REDIRECTS and "location" in response.headers:
                    permanent = permanent and response.status_code in PERMANENT
                    url = urljoin(url, response.headers["location"])
                    moved_to = url if permanent else None
                    continue
                return await _result(response, url, validators, limits, moved_to)
        except httpx.TimeoutException as exc:
            return Failed(_timeout_reason(exc, limits))
        except httpx.HTTPError as exc:
            return Failed(_network_reason(exc, url))
    return Failed(f"too many redirects (more than {limits.max_redirects})")


async def _result(response: httpx.Response, url: str, validators: Validators, limits: Limits,
                  moved_to: str | None) -> FetchResult:
    status = response.status_code
    if status == 304:
        return NotModified(_validators(response, validators))
    if status in (429, 503):
        return RetryLater(status, retry_after_seconds(response.headers.get("retry-after")),
                          f"HTTP {status} {response.reason_phrase}".strip())
    if status == 410:
        return Gone(status, "HTTP 410 Gone: the feed was removed")
    if not 200 <= status < 300:
        return Failed(f"HTTP {status} {response.reason_phrase}".strip(), status)
    body = bytearray()
    truncated = False
    async for chunk in response.aiter_bytes():  # decoded: a gzip bomb is cut here too
        body += chunk
        if len(body) > limits.max_bytes:
            del body[limits.max_bytes:]
            truncated = True
            break
    return Fetched(url, bytes(body), status, _validators(response, validators),
                   response.headers.get("content-type"), moved_to, truncated)


def _validators(response: httpx.Response, old: Validators) -> Validators:
    return Validators(response.headers.get("etag", old.etag),
                      response.headers.get("last-modified", old.last_modified))


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from, or while handling."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack += [c for c in (current.__cause__, current.__context__) if c is not None]
        stack += list(getattr(current, "exceptions", ()))


def _timeout_reason(exc: httpx.TimeoutException, limits: Limits) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out connecting after {limits.connect_timeout:g} s"
    if isinstance(exc, httpx.PoolTimeout):
        return "timed out waiting for a free connection"
    return f"timed out reading after {limits.read_timeout:g} s"


def _network_reason(exc: httpx.HTTPError, url: str) -> str:
    where = urlsplit(url).netloc or url
    if isinstance(exc, httpx.ConnectError):
        causes = list(_chain(exc))
        text = " ".join(str(c) for c in causes).lower()
        if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in text:
            return f"connection refused by {where}"
        if any(isinstance(c, socket.gaierror) for c in causes) or "name or service" in text:
            return f"cannot resolve host {urlsplit(url).hostname}"
        return f"cannot connect to {where}: {exc or 'connection failed'}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{where} broke the HTTP protocol: {exc}"
    if isinstance(exc, httpx.DecodingError):
        return f"{where} sent a body that cannot be decoded: {exc}"
    return f"{where}: {exc.__class__.__name__}: {exc}"
