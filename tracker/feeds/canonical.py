"""The identity of a story: canonical links and a fingerprint of its text."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "ocid",
                      "cmpid", "ref", "ref_src", "igshid", "_ga", "yclid", "spm", "at_medium",
                      "at_campaign", "ito", "cid", "s_cid", "rss", "rssfeed", "feed"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def canonical_url(url: str) -> str:
    """Lowercase scheme and host, no default port, no fragment, no tracking parameters,
    remaining parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith("utm_") and k.lower() not in TRACKING)
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def normalise(text: str) -> str:
    return _PUNCT.sub(" ", text.casefold()).strip()


def content_fingerprint(title: str, text: str) -> str:
    """The same story copied between feeds, whatever its punctuation or case."""
    basis = normalise(title) + "\n" + normalise(text)[:500]
    return hashlib.sha256(basis.encode()).hexdigest()


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
