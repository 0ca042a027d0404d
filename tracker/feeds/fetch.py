"""Fetching a feed: ordinary outcomes (not modified, rate limited, gone) are results."""

from __future__ import annotations

import asyncio
import socket
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from tracker.feeds import encoding
from tracker.outbound import Resolver, Target, UnsafeURL, check_url, targets

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
    allow_private: bool = False  # redirects and article links may reach private addresses

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
        headers={"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": encoding.ACCEPTED},
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
                limits: Limits = Limits(), *, check_first: bool = False,
                resolver: Resolver | None = None) -> FetchResult:
    """GET a feed within the limits; never raises for what a server or the network does.
    Redirects (and with `check_first`, the URL itself: an article link a feed gave) are
    held to the outbound address policy unless the limits allow private addresses."""
    try:
        return await asyncio.wait_for(
            _fetch(client, url, validators, limits, check_first, resolver), limits.deadline)
    except TimeoutError:
        return Failed(f"gave up after {limits.deadline:.0f} s: the server sends too slowly")


async def _fetch(client: httpx.AsyncClient, url: str, validators: Validators,
                 limits: Limits, check_first: bool, resolver: Resolver | None) -> FetchResult:
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    timeout = httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout)
    moved_to: str | None = None
    permanent = True
    checked = check_first and not limits.allow_private
    for hop in range(limits.max_redirects + 1):
        what = "redirect" if hop else "URL"
        try:
            # Credentials only in the configured feed URL: never from a feed or a server.
            check_url(url, what, userinfo=hop == 0 and not check_first)
            hops = await targets(url, False, what, resolver) if checked else [Target(url)]
        except UnsafeURL as exc:
            return Failed((f"redirect to {_where(url)} refused: " if hop else "") + str(exc))
        answer: Received | Redirect | Failed = Failed(f"no address to connect to: {_where(url)}")
        for target in hops:
            try:
                answer = await _get(client, target, headers, timeout, limits)
            except httpx.ConnectError as exc:
                answer = Failed(_network_reason(exc, url))
                continue  # the host's next address
            except httpx.TimeoutException as exc:
                return Failed(_timeout_reason(exc, limits))
            except httpx.RemoteProtocolError as exc:
                if "location" in str(exc).lower():
                    return Failed(f"{_where(url)} gave a redirect to an invalid URL: {exc}")
                return Failed(_network_reason(exc, url))
            except httpx.HTTPError as exc:
                return Failed(_network_reason(exc, url))
            except (httpx.InvalidURL, ValueError) as exc:  # a URL (or redirect) httpx refuses
                return Failed(f"{_where(url)} gave a URL or redirect that cannot be "
                              f"requested: {exc}")
            break
        if isinstance(answer, Failed):
            return answer
        if isinstance(answer, Received):
            return answer.result(url, validators, moved_to)
        permanent = permanent and answer.status in PERMANENT
        url = urljoin(url, answer.location)
        moved_to = url if permanent else None
        checked = not limits.allow_private  # where a server sends us is held to the policy
    return Failed(f"too many redirects (more than {limits.max_redirects})")


@dataclass(frozen=True)
class Redirect:
    status: int
    location: str


@dataclass(frozen=True)
class Received:
    """A final answer, read within the limits, to be made a result once its URL is known."""

    response: httpx.Response
    body: bytes | None
    truncated: bool
    error: str | None

    def result(self, url: str, old: Validators, moved_to: str | None) -> FetchResult:
        response, status = self.response, self.response.status_code
        if status == 304:
            return NotModified(_validators(response, old))
        if status in (429, 503):
            return RetryLater(status, retry_after_seconds(response.headers.get("retry-after")),
                              f"HTTP {status} {response.reason_phrase}".strip())
        if status == 410:
            return Gone(status, "HTTP 410 Gone: the feed was removed")
        if not 200 <= status < 300:
            return Failed(f"HTTP {status} {response.reason_phrase}".strip(), status)
        if self.error is not None:
            return Failed(f"{_where(url)} {self.error}", status)
        return Fetched(url, self.body or b"", status, _validators(response, old),
                       response.headers.get("content-type"), moved_to, self.truncated)


async def _get(client: httpx.AsyncClient, target: Target, headers: dict[str, str],
               timeout: httpx.Timeout, limits: Limits) -> Received | Redirect:
    """One request: the answer read within the limits, or where it redirects."""
    if target.host_header:
        headers = {**headers, "Host": target.host_header}
    extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
    async with client.stream("GET", target.url, headers=headers, timeout=timeout,
                             extensions=extensions) as response:
        if response.status_code in REDIRECTS and "location" in response.headers:
            return Redirect(response.status_code, response.headers["location"])
        if not 200 <= response.status_code < 300:
            return Received(response, None, False, None)
        try:
            layers = encoding.layers(response.headers.get_list("content-encoding",
                                                                split_commas=True))
        except ValueError as exc:
            return Received(response, None, False, str(exc))
        body = bytearray()
        truncated = False
        try:
            async for piece in encoding.decoded(response.aiter_raw(), layers):
                body += piece
                if len(body) > limits.max_bytes:
                    del body[limits.max_bytes:]
                    truncated = True
                    break
        except zlib.error as exc:
            return Received(response, None, False, f"sent a body that cannot be decoded: {exc}")
        return Received(response, bytes(body), truncated, None)


def _where(url: str) -> str:
    try:
        return urlsplit(url).netloc.rsplit("@", 1)[-1] or url
    except ValueError:
        return repr(url)


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
    where = _where(url)
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
