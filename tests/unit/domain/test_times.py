"""The one parser of times users type, shared by the API and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracker.domain.times import NotATime, TimeOutOfRange, parse

JUNE = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-06-01", JUNE), ("20240601", JUNE), ("2024-06-01T00:00", JUNE),
    ("2024-06-01 00:00:00", JUNE), ("20240601T0000Z", JUNE), ("2024-06-01T00:00:00.000Z", JUNE),
    ("2024-05-30T14:00+03:00", datetime(2024, 5, 30, 14, tzinfo=timezone(timedelta(hours=3)))),
])
def test_basic_and_extended_iso_8601(text: str, expected: datetime) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["1717200000", "1", "", "yesterday", "2024/06/01", "06/01/2024"])
def test_anything_else_is_refused_naming_the_forms(text: str) -> None:
    with pytest.raises(NotATime, match="ISO 8601"):
        parse(text)


def test_a_compact_date_is_never_a_count_of_seconds() -> None:
    assert parse("20240601").year == 2024


@pytest.mark.parametrize("text", ["0001-01-01", "1969-12-31T23:59:59Z", "9999-12-31"])
def test_times_outside_the_log_range_are_refused(text: str) -> None:
    with pytest.raises(TimeOutOfRange):
        parse(text)
