"""Where the service may connect: one URL and address policy for webhook deliveries, article
fetches and feed redirects, checked when a URL is given and again at connection time."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

# Ranges that `ipaddress` calls global (on some Python versions) but that reach no one's
# public service: shared address space (carrier NAT, cloud metadata at 100.100.100.200),
# 6to4 (embeds any IPv4 address, private ones too) and the deprecated site-local range.
NOT_GLOBAL = tuple(ipaddress.ip_network(n) for n in ("100.64.0.0/10", "2002::/16", "fec0::/10"))
NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")

Resolver = Callable[[str, int], Awaitable[list[str]]]


class UnsafeURL(ValueError):
    """A URL the service refuses to connect to, with the reason."""


@dataclass(frozen=True)
class Target:
    """Where to connect: the URL to request, and the Host and TLS name to present."""

    url: str
    host_header: str | None = None
    sni_hostname: str | None = None


def check_url(url: str, what: str = "URL", userinfo: bool = False) -> SplitResult:
    """The URL split, if it is http or https with a host and a valid port and no control
    characters (nor, unless `userinfo`, a user or password); else UnsafeURL."""
    if _CONTROL.search(url):
        raise UnsafeURL(f"a {what} must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:  # a bad port, or a bracketed host that is no IPv6 address
        raise UnsafeURL(f"not a valid {what}: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeURL(f"a {what} must be http or https, not {parts.scheme or 'schemeless'}")
    if not host:
        raise UnsafeURL(f"the {what} names no host")
    if port == 0:
        raise UnsafeURL(f"the {what} names port 0")
    if not userinfo and (parts.username is not None or parts.password is not None):
        raise UnsafeURL(f"a {what} must not carry a user name or password")
    return parts


def unsafe_address(address: str) -> str | None:
    """Why the service may not connect to an address (not global unicast), or None."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        elif ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
            if not embedded.is_global:
                return f"{address} is a NAT64 address of the non-public {embedded}"
            ip = embedded  # the prefix itself counts as reserved: judge the address it reaches
    for flag in ("is_loopback", "is_link_local", "is_multicast", "is_unspecified",
                 "is_reserved", "is_private"):  # the most telling name first
        if getattr(ip, flag):
            return f"{address} is a {flag[3:].replace('_', '-')} address"
    for network in NOT_GLOBAL:
        if ip in network:
            return f"{address} is in {network}, not a public address"
    if not ip.is_global:
        return f"{address} is not a public address"
    return None


def literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


async def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses in the order the system resolver gives them, each once."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def targets(url: str, allow_private: bool, what: str = "URL",
                  resolver: Resolver | None = None) -> list[Target]:
    """Check the URL and every address its host resolves to; one target per address, in
    the resolver's order, each pinned to that address (so a second lookup cannot swap it)
    with the Host header and TLS name of the URL's host."""
    parts = check_url(url, what)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = await (resolver or system_resolver)(host, port)
        except (socket.gaierror, UnicodeError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            raise UnsafeURL(f"cannot resolve {host}: {why}") from None
        if not addresses:
            raise UnsafeURL(f"{host} resolves to no address")
    if not allow_private:
        for address in addresses:
            why = unsafe_address(address)
            if why:
                raise UnsafeURL(f"{host} resolves to {why}; refused" if literal is None
                                else f"{why}; refused")
    if literal is not None:
        return [Target(urlunsplit(parts))]
    host_header = parts.netloc.rsplit("@", 1)[-1]  # never a user name or password
    out = []
    for address in addresses:
        pinned = f"[{address}]" if ":" in address else address
        netloc = f"{pinned}:{parts.port}" if parts.port else pinned
        out.append(Target(urlunsplit(parts._replace(netloc=netloc)), host_header,
                          host if parts.scheme.lower() == "https" else None))
    return out


def redacted(url: str) -> str:
    """A URL fit for a log line: no user name or password, control characters escaped."""
    try:
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None:
            url = urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[-1]))
    except ValueError:
        pass
    return url if not _CONTROL.search(url) else repr(url)[1:-1].replace(" ", "%20")
