"""Where a webhook may be sent: http or https, and not to private or local addresses."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit


class UnsafeTarget(ValueError):
    """A webhook URL that is refused, with the reason."""


@dataclass(frozen=True)
class Target:
    """Where to connect: the URL to request, and the Host and TLS name to present."""

    url: str
    host_header: str | None = None
    sni_hostname: str | None = None


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget(f"webhook URLs must be http or https, not {parts.scheme or url!r}")
    if not parts.hostname:
        raise UnsafeTarget(f"{url!r} names no host")
    return url


def unsafe_address(address: str) -> str | None:
    """Why an address may not be a webhook target, or None."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for flag in ("is_loopback", "is_link_local", "is_multicast", "is_unspecified",
                 "is_reserved", "is_private"):  # the most telling name first
        if getattr(ip, flag):
            return f"{address} is a {flag[3:].replace('_', '-')} address"
    return None


async def resolve(url: str, allow_private: bool) -> Target:
    """Check the URL and every address its host resolves to; pin the connection to one."""
    check_url(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if allow_private:
        return Target(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port,
                                                             type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnsafeTarget(f"cannot resolve {host}: {exc.strerror}") from None
    addresses = sorted({info[4][0] for info in infos})
    for address in addresses:
        why = unsafe_address(address)
        if why:
            raise UnsafeTarget(f"{host} resolves to {why}; refused")
    # Connect to the address just checked, so that a second lookup cannot swap it.
    pinned = f"[{addresses[0]}]" if ":" in addresses[0] else addresses[0]
    netloc = f"{pinned}:{parts.port}" if parts.port else pinned
    return Target(urlunsplit(parts._replace(netloc=netloc)), parts.netloc,
                  host if parts.scheme == "https" else None)


async def check_subscription(url: str, allow_private: bool) -> None:
    """Refuse an unsafe target when it is subscribed (and again at each delivery)."""
    check_url(url)
    host = urlsplit(url).hostname or ""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not allow_private:
        why = unsafe_address(host)
        if why:
            raise UnsafeTarget(f"{why}; refused")
        return
    if not allow_private:
        await resolve(url, allow_private)
