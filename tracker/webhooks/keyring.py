"""A subscription's signing secrets as its `secret` column holds them: the current one, and
for a grace period after a rotation the previous one with the time it stops signing. While
both are valid both sign, as Standard Webhooks allows (several `v1,` signatures), so a
receiver can switch to the new secret at its own pace."""

from __future__ import annotations

from datetime import UTC, datetime


def pack(current: str, previous: str | None = None, until: datetime | None = None) -> str:
    """The column's text: `whsec_new`, or `whsec_new whsec_old 2026-12-04T06:00:00+00:00`
    (base64 and ISO times hold no spaces)."""
    if previous is None or until is None:
        return current
    return f"{current} {previous} {until.astimezone(UTC).isoformat()}"


def current(stored: str) -> str:
    return stored.split(" ", 1)[0]


def signing(stored: str, now: datetime | None = None) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one until
    its grace period ends."""
    parts = stored.split(" ")
    if len(parts) == 3 and datetime.fromisoformat(parts[2]) > (now or datetime.now(UTC)):
        return parts[:2]
    return parts[:1]
