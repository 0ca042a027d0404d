"""Domain events to stored payloads and back; the one place that upcasts old shapes."""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

import orjson

from tracker.domain.events import EVENT_TYPES
from tracker.domain.times import TimeOutOfRange, checked, clamped

# The current schema version of each event type; bump it with an upcaster below.
VERSIONS: dict[str, int] = {name: 1 for name in EVENT_TYPES} | {"FeedPolled": 2,
                                                                "EvidenceRecorded": 2}

# (type, version) -> function turning that version's payload into the next version's.
# Stored events keep the shape they were written in; they are upcast each time they are read.
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {
    ("FeedPolled", 1): lambda payload: {**payload, "duration_ms": None},
    # Readings before version 2 did not say where their sentence stood, nor where their date
    # came from: they read as a body sentence and the feed's date, as the reader then assumed.
    ("EvidenceRecorded", 1): lambda payload: {**payload, "basis": "body", "date_source": "feed"},
}


def _default(value: Any) -> Any:
    if isinstance(value, datetime):  # the log takes only times every reader can represent
        return checked(value, "an event's time").isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


# allow_nan=False: NaN and infinities are not JSON, and no reader could load them back
# (a ValueError when an event is encoded, as for every value the log refuses).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              allow_nan=False, default=_default)


def canonical_json(value: Any) -> str:
    """The one JSON encoding used for payloads and hashes: sorted keys, no spaces."""
    return _CANONICAL.encode(value)


def encode(event: Any) -> tuple[str, int, str]:
    """An event as (type, schema version, payload JSON)."""
    name = type(event).__name__
    payload = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    try:
        text = canonical_json(payload)
    except TimeOutOfRange:
        raise
    except ValueError:
        raise Unstorable(f"a {name} with a number JSON cannot carry (NaN or an infinity) "
                         "is refused") from None
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:  # a lone surrogate: no database or reader takes it
            raise Unstorable(f"a {name} with text that is not valid Unicode (a lone "
                             "surrogate) is refused") from None
    if "\\u0000" in text and _has_nul(payload):  # one backend's text type cannot hold NUL
        raise Unstorable(f"a {name} with a NUL character in its text is refused")
    return name, VERSIONS[name], text


class Unstorable(ValueError):
    """An event with a value that a database or a reader could not take back."""


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


def decode(type_name: str, version: int, payload: str) -> Any:
    """A stored payload as the current event class, upcast from older versions."""
    data = orjson.loads(payload)
    current = VERSIONS[type_name]
    while version < current:
        data = UPCASTERS[(type_name, version)](data)
        version += 1
    cls = EVENT_TYPES[type_name]
    for name, convert in _converters(cls):
        if name in data and data[name] is not None:
            data[name] = convert(data[name])
    if data.keys() != _fields(cls):
        return cls(**data)  # applies defaults, or says which field is wrong
    # The payload has exactly the event's fields: fill the frozen instance directly, which
    # skips the dataclass __init__ (bench/tricks.py: replays 1.03-1.15x on either backend).
    event = object.__new__(cls)
    event.__dict__.update(data)
    return event


def _time(text: str) -> datetime:
    """A stored time; one out of range (an older log may hold one) is read as the nearest
    bound, so that every reader can apply the event."""
    return clamped(datetime.fromisoformat(text))


@cache
def _fields(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


@cache
def _converters(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    hints = typing.get_type_hints(cls)
    out: list[tuple[str, Callable[[Any], Any]]] = []
    for field in dataclasses.fields(cls):
        args = set(typing.get_args(hints[field.name])) | {hints[field.name]}
        if datetime in args:
            out.append((field.name, _time))
        elif any(typing.get_origin(a) is tuple for a in args):
            out.append((field.name, tuple))
    return tuple(out)
