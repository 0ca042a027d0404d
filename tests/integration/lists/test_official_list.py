"""An official list as a source, end to end on SQLite and PostgreSQL: a page of the shape of
Russia's unified federal list (fsb.ru/fsb/npd/terror.htm: a table whose rows hold a number, the
organisation's name with its aliases, and the court's decision), served on loopback, polled
like a feed, its changes recorded and read as official evidence."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from tracker import views
from tracker.bootstrap import Tracker, build
from tracker.domain.events import EvidenceRecorded
from tracker.feeds.fetch import Limits, make_client
from tracker.services.polling import Poller
from tracker.settings import Settings
from tracker.webhooks import subscriptions as subs
from tracker.webhooks.tables import deliveries

D = "taliban-designation"
L = "new-group-listing"
SELECTOR = "table.list tr > td:nth-of-type(2)"
OTHERS = ["«База» («Аль-Каида»)", "«Асбат аль-Ансар»", "«Священная война» («Аль-Джихад»)"]
TALIBAN = "«Движение Талибан»"


def fsb_page(names: list[str], *, layout: str = "table", stated: str | None = None) -> bytes:
    """A page shaped like the FSB's list, in its windows-1251 encoding."""
    rows = "".join(f"<tr><td>{n}.</td><td>{name}</td><td>Решение Верховного Суда Российской "
                   f"Федерации от 14.02.2003 № ГКПИ 03-116</td></tr>"
                   for n, name in enumerate(names, 1))
    date = f'<p class="updated">По состоянию на {stated}</p>' if stated else ""
    if layout == "table":
        body = ('<table class="list"><tr><th>№</th><th>Наименование организации</th>'
                f"<th>Решение суда</th></tr>{rows}</table>")
    else:  # the site redesigned: the same names, in a list the selector does not find
        body = "<ul class='orgs'>" + "".join(f"<li>{name}</li>" for name in names) + "</ul>"
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; '
            'charset=windows-1251"><title>Единый федеральный список организаций, в том числе '
            'иностранных и международных, признанных судами Российской Федерации '
            f"террористическими</title></head><body>{date}{body}</body></html>")
    return html.encode("cp1251")


class ListServer:
    """Serves the list's current page; the test changes it between polls."""

    def __init__(self, server: HTTPServer) -> None:
        self.page = fsb_page([*OTHERS, TALIBAN])
        self.url = server.url_for("/fsb/npd/terror.htm")
        server.expect_request("/fsb/npd/terror.htm").respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        etag = f'"{hashlib.sha256(self.page).hexdigest()[:16]}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(self.page, content_type="text/html", headers={"ETag": etag})


def catalog(tmp_path: Path, url: str, disputed_after: int = 2, extra: str = "") -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(f"""\
designations:
  {D}:
    title: Taliban on Russia's list
    subject: [Taliban, Taleban, Талибан, Движение Талибан]
    authority: [Russia]
  {L}:
    title: A new group on Russia's list
    subject: [Новая группа]
    authority: [Russia]
    change: listing
feeds: []
lists:
  - id: fsb-terror
    url: {url}
    interval: 6h
    selector: "{SELECTOR}"
    designations: [{D}, {L}]
    disputed_after: {disputed_after}
{extra}""")
    return path


@pytest.fixture
def tracked(database_url: str, tmp_path: Path, httpserver: HTTPServer):
    served = ListServer(httpserver)
    tracker = build(Settings(database_url=database_url, feeds=catalog(tmp_path, served.url),
                             webhook_allow_private=True))
    yield tracker, served
    tracker.close()


def poll(tracker: Tracker, limits: Limits = Limits(allow_private=True)):
    async def run():
        async with make_client() as client:
            return await Poller(tracker.engine, tracker.log, tracker.catalog, client,
                                limits).poll("fsb-terror", force=True)

    report = asyncio.run(run())
    tracker.settle()
    return report


def status(tracker: Tracker, name: str = D) -> dict:
    return json.loads(views.status_json(tracker.engine, tracker.catalog, name))


def changes(tracker: Tracker) -> list[dict]:
    return [json.loads(e.payload) for e in tracker.log.read_stream("list-fsb-terror")
            if e.type == "ListChanged"]


def news(tracker: Tracker, obs: str, stage: str, day: int) -> None:
    """A strong news reading (a body sentence, confident) for a stage."""
    tracker.writer.record(D, [EvidenceRecorded(
        D, obs, stage, 0.95, f"Quote {obs}.", "test-1", "wire", f"https://news.example/{obs}",
        f"Title {obs}", datetime(2025, 4, day, tzinfo=UTC))])
    tracker.project()


