"""The status rules, as an incremental fold over a designation's evidence and decisions.

Items are read in effective (publication) order, so history does not depend on arrival order.
The rules (the README's "Status rules" say the same for users):

- a reading is *strong* when it is an official list's entry (basis `official`), or when its
  deciding sentence is in the article's body (not the headline)
  and its confidence is at least the designation's `confirm.confidence`;
- a reading for a higher stage waits, *unconfirmed*, until the readings that agree with a step
  (its stage or higher) include a strong one or come from `confirm.sources` independent sites
  (a site is the host of the article's URL, else the feed); the step is then taken, skipping
  stages if the news skipped them, and its `since` is the earliest publication among those
  readings (a reading dated by the feed wins over one dated by its page or by first sight);
- readings for the same or a lower stage never move the designation down; the same stage
  supports the step; a lower stage, published after the step was taken, is evidence against
  it: when the sites against number at least `confirm.against` and more than the sites for it
  (a strong reading for it counting as `confirm.sources` sites), the step is withdrawn, kept in
  history with the readings on both sides, and the stage falls back to the step before; the
  readings against it that are above that stage are then read again as new readings;
- an unconfirmed reading is dropped by the same weighing, against the readings for a lower
  stage published after it;
- `reversed` evidence moves it one rung down, and an analyst's override sets any stage: both
  at once, with no confirmation, and neither is withdrawn by news (an analyst may withdraw
  an override: it is then read as if never given, like rejected evidence); `reversed` evidence that
  follows a reversal with no step up between supports that reversal (many articles tell one
  reversal: the designation goes down one rung, not one per article).

The fold keeps, per transition, only the first `SHOWN` supporting readings, a count of the
rest and the sites on each side, so its size grows with the number of transitions, not of
readings. An item that arrives late either changes nothing, or supports the transition it falls
under (no re-fold), or makes the fold start again from that transition only (from the start
when a withdrawal lies after it).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from tracker.domain.designations import REVERSED, Designation

OFFICIAL = "official"  # a reading's basis when it is an official list's entry
SHOWN = 25  # supporting readings kept per transition, earliest first; the rest are counted
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Reading(NamedTuple):
    """One piece of evidence as the status rules use it."""

    observation_id: str
    stage: str | None
    confidence: float
    quote: str | None
    classifier_version: str
    feed: str
    url: str | None
    title: str
    published_at: datetime
    recorded_at: str
    position: int
    basis: str = "body"  # headline | body
    date_source: str = "feed"  # feed | page | first_seen


class Override(NamedTuple):
    stage: str | None
    reason: str
    effective_at: datetime
    analyst: str | None
    recorded_at: str
    position: int


class Withdrawal(NamedTuple):
    """Later news took a step back: when (the reading that tipped it) and the readings against."""

    at: datetime
    position: int
    evidence: tuple[Reading, ...]
    evidence_total: int


class Transition(NamedTuple):
    from_stage: str | None
    to_stage: str | None
    since: datetime
    recorded_at: str
    position: int
    cause: str  # evidence | reversed | override
    reason: str | None
    evidence: tuple[Reading, ...]  # the first SHOWN, in effective order
    evidence_total: int
    withdrawn: Withdrawal | None = None


@dataclass(frozen=True)
class Timeline:
    stage: str | None
    since: datetime | None
    evidence: tuple[Reading, ...]
    history: tuple[Transition, ...]
    evidence_total: int = 0
    unconfirmed: tuple[Reading, ...] = ()  # readings for a higher stage, not yet confirmed


Item = Reading | Override
Key = tuple[datetime, int]


def key_of(item: Item) -> Key:
    when = item.published_at if isinstance(item, Reading) else item.effective_at
    return (when, item.position)


def micros(when: datetime) -> int:
    """Microseconds since the epoch: the effective time as a sortable integer."""
    return (when - EPOCH) // _MICROSECOND


_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - EPOCH


def site_of(reading: Reading) -> str:
    """The source a reading is independent by: the article's host (without `www.`), else its
    feed. Read by hand: urlsplit cost a fifth of a replay."""
    url = reading.url
    if url:
        rest = url.partition("://")[2]
        host = rest.partition("/")[0].partition("?")[0].partition("#")[0].rpartition("@")[2]
        host = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
        if host:
            return host.lower().removeprefix("www.")
    return reading.feed


def strong(reading: Reading, confidence: float) -> bool:
    """Whether a reading confirms a step on its own: an official list's entry, or a body
    sentence read with at least `confidence` (an older log's confidence may be anything)."""
    if reading.basis == OFFICIAL:
        return True
    return reading.basis == "body" and isinstance(reading.confidence, int | float) \
        and reading.confidence >= confidence


def since_of(readings: Iterable[Reading]) -> datetime:
    """The earliest publication among readings; a feed's own date wins over an inferred one."""
    readings = list(readings)
    dated = [r.published_at for r in readings if r.date_source == "feed"]
    return min(dated or [r.published_at for r in readings])


class Shown:
    """The first SHOWN readings (in effective order) of a growing set, and how many in all."""

    __slots__ = ("keys", "readings", "total")

    def __init__(self) -> None:
        self.readings: list[Reading] = []
        self.keys: list[Key] = []
        self.total = 0

    def add(self, reading: Reading) -> None:
        self.total += 1
        key = key_of(reading)
        if len(self.keys) < SHOWN or key < self.keys[-1]:
            index = bisect.bisect(self.keys, key)
            self.keys.insert(index, key)
            self.readings.insert(index, reading)
            del self.keys[SHOWN:], self.readings[SHOWN:]

    def copy(self) -> Shown:
        other = Shown()
        other.readings, other.keys, other.total = list(self.readings), list(self.keys), self.total
        return other


@dataclass
class Step:
    """One transition being folded: the readings for it and, after it, against it."""

    from_stage: str | None
    to_stage: str | None
    key: Key  # the item that took the step (for evidence: the one that confirmed it)
    since: datetime
    recorded_at: str
    cause: str
    reason: str | None
    before: tuple[tuple[Reading, ...], tuple[Reading, ...]] = ((), ())  # unconfirmed, against
    shown: Shown = field(default_factory=Shown)
    sites: Counter[str] = field(default_factory=Counter)  # sites of the readings for it
    strong: int = 0  # strong readings for it
    against: Shown = field(default_factory=Shown)
    against_sites: Counter[str] = field(default_factory=Counter)
    kept: Shown = field(default_factory=Shown)  # the first against it above from_stage
    weight: int = 0  # the weight for it when it was taken
    had_unconfirmed: bool = False  # readings waited for confirmation while it was current
    withdrawn: Withdrawal | None = None

    def transition(self) -> Transition:
        return Transition(self.from_stage, self.to_stage, self.since, self.recorded_at,
                          self.key[1], self.cause, self.reason, tuple(self.shown.readings),
                          self.shown.total, self.withdrawn)

    def copy(self) -> Step:
        return Step(self.from_stage, self.to_stage, self.key, self.since, self.recorded_at,
                    self.cause, self.reason, self.before, self.shown.copy(), Counter(self.sites),
                    self.strong, self.against.copy(), Counter(self.against_sites),
                    self.kept.copy(), self.weight, self.had_unconfirmed, self.withdrawn)


class Fold:
    """The status rules applied item by item; items may come late, or be taken back."""

    def __init__(self, designation: Designation, rejected: Container[str]) -> None:
        self.designation, self.rejected = designation, rejected
        self.confirm = designation.confirm
        self.steps: list[Step] = []
        self.keys: list[Key] = []  # each step's key
        self.last: Key | None = None  # the latest key ever taken (a high-water mark)
        self.unconfirmed: list[Reading] = []  # in effective order
        self.lower: list[Reading] = []  # readings below some unconfirmed one, after it

    # -- the rules ----------------------------------------------------------------------
    def rank(self, stage: str | None) -> int:
        return self.designation.rank(stage)

    def strong(self, reading: Reading) -> bool:
        return strong(reading, self.confirm.confidence)

    def _current(self) -> Step | None:
        for step in reversed(self.steps):
            if step.withdrawn is None:
                return step
        return None

    @property
    def stage(self) -> str | None:
        step = self._current()
        return step.to_stage if step else None

    def _weight(self, step: Step) -> int:
        """The weight for a step: its sites, a strong reading counting as `sources` sites."""
        return len(step.sites) + (self.confirm.sources - 1 if step.strong else 0)

    def feed(self, item: Item) -> None:
        """Take an item whose key is after every key taken so far (or after a cut)."""
        key = key_of(item)
        if self.last is None or key > self.last:
            self.last = key
        if ruled_out(item, self.rejected):
            return
        self._take_item(item, key)
        current = self._current()
        if current is not None and self.unconfirmed:
            current.had_unconfirmed = True

    def _take_item(self, item: Item, key: Key) -> None:
        current = self._current()
        stage = current.to_stage if current else None
        if isinstance(item, Override):
            if item.stage != stage:
                self._take(Step(stage, item.stage, key, item.effective_at, item.recorded_at,
                                "override", item.reason, self._pending()))
                self._settle_unconfirmed()
            return
        if item.stage == REVERSED:
            if current is not None and current.cause == "reversed":
                current.shown.add(item)  # the same reversal told again: no second rung down
            elif stage is not None:
                step = Step(stage, self.designation.below(stage), key, item.published_at,
                            item.recorded_at, "reversed", None, self._pending())
                step.shown.add(item)
                self._take(step)
                self._settle_unconfirmed()
            return
        rank, held = self.rank(item.stage), self.rank(stage)
        if current is not None and rank >= held:
            self._for(current, item)
        if rank > held:
            self.unconfirmed.append(item)
            self._confirm(item, item)
        elif current is not None and rank < held and current.cause == "evidence":
            self._against(current, item)
        if self.unconfirmed:
            self._contradict(item)

    def _pending(self) -> tuple[tuple[Reading, ...], tuple[Reading, ...]]:
        return tuple(self.unconfirmed), tuple(self.lower)

    def _take(self, step: Step) -> None:
        self.steps.append(step)
        self.keys.append(step.key)

    def _settle_unconfirmed(self) -> None:
        """After a step: readings at or below its stage no longer wait."""
        held = self.rank(self.stage)
        self.unconfirmed = [r for r in self.unconfirmed if self.rank(r.stage) > held]
        if not self.unconfirmed:
            self.lower.clear()

    def _for(self, step: Step, reading: Reading) -> None:
        if reading.stage == step.to_stage:
            step.shown.add(reading)
        step.sites[site_of(reading)] += 1
        step.strong += self.strong(reading)

    def _confirm(self, reading: Reading, at: Reading) -> None:
        """Take the highest step the unconfirmed readings (`reading` the newest of them) now
        confirm, if any, as taken at `at` (the reading being fed)."""
        held = self.rank(self.stage)
        for rank in range(self.rank(reading.stage), held, -1):
            agreeing = [r for r in self.unconfirmed if self.rank(r.stage) >= rank]
            sites = {site_of(r) for r in agreeing}
            if not any(self.strong(r) for r in agreeing) and len(sites) < self.confirm.sources:
                continue
            stage = self.designation.stages[rank - 1]
            before = (tuple(r for r in self.unconfirmed if r is not at), tuple(self.lower))
            step = Step(self.stage, stage, key_of(at), since_of(agreeing), at.recorded_at,
                        "evidence", None, before)
            for r in agreeing:
                self._for(step, r)
            step.weight = self._weight(step)
            self._take(step)
            self._settle_unconfirmed()
            return

    def _against(self, step: Step, reading: Reading) -> None:
        step.against.add(reading)
        step.against_sites[site_of(reading)] += 1
        if self.rank(reading.stage) > self.rank(step.from_stage):
            step.kept.add(reading)
        against = len(step.against_sites)
        if against >= self.confirm.against and against > self._weight(step):
            self._withdraw(step, reading)

    def _withdraw(self, step: Step, reading: Reading) -> None:
        step.withdrawn = Withdrawal(reading.published_at, reading.position,
                                    tuple(step.against.readings), step.against.total)
        for again in step.kept.readings:  # what the news against it says, read anew
            current = self._current()
            if current is not None and self.rank(again.stage) >= self.rank(current.to_stage):
                self._for(current, again)
            if self.rank(again.stage) > self.rank(self.stage):
                self.unconfirmed.append(again)
                self.unconfirmed.sort(key=key_of)
                self._confirm(again, reading)

    def _contradict(self, reading: Reading) -> None:
        """Drop the unconfirmed readings that later readings of a lower stage outweigh."""
        rank = self.rank(reading.stage)
        if not any(self.rank(r.stage) > rank for r in self.unconfirmed):
            return
        self.lower.append(reading)
        dropped = set()
        for waiting in self.unconfirmed:
            at = self.rank(waiting.stage)
            after = key_of(waiting)
            against = {site_of(r) for r in self.lower
                       if self.rank(r.stage) < at and key_of(r) > after}
            agreeing = {site_of(r) for r in self.unconfirmed if self.rank(r.stage) >= at}
            if len(against) >= self.confirm.against and len(against) > len(agreeing):
                dropped.add(key_of(waiting))
        if dropped:
            self.unconfirmed = [r for r in self.unconfirmed if key_of(r) not in dropped]
        if self.unconfirmed:
            first = key_of(self.unconfirmed[0])
            self.lower = [r for r in self.lower if key_of(r) > first]
        else:
            self.lower.clear()

    # -- late items ---------------------------------------------------------------------
    def _span(self, key: Key) -> int:
        """The index of the step whose span holds `key` (-1 before the first)."""
        return bisect.bisect_right(self.keys, key) - 1

    def _withdrawn_after(self, at: int) -> bool:
        """Whether a step was withdrawn at or after step `at`'s key (the step before it then
        took readings after it, so that folding again from `at` would take them twice)."""
        start = self.keys[at]
        return any(s.withdrawn is not None and (s.withdrawn.at, s.withdrawn.position) >= start
                   for s in self.steps)

    def _quiet(self, at: int) -> bool:
        """Whether a late item in step `at`'s span can be weighed on its own: no withdrawal
        after it, and no reading waited for confirmation while `at` was current."""
        return not self.steps[at].had_unconfirmed and not self._withdrawn_after(at)

    def _again_from(self, at: int) -> int:
        """Where to fold again from, for a change at step `at` (the start, past a withdrawal)."""
        return 0 if self._withdrawn_after(at) else at

    def add(self, item: Item) -> int | None:
        """Take an item at its place; None when done, else the step to fold again from."""
        key = key_of(item)
        if self.last is None or key > self.last:
            self.feed(item)
            return None
        if ruled_out(item, self.rejected):
            return None
        at = self._span(key)
        if at < 0:
            return 0
        step = self.steps[at]
        if not self._quiet(at) or isinstance(item, Override) or item.stage == REVERSED:
            return self._again_from(at)
        rank, held = self.rank(item.stage), self.rank(step.to_stage)
        if rank == held:
            self._for(step, item)
            return None
        if rank < held and step.cause == "evidence":
            site = site_of(item)
            if len(step.against_sites) + (site not in step.against_sites) > step.weight:
                return at  # it may tip the step: weigh it in order
            # Never more sites against than the weight it was taken with: it stands, as it
            # would have had the reading come in order.
            step.against.add(item)
            step.against_sites[site] += 1
            if rank > self.rank(step.from_stage):
                step.kept.add(item)
            return None
        return None if rank < held else at

    def remove(self, item: Item) -> int | None:
        """Take an item back; None when done, else the step to fold again from."""
        if ruled_out(item, self.rejected):
            return None
        key = key_of(item)
        at = self._span(key)
        if at < 0:
            return 0 if self.steps or self.unconfirmed else None
        step = self.steps[at]
        if step.key == key or not self._quiet(at):
            return self._again_from(at)
        if isinstance(item, Reading) and item.stage == REVERSED and step.cause == "reversed":
            return at  # it supported the reversal it fell under
        if isinstance(item, Override) or item.stage == REVERSED:
            return None  # it changed nothing where it stood
        rank, held = self.rank(item.stage), self.rank(step.to_stage)
        if rank == held:
            if key in step.shown.keys or step.against.total:
                return at
            step.shown.total -= 1
            step.sites[site_of(item)] -= 1
            step.sites += Counter()  # drop a site with no readings left
            step.strong -= self.strong(item)
        elif rank < held and step.cause == "evidence":
            if key in step.against.keys or key in step.kept.keys:
                return at
            step.against.total -= 1
            step.against_sites[site_of(item)] -= 1
            step.against_sites += Counter()
        elif rank > held:
            return at
        return None

    def cut(self, at: int) -> Key | None:
        """Drop the steps from `at` on; the key to feed again from (None: from the start)."""
        if at < len(self.steps):
            start: Key | None = self.keys[at]
            self.unconfirmed, self.lower = (list(part) for part in self.steps[at].before)
        else:
            start = None
        del self.steps[at:], self.keys[at:]
        if at == 0:
            self.unconfirmed, self.lower = [], []
            return None
        return start

    def result(self) -> Timeline:
        history = tuple(step.transition() for step in self.steps)
        unconfirmed = tuple(self.unconfirmed[:SHOWN])
        current = self._current()
        if current is None:
            return Timeline(None, None, (), history, 0, unconfirmed)
        last = current.transition()
        return Timeline(last.to_stage, last.since, last.evidence, history, last.evidence_total,
                        unconfirmed)

    def copy(self, rejected: Container[str]) -> Fold:
        other = Fold(self.designation, rejected)
        other.steps = [s.copy() for s in self.steps]
        other.keys, other.last = list(self.keys), self.last
        other.unconfirmed, other.lower = list(self.unconfirmed), list(self.lower)
        return other


def fold(designation: Designation, items: Iterable[Item], rejected: Container[str],
         as_of: datetime | None = None) -> Timeline:
    """Read the items (in effective order) up to `as_of` and derive the timeline."""
    run = Fold(designation, rejected)
    for item in items:
        if as_of is not None and key_of(item)[0] > as_of:
            break
        run.feed(item)
    return run.result()


def withdrawn_key(position: int) -> str:
    """How a withdrawn override is named among the rejected: beside rejected observations."""
    return f"override@{position}"


def ruled_out(item: Item, rejected: Container[str]) -> bool:
    """Evidence an analyst rejected, or an override an analyst withdrew."""
    if isinstance(item, Reading):
        return item.observation_id in rejected
    return withdrawn_key(item.position) in rejected


def settable(designation: Designation, stage: str | None) -> bool:
    """Whether an override's stage takes part in the rules: no stage, or one of the ladder
    (an older log may hold one since taken off it)."""
    return stage is None or stage in designation.stages


def known(designation: Designation, stage: str | None) -> bool:
    """Whether a reading's stage takes part in the rules (None and unknown stages do not)."""
    return stage is not None and (stage == REVERSED or stage in designation.stages)
