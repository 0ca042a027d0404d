"""When to poll a feed next: its interval, or an exponential backoff after failures."""

from __future__ import annotations

import random

DAY = 24 * 3600.0


def next_delay(interval: float, consecutive_failures: int, retry_after: float | None = None,
               *, rng: random.Random | None = None, cap: float = DAY) -> float:
    """Seconds until the next poll.

    No failures: the interval. After n failures: up to interval * 2**(n-1), capped, with
    jitter so that feeds failing together do not come back together. A server's Retry-After
    is honoured (at least that long, at most the cap).
    """
    rng = rng or random.Random()
    if consecutive_failures <= 0:
        delay = interval
    else:
        ceiling = min(cap, interval * 2 ** min(consecutive_failures - 1, 32))
        delay = rng.uniform(max(interval / 2, ceiling / 2), ceiling)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, cap)
