"""Sending one delivery, signed per Standard Webhooks."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

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
    now = now or datetime.now(UTC)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, now, body),
            "content-type": "application/json"}


async def send(client: httpx.AsyncClient, url: str, secret: str, msg_id: str, body: str,
               timeout: float, allow_private: bool) -> SendResult:
    start = time.perf_counter()

    def done(status: int | None, error: str | None) -> SendResult:
        return SendResult(status, error, round((time.perf_counter() - start) * 1000))

    try:
        target = await resolve(url, allow_private)
    except UnsafeTarget as exc:
        return done(None, str(exc))
    headers = signed_headers(secret, msg_id, body)
    if target.host_header:
        headers["host"] = target.host_header
    extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
    try:
        async with client.stream("POST", target.url, content=body.encode(), headers=headers,
                                 timeout=timeout, extensions=extensions) as response:
            read = 0
            async for chunk in response.aiter_raw():  # read a little, then let it go
                read += len(chunk)
                if read >= MAX_RESPONSE_BYTES:
                    break
            error = None if response.is_success else (
                f"HTTP {response.status_code} {response.reason_phrase}".strip())
            return done(response.status_code, error)
    except httpx.TimeoutException:
        return done(None, f"no answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        return done(None, f"{type(exc).__name__}: {exc}".rstrip(": "))
