"""The identity of a story: canonical links and a fingerprint of its text."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

# Only parameters known to track clicks and campaigns: any other may pick the article
# (`?cid=1` and `?cid=2` are two stories), so it stays. `utm_*` is stripped by prefix.
TRACKING = frozenset({"fbclid", "gclid", "gbraid", "wbraid", "dclid", "msclkid", "mc_cid",
                      "mc_eid", "igshid", "_ga", "_gl", "yclid", "twclid", "ttclid", "li_fat_id",
                      "mkt_tok", "_hsenc", "_hsmi", "ref_src", "at_medium", "at_campaign",
                      "cmpid", "s_cid", "ocid", "spm", "ito"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def canonical_url(url: str) -> str:
    """The link's identity for deduplication (RFC 3986 normalisation): lowercase scheme and
    host, the host in its IDNA (ASCII) form, no default port, no fragment, percent-encoding
    normalised, no known tracking parameters, the remaining parameters sorted. Links that
    were canonical before keep the same form, so the keys in older logs stay valid."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _idna((parts.hostname or "").lower())
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith("utm_") and k.lower() not in TRACKING)
    path = _PERCENT.sub(_escape, quote(parts.path, safe=_SAFE)) or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SAFE = "/%:@!$&'()*+,;=~"  # reserved characters and escapes stay as written


def _escape(match: re.Match[str]) -> str:
    """An escape of an unreserved character is the character; any other is upper case."""
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _idna(host: str) -> str:
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # not a name IDNA can write: keep it as given
        return host


def normalise(text: str) -> str:
    return _PUNCT.sub(" ", text.casefold()).strip()


def content_fingerprint(title: str, text: str) -> str:
    """The same story copied between feeds, whatever its punctuation or case."""
    basis = normalise(title) + "\n" + normalise(text)[:500]
    return hashlib.sha256(basis.encode()).hexdigest()


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
