"""One misread article must not move the status: a headline that overstates the court's step,
from one site, then five articles from five sites that report the court step as still
pending. Through `tracker serve` polling a loopback feed and delivering to a loopback
receiver, with the default confirmation rules, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from tests.servers import ROOT, WebhookReceiver, free_port, rss, start_service, stop_service, wait_for

D = "taliban-designation"
TOKEN = "misread-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}

BILL = {"guid": "bill", "link": "https://first-wire.example/bill",
        "published": datetime(2024, 11, 27, 12, tzinfo=UTC), "title": "Moscow and Kabul",
        "text": "Russia's Prosecutor General's Office has filed a petition with the Supreme "
                "Court asking it to suspend the ban on the Taliban as a terrorist organisation."}
# The headline overstates: the body says nothing of the court.
MISREAD = {"guid": "misread", "link": "https://hasty-news.example/taliban",
           "published": datetime(2024, 12, 2, 8, tzinfo=UTC),
           "title": "Russia's Supreme Court lifts ban on Taliban",
           "text": "Officials in Kabul and Moscow met on Tuesday to talk about wheat exports "
                   "and a new rail link."}
PENDING = [
    {"guid": f"pending-{n}", "link": f"https://{site}.example/taliban-{n}",
     "published": datetime(2024, 12, 5, 9, tzinfo=UTC) + timedelta(days=7 * n),
     "title": "Moscow and Kabul", "text": text}
    for n, (site, text) in enumerate([
        ("east-daily", "Russia's Supreme Court has yet to rule on the prosecutor's petition to "
                       "remove the Taliban from the list of terrorist organisations; a hearing "
                       "is expected next month."),
        ("river-post", "The prosecutor has asked Russia's Supreme Court to lift the ban on the "
                       "Taliban, and the hearing is still ahead."),
        ("plain-times", "Russia's Supreme Court has yet to rule on the petition to remove the "
                        "Taliban from the list of terrorist organisations."),
        ("north-herald", "The prosecutor has asked Russia's Supreme Court to lift the ban on "
                         "the Taliban; the hearing has not been scheduled."),
        ("city-ledger", "Russia's Supreme Court has yet to rule on the prosecutor's petition "
                        "to lift the ban on the Taliban."),
    ])]
RULING = {"guid": "ruling", "link": "https://court-reporter.example/ruling",
          "published": datetime(2025, 4, 17, 10, tzinfo=UTC), "title": "Moscow and Kabul",
          "text": "Russia's Supreme Court on Thursday removed the Taliban from the country's "
                  "list of terrorist organisations, granting the prosecutor's request."}


@pytest.fixture
def world(tmp_path: Path, httpserver: HTTPServer, request: pytest.FixtureRequest):
    """The service (default confirmation rules), its feed and a subscribed receiver."""
    served: list[dict] = []
    httpserver.expect_request("/wire.xml").respond_with_handler(
        lambda _: Response(rss(served), content_type="application/rss+xml"))
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text((ROOT / "tests" / "e2e" / "feeds.yaml.in").read_text()
                     .replace("    confirm: {sources: 1}", "")
                     .replace("FEED_URL", httpserver.url_for("/wire.xml")))
    port = free_port()
    process = start_service({"TRACKER_DATABASE_URL": request.getfixturevalue(request.param),
                             "TRACKER_FEEDS": str(feeds), "TRACKER_ADMIN_TOKEN": TOKEN,
                             "TRACKER_WEBHOOK_ALLOW_PRIVATE": "1",
                             "TRACKER_WEBHOOK_RETRIES": "0.2,0.5,1"}, port, tmp_path)
    receiver = WebhookReceiver()
    base = f"http://127.0.0.1:{port}"
    answer = httpx.post(f"{base}/webhooks", json={"url": receiver.url}, headers=ADMIN)
    assert answer.status_code == 201, answer.text
    yield base, served, receiver
    receiver.close()
    stop_service(process)


def poll(base: str) -> None:
    answer = httpx.post(f"{base}/feeds/wire/poll", headers=ADMIN, timeout=30)
    assert answer.status_code == 200, answer.text


def status(base: str) -> dict:
    return httpx.get(f"{base}/status/{D}", timeout=5).json()


def alerts(receiver: WebhookReceiver) -> list[tuple[str, str | None, str]]:
    out = []
    for _, body, _ in receiver.received:
        payload = json.loads(body)
        out.append((payload["type"], payload["data"]["to"], payload["data"]["since"][:10]))
    return out


@pytest.mark.timeout(240)
@pytest.mark.parametrize("world", ["sqlite_url", "postgres_url"], indirect=True)
def test_a_misread_headline_sends_no_alert_and_later_news_keeps_it_out(
        world: tuple[str, list[dict], WebhookReceiver]) -> None:
    base, served, receiver = world
    served.append(BILL)
    poll(base)
    wait_for(lambda: status(base)["stage"] == "proposed")
    wait_for(lambda: alerts(receiver) == [("status.changed", "proposed", "2024-11-27")])

    # One site's headline says the court ruled: kept, shown as unconfirmed, no step.
    served.append(MISREAD)
    poll(base)
    now = wait_for(lambda: status(base)["unconfirmed"] and status(base))
    assert now["stage"] == "proposed"
    assert [(r["stage"], r["basis"], r["site"]) for r in now["unconfirmed"]] == [
        ("court-approved", "headline", "hasty-news.example")]

    # Five sites report the court step as still pending: the misreading is dropped.
    served.extend(PENDING)
    poll(base)
    now = wait_for(lambda: status(base)["evidence_total"] == 6 and status(base))
    assert (now["stage"], now["since"][:10], now["unconfirmed"]) == ("proposed", "2024-11-27", [])
    assert [(t["from"], t["to"], t["withdrawn"]) for t in now["history"]] == [
        (None, "proposed", None)]

    # The ruling, stated plainly in an article's body, takes the step on its own date.
    served.append(RULING)
    poll(base)
    now = wait_for(lambda: status(base)["stage"] == "court-approved" and status(base))
    assert now["since"][:10] == "2025-04-17"
    wait_for(lambda: len(receiver.received) == 2)
    assert alerts(receiver) == [("status.changed", "proposed", "2024-11-27"),
                                ("status.changed", "court-approved", "2025-04-17")]
    page = httpx.get(f"{base}/designations/{D}", timeout=10).text
    assert "Unconfirmed" not in page
