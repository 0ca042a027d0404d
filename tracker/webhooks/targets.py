"""Where a webhook may be sent: the service's one outbound policy, said in webhook terms."""

from __future__ import annotations

from tracker.outbound import Resolver, Target, UnsafeURL, check_url, targets, unsafe_address

UnsafeTarget = UnsafeURL  # a webhook URL that is refused, with the reason

__all__ = ["Target", "UnsafeTarget", "check_subscription", "resolve", "unsafe_address"]


async def resolve(url: str, allow_private: bool,
                  resolver: Resolver | None = None) -> list[Target]:
    """The targets to try in order, each checked and pinned to one resolved address."""
    return await targets(url, allow_private, "webhook URL", resolver)


async def check_subscription(url: str, allow_private: bool,
                             resolver: Resolver | None = None) -> None:
    """Refuse an unsafe target when it is subscribed (and again at each delivery)."""
    check_url(url, "webhook URL")
    if not allow_private:
        await resolve(url, allow_private, resolver)
