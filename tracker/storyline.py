"""A labelled corpus served as a news feed: poll it, and compare the history the tracker
derives with the truth the labels give.

The truth of a designation: each stage is reached on the earliest publication date of an
item labelled with that stage or a higher one. A `reversed` label (a proposal withdrawn, a
court refusing) reaches no stage and takes none back from the truth: the comparison is of
when each stage was *first* reached, which a later reversal does not change, and the
tracker's own reversal steps (a rung down) are likewise left out of what it reached.

Compared per designation and per stage of its ladder:

- right: reached in both, on the same day;
- off: reached in both, on different days (with the days between);
- missing: the truth reaches it, the tracker does not;
- wrong: the tracker reaches it, the truth never does;
- false alerts: a `status.changed` announcement (a StatusChanged that is no correction) of a
  step up to a stage the truth never reaches, or dated before the truth reached it;
- unbacked alerts: an announced step up that no strong reading, nor agreeing readings from
  enough independent sites, back (the confirmation rule says there are none);
- corrections: `status.corrected` announcements (steps withdrawn by later news).

Used by tests/e2e/test_real_stories.py and bench/timeline.py; the feed it serves:
story_feed.py.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from tracker import views
from tracker.bootstrap import Tracker, build
from tracker.domain.designations import REVERSED, Designation
from tracker.domain.events import StatusChanged
from tracker.domain.status import Reading, site_of
from tracker.domain.status import strong as is_strong
from tracker.feeds.fetch import make_client
from tracker.services.polling import Poller
from tracker.settings import Settings
from tracker.store.database import file_url
from tracker.story_feed import FeedServer, Item, load_items, rss

FEED = "corpus"


def truth(items: list[Item], designation: Designation) -> dict[str, date]:
    """Each stage the labels reach, on the earliest date of an item labelled with it or
    higher (see the module's docstring for `reversed`)."""
    reached: dict[str, date] = {}
    for item in items:
        label = item.labels.get(designation.id)
        if label is None or label in ("none", REVERSED) or label not in designation.stages:
            continue
        for stage in designation.stages[:designation.rank(label)]:
            if stage not in reached or item.published < reached[stage]:
                reached[stage] = item.published
    return reached


@dataclass
class Score:
    designation: str
    truth: dict[str, date]
    reached: dict[str, date]
    right: int = 0
    off: int = 0
    days_off: int = 0
    missing: int = 0
    wrong: int = 0
    false_alerts: int = 0
    unbacked_alerts: int = 0  # alerts of a step no strong reading nor enough sites back
    corrections: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[tuple[str | None, str | None, date, str]] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return self.off == self.missing == self.wrong == 0


def reached_by(history: list[dict[str, Any]], designation: Designation) -> dict[str, date]:
    """Each stage a history reaches first: steps up that stand (withdrawn ones reach none)."""
    reached: dict[str, date] = {}
    for step in history:
        up = designation.rank(step["to"]) > designation.rank(step["from"])
        if step.get("withdrawn") or not up:
            continue
        when = datetime.fromisoformat(step["since"].replace("Z", "+00:00")).date()
        for stage in designation.stages[:designation.rank(step["to"])]:
            if stage not in reached or when < reached[stage]:
                reached[stage] = when
    return reached


def backed(designation: Designation, readings: list[Reading], stage: str | None) -> bool:
    """Whether the readings hold what confirms a step to `stage`: a strong one agreeing with
    it, or agreeing ones from enough independent sites."""
    rank, confirm = designation.rank(stage), designation.confirm
    agreeing = [r for r in readings if r.stage in designation.stages
                and designation.rank(r.stage) >= rank]
    strong = any(is_strong(r, confirm.confidence) for r in agreeing)
    return strong or len({site_of(r) for r in agreeing}) >= confirm.sources


def score(designation: Designation, items: list[Item], history: list[dict[str, Any]],
          alerts: list[StatusChanged], readings: list[Reading] | None = None) -> Score:
    expected = truth(items, designation)
    got = reached_by(history, designation)
    s = Score(designation.id, expected, got, history=history)
    for stage in designation.stages:
        if stage in expected and stage in got:
            days = abs((got[stage] - expected[stage]).days)
            s.right += days == 0
            s.off += days != 0
            s.days_off += days
        elif stage in expected:
            s.missing += 1
        elif stage in got:
            s.wrong += 1
    for change in alerts:
        if change.cause == "correction":
            s.corrections += 1
            continue
        s.alerts.append((change.from_stage, change.to_stage, change.since.date(), change.cause))
        if designation.rank(change.to_stage) <= designation.rank(change.from_stage):
            continue
        first = expected.get(change.to_stage or "")
        if first is None or change.since.date() < first:
            s.false_alerts += 1
        if change.cause == "evidence" and readings is not None \
                and not backed(designation, readings, change.to_stage):
            s.unbacked_alerts += 1
    return s


def feeds_file(designations_yaml: Path, feed_url: str, folder: Path) -> Path:
    """The corpus's designations with one feed, the loopback server, naming them all."""
    data = yaml.safe_load(designations_yaml.read_text(encoding="utf-8"))
    data["feeds"] = [{"id": FEED, "url": feed_url, "interval": "1h",
                      "designations": sorted(data["designations"])}]
    path = folder / "feeds.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def rounds_of(items: list[Item], rounds: int, seed: int | None) -> list[list[Item]]:
    """What the feed serves at each poll: everything at once (seed None), or the items in a
    shuffled order, a growing share of them per poll (a feed keeps its recent entries)."""
    if seed is None:
        return [items]
    order = list(items)
    random.Random(seed).shuffle(order)
    size = -(-len(order) // rounds)
    return [order[:size * (n + 1)] for n in range(rounds)]


def poll(tracker: Tracker) -> None:
    async def run() -> None:
        async with make_client() as client:
            poller = Poller(tracker.engine, tracker.log, tracker.catalog, client)
            await poller.poll(FEED, force=True)

    asyncio.run(run())
    tracker.settle()


@contextmanager
def served(corpus: Path, database_url: str | None = None) -> Iterator[tuple[Tracker, FeedServer]]:
    """A tracker (on a fresh embedded database file unless a migrated one is given) following the
    corpus's designations through one loopback feed."""
    server = FeedServer()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = database_url or file_url(folder / "tracker.db")
        feeds = feeds_file(corpus / "designations.yaml", server.url, folder)
        tracker = build(Settings(database_url=url, feeds=feeds), migrate=True)
        try:
            yield tracker, server
        finally:
            tracker.close()
            server.close()


def run_story(corpus: Path, database_url: str | None = None, seed: int | None = None,
              rounds: int = 5, check: Callable[[Tracker], None] | None = None) -> list[Score]:
    """Serve the corpus's dated items (at once, or shuffled over `rounds` polls), poll, and
    score every designation; `check` may look at the tracker before it closes."""
    items = load_items(corpus)
    with served(corpus, database_url) as (tracker, server):
        for served_items in rounds_of(items, rounds, seed):
            server.body = rss(served_items)
            poll(tracker)
        changes: dict[str, list[StatusChanged]] = {}
        for stored in tracker.log.read(types=["StatusChanged"]):
            change = stored.decode()
            changes.setdefault(change.designation, []).append(change)
        if check is not None:
            check(tracker)
        return [score(d, items, views.history(tracker.engine, tracker.catalog, name)["history"],
                      changes.get(name, []),
                      list(tracker.writer.state(name).readings.values()))
                for name, d in tracker.catalog.designations.items()]


def table(scores: list[Score]) -> str:
    """The scores as a text table, one row per designation, and the totals."""
    head = ("designation", "right", "off", "days off", "missing", "wrong", "false alerts",
            "unbacked alerts", "corrections")
    rows: list[tuple[object, ...]] = [
        (s.designation, s.right, s.off, s.days_off, s.missing, s.wrong, s.false_alerts,
         s.unbacked_alerts, s.corrections) for s in scores]
    totals = [sum(getattr(s, name) for s in scores) for name in (
        "right", "off", "days_off", "missing", "wrong", "false_alerts", "unbacked_alerts",
        "corrections")]
    rows.append(("total", *totals))
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                       for i, (v, w) in enumerate(zip(row, widths, strict=True)))
             for row in [head, *rows]]
    return "\n".join(lines)
