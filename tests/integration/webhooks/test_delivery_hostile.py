"""Delivering to receivers on loopback: the resolver's order, falling back to the next
address, and one total deadline however slowly a receiver answers."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import select

from tests.servers import RawServer
from tracker.bootstrap import build
from tracker.settings import Settings
from tracker.webhooks import subscriptions as subs
from tracker.webhooks.sender import SendResult, send
from tracker.webhooks.tables import subscriptions

NO_CONTENT = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def resolver_of(*addresses: str):
    async def resolve(host: str, port: int) -> list[str]:
        assert host == "hooks.example"
        return list(addresses)
    return resolve


def deliver(url: str, resolver=None, timeout: float = 5, allow_private: bool = True
            ) -> SendResult:
    async def run() -> SendResult:
        async with httpx.AsyncClient() as client:
            return await send(client, url, subs.new_secret(), "msg_1", '{"type": "test"}',
                              timeout, allow_private, resolver)

    return asyncio.run(run())


@pytest.fixture
def pair():
    """Two receivers on one port: 127.0.0.2 and 127.0.0.1."""
    first = RawServer(NO_CONTENT, host="127.0.0.2")
    second = RawServer(NO_CONTENT, host="127.0.0.1", port=first.port)
    yield first, second
    first.close()
    second.close()


def test_the_resolvers_order_is_kept(pair) -> None:
    first, second = pair
    result = deliver(f"http://hooks.example:{first.port}/hook",
                     resolver_of("127.0.0.2", "127.0.0.1"))
    assert result.ok and (first.requests, second.requests) == (1, 0)
    assert b"\r\nhost: hooks.example:%d\r\n" % first.port in first.received[0].lower()
    result = deliver(f"http://hooks.example:{first.port}/hook",
                     resolver_of("127.0.0.1", "127.0.0.2"))
    assert result.ok and (first.requests, second.requests) == (1, 1)


def test_a_failed_connection_falls_back_to_the_next_address() -> None:
    only = RawServer(NO_CONTENT, host="127.0.0.1")
    try:
        # Nothing listens on 127.0.0.3 or (here, or at all) on ::1 at that port.
        result = deliver(f"http://hooks.example:{only.port}/hook",
                         resolver_of("127.0.0.3", "::1", "127.0.0.1"))
        assert result.ok and only.requests == 1
        none = deliver(f"http://hooks.example:{only.port}/hook", resolver_of("127.0.0.3"))
        assert not none.ok and "cannot connect" in none.error
    finally:
        only.close()


def test_every_address_is_checked_before_any_is_tried() -> None:
    only = RawServer(NO_CONTENT, host="127.0.0.1")
    try:
        result = deliver(f"http://hooks.example:{only.port}/hook",
                         resolver_of("93.184.216.34", "127.0.0.1"), allow_private=False)
        assert not result.ok and "loopback" in result.error and only.requests == 0
    finally:
        only.close()


@pytest.mark.timeout(60)
def test_a_receiver_that_drips_is_cut_off_at_the_total_deadline() -> None:
    slow = RawServer(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 100, drip=0.2)
    try:
        started = time.monotonic()
        result = deliver(slow.url("/hook"), timeout=1.5)
        took = time.monotonic() - started
        assert not result.ok and result.error == "no answer within 1.5 s"
        assert took < 3, f"the delivery held its lane {took:.1f} s"
    finally:
        slow.close()


@pytest.mark.timeout(120)
def test_the_dispatcher_records_a_dripping_receiver_within_the_timeout(
        settings: Settings) -> None:
    from tests.integration.webhooks.test_delivery import change, dispatch

    slow = RawServer(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 100, drip=0.2)
    tracker = build(settings.model_copy(update={"webhook_timeout": 1.0,
                                                "webhook_retries": "60"}))
    try:
        subs.subscribe(tracker.engine, tracker.log, slow.url("/hook"), None, None)
        change(tracker, "o1", "proposed", 2)
        started = time.monotonic()
        dispatch(tracker, rounds=1)
        assert time.monotonic() - started < 5
        (sub,) = subs.listing(tracker.engine)
        (delivery,) = subs.delivery_log(tracker.engine, sub["id"])
        assert delivery["status"] == "pending"
        assert delivery["history"][0]["error"] == "no answer within 1 s"
        assert delivery["history"][0]["duration_ms"] < 2500
    finally:
        tracker.close()
        slow.close()


def test_a_subscription_deleted_keeps_no_secret(settings: Settings) -> None:
    tracker = build(settings)
    created = subs.subscribe(tracker.engine, tracker.log, "http://127.0.0.1:9/h", None, None)
    assert subs.remove(tracker.engine, created["id"])
    with tracker.engine.connect() as conn:
        assert conn.execute(select(subscriptions.c.secret)).scalar_one() == ""
    tracker.close()
