"""DNS-rebinding defence: each delivery connects to an address checked, never looked up again.

A faked resolver says what the name resolves to; a mock transport records what the sender
asked httpx for (URL, Host header, TLS name), so nothing leaves the machine."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from tracker.outbound import Target
from tracker.webhooks.sender import send
from tracker.webhooks.targets import UnsafeTarget, check_subscription, resolve


class Resolver:
    """Answers from a table and remembers each question."""

    def __init__(self, *addresses: str) -> None:
        self.addresses, self.asked = list(addresses), []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return list(self.addresses)


def targets_of(url: str, resolver: Resolver, allow_private: bool = False) -> list[Target]:
    return asyncio.run(resolve(url, allow_private, resolver))


def test_https_without_a_port_is_pinned_with_the_hosts_name_for_tls() -> None:
    resolver = Resolver("93.184.216.34", "2606:2800:220:1::1")
    found = targets_of("https://Hooks.Example/in?a=1#frag", resolver)
    assert resolver.asked == [("hooks.example", 443)]
    assert found == [
        Target("https://93.184.216.34/in?a=1#frag", "Hooks.Example", "hooks.example"),
        Target("https://[2606:2800:220:1::1]/in?a=1#frag", "Hooks.Example", "hooks.example")]


def test_plain_http_is_pinned_with_its_port_and_no_tls_name() -> None:
    resolver = Resolver("2606:2800:220:1::1")
    found = targets_of("http://hooks.example:8080/in", resolver)
    assert resolver.asked == [("hooks.example", 8080)]
    assert found == [Target("http://[2606:2800:220:1::1]:8080/in", "hooks.example:8080", None)]
    resolver = Resolver("93.184.216.34")
    assert targets_of("HTTP://hooks.example/in", resolver) == [
        Target("http://93.184.216.34/in", "hooks.example", None)]
    assert resolver.asked == [("hooks.example", 80)]


def test_a_literal_address_is_used_as_given_and_never_resolved() -> None:
    resolver = Resolver("127.0.0.1")
    assert targets_of("https://93.184.216.34:8443/in", resolver) == [
        Target("https://93.184.216.34:8443/in")]
    assert targets_of("http://[2606:2800:220:1::1]/in", resolver) == [
        Target("http://[2606:2800:220:1::1]/in")]
    assert resolver.asked == []
    with pytest.raises(UnsafeTarget) as refused:
        targets_of("http://10.0.0.1/in", resolver)
    assert str(refused.value) == "10.0.0.1 is a private address; refused"


def test_a_name_that_resolves_to_a_private_address_says_which() -> None:
    with pytest.raises(UnsafeTarget) as refused:
        targets_of("https://hooks.example/in", Resolver("93.184.216.34", "10.0.0.7"))
    assert str(refused.value) == "hooks.example resolves to 10.0.0.7 is a private address; refused"
    # Allowed, the private address is pinned like any other.
    assert targets_of("https://hooks.example/in", Resolver("10.0.0.7"), allow_private=True) == [
        Target("https://10.0.0.7/in", "hooks.example", "hooks.example")]


def test_a_name_that_cannot_be_resolved_is_refused_with_the_reason() -> None:
    async def failing(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(UnsafeTarget) as refused:
        asyncio.run(resolve("https://nowhere.example/", False, failing))
    assert str(refused.value) == "cannot resolve nowhere.example: Name or service not known"
    with pytest.raises(UnsafeTarget) as empty:
        targets_of("https://nowhere.example/", Resolver())
    assert str(empty.value) == "nowhere.example resolves to no address"


def test_a_subscription_is_resolved_only_when_private_targets_are_refused() -> None:
    resolver = Resolver("10.0.0.7")
    asyncio.run(check_subscription("https://hooks.example/in", True, resolver))
    assert resolver.asked == []
    with pytest.raises(UnsafeTarget, match="10.0.0.7 is a private address"):
        asyncio.run(check_subscription("https://hooks.example/in", False, resolver))
    assert resolver.asked == [("hooks.example", 443)]


def test_the_sender_connects_to_the_pinned_address_with_the_hosts_name() -> None:
    seen: list[tuple[str, str, object]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers["host"],
                     request.extensions.get("sni_hostname")))
        return httpx.Response(204, stream=httpx.ByteStream(b""))

    async def deliver(url: str, resolver: Resolver):
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
            return await send(client, url, "whsec_" + "A" * 32, "msg_1", "{}", 5, False,
                              resolver)

    rebinding = Resolver("93.184.216.34")
    result = asyncio.run(deliver("https://hooks.example:8443/in", rebinding))
    rebinding.addresses = ["127.0.0.1"]  # a second lookup would now give loopback
    assert result.ok and len(rebinding.asked) == 1
    assert seen == [("https://93.184.216.34:8443/in", "hooks.example:8443", "hooks.example")]
    seen.clear()
    asyncio.run(deliver("http://hooks.example/in", Resolver("2606:2800:220:1::1")))
    assert seen == [("http://[2606:2800:220:1::1]/in", "hooks.example", None)]
    refused = asyncio.run(deliver("https://hooks.example/in", rebinding))
    assert not refused.ok and "loopback" in (refused.error or "") and len(seen) == 1


def test_a_refused_webhook_url_is_called_one_in_the_message() -> None:
    with pytest.raises(UnsafeTarget) as scheme:
        asyncio.run(check_subscription("ftp://hooks.example/in", True))
    assert str(scheme.value) == "a webhook URL must be http or https, not ftp"
    with pytest.raises(UnsafeTarget) as host:
        asyncio.run(resolve("https:///in", False, Resolver()))
    assert str(host.value) == "the webhook URL names no host"
