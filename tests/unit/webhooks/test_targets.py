"""Which webhook targets are refused, and why."""

from __future__ import annotations

import asyncio

import pytest

from tracker.webhooks.subscriptions import new_secret, valid_secret
from tracker.webhooks.targets import UnsafeTarget, check_subscription, unsafe_address


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.10", "private"),
    ("172.16.5.4", "private"), ("169.254.169.254", "link-local"), ("::1", "loopback"),
    ("fe80::1", "link-local"), ("0.0.0.0", "unspecified"), ("::ffff:127.0.0.1", "loopback"),
    ("224.0.0.1", "multicast"),
])
def test_unsafe_addresses(address: str, kind: str) -> None:
    assert kind in (unsafe_address(address) or "")


def test_public_addresses_pass() -> None:
    assert unsafe_address("93.184.216.34") is None
    assert unsafe_address("2606:2800:220:1::1") is None


@pytest.mark.parametrize(("url", "why"), [
    ("http://127.0.0.1:8080/hook", "127.0.0.1 is a loopback address"),
    ("https://10.0.0.5/x", "10.0.0.5 is a private address"),
    ("http://[::1]/hook", "::1 is a loopback address"),
    ("http://169.254.169.254/latest", "169.254.169.254 is a link-local address"),
    ("http://localhost/hook", r"localhost resolves to (127\.0\.0\.1|::1) is a loopback address"),
])
def test_subscribing_a_private_target_is_refused(url: str, why: str) -> None:
    with pytest.raises(UnsafeTarget, match=f"^{why}; refused$"):
        asyncio.run(check_subscription(url, allow_private=False))
    asyncio.run(check_subscription(url, allow_private=True))


@pytest.mark.parametrize("url", ["ftp://example.org/hook", "file:///etc/passwd", "hook"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(UnsafeTarget, match="http or https"):
        asyncio.run(check_subscription(url, allow_private=True))


def test_secrets() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_") and valid_secret(secret)
    assert not valid_secret("whsec_short")
    assert not valid_secret("sk_" + secret[6:])