def test_entries_added_removed_and_renamed(tracked) -> None:
    tracker, served = tracked
    first = poll(tracker)
    assert first.outcome == "fetched" and first.entries == 4 and first.new_entries == 4
    assert changes(tracker)[0]["added"] == sorted([*OTHERS, TALIBAN])
    assert status(tracker)["stage"] is None  # on the list, as a removal begins: nothing yet

    assert poll(tracker).new_entries == 0  # unchanged: nothing recorded but the poll
    assert len(changes(tracker)) == 1

    # Renamed: one entry goes, another comes, and both name the Taliban: not a removal.
    served.page = fsb_page([*OTHERS, "«Талибан» (Taliban Movement)"])
    assert poll(tracker).new_entries == 2
    assert (changes(tracker)[-1]["added"], changes(tracker)[-1]["removed"]) == (
        ["«Талибан» (Taliban Movement)"], [TALIBAN])
    assert status(tracker)["stage"] is None

    # A new group is listed: the listing designation reaches its binding step.
    served.page = fsb_page([*OTHERS, "«Талибан» (Taliban Movement)", "«Новая группа»"])
    poll(tracker)
    listed = status(tracker, L)
    assert listed["stage"] == "court-approved"
    assert listed["evidence"][0]["basis"] == "official"
    assert listed["evidence"][0]["quote"] == "«Новая группа»"

    # The Taliban leave the list: official evidence confirms the removal on its own.
    served.page = fsb_page([*OTHERS, "«Новая группа»"])
    before = datetime.now(UTC)
    report = poll(tracker)
    assert report.new_entries == 1
    body = status(tracker)
    assert body["stage"] == "court-approved" and body["disputed"] is None
    official, = body["evidence"]
    assert (official["basis"], official["feed"], official["date_source"]) == (
        "official", "fsb-terror", "first_seen")
    assert official["quote"] == "«Талибан» (Taliban Movement)"
    assert datetime.fromisoformat(body["since"]) >= before.replace(microsecond=0)  # poll time
    health, = views.lists(tracker.engine, tracker.log, tracker.catalog)
    assert (health["id"], health["entries"], health["consecutive_failures"]) == (
        "fsb-terror", 4, 0)
    assert views.feeds(tracker.engine, tracker.catalog) == []  # lists are not feeds


def test_a_stated_date_is_the_since(database_url: str, tmp_path: Path,
                                    httpserver: HTTPServer) -> None:
    served = ListServer(httpserver)
    path = catalog(tmp_path, served.url).read_text().replace(
        "    disputed_after: 2\n", "    disputed_after: 2\n    date: p.updated\n")
    (tmp_path / "feeds.yaml").write_text(path)
    tracker = build(Settings(database_url=database_url, feeds=tmp_path / "feeds.yaml"))
    poll(tracker)
    served.page = fsb_page(OTHERS, stated="17.04.2025")
    poll(tracker)
    body = status(tracker)
    assert body["stage"] == "court-approved" and body["since"] == "2025-04-17T00:00:00Z"
    assert body["evidence"][0]["date_source"] == "page"
    tracker.close()


@pytest.mark.parametrize("page", [
    fsb_page([*OTHERS, TALIBAN], layout="redesigned"),  # the layout changed
    b"",  # an empty answer
    fsb_page([])[:0] + b"<html><body><table class='list'></table></body></html>",  # no rows
], ids=["layout-changed", "empty", "no-rows"])
def test_a_page_without_entries_is_an_error_not_an_empty_list(tracked, page: bytes) -> None:
    tracker, served = tracked
    poll(tracker)
    served.page = page
    report = poll(tracker)
    assert report.outcome == "failed" and "no entries found" in report.error
    assert len(changes(tracker)) == 1  # nobody left the list
    assert status(tracker)["stage"] is None
    health, = views.lists(tracker.engine, tracker.log, tracker.catalog)
    assert health["consecutive_failures"] == 1 and "no entries found" in health["last_error"]
    assert health["entries"] == 4
    # Polled again, the page is fetched again (its validators were not kept): still a failure.
    assert poll(tracker).outcome == "failed"
    assert views.lists(tracker.engine, tracker.log, tracker.catalog)[0]["consecutive_failures"] == 2
    served.page = fsb_page([*OTHERS, TALIBAN])  # back as it was: no change recorded
    assert poll(tracker).outcome in ("fetched", "not-modified") and len(changes(tracker)) == 1
    assert views.lists(tracker.engine, tracker.log, tracker.catalog)[0]["consecutive_failures"] == 0


