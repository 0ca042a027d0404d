"""The chain's hash is the documented one: what an auditor computes with plain Python."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tracker.store.log import event_hash, iso_of, now_iso

# Any text a feed may bring, control characters and non-ASCII included (not lone
# surrogates: they cannot be stored as UTF-8 at all).
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)))


def documented(prev: str, fields: list[object]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()


@given(position=st.integers(1, 2**62), stream=TEXT, version=st.integers(1, 2**31),
       type_=TEXT, payload=TEXT, key=TEXT)
def test_event_hash_is_sha256_of_the_canonical_json(position: int, stream: str, version: int,
                                                    type_: str, payload: str, key: str) -> None:
    prev, at = "ab" * 32, "2026-11-23T11:15:18.123456Z"
    fields = [position, stream, version, type_, 1, payload, key, at]
    assert event_hash(prev, position, stream, version, type_, 1, payload, key, at) == \
        documented(prev, fields)


def test_timestamps_are_fixed_width_utc_with_microseconds() -> None:
    stamp = now_iso()
    assert len(stamp) == 27 and stamp.endswith("Z") and stamp[19] == "."


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Any instant from 1970 to 9999, microseconds included.
MICROS = st.integers(0, (datetime(9999, 12, 31, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1))


@given(st.lists(MICROS, min_size=1, max_size=5), st.integers(0, 3))
def test_timestamps_read_as_datetime_formats_them(instants: list[int], nearby: int) -> None:
    # Instants far apart and a few microseconds apart (the formatted second is reused).
    for micros in [m + step for m in instants for step in range(nearby + 1)]:
        at = EPOCH + timedelta(microseconds=micros)
        assert iso_of(micros) == at.isoformat(timespec="microseconds").replace("+00:00", "Z")
