"""Which links the service hands out: http and https only, whatever a feed wrote."""

from __future__ import annotations

WEB_SCHEMES = ("http://", "https://")


def web_link(url: str | None) -> str | None:
    """The URL if it is http or https (a link a reader may follow), else None."""
    if not url or not url.strip().lower().startswith(WEB_SCHEMES):
        return None
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        return None
    return url