def test_a_truncated_page_is_not_read(tracked) -> None:
    tracker, served = tracked
    poll(tracker)
    served.page = fsb_page([*OTHERS, TALIBAN] + [f"«Группа {n}»" for n in range(400)])
    report = poll(tracker, Limits(allow_private=True, max_bytes=2000))
    assert report.outcome == "failed" and "cut" in report.error
    assert len(changes(tracker)) == 1 and status(tracker)["stage"] is None


def test_the_list_and_the_news_agree(tracked) -> None:
    tracker, served = tracked
    poll(tracker)
    news(tracker, "ruling", "court-approved", 17)
    assert status(tracker)["stage"] == "court-approved"
    served.page = fsb_page(OTHERS)
    poll(tracker)
    body = status(tracker)
    assert body["stage"] == "court-approved" and body["since"] == "2025-04-17T00:00:00Z"
    assert sorted(r["basis"] for r in body["evidence"]) == ["body", "official"]
    for _ in range(3):
        poll(tracker)
    assert status(tracker)["disputed"] is None


def test_the_list_disputes_the_news_without_moving_the_stage(tracked,
                                                            httpserver: HTTPServer) -> None:
    tracker, served = tracked
    hook = httpserver.url_for("/hook")
    httpserver.expect_request("/hook", method="POST").respond_with_data("", status=204)
    subs.subscribe(tracker.engine, tracker.log, hook, [D], None)
    poll(tracker)
    news(tracker, "ruling", "court-approved", 17)
    poll(tracker)  # one poll still listing the Taliban: not yet a dispute (N = 2)
    assert status(tracker)["disputed"] is None
    poll(tracker)
    body = status(tracker)
    assert body["stage"] == "court-approved"  # the stage does not move
    disputed = body["disputed"]
    assert (disputed["list"], disputed["stage"], disputed["polls"], disputed["entry"]) == (
        "fsb-terror", "court-approved", 2, TALIBAN)
    assert disputed["step_position"] == body["history"][-1]["position"]
    poll(tracker)  # raised once per step
    assert [e.type for e in tracker.log.read_stream("list-fsb-terror")].count(
        "StatusDisputed") == 1
    from tracker.api.app import create_app
    with TestClient(create_app(tracker)) as client:
        assert client.get(f"/status/{D}").json()["disputed"]["polls"] == 2
        lists = client.get("/lists").json()
        assert [(x["id"], x["entries"]) for x in lists] == [("fsb-terror", 4)]
        page = client.get(f"/designations/{D}").text
        assert "Disputed:" in page and "still holds" in page
    with tracker.engine.connect() as conn:
        payloads = [json.loads(r.payload) for r in conn.execute(
            select(deliveries).order_by(deliveries.c.position))]
    assert [p["type"] for p in payloads] == ["status.changed", "status.disputed"]
    assert payloads[1]["data"]["entry"] == TALIBAN

    # The list catches up: the step is confirmed officially, and the dispute is over.
    served.page = fsb_page(OTHERS)
    poll(tracker)
    body = status(tracker)
    assert body["stage"] == "court-approved" and body["disputed"] is None
    with TestClient(create_app(tracker)) as client:
        page = client.get(f"/designations/{D}").text
        assert "Disputed:" not in page and "official list</strong> fsb-terror" in page


def test_replay_gives_the_same_statuses(tracked) -> None:
    tracker, served = tracked
    poll(tracker)
    news(tracker, "ruling", "court-approved", 17)
    poll(tracker)
    poll(tracker)
    served.page = fsb_page([*OTHERS, "«Новая группа»"])
    poll(tracker)
    before = {name: status(tracker, name) for name in (D, L)}
    tracker.runner.rebuild(tracker.projections)
    assert {name: status(tracker, name) for name in (D, L)} == before


def test_a_redirect_to_a_private_address_is_refused_as_for_feeds(tracked,
                                                                 httpserver: HTTPServer) -> None:
    tracker, served = tracked
    poll(tracker)
    httpserver.clear_all_handlers()
    httpserver.expect_request("/fsb/npd/terror.htm").respond_with_data(
        "", status=302, headers={"Location": "http://10.0.0.1/terror.htm"})
    report = poll(tracker, Limits(allow_private=False))
    assert report.outcome == "failed" and "redirect to" in report.error \
        and "refused" in report.error
    assert len(changes(tracker)) == 1
    assert views.lists(tracker.engine, tracker.log, tracker.catalog)[0]["consecutive_failures"] == 1
