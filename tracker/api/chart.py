"""The geometry of a designation's step chart (its stage over time), for the page's inline SVG:
the steps that stand as one line, each step marked, withdrawn steps and unconfirmed readings
apart. The template draws it; nothing here knows SVG's syntax."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

WIDTH, HEIGHT = 440, 190
LEFT, RIGHT, TOP, BOTTOM = 122, 14, 14, 30  # margins around the plot: the rungs' names left
MONTHS = (1, 3, 6, 12, 24, 60, 120)  # tick spacings tried, fewest ticks that fit first


@dataclass
class Mark:
    """A step (or an unconfirmed reading) at its place: x, y, and the y it rose from."""

    x: float
    y: float
    y_from: float
    kind: str  # up | down | override | withdrawn | unconfirmed
    item: dict[str, Any]
    x_end: float | None = None  # a withdrawn step: where it was taken back


@dataclass
class Chart:
    width: int
    height: int
    levels: list[tuple[str, float]]  # each rung's label and height, "no stage" first
    ticks: list[tuple[float, str]]
    line: str  # the path of the steps that stand
    steps: list[Mark] = field(default_factory=list)
    unconfirmed: list[Mark] = field(default_factory=list)
    left: float = LEFT
    right: float = WIDTH - RIGHT
    bottom: float = HEIGHT - BOTTOM


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def chart(document: dict[str, Any], now: datetime) -> Chart | None:
    """The chart of a status document as seen at `now`; None when it has nothing to draw."""
    history, unconfirmed = document["history"], document.get("unconfirmed", [])
    if not history and not unconfirmed:
        return None
    stages = document["stages"]
    rank = {None: 0, **{s: n + 1 for n, s in enumerate(stages)}}
    times = [when(t["since"]) for t in history] + [when(r["published_at"]) for r in unconfirmed]
    times += [when(t["withdrawn"]["at"]) for t in history if t["withdrawn"]]
    start, end = min(times), max([*times, now])
    pad = max((end - start) * 0.05, timedelta(days=2))
    start, end = start - pad, end + pad / 4

    def x(t: datetime) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (t - start) / (end - start), 1)

    def y(stage: str | None) -> float:
        return round(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * rank.get(stage, 0) / len(stages), 1)

    line, steps = [f"M{x(start)} {y(None)}"], []
    for t in history:
        if t["to"] not in rank or t["from"] not in rank:
            continue  # a stage an older log holds and the ladder no longer has
        at = x(when(t["since"]))
        if t["withdrawn"]:
            steps.append(Mark(at, y(t["to"]), y(t["from"]), "withdrawn", t,
                              x(when(t["withdrawn"]["at"]))))
            continue
        kind = "override" if t["cause"] == "override" else \
            "up" if rank[t["to"]] > rank[t["from"]] else "down"
        steps.append(Mark(at, y(t["to"]), y(t["from"]), kind, t))
        line.append(f"H{at} V{y(t['to'])}")
    line.append(f"H{x(end)}")
    dots = [Mark(x(when(r["published_at"])), y(r["stage"]), y(r["stage"]), "unconfirmed", r)
            for r in unconfirmed if r["stage"] in rank]
    levels = [("no stage", y(None))] + [(s, y(s)) for s in stages]
    return Chart(WIDTH, HEIGHT, levels, [(x(t), label) for t, label in ticks(start, end)],
                 " ".join(line), steps, dots)


def ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """Month or year starts between two times, at most five: a year's start by its year
    ("2025"), another month's by its name ("Jul")."""
    for step in MONTHS:
        first = start.year * 12 + start.month  # the month after start's, counted from year 0
        first += -first % step  # aligned on the step (January for whole years)
        found = []
        for n in range(first, end.year * 12 + end.month, step):
            tick = datetime(n // 12, n % 12 + 1, 1, tzinfo=UTC)
            if start <= tick <= end:
                found.append(tick)
        if len(found) <= 5:
            break
    return [(t, t.strftime("%Y" if t.month == 1 else "%b")) for t in found]
