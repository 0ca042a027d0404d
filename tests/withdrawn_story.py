"""A story with every kind of step, told as feed items (the sentences are this project's own):
considered, proposed, a court step two sites misreport from their headlines and three later
articles take back, and one more headline that stays unconfirmed."""

from __future__ import annotations

from datetime import UTC, datetime

D = "taliban-designation"
FILLER = ["Trade delegations from both countries met in Kabul this week to discuss wheat.",
          "A rail link between the two capitals was again on the agenda of the talks.",
          "Fuel exports across the northern border rose for a third month."]


def item(n: int, site: str, day: datetime, title: str, text: str) -> dict:
    return {"guid": f"glance-{n}", "link": f"https://{site}/news/{n}", "published": day,
            "title": title, "text": text}


ITEMS = [
    item(1, "wire-one.example", datetime(2024, 5, 21, 9, tzinfo=UTC),
         "Moscow weighs a change of course on the Taliban",
         "Russia is considering removing the Taliban from its list of terrorist organisations."),
    item(2, "wire-two.example", datetime(2024, 11, 27, 9, tzinfo=UTC),
         "Prosecutors go to court over the Taliban ban",
         "Russia's prosecutors have filed a petition with the Supreme Court to lift the ban "
         "on the Taliban."),
    item(3, "hasty.example", datetime(2025, 1, 5, 9, tzinfo=UTC),
         "Russia's Supreme Court has removed the Taliban from the terrorist list", FILLER[0]),
    item(4, "echo.example", datetime(2025, 1, 6, 9, tzinfo=UTC),
         "Russian court removes the Taliban from its list of terrorist organisations",
         FILLER[1]),
    *[item(5 + n, f"careful-{n}.example", datetime(2025, 1, 8 + n, 9, tzinfo=UTC),
           f"Hearing on the Taliban ban set, report {n + 1}",
           "Russia's Supreme Court has scheduled a hearing on the prosecutors' petition to "
           "remove the Taliban from the list of terrorist organisations.")
      for n in range(3)],
    item(8, "rumour.example", datetime(2025, 3, 2, 9, tzinfo=UTC),
         "The Supreme Court in Moscow has taken the Taliban off Russia's terrorist list",
         FILLER[2]),
]
