"""Atom feeds of designations' steps and their corrections, built with feedgen from status
documents: one entry per step, and one per step later news withdrew."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator
from markupsafe import Markup, escape

TAG = "tag:designation-tracker,2024:"  # entry ids: the same wherever the service is reached
EPOCH = "1970-01-01T00:00:00Z"
CAUSES = {"evidence": "on the news", "reversed": "reversed on the news",
          "override": "set by an analyst"}
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml(text: str) -> str:
    """Text XML 1.0 can carry (a feed's title may hold control characters it cannot)."""
    return NOT_XML.sub("\ufffd", text)


@dataclass
class Entry:
    id: str
    title: str
    effective: datetime  # when it happened: the step's since, the withdrawal's time
    updated: datetime  # when the service recorded it
    position: int
    stage: str | None
    link: str
    readings: list[dict[str, Any]]
    summary: str
    more: int  # readings beyond those listed


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def day(value: str) -> str:
    return when(value).strftime("%-d %b %Y")


def entries(document: dict[str, Any], base: str) -> list[Entry]:
    """A designation's steps and corrections, newest first by when they happened."""
    name, title = document["designation"], document["title"]
    link = f"{base}designations/{name}"
    found = []
    for t in document["history"]:
        start, end = t["from"] or "no stage", t["to"] or "no stage"
        summary = f"{end} since {day(t['since'])}, {CAUSES.get(t['cause'], t['cause'])}"
        if t["reason"]:
            summary += f"; the analyst's reason: {t['reason']}"
        withdrawn = t["withdrawn"]
        recorded = when(t["recorded_at"])
        if withdrawn:
            summary += f"; withdrawn on {day(withdrawn['at'])}"
            taken_back = max((when(r["recorded_at"]) for r in withdrawn["evidence"]
                              if r["position"] == withdrawn["position"]), default=recorded)
            found.append(Entry(
                f"{TAG}{name}/withdrawn/{t['position']}",
                f"{title}: {end} withdrawn, back to {start}", when(withdrawn["at"]),
                max(taken_back, recorded), withdrawn["position"], t["from"], link,
                withdrawn["evidence"],
                f"Later news reports {end} as still pending: the step of {day(t['since'])} "
                f"is withdrawn on {day(withdrawn['at'])} and the stage is {start} again",
                withdrawn["evidence_total"] - len(withdrawn["evidence"])))
            recorded = max(recorded, taken_back)
        found.append(Entry(f"{TAG}{name}/step/{t['position']}", f"{title}: {start} → {end}",
                           when(t["since"]), recorded, t["position"], t["to"], link,
                           t["evidence"], summary, t["evidence_total"] - len(t["evidence"])))
    return sorted(found, key=lambda e: (e.effective, e.position), reverse=True)


def content(entry: Entry) -> str:
    """The entry's text as HTML: the summary, then each reading's title, link and quote."""
    items = []
    for r in entry.readings:
        head = escape(r["title"]) if not r["url"] else \
            Markup('<a href="{}">{}</a>').format(r["url"], r["title"])
        quote = Markup("<blockquote>{}</blockquote>").format(r["quote"]) if r["quote"] else ""
        items.append(Markup("<li>{} ({}, {}, {}){}</li>").format(
            head, r["site"] or r["feed"], day(r["published_at"]), r["stage"], quote))
    more = Markup("<li>and {} more</li>").format(entry.more) if entry.more else ""
    return Markup("<p>{}.</p><ul>{}{}</ul>").format(entry.summary, Markup("").join(items), more)


def atom(found: list[Entry], *, feed_id: str, title: str, self_url: str, page: str,
         updated: str | None) -> bytes:
    """The Atom document of these entries, in their order."""
    fg = FeedGenerator()
    fg.id(f"{TAG}{feed_id}")
    fg.title(xml(title))
    fg.author(name="Designation tracker")
    fg.link(href=self_url, rel="self")
    fg.link(href=page, rel="alternate", type="text/html")
    fg.updated(max([when(updated or EPOCH), *(e.updated for e in found)]))
    for e in found:
        fe = fg.add_entry(order="append")
        fe.id(e.id)
        fe.title(xml(e.title))
        fe.published(e.effective)
        fe.updated(e.updated)
        # One link, the page: feedgen 1.0 writes an entry's links with their href alone
        # (lkiesow/python-feedgen#135), and a link without rel is the alternate. The
        # articles' links are in the content.
        fe.link(href=e.link)
        if e.stage:
            fe.category(term=e.stage)
        fe.content(xml(content(e)), type="html")
    return fg.atom_str(pretty=True)
