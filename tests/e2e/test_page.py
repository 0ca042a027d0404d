"""The pages as a person sees them, rendered by headless Chromium at a desktop's and a phone's
size: a story read from a served feed, two feeds failing beside it.

`TRACKER_SCREENSHOTS=DIR` keeps the screenshots in DIR (docs/screenshots holds the last ones)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import httpx
import lxml.html
import pytest
from pytest_httpserver import HTTPServer

from tests.inprocess import poll_every_feed
from tests.servers import rss, served_app
from tests.withdrawn_story import ITEMS
from tracker.api.app import create_app
from tracker.api.routes.page import moment
from tracker.bootstrap import Tracker, build
from tracker.settings import Settings

D = "taliban-designation"
FEEDS = """\
designations:
  taliban-designation:
    title: Taliban on Russia's federal list of terrorist organisations
    subject: [Taliban]
    authority: [Russia, Russian, Moscow]
    list: Russia's federal list of terrorist organisations
  hamas-designation:
    title: Hamas on Russia's list
    subject: [Hamas]
    authority: [Russia]
    change: listing
feeds:
  - {id: wire, url: "WIRE", designations: [taliban-designation]}
  - {id: down-one, url: "DOWN/one.xml"}
  - {id: down-two, url: "DOWN/two.xml"}
"""
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def png_summary(data: bytes) -> tuple[int, int, int]:
    """A PNG's width and height from its header, and how many distinct byte values its first
    rows of pixels hold (a blank page has a handful; text, links and the chart, many)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            chunks.append(data[at + 8:at + 8 + length])
        at += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return width, height, len(set(pixels[:width * 4 * 400]))


def poll_all(tracker: Tracker) -> None:
    poll_every_feed(tracker)
    tracker.settle()


@pytest.fixture
def page_url(sqlite_url: str, tmp_path: Path, httpserver: HTTPServer):
    """The service on loopback, its overview's URL: the story read from a served feed, two
    other feeds answering 500."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (CI is set: .ci/run installs it)")
        pytest.skip("chromium is not installed (Debian package 'chromium')")
    httpserver.expect_request("/wire.xml").respond_with_data(
        rss(ITEMS), content_type="application/rss+xml")
    httpserver.expect_request("/down/one.xml").respond_with_data("down", status=500)
    httpserver.expect_request("/down/two.xml").respond_with_data("down", status=500)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS.replace("WIRE", httpserver.url_for("/wire.xml"))
                     .replace("DOWN", httpserver.url_for("/down")))
    tracker = build(Settings(database_url=sqlite_url, feeds=feeds))
    poll_all(tracker)
    poll_all(tracker)  # the failing feeds fail twice; their run began at the first
    with served_app(create_app(tracker)) as port:
        yield f"http://127.0.0.1:{port}/"
    tracker.close()


def chromium(tmp_path: Path, *args: str) -> tuple[str, str]:
    """Chromium's output, and what it logged (the page's console messages among it)."""
    assert CHROMIUM is not None
    done = subprocess.run([CHROMIUM, *FLAGS, "--enable-logging=stderr", "--v=0",
                           f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def console(logged: str) -> list[str]:
    """The console's messages (errors among them) and refusals Chromium logged."""
    return [line for line in logged.splitlines() if "CONSOLE" in line or "Refused" in line]


def seen(tmp_path: Path, url: str, name: str) -> lxml.html.HtmlElement:
    """The page's DOM as Chromium built it, at each size, with no console message logged; a
    screenshot of each size is kept."""
    keep = Path(os.environ.get("TRACKER_SCREENSHOTS") or tmp_path / "screenshots")
    keep.mkdir(parents=True, exist_ok=True)
    dom = ""
    for size, (width, height) in SIZES.items():
        dom, logged = chromium(tmp_path, f"--window-size={width},{height}", "--dump-dom", url)
        assert console(logged) == []
        shot = keep / f"{name}-{size}.png"
        chromium(tmp_path, f"--window-size={width},{height}", "--hide-scrollbars",
                 f"--screenshot={shot}", url)
        shown_width, shown_height, colours = png_summary(shot.read_bytes())
        assert (shown_width, shown_height) == (width, height)
        assert colours >= 20, f"{shot} rendered blank, or nearly"
    return lxml.html.fromstring(dom)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


