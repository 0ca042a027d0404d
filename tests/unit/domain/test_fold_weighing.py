"""Weighing news against a step and against waiting readings, and items that come late or are
taken back: the README's status rules worked by hand on small histories, where the fold from
scratch (the other suites' oracle) would share a bug with the incremental fold.

Days are publication dates; sites are the articles' hosts; `strong` readings are body
sentences read with confidence 0.9 (the default threshold is 0.8), `weak` ones headlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.domain.designations import Confirm, Designation
from tracker.domain.events import (
    EvidenceRecorded,
    EvidenceRejected,
    OverrideWithdrawn,
    StageOverridden,
)
from tracker.domain.status import SHOWN, Fold, Override, Reading, Timeline, fold, strong
from tracker.domain.timeline import DesignationState, evolve

D = Designation("t", "Taliban", ("Taliban",), ("Russia",))


def designation(**confirm: float) -> Designation:
    return Designation("t", "Taliban", ("Taliban",), ("Russia",), confirm=Confirm(**confirm))


def day(n: float) -> datetime:
    return datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=n)


def ev(obs: str, stage: str | None, published: float, site: str = "a.example",
       basis: str = "body", confidence: float = 0.9) -> EvidenceRecorded:
    return EvidenceRecorded("t", obs, stage, confidence, f"quote {obs}", "v1", "wire",
                            f"https://{site}/{obs}", f"title {obs}", day(published), basis)


def weak(obs: str, stage: str, published: float, site: str) -> EvidenceRecorded:
    return ev(obs, stage, published, site, basis="headline")


def stamp(position: int) -> str:
    return f"2026-01-01T00:{position // 60:02d}:{position % 60:02d}.000000Z"


class Log:
    """Events fed to one state with positions and times, as the writer would."""

    def __init__(self, *events: object, designation: Designation = D) -> None:
        self.state = DesignationState(designation)
        self.position = 0
        for event in events:
            self(event)

    def __call__(self, *events: object) -> None:
        for event in events:
            self.position += 1
            evolve(self.state, event, self.position, stamp(self.position))

    def reject(self, *observations: str) -> None:
        self(*(EvidenceRejected("t", obs, "misread") for obs in observations))

    @property
    def timeline(self) -> Timeline:
        return self.state.timeline()


def steps(timeline: Timeline) -> list[tuple]:
    return [(t.from_stage, t.to_stage, t.since, t.withdrawn is not None)
            for t in timeline.history]


def ids(readings: tuple[Reading, ...]) -> list[str]:
    return [r.observation_id for r in readings]


def against(prefix: str, stage: str, start: float, sites: list[str]) -> list[EvidenceRecorded]:
    return [ev(f"{prefix}{n}", stage, start + n, site) for n, site in enumerate(sites, 1)]


# -- what is strong ---------------------------------------------------------------------


def test_an_official_entry_is_strong_whatever_its_confidence() -> None:
    entry = ev("list", "proposed", 3, "fsb.example", basis="official", confidence=0.1)
    timeline = Log(entry).timeline
    assert (timeline.stage, timeline.since, ids(timeline.evidence)) == (
        "proposed", day(3), ["list"])


def test_a_body_sentence_exactly_at_the_threshold_is_strong() -> None:
    at = ev("a", "proposed", 3, confidence=D.confirm.confidence)
    assert Log(at).timeline.stage == "proposed"
    below = ev("a", "proposed", 3, confidence=D.confirm.confidence - 0.01)
    assert Log(below).timeline.stage is None
    assert strong(Log(at).state.readings["a"], 0.8)
    assert not strong(Log(below).state.readings["a"], 0.8)


# -- news against a step ----------------------------------------------------------------


def test_news_against_a_step_at_the_stage_it_falls_back_to_does_not_join_that_step() -> None:
    log = Log(ev("bill", "proposed", 2), weak("r1", "court-approved", 5, "one.example"),
              weak("r2", "court-approved", 6, "two.example"),
              *against("p", "proposed", 7, ["s1.example", "s2.example", "s3.example"]))
    timeline = log.timeline
    assert steps(timeline) == [(None, "proposed", day(2), False),
                               ("proposed", "court-approved", day(5), True)]
    # Only the readings against it above the stage it falls back to are read again.
    assert (ids(timeline.evidence), timeline.evidence_total) == (["bill"], 1)
    assert timeline.unconfirmed == ()


def test_two_sites_against_withdraw_a_step_one_site_confirmed() -> None:
    single = designation(sources=1)
    log = Log(weak("h", "proposed", 1, "one.example"), designation=single)
    log(ev("x1", "considered", 5, "s1.example"))
    assert log.timeline.stage == "proposed"  # one site against one: it stands
    log(ev("x2", "considered", 6, "s2.example"))
    assert steps(log.timeline) == [(None, "proposed", day(1), True),
                                   (None, "considered", day(5), False)]


def test_a_weak_reading_after_a_strong_one_leaves_the_step_its_weight() -> None:
    # One site with a strong reading weighs as two; a headline from the same site after it
    # does not take that away: two sites against do not outnumber it.
    log = Log(ev("bill", "proposed", 1), weak("again", "proposed", 2, "a.example"),
              *against("x", "considered", 3, ["s1.example", "s2.example"]))
    assert log.timeline.stage == "proposed"
    log(ev("x3", "considered", 9, "s3.example"))
    assert log.timeline.stage == "considered"


def test_news_against_a_step_read_again_takes_the_step_it_reports_with_all_its_readings() -> None:
    log = Log(ev("c", "considered", 1), weak("r1", "court-approved", 5, "one.example"),
              weak("r2", "court-approved", 6, "two.example"),
              *against("p", "proposed", 7, ["s1.example", "s2.example", "s3.example"]))
    timeline = log.timeline
    assert steps(timeline) == [(None, "considered", day(1), False),
                               ("considered", "court-approved", day(5), True),
                               ("considered", "proposed", day(8), False)]
    assert (ids(timeline.evidence), timeline.evidence_total) == (["p1", "p2", "p3"], 3)
    assert timeline.unconfirmed == ()
    withdrawal = timeline.history[1].withdrawn
    assert withdrawal is not None and (withdrawal.at, withdrawal.position) == (day(10), 6)
    # The new step is taken when the news tipped the old one: a late headline for the step
    # withdrawn, published after it, waits; the step's readings are as they were.
    log(weak("later", "considered", 20, "z.example"))
    log(weak("late", "court-approved", 15, "w.example"))
    timeline = log.timeline
    assert steps(timeline)[2] == ("considered", "proposed", day(8), False)
    assert (ids(timeline.evidence), timeline.evidence_total) == (["p1", "p2", "p3"], 3)
    assert ids(timeline.unconfirmed) == ["late"]
    assert timeline == fold(D, log.state.items, log.state.rejected)


def test_a_lower_reading_read_again_does_not_weigh_for_a_higher_step_taken_before_it() -> None:
    # The news against a step to court-approved, read again after the withdrawal: the
    # proposed reading takes a step of its own, the considered ones after it are against
    # that step only once they come again; so three more sites withdraw it.
    log = Log(weak("r1", "court-approved", 5, "one.example"),
              weak("r2", "court-approved", 6, "two.example"),
              ev("p", "proposed", 8, "s1.example"), ev("c1", "considered", 9, "s2.example"),
              ev("c2", "considered", 10, "s3.example"))
    assert steps(log.timeline) == [(None, "court-approved", day(5), True),
                                   (None, "proposed", day(8), False)]
    assert (ids(log.timeline.evidence), log.timeline.evidence_total) == (["p"], 1)
    log(*against("x", "considered", 20, ["x1.example", "x2.example"]))
    assert log.timeline.stage == "proposed"  # two against a strong reading: it stands
    log(ev("x3", "considered", 30, "x3.example"))
    assert steps(log.timeline) == [(None, "court-approved", day(5), True),
                                   (None, "proposed", day(8), True),
                                   (None, "considered", day(21), False)]
    assert ids(log.timeline.evidence) == ["x1", "x2", "x3"]


# -- waiting readings -------------------------------------------------------------------


def test_a_waiting_reading_is_dropped_only_when_the_sites_against_outnumber_those_agreeing() -> None:
    three = designation(sources=3)
    log = Log(ev("bill", "proposed", 0), weak("w1", "court-approved", 1, "w1.example"),
              weak("w2", "court-approved", 2, "w2.example"),
              weak("l1", "proposed", 3, "s1.example"), weak("l2", "proposed", 4, "s2.example"),
              designation=three)
    assert ids(log.timeline.unconfirmed) == ["w1", "w2"]  # two against two agreeing
    # Against a later waiting reading, only what was published after it counts.
    log(weak("w3", "court-approved", 5, "w1.example"), weak("l3", "proposed", 6, "s3.example"))
    timeline = log.timeline
    assert ids(timeline.unconfirmed) == ["w3"]
    assert (timeline.stage, ids(timeline.evidence)) == ("proposed", ["bill", "l1", "l2", "l3"])


def test_readings_against_a_waiting_one_still_count_after_an_override_below_it() -> None:
    three = designation(sources=3)
    log = Log(weak("w", "court-approved", 1, "w.example"),
              weak("l1", "considered", 2, "s1.example"), designation=three)
    assert ids(log.timeline.unconfirmed) == ["w", "l1"]
    log(StageOverridden("t", "considered", "read the decree", day(3)))
    assert (log.timeline.stage, ids(log.timeline.unconfirmed)) == ("considered", ["w"])
    log(weak("l2", "considered", 4, "s2.example"))  # l1 and l2 against w, one for it
    assert (log.timeline.stage, log.timeline.unconfirmed) == ("considered", ())


def test_with_no_stage_a_timeline_has_no_evidence() -> None:
    timeline = Log(weak("w", "court-approved", 1, "w.example")).timeline
    assert timeline == Timeline(None, None, (), (), 0, timeline.unconfirmed)
    assert ids(timeline.unconfirmed) == ["w"]


def test_a_reversal_is_recorded_when_its_reading_is() -> None:
    log = Log(ev("a", "proposed", 1), ev("rv", "reversed", 3))
    assert [(t.cause, t.position, t.recorded_at) for t in log.timeline.history] == [
        ("evidence", 1, stamp(1)), ("reversed", 2, stamp(2))]


def test_a_withdrawn_override_is_read_as_never_given() -> None:
    log = Log(ev("a", "considered", 1), StageOverridden("t", "court-approved", "decree", day(2)))
    assert log.timeline.stage == "court-approved"
    log(OverrideWithdrawn("t", 2, "wrong designation"))
    assert steps(log.timeline) == [(None, "considered", day(1), False)]


# -- taken back in place ----------------------------------------------------------------


def many(prefix: str, stage: str, count: int, site: str, start: float = 1,
         basis: str = "body") -> list[EvidenceRecorded]:
    return [ev(f"{prefix}{n:02d}", stage, start + n, site, basis) for n in range(count)]


def test_taking_back_the_reading_that_confirmed_a_step_beyond_the_first_shown() -> None:
    log = Log(*many("h", "proposed", SHOWN, "a.example", basis="headline"))
    assert log.timeline.stage is None
    log(weak("b", "proposed", 40, "b.example"))  # another site: the step is taken
    assert (log.timeline.stage, log.timeline.evidence_total) == ("proposed", SHOWN + 1)
    log.reject("b")
    assert (log.timeline.stage, log.timeline.history) == (None, ())
    assert len(log.timeline.unconfirmed) == SHOWN


def test_a_reading_taken_back_while_another_waited_no_longer_counts_against_it() -> None:
    # The step's readings fill its first SHOWN; a headline for a higher stage waits; a
    # reading for the step published after it is taken back: it no longer counts against
    # the waiting one, so one more site against does not drop it.
    log = Log(*many("p", "proposed", SHOWN, "a.example"),
              weak("w", "court-approved", 30, "w.example"), ev("l1", "proposed", 31, "s1.example"))
    log.reject("l1")
    log(ev("l2", "proposed", 32, "s2.example"))
    assert ids(log.timeline.unconfirmed) == ["w"]
    log(ev("l3", "proposed", 33, "s3.example"))
    assert log.timeline.unconfirmed == ()


def test_one_of_two_readings_of_a_site_taken_back_beyond_the_first_shown_keeps_the_site() -> None:
    log = Log(*many("p", "proposed", SHOWN, "a.example"), ev("b1", "proposed", 30, "b.example"),
              ev("b2", "proposed", 31, "b.example"))
    log.reject("b1")  # a.example with a strong reading and b.example: a weight of three
    log(*against("x", "considered", 40, ["s1.example", "s2.example", "s3.example"]))
    assert log.timeline.stage == "proposed"
    log(ev("x4", "considered", 50, "s4.example"))
    assert log.timeline.stage == "considered"


def two_steps() -> Log:
    """considered, then court-approved on one strong reading (a weight of two)."""
    return Log(ev("c", "considered", 1), ev("r", "court-approved", 2, "court.example"))


def test_a_reading_against_a_step_within_the_first_shown_taken_back_leaves_the_withdrawal() -> None:
    log = two_steps()
    log(ev("x1", "considered", 3, "s1.example"))
    log.reject("x1")
    log(*against("y", "considered", 10, ["s2.example", "s3.example", "s4.example"]))
    (withdrawn,) = [t.withdrawn for t in log.timeline.history if t.withdrawn]
    assert (ids(withdrawn.evidence), withdrawn.evidence_total) == (["y1", "y2", "y3"], 3)


def test_a_reading_against_a_step_beyond_the_first_shown_and_taken_back_is_not_read_again() -> None:
    log = two_steps()
    log(*many("x", "considered", SHOWN, "s1.example", start=10))
    log(ev("k", "proposed", 40, "s2.example"))  # against it, above considered: kept
    log.reject("k")
    log(*against("y", "considered", 50, ["s3.example", "s4.example"]))
    assert steps(log.timeline) == [(None, "considered", day(1), False),
                                   ("considered", "court-approved", day(2), True)]
    assert log.timeline.unconfirmed == ()


@pytest.mark.parametrize(("rejected", "withdrawn"), [(1, True), (2, False)])
def test_readings_of_one_site_against_a_step_taken_back_one_by_one(rejected: int,
                                                                   withdrawn: bool) -> None:
    # Against the step: 25 readings from s1 fill its first SHOWN; two late ones from s2, in
    # place beyond them. While one of s2's stays, s2 is against it.
    log = two_steps()
    log(*many("x", "considered", SHOWN, "s1.example", start=10),
        ev("q", "court-approved", 60, "court.example"))
    log(ev("z1", "considered", 40, "s2.example"), ev("z2", "considered", 41, "s2.example"))
    assert log.timeline.stage == "court-approved"  # two sites against, a weight of two
    log.reject(*["z1", "z2"][:rejected])
    log(ev("y", "considered", 70, "s3.example"))
    assert [t.withdrawn is not None for t in log.timeline.history] == [False, withdrawn]
    assert log.timeline.stage == ("considered" if withdrawn else "court-approved")


# -- late readings against a step ------------------------------------------------------


def test_a_late_reading_against_a_step_counts_its_site_once() -> None:
    log = Log(ev("bill", "proposed", 1), ev("x1", "considered", 5, "s1.example"),
              ev("q", "proposed", 20))
    log(ev("x2", "considered", 6, "s1.example"))  # late, from a site already against it
    log(ev("x3", "considered", 30, "s2.example"))
    assert log.timeline.stage == "proposed"  # two sites against, a weight of two
    log(ev("x4", "considered", 31, "s3.example"))
    (withdrawn,) = [t.withdrawn for t in log.timeline.history if t.withdrawn]
    assert ids(withdrawn.evidence) == ["x1", "x2", "x3", "x4"]


def test_a_late_reading_against_a_step_that_tips_it_withdraws_it() -> None:
    log = Log(ev("bill", "proposed", 1), ev("x1", "considered", 5, "s1.example"),
              ev("x2", "considered", 6, "s2.example"), ev("q", "proposed", 20))
    assert log.timeline.stage == "proposed"
    log(ev("x3", "considered", 7, "s3.example"))
    assert steps(log.timeline) == [(None, "proposed", day(1), True),
                                   (None, "considered", day(5), False),
                                   ("considered", "proposed", day(20), False)]
    assert ids(log.timeline.history[0].withdrawn.evidence) == ["x1", "x2", "x3"]


def test_a_late_reading_against_a_step_at_the_stage_it_falls_back_to_is_not_read_again() -> None:
    log = Log(ev("bill", "proposed", 2), weak("r1", "court-approved", 5, "one.example"),
              weak("r2", "court-approved", 6, "two.example"),
              ev("p1", "proposed", 8, "s1.example"),
              weak("q", "court-approved", 30, "one.example"))
    log(ev("p2", "proposed", 9, "s2.example"))  # late: against it, not tipping it
    assert log.timeline.stage == "court-approved"
    log(ev("p3", "proposed", 40, "s3.example"))
    assert steps(log.timeline)[-1] == ("proposed", "court-approved", day(5), True)
    assert (log.timeline.stage, ids(log.timeline.evidence)) == ("proposed", ["bill"])


def test_a_late_reading_where_another_waited_is_weighed_in_order() -> None:
    # While the headline waited, a reading for the step published after it is against it;
    # late, it must count against it as it would have in order.
    log = Log(ev("bill", "proposed", 1), weak("w", "court-approved", 5, "w.example"),
              weak("q", "court-approved", 20, "w.example"))
    log(ev("l1", "proposed", 6, "s1.example"))
    assert ids(log.timeline.unconfirmed) == ["w", "q"]
    log(ev("l2", "proposed", 30, "s2.example"))  # two sites after w against it; one after q
    assert ids(log.timeline.unconfirmed) == ["q"]


# -- what the fold folds again ----------------------------------------------------------


def reading(obs: str, stage: str | None, published: float, position: int,
            site: str = "a.example", basis: str = "body") -> Reading:
    return Reading(obs, stage, 0.9, None, "v1", "wire", f"https://{site}/{obs}", obs,
                   day(published), stamp(position), position, basis)


def fed(*items: Reading | Override) -> Fold:
    run = Fold(D, set())
    for item in items:
        run.feed(item)
    return run


def test_a_late_reading_is_weighed_in_place_when_its_span_is_quiet() -> None:
    run = fed(reading("a", "proposed", 1, 1), reading("b", "proposed", 10, 2))
    assert run.add(reading("c", "proposed", 5, 3, "c.example")) is None  # supports the step
    assert run.add(reading("d", "considered", 6, 4, "d.example")) is None  # against, not tipping
    assert run.add(reading("e", "considered", 7, 5, "e.example")) is None  # two against two
    assert run.add(reading("g", "considered", 8, 6, "g.example")) == 0  # it may tip the step
    assert run.add(reading("f", "court-approved", 9, 7, "f.example", "headline")) == 0


def test_a_late_reading_folds_again_from_its_step_when_a_reading_waited() -> None:
    run = fed(reading("c", "considered", 1, 1), reading("p", "proposed", 2, 2),
              reading("w", "court-approved", 3, 3, "w.example", "headline"))
    assert run.add(reading("late", "proposed", 2.5, 4, "l.example")) == 1


def test_a_late_reading_below_an_override_changes_nothing() -> None:
    run = fed(Override("proposed", "decree", day(0), None, stamp(1), 1),
              reading("b", "proposed", 10, 2))
    assert run.add(reading("c", "considered", 5, 3, "c.example")) is None


def test_taking_back_in_place_what_changed_nothing_or_only_counts() -> None:
    items = [reading(f"p{n:02d}", "proposed", n, n) for n in range(1, SHOWN + 2)]
    run = fed(*items)
    assert run.remove(items[-1]) is None  # beyond the first SHOWN: only counted
    assert run.remove(items[0]) == 0  # shown: the next comes in
    nothing = fed(reading("rv", "reversed", 1, 1))
    assert nothing.remove(reading("rv", "reversed", 1, 1)) is None


def test_taking_back_a_reading_below_a_reversal_changes_nothing() -> None:
    below = reading("c", "considered", 4, 4)
    run = fed(reading("p", "proposed", 1, 1), reading("r", "court-approved", 2, 2),
              reading("rv", "reversed", 3, 3), below)
    assert run.stage == "proposed"
    assert run.remove(below) is None


def test_taking_back_a_reading_below_an_override_changes_nothing() -> None:
    items = [reading(f"p{n:02d}", "proposed", n, n) for n in range(1, SHOWN + 2)]
    below = reading("c", "considered", 40, 40, "c.example")
    run = fed(Override("proposed", "decree", day(0), None, stamp(0), 0), *items, below)
    assert run.remove(below) is None
    assert run.remove(items[-1]) is None  # and what supports it beyond the first SHOWN
