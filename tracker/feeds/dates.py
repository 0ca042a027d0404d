"""An entry's time as feeds write it: RFC 822 (RSS), ISO 8601 (Atom), or the looser forms
some feeds use. A time that cannot be read for sure is not guessed."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from dateutil import parser as loose
from dateutil.parser import UnknownTimezoneWarning

# RFC 822's zone names (the ones email.utils knows), for the looser forms too.
_ZONES = {name: timezone(timedelta(hours=hours)) for name, hours in {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}.items()}
_RFC822 = re.compile(r"([A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(:\d{2})?"
                     r"(\s+([+-]\d{4}|[A-Za-z]{1,5}))?")
# "01/05/2026": the first of May or the fifth of January, depending on who wrote it.
_NUMERIC_DATE = re.compile(r"\s*(\d{1,2})[/.](\d{1,2})[/.]\d{2,4}\b")

_NOTHING_GIVEN = datetime(1, 1, 1)

NO_ZONE, UNREADABLE, AMBIGUOUS = "no zone", "unreadable", "ambiguous"


@dataclass(frozen=True)
class FeedTime:
    when: datetime | None  # aware; None when it could not be read for sure
    problem: str | None = None  # NO_ZONE (read as UTC), UNREADABLE or AMBIGUOUS


def read_time(raw: str) -> FeedTime:
    """The time a feed gave, with what was wrong with it."""
    raw = raw.strip()
    value = _strict(raw)
    if value is None:
        numeric = _NUMERIC_DATE.match(raw)
        if numeric and numeric[1] != numeric[2] and max(int(numeric[1]), int(numeric[2])) <= 12:
            return FeedTime(None, AMBIGUOUS)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnknownTimezoneWarning)
            try:
                # a missing day is the first, a missing year is year 1 (out of range, so
                # read as missing), never today's
                value = loose.parse(raw, tzinfos=_ZONES, default=_NOTHING_GIVEN)
            except (ValueError, OverflowError, TypeError):  # ParserError is a ValueError
                return FeedTime(None, UNREADABLE)
    if value.tzinfo is None:  # no zone, or one nobody can place ("-0000", "XYZ")
        return FeedTime(value.replace(tzinfo=UTC), NO_ZONE)
    return FeedTime(value)


def _strict(raw: str) -> datetime | None:
    """RFC 822 or ISO 8601, exactly (email.utils alone would take "May 1, 2026 10:00 AM EDT"
    and drop its zone)."""
    if _RFC822.fullmatch(raw):
        try:
            return parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return None
