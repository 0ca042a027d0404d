"""The one outbound policy: addresses, URLs and the order connections are tried in."""

from __future__ import annotations

import asyncio

import pytest

from tracker.outbound import UnsafeURL, check_url, redacted, targets, unsafe_address
from tracker.webhooks.subscriptions import valid_secret
from tracker.webhooks.targets import UnsafeTarget, check_subscription


@pytest.mark.parametrize("address", [
    "100.64.0.1", "100.100.100.200", "100.127.255.254",  # shared address space, metadata
    "2002::1", "2002:c0a8:101::1", "2002:7f00:1::1",  # 6to4, embedding any IPv4 address
    "fec0::1", "feff::1",  # site-local
    "64:ff9b::7f00:1", "64:ff9b::a00:1",  # NAT64 of loopback and private
    "::ffff:10.0.0.1", "2001:db8::1", "240.0.0.1", "198.18.0.1", "192.0.2.1", "::",
])
def test_addresses_that_are_not_global_unicast_are_refused(address: str) -> None:
    assert unsafe_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1", "1.1.1.1"])
def test_global_addresses_pass(address: str) -> None:
    assert unsafe_address(address) is None


@pytest.mark.parametrize(("url", "why"), [
    ("https://example.org:99999/hook", "not a valid"),
    ("https://example.org:0/hook", "port 0"),
    ("https://example.org:-1/hook", "not a valid"),
    ("http://[127.0.0.1]/hook", "not a valid"),
    ("http://[::1/hook", "not a valid"),
    ("https://user:pass@example.org/hook", "user name or password"),
    ("https://user@example.org/hook", "user name or password"),
    ("https://example.org/hook\nX-Forged: 1", "control characters"),
    ("https://example.org/ho ok", "control characters"),
    ("https://exa\rmple.org/", "control characters"),
    ("https://example.org/\x00", "control characters"),
    ("javascript:alert(1)", "http or https"),
    ("data:text/html,<script>", "http or https"),
    ("https:///nohost", "no host"),
])
def test_urls_refused_whatever_the_setting(url: str, why: str) -> None:
    with pytest.raises(UnsafeURL, match=why):
        check_url(url, "webhook URL")
    with pytest.raises(UnsafeTarget, match=why):
        asyncio.run(check_subscription(url, allow_private=True))


def test_refused_targets_when_subscribed() -> None:
    for url, network in (("http://100.100.100.200/latest/meta-data", "100.64.0.0/10"),
                         ("http://[2002:7f00:1::1]/", "2002::/16"), ("http://[fec0::1]/", "fec0::/10")):
        with pytest.raises(UnsafeTarget, match=f" is in {network}, not a public address; refused$"):
            asyncio.run(check_subscription(url, allow_private=False))


def resolver_of(*addresses: str):
    async def resolve(host: str, port: int) -> list[str]:
        return list(addresses)
    return resolve


def test_targets_keep_the_resolvers_order_and_pin_each_address() -> None:
    found = asyncio.run(targets("https://hooks.example:8443/x?y=1", False,
                                resolver=resolver_of("93.184.216.34", "2606:2800:220:1::1")))
    assert [t.url for t in found] == ["https://93.184.216.34:8443/x?y=1",
                                      "https://[2606:2800:220:1::1]:8443/x?y=1"]
    assert {(t.host_header, t.sni_hostname) for t in found} == {
        ("hooks.example:8443", "hooks.example")}


def test_a_name_with_one_private_address_is_refused() -> None:
    with pytest.raises(UnsafeURL, match="100.64.1.1"):
        asyncio.run(targets("https://hooks.example/", False,
                            resolver=resolver_of("93.184.216.34", "100.64.1.1")))


def test_userinfo_is_refused_before_any_lookup() -> None:
    with pytest.raises(UnsafeURL, match="user name or password"):
        asyncio.run(targets("https://u:p@hooks.example/", True,
                            resolver=resolver_of("127.0.0.1")))


def test_log_lines_get_urls_without_secrets_or_line_breaks() -> None:
    assert redacted("https://u:p@example.org/x") == "https://***@example.org/x"
    assert "\n" not in redacted("https://example.org/x\nforged line")


def test_a_secret_needs_24_random_bytes() -> None:
    import base64
    assert not valid_secret("whsec_" + base64.b64encode(bytes(18)).decode())
    assert not valid_secret("whsec_" + base64.b64encode(bytes(32)).decode())
    assert not valid_secret("whsec_" + base64.b64encode(b"ab" * 16).decode())
    assert not valid_secret("whsec_" + base64.b64encode(bytes(range(20))).decode())
    assert valid_secret("whsec_" + base64.b64encode(bytes(range(24))).decode())
