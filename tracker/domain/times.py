"""The times the log takes: what every reader (the fold, the API, the JSON encoders) can
represent in UTC and in any offset, from the epoch to a day before the calendar ends."""

from __future__ import annotations

from datetime import UTC, datetime

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
RANGE = "from 1970-01-01 to 9999-12-30 (UTC)"


class TimeOutOfRange(ValueError):
    """A time the log refuses: outside what every reader can represent."""


def aware(when: datetime) -> datetime:
    """Naive times are taken as UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def in_range(when: datetime) -> bool:
    # Comparing aware times subtracts their offsets without converting either, so this
    # never overflows, even for 9999-12-31 at -01:00.
    return EARLIEST <= aware(when) <= LATEST


def checked(when: datetime, what: str = "time") -> datetime:
    """The time, if the log can take it; else TimeOutOfRange saying so."""
    if not in_range(when):
        raise TimeOutOfRange(f"{what} {when.isoformat()} is out of range: times run {RANGE}")
    return when


def clamped(when: datetime) -> datetime:
    """The time, or the nearest bound for one an older log holds out of range."""
    if in_range(when):
        return when
    return EARLIEST if aware(when) < EARLIEST else LATEST


FORMS = ("ISO 8601: a date (2024-06-01 or 20240601) or a date and time (2024-06-01T12:00, "
         "2024-06-01 12:00:00, 20240601T1200Z), with or without an offset (+03:00, Z); "
         "a time without one is UTC")


class NotATime(ValueError):
    """Text that is not an ISO 8601 date or date-time."""


def parse(text: str) -> datetime:
    """The one reading of a time a user types, for the API and the CLI alike: ISO 8601 in its
    basic and extended forms, never a count of seconds (20240601 is the first of June 2024)."""
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise NotATime(f"{text!r} is not a time; accepted: {FORMS}") from None
    return checked(aware(when))
