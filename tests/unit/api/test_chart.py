"""The step chart's geometry: one mark per step, the standing steps as one line, withdrawn
steps and unconfirmed readings apart, ticks a person can read."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.api.chart import chart, ticks

STAGES = ["considered", "proposed", "court-approved"]


def step(frm: str | None, to: str | None, since: str, position: int, cause: str = "evidence",
         withdrawn: str | None = None) -> dict:
    return {"from": frm, "to": to, "since": since, "position": position, "cause": cause,
            "withdrawn": {"at": withdrawn} if withdrawn else None}


def test_each_step_is_marked_and_only_standing_steps_make_the_line() -> None:
    document = {"stages": STAGES, "unconfirmed": [
        {"stage": "court-approved", "published_at": "2025-03-01T00:00:00Z"}], "history": [
        step(None, "considered", "2024-05-21T00:00:00Z", 1),
        step("considered", "proposed", "2024-11-27T00:00:00Z", 2),
        step("proposed", "court-approved", "2025-01-05T00:00:00Z", 3,
             withdrawn="2025-01-10T00:00:00Z"),
        step("proposed", "considered", "2025-02-01T00:00:00Z", 4, cause="reversed"),
        step("considered", "proposed", "2025-02-10T00:00:00Z", 5, cause="override")]}
    c = chart(document, datetime(2025, 6, 1, tzinfo=UTC))
    assert c is not None
    assert [m.kind for m in c.steps] == ["up", "up", "withdrawn", "down", "override"]
    xs = [m.x for m in c.steps]
    assert xs == sorted(xs) and c.left < xs[0] and xs[-1] < c.right
    heights = {label: y for label, y in c.levels}
    assert heights["no stage"] > heights["considered"] > heights["proposed"] > \
        heights["court-approved"]
    withdrawn = c.steps[2]
    assert withdrawn.y == heights["court-approved"] and withdrawn.x < withdrawn.x_end < xs[3]
    assert c.line.count(" V") == 4  # the withdrawn step is not part of the line
    assert f"V{heights['court-approved']}" not in c.line
    (dot,) = c.unconfirmed
    assert dot.y == heights["court-approved"] and xs[-1] < dot.x


def test_nothing_to_draw() -> None:
    assert chart({"stages": STAGES, "history": [], "unconfirmed": []}, datetime.now(UTC)) is None


def test_ticks_are_few_and_named_by_month_or_year() -> None:
    found = ticks(datetime(2024, 5, 1, tzinfo=UTC), datetime(2026, 12, 3, tzinfo=UTC))
    assert [label for _, label in found] == ["Jul", "2025", "Jul", "2026", "Jul"]
    years = ticks(datetime(2001, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))
    assert 1 <= len(years) <= 5 and all(label.isdigit() for _, label in years)
