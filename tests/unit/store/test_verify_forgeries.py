"""Forged exports: `verify_chain` and the README's plain-Python check refuse the same ones.

The README's auditor snippet is the oracle: it is run as written against every export here,
so the check and the documentation cannot drift apart unnoticed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.errors import ChainBroken
from tracker.services.audit import export_lines, stored_from_export
from tracker.store.log import GENESIS, StoredEvent, event_hash
from tracker.store.verify import Head, verify_chain

README = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
SNIPPET = README.split("An auditor can check an export without this code:")[1] \
    .split("```python\n", 1)[1].split("```", 1)[0]


def sealed(position: int, prev: str, payload: dict[str, object], stream: str = "d-1",
           version: int | None = None) -> StoredEvent:
    """An event whose hash is computed over its content, as the log would."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    fields = (position, stream, version or position, "Noted", 1, text, f"key-{position}",
              f"2026-11-2{position % 10}T10:00:00.000000Z")
    return StoredEvent(*fields, prev, event_hash(prev, *fields))


def chain(n: int = 4) -> list[StoredEvent]:
    out: list[StoredEvent] = []
    for position in range(1, n + 1):
        out.append(sealed(position, out[-1].hash if out else GENESIS, {"n": position}))
    return out


def exported(events: list[StoredEvent]) -> list[StoredEvent]:
    """The events through an export and back, as `tracker verify --file` reads them."""
    return [stored_from_export(line) for line in export_lines(events, "jsonl")]


def auditor_accepts(events: list[StoredEvent]) -> bool:
    """Whether the README's snippet, run as written on the export, finds it intact."""
    lines = "".join(export_lines(events, "jsonl")).splitlines(keepends=True)
    files = {"log.jsonl": lines}
    try:
        exec(compile(SNIPPET, "README.md", "exec"),
             {"open": files.__getitem__, "print": lambda *a: None})
    except AssertionError:
        return False
    return True


def test_an_intact_export_passes_both_checks() -> None:
    events = chain()
    assert auditor_accepts(events)
    assert verify_chain(exported(events)) == Head(4, events[-1].hash)
    assert verify_chain([]) == Head(0, GENESIS)


def test_an_edited_event_whose_hash_was_recomputed_breaks_the_next_link() -> None:
    events = chain()
    # The forger edits event 2 and seals it again; event 3 still names the old hash.
    events[1] = sealed(2, events[0].hash, {"n": 2, "stage": "court-approved"})
    assert verify_chain(events[:2]).position == 2  # event 2 alone is self-consistent
    assert not auditor_accepts(events)
    with pytest.raises(ChainBroken) as broken:
        verify_chain(exported(events))
    assert broken.value.position == 3
    assert "previous hash" in broken.value.reason


def test_a_forged_link_is_caught_even_when_the_event_is_sealed_over_it() -> None:
    events = chain()
    # Event 3 is sealed over a made-up predecessor: its own hash holds, its link does not.
    events[2] = sealed(3, "ab" * 32, {"n": 3})
    assert not auditor_accepts(events)
    with pytest.raises(ChainBroken) as broken:
        verify_chain(exported(events))
    assert (broken.value.position, broken.value.reason) == (
        3, "its previous hash does not match the event before it")


def test_the_first_event_must_follow_genesis() -> None:
    events = chain()
    events[0] = sealed(1, "11" * 32, {"n": 1})
    assert not auditor_accepts(events[:1])
    with pytest.raises(ChainBroken, match="previous hash") as broken:
        verify_chain(events[:1])
    assert broken.value.position == 1


def test_an_edit_without_a_new_hash_is_a_content_mismatch() -> None:
    events = chain()
    events[1] = events[1]._replace(payload='{"n":20}')
    assert not auditor_accepts(events)
    with pytest.raises(ChainBroken) as broken:
        verify_chain(exported(events))
    assert (broken.value.position, broken.value.reason) == (2, "its content does not match its hash")


@pytest.mark.parametrize("field", ["stream", "version", "type", "type_version",
                                   "idempotency_key", "recorded_at", "position"])
def test_every_hashed_field_is_checked(field: str) -> None:
    events = chain(2)
    value = getattr(events[1], field)
    events[1] = events[1]._replace(**{field: value + 7 if isinstance(value, int) else value + "x"})
    with pytest.raises(ChainBroken) as broken:
        verify_chain(events)
    assert broken.value.position == 2


def test_a_rewritten_tail_passes_the_chain_but_not_the_kept_head() -> None:
    events = chain()
    kept = verify_chain(events)
    forged = events[:1]
    for position in range(2, 5):  # every hash after the edit recomputed
        forged.append(sealed(position, forged[-1].hash, {"n": position, "forged": True}))
    assert auditor_accepts(forged)
    head = verify_chain(exported(forged))
    assert head.position == kept.position and head.hash != kept.hash


def test_gaps_and_reorderings_name_the_position_expected() -> None:
    events = chain()
    with pytest.raises(ChainBroken, match="expected position 2, found 3") as gap:
        verify_chain([events[0], events[2]])
    assert gap.value.position == 2
    with pytest.raises(ChainBroken, match="position 1 appears out of order") as back:
        verify_chain([events[0], events[0]])
    assert back.value.position == 2
    with pytest.raises(ChainBroken, match="expected position 1, found 2"):
        verify_chain(events[1:])


def test_progress_is_told_each_position_checked() -> None:
    seen: list[int] = []
    verify_chain(chain(3), seen.append)
    assert seen == [1, 2, 3]


def test_a_head_reads_back_from_what_it_prints() -> None:
    head = Head(12, "AB" * 32)
    assert str(head) == f"12:{'AB' * 32}"
    assert Head.parse(str(head)) == Head(12, "ab" * 32)
    for bad in ("12", f"x:{'a' * 64}", f"12:{'a' * 63}", f"12:{'a' * 65}", f"-1:{'a' * 64}"):
        with pytest.raises(ValueError, match="POSITION:HASH"):
            Head.parse(bad)
