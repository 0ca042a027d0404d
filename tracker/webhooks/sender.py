"""Sending one delivery, signed per Standard Webhooks."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from tracker.outbound import Resolver, Target
from tracker.webhooks import keyring
from tracker.webhooks.targets import UnsafeTarget, resolve

MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signed_headers(secret: str, msg_id: str, body: str, now: datetime | None = None
                   ) -> dict[str, str]:
    """The Standard Webhooks headers, signed by every secret of the subscription's keyring
    that signs now (after a rotation, the new and the previous one: space-separated)."""
    now = now or datetime.now(UTC)
    signature = " ".join(Webhook(s).sign(msg_id, now, body) for s in keyring.signing(secret, now))
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature, "content-type": "application/json"}


async def send(client: httpx.AsyncClient, url: str, secret: str, msg_id: str, body: str,
               timeout: float, allow_private: bool, resolver: Resolver | None = None
               ) -> SendResult:
    """POST one delivery: to the URL's addresses in the resolver's order, the next one
    tried when a connection fails, all within `timeout` seconds however slow the receiver."""
    start = time.perf_counter()

    def done(status: int | None, error: str | None) -> SendResult:
        return SendResult(status, error, round((time.perf_counter() - start) * 1000))

    try:
        async with asyncio.timeout(timeout):
            try:
                found = await resolve(url, allow_private, resolver)
            except UnsafeTarget as exc:
                return done(None, str(exc))
            headers = signed_headers(secret, msg_id, body)
            error = "no address to connect to"
            # Each address gets its share of the time to connect, so that one that never
            # answers (IPv6 on a host without it) leaves time for the next.
            limits = httpx.Timeout(timeout, connect=max(1.0, timeout / len(found)))
            for target in found:
                try:
                    status, reason = await _post(client, target, headers, body, limits)
                except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                    error = f"cannot connect: {type(exc).__name__}: {exc}".rstrip(": ")
                    continue  # the next address, as a dual-stack client would
                return done(status, None if 200 <= status < 300
                            else f"HTTP {status} {reason}".strip())
            return done(None, error)
    except TimeoutError:
        return done(None, f"no answer within {timeout:g} s")
    except httpx.TimeoutException:
        return done(None, f"no answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        return done(None, f"{type(exc).__name__}: {exc}".rstrip(": "))


async def _post(client: httpx.AsyncClient, target: Target, headers: dict[str, str], body: str,
                timeout: httpx.Timeout) -> tuple[int, str]:
    """The receiver's status code and reason; a little of its answer is read, then let go."""
    if target.host_header:
        headers = {**headers, "host": target.host_header}
    extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
    async with client.stream("POST", target.url, content=body.encode(), headers=headers,
                             timeout=timeout, extensions=extensions) as response:
        read = 0
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read >= MAX_RESPONSE_BYTES:
                break
        return response.status_code, response.reason_phrase