@pytest.mark.timeout(300)
def test_the_overview(page_url: str, tmp_path: Path) -> None:
    page = seen(tmp_path, page_url, "overview")
    cards = {text(s.find(".//h2")): s for s in page.iter("section")}
    taliban = text(cards["Taliban on Russia's federal list of terrorist organisations"])
    assert "Removal from Russia's federal list of terrorist organisations, decided by a court." \
        in taliban
    assert "Stage: proposed since 27 Nov 2024" in taliban
    hamas = text(cards["Hamas on Russia's list"])
    assert "Listing on Russia's list, decided by a court." in hamas and "no evidence yet" in hamas
    links = [a.get("href") for a in cards["Taliban on Russia's federal list of terrorist "
                                          "organisations"].iter("a")]
    assert f"/designations/{D}" in links
    health = text(page.find_class("health")[0])
    since = moment(min(f["failing_since"] for f in httpx.get(page_url + "feeds").json()
                       if f["id"].startswith("down")))
    assert health.startswith(f"2 of 3 feeds failing since {since}")
    assert "down-one: HTTP 500" in health and "(2 polls in a row)" in health


@pytest.mark.timeout(300)
def test_a_designation_page(page_url: str, tmp_path: Path) -> None:
    status = httpx.get(f"{page_url}status/{D}").json()
    page = seen(tmp_path, f"{page_url}designations/{D}", "designation")
    body = text(page.find(".//main"))
    assert "The process: removal from Russia's federal list of terrorist organisations, " \
           "decided by a court. Its steps: considered → proposed → court-approved " \
           "(a court's ruling)." in body
    assert "Stage: proposed since 27 Nov 2024" in body

    (svg,) = page.xpath("//svg")
    assert svg.get("role") == "img"
    assert text(svg.find("title")).endswith("stage over time")
    assert text(svg.find("desc")) == (
        "no stage to considered on 21 May 2024; considered to proposed on 27 Nov 2024; "
        "proposed to court-approved on 5 Jan 2025 (withdrawn on 10 Jan 2025). "
        "Unconfirmed: court-approved on 2 Mar 2025.")
    steps = svg.xpath(".//g[contains(@class, 'step')]")
    assert [int(g.get("data-position")) for g in steps if "withdrawn" not in g.get("class")] \
        == [t["position"] for t in status["history"] if not t["withdrawn"]]
    assert len(steps) == len(status["history"]) == 3
    (withdrawn,) = svg.xpath(".//g[contains(@class, 'withdrawn')]")
    (pending,) = svg.xpath(".//g[@class='unconfirmed-reading']")
    at = {int(g.get("data-position")): float(g.xpath(".//circle/@cx")[0]) for g in steps}
    marks = [at[t["position"]] for t in status["history"]]
    assert sorted(marks) == marks  # each step where its time puts it, oldest left
    assert float(pending.xpath(".//circle/@cx")[0]) > marks[-1]
    assert "withdrawn on 10 Jan 2025" in text(withdrawn.find("title"))

    timeline = text(page.xpath("//ol[@class='timeline']")[0])
    assert timeline.index("21 May 2024") < timeline.index("27 Nov 2024") < \
        timeline.index("5 Jan 2025")
    assert "withdrawn 10 Jan 2025: 3 later articles report a lower step" in timeline
    assert "https://wire-two.example/news/2" in page.xpath("//ol[@class='timeline']//a/@href")
    assert "filed a petition with the Supreme Court" in timeline
    assert "Unconfirmed" in body and "rumour.example" in body
    assert "2 of 3 feeds failing since" in text(page.find_class("health")[0])
    assert page.xpath("//link[@rel='alternate']/@href") == [f"/status/{D}/feed.atom"]


def test_an_unknown_designation_is_a_404(page_url: str) -> None:
    answer = httpx.get(f"{page_url}designations/nope")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "no designation 'nope' is tracked"}
    assert httpx.get(f"{page_url}designations/{D}", params={"as_of": "2025"}).status_code == 422


def test_text_from_configuration_is_escaped(sqlite_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    feeds = tmp_path / "hostile.yaml"
    feeds.write_text(FEEDS.replace("Hamas on Russia's list", "Hamas <b>(all wings)</b>")
                     .replace("Russia's federal list of", "the <i>federal</i> list of")
                     .replace("WIRE", "http://127.0.0.1:9/w").replace("DOWN", "http://127.0.0.1:9"))
    tracker = build(Settings(database_url=sqlite_url, feeds=feeds))
    with TestClient(create_app(tracker)) as client:
        overview, page = client.get("/").text, client.get(f"/designations/{D}").text
    assert "Hamas &lt;b&gt;(all wings)&lt;/b&gt;" in overview and "<b>" not in overview
    assert "removal from the &lt;i&gt;federal&lt;/i&gt; list" in page and "<i>" not in page
    tracker.close()


@pytest.mark.timeout(120)
def test_a_console_error_would_be_seen(tmp_path: Path, httpserver: HTTPServer) -> None:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed")
    httpserver.expect_request("/noisy").respond_with_data(
        "<!doctype html><script>console.error('page broke')</script>", content_type="text/html")
    _, logged = chromium(tmp_path, "--dump-dom", httpserver.url_for("/noisy"))
    assert any("page broke" in line for line in console(logged))
