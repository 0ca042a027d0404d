"""The fold where a bug would hide: readings taken back beyond the first SHOWN of a step,
evidence exactly at `as_of`, the state's version and times, and copies the writer decides on.

The oracle is the fold read again from scratch over the items that remain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.domain.designations import Designation
from tracker.domain.events import EvidenceRecorded, EvidenceRejected, StageOverridden
from tracker.domain.status import SHOWN, Timeline, fold
from tracker.domain.timeline import DesignationState, evolve

D = Designation("t", "Taliban", ("Taliban",), ("Russia",))


def day(n: int) -> datetime:
    return datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=n)


def ev(obs: str, stage: str | None, published: int, site: str = "a.example",
       basis: str = "body", version: str = "v1") -> EvidenceRecorded:
    return EvidenceRecorded("t", obs, stage, 0.9, f"quote {obs}", version, "wire",
                            f"https://{site}/{obs}", f"title {obs}", day(published), basis)


class Log:
    """Events fed to one state with positions and times, as the writer would."""

    def __init__(self, *events: object) -> None:
        self.state = DesignationState(D)
        self.position = 0
        for event in events:
            self(event)

    def __call__(self, event: object) -> None:
        self.position += 1
        evolve(self.state, event, self.position, stamp(self.position))


def stamp(position: int) -> str:
    return f"2026-01-01T00:{position // 60:02d}:{position % 60:02d}.000000Z"


def scratch(state: DesignationState) -> Timeline:
    return fold(D, list(state.items), set(state.rejected))


def summary(timeline: Timeline) -> list[tuple]:
    return [(t.from_stage, t.to_stage, t.since, t.cause, t.position,
             tuple(r.observation_id for r in t.evidence), t.evidence_total,
             t.withdrawn is not None) for t in timeline.history]


def many(count: int, site: str = "a.example", basis: str = "body") -> list[EvidenceRecorded]:
    return [ev(f"o{n:02d}", "proposed", n, site, basis) for n in range(1, count + 1)]


def test_taking_back_a_reading_beyond_the_first_shown_lowers_the_total() -> None:
    log = Log(*many(SHOWN + 5))
    first = [r.observation_id for r in log.state.timeline().evidence]
    assert len(first) == SHOWN and log.state.timeline().evidence_total == SHOWN + 5
    log(ev("o28", None, 28, version="v2"))  # read again: no longer about the step
    assert log.state.timeline().evidence_total == SHOWN + 4
    log(EvidenceRejected("t", "o29", "about another list"))
    timeline = log.state.timeline()
    assert timeline.evidence_total == SHOWN + 3
    assert [r.observation_id for r in timeline.evidence] == first
    assert summary(timeline) == summary(scratch(log.state))


def test_taking_back_a_reading_within_the_first_shown_brings_in_the_next() -> None:
    log = Log(*many(SHOWN + 2))
    log(EvidenceRejected("t", "o03", "misread"))
    timeline = log.state.timeline()
    assert timeline.evidence_total == SHOWN + 1
    assert [r.observation_id for r in timeline.evidence][-1] == f"o{SHOWN + 1}"
    assert summary(timeline) == summary(scratch(log.state))


def test_sites_taken_back_beyond_the_first_shown_no_longer_weigh_for_the_step() -> None:
    # The step stands on one site with a strong reading (weight 2); two more sites beyond
    # the first SHOWN raise it to 4, then are taken back: three sites against withdraw it.
    log = Log(*many(SHOWN), ev("b", "proposed", 40, "b.example"),
              ev("c", "proposed", 41, "c.example"))
    log(EvidenceRejected("t", "b", "not about this list"))
    log(ev("c", None, 41, "c.example", version="v2"))
    for n, site in enumerate(("d.example", "e.example", "f.example")):
        log(ev(f"x{n}", "considered", 50 + n, site))
    timeline = log.state.timeline()
    assert timeline.stage == "considered"
    assert [t.withdrawn is not None for t in timeline.history] == [True, False]
    assert summary(timeline) == summary(scratch(log.state))


def test_a_strong_reading_taken_back_beyond_the_first_shown_no_longer_weighs() -> None:
    # Headlines from two sites confirm the step (weight 2); a strong body reading beyond the
    # first SHOWN makes it 3; once it is taken back, three sites against withdraw the step.
    headlines = [ev(f"h{n:02d}", "proposed", n, ("a.example", "b.example")[n % 2], "headline")
                 for n in range(1, SHOWN + 1)]
    log = Log(*headlines, ev("s", "proposed", 40, "a.example"))
    log(EvidenceRejected("t", "s", "misread"))
    for n, site in enumerate(("d.example", "e.example", "f.example")):
        log(ev(f"x{n}", "considered", 50 + n, site))
    timeline = log.state.timeline()
    assert [t.withdrawn is not None for t in timeline.history][0] is True
    assert summary(timeline) == summary(scratch(log.state))


def test_evidence_exactly_at_as_of_counts() -> None:
    state = Log(ev("a", "considered", 1), ev("b", "proposed", 5)).state
    assert state.timeline(as_of=day(5)).stage == "proposed"
    assert state.timeline(as_of=day(5) - timedelta(microseconds=1)).stage == "considered"
    assert fold(D, list(state.items), set(), as_of=day(1)).since == day(1)


def test_version_position_and_recorded_at_follow_each_event_applied() -> None:
    log = Log(ev("a", "considered", 1), ev("b", "proposed", 5))
    state = log.state
    assert (state.version, state.position, state.recorded_at) == (2, 2, stamp(2))
    evolve(state, object(), 3, stamp(3))  # an event the designation's state does not hold
    assert (state.version, state.position, state.recorded_at) == (2, 2, stamp(2))
    evolve(state, StageOverridden("t", None, "misread", day(9)), 4, stamp(4), version=10)
    assert (state.version, state.position, state.recorded_at) == (10, 4, stamp(4))
    history = state.timeline().history
    assert [(t.position, t.recorded_at) for t in history] == [
        (1, stamp(1)), (2, stamp(2)), (4, stamp(4))]


def test_a_step_is_recorded_when_the_reading_that_confirms_it_is() -> None:
    log = Log(ev("a", "proposed", 3, "one.example", "headline"),
              ev("b", "proposed", 4, "two.example", "headline"))
    (step,) = log.state.timeline().history
    assert (step.since, step.position, step.recorded_at) == (day(3), 2, stamp(2))


def snapshot(state: DesignationState) -> tuple:
    assert state.status is not None
    run = state.status.fold
    steps = [(s.to_stage, s.withdrawn, list(s.shown.readings), s.shown.total, dict(s.sites),
              s.strong, list(s.against.readings), s.against.total, dict(s.against_sites),
              list(s.kept.readings), s.weight, s.had_unconfirmed) for s in run.steps]
    return (state.version, state.position, state.recorded_at, state.recorded_stage,
            dict(state.readings), list(state.items), set(state.rejected), steps,
            list(run.keys), list(run.unconfirmed), list(run.lower), run.last,
            summary(state.timeline()))


def decided_on(state: DesignationState, *events: object) -> None:
    """Evolve a copy of the state with the events; the state itself must not move."""
    before = snapshot(state)
    copy = state.copy()
    assert snapshot(copy) == before
    for n, event in enumerate(events, start=100):
        evolve(copy, event, n, stamp(n))
    assert snapshot(copy) != before
    assert snapshot(state) == before


def test_a_copy_decided_on_leaves_each_steps_counts_as_they_were() -> None:
    log = Log(*many(SHOWN + 2), ev("b", "proposed", 40, "b.example"))
    # Taken back beyond the first SHOWN (the step's totals and sites), then for it and
    # against it in order (its readings, sites, strength, and those against it).
    decided_on(log.state, ev("o27", None, 27, version="v2"), EvidenceRejected("t", "b", "x"),
               ev("c", "proposed", 41, "c.example"), ev("l", "considered", 42, "l.example"))
    decided_on(log.state, ev("l", "considered", 42, "l.example"))


def test_a_copy_decided_on_leaves_the_waiting_readings_as_they_were() -> None:
    log = Log(ev("a", "proposed", 1), ev("w", "court-approved", 5, "w.example", "headline"))
    assert log.state.timeline().unconfirmed
    decided_on(log.state, ev("l", "considered", 6, "l.example"))
    decided_on(log.state, ev("v", "court-approved", 7, "w.example", "headline"))


def test_a_copy_decided_on_leaves_the_rejections_as_they_were() -> None:
    log = Log(ev("a", "proposed", 1), ev("b", "considered", 0, "b.example"))
    decided_on(log.state, EvidenceRejected("t", "a", "misread"))


def test_the_original_moves_on_without_its_copy() -> None:
    log = Log(*many(SHOWN + 2), ev("w", "court-approved", 45, "w.example", "headline"))
    copy = log.state.copy()
    copied = snapshot(copy)
    log(ev("o27", None, 27, version="v2"))
    log(ev("z", "court-approved", 70, "z.example", "headline"))
    log(EvidenceRejected("t", "o01", "misread"))
    assert snapshot(copy) == copied


def against(count: int, site: str = "x.example", start: int = 100) -> list[EvidenceRecorded]:
    """Readings for a lower stage than "proposed", published after it, from one site."""
    return [ev(f"x{n:02d}", "considered", start + n, site) for n in range(count)]


def test_taking_back_a_reading_against_a_step_beyond_the_first_shown() -> None:
    # One strong reading takes the step (weight 2); readings against it from one site never
    # outnumber it; one from another site, beyond the first SHOWN against, is taken back.
    log = Log(ev("p", "proposed", 1), *against(SHOWN + 3), ev("w", "considered", 200, "w.example"))
    log(EvidenceRejected("t", "w", "misread"))
    log(ev("x27", None, 127, version="v2"))
    assert log.state.timeline().stage == "proposed"
    log(ev("y", "considered", 300, "y.example"))  # x and y: two sites, not more than 2
    assert log.state.timeline().stage == "proposed"
    assert summary(log.state.timeline()) == summary(scratch(log.state))
    log(ev("z", "considered", 301, "z.example"))  # x, y and z: withdrawn
    timeline = log.state.timeline()
    (step,) = [t for t in timeline.history if t.withdrawn is not None]
    assert step.withdrawn.evidence_total == SHOWN + 3 - 1 + 2
    assert summary(timeline) == summary(scratch(log.state))


def test_a_copy_keeps_the_withdrawals() -> None:
    log = Log(ev("p", "proposed", 1), *(ev(f"x{n}", "considered", 10 + n, f"s{n}.example")
                                        for n in range(3)))
    assert any(t.withdrawn is not None for t in log.state.timeline().history)
    decided_on(log.state, ev("q", "court-approved", 40))
