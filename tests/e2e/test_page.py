"""The timeline page as a person sees it, rendered by headless Chromium."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.servers import served_app
from tracker.api.app import create_app
from tracker.bootstrap import build
from tracker.config import Settings
from tracker.domain.events import EvidenceRecorded, StageOverridden

D = "taliban-designation"
FEEDS = """\
designations:
  taliban-designation:
    title: Taliban on Russia's federal list of terrorist organisations
    subject: [Taliban]
    authority: [Russia]
    confirm: {sources: 1}  # one reading confirms a step: these tests are not about confirmation
  hamas-designation:
    title: Hamas on Russia's list
    subject: [Hamas]
    authority: [Russia]
    confirm: {sources: 1}  # one reading confirms a step: these tests are not about confirmation
feeds: []
"""
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def png_summary(data: bytes) -> tuple[int, int, int]:
    """A PNG's width and height from its header, and how many distinct byte values its first
    rows of pixels hold (a blank page has a handful; text, links and the timeline, many)."""
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


@pytest.fixture
def page_url(sqlite_url: str, tmp_path: Path):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (CI is set: .ci/run installs it)")
        pytest.skip("chromium is not installed (Debian package 'chromium')")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS)
    tracker = build(Settings(database_url=sqlite_url, feeds=feeds))
    for obs, stage, when, quote in [
        ("a", "considered", datetime(2024, 5, 21, tzinfo=UTC), "Moscow is weighing the move."),
        ("b", "proposed", datetime(2024, 11, 27, tzinfo=UTC), "Prosecutors filed a petition."),
        ("c", "court-approved", datetime(2025, 4, 17, tzinfo=UTC),
         "The court lifted the ban <script>alert(1)</script>."),
    ]:
        tracker.writer.record(D, [EvidenceRecorded(
            D, obs, stage, 0.9, quote, "test-1", "wire", f"https://news.example/{obs}",
            f"Article {obs}", when)])
    tracker.writer.record(D, [StageOverridden(D, "proposed", "ruling under appeal, per registry",
                                              datetime(2025, 5, 2, tzinfo=UTC), "ana")])
    tracker.project()
    with served_app(create_app(tracker)) as port:
        yield f"http://127.0.0.1:{port}/"
    tracker.close()


def chromium(tmp_path: Path, *args: str) -> str:
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.timeout(180)
def test_what_a_person_sees(page_url: str, tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", page_url)
    assert "Taliban on Russia's federal list of terrorist organisations" in dom
    assert '<span class="stage">proposed</span>' in dom  # the analyst's override stands
    assert "since <time" in dom and "2 May 2025" in dom
    timeline = dom[dom.index('class="timeline"'):]
    days = [timeline.index(d) for d in ("21 May 2024", "27 Nov 2024", "17 Apr 2025", "2 May 2025")]
    assert days == sorted(days)  # the timeline, oldest first
    for step in ("none → considered", "considered → proposed", "proposed → court-approved",
                 "court-approved → proposed"):
        assert step in dom
    assert "Analyst: ruling under appeal, per registry" in dom
    assert 'href="https://news.example/b"' in dom and "Prosecutors filed a petition." in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom and "<script>alert" not in dom
    assert "Hamas on Russia's list" in dom and "no evidence yet" in dom

    shot = tmp_path / "phone.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=375,1400", page_url)
    width, height, colours = png_summary(shot.read_bytes())
    assert (width, height) == (375, 1400)  # the phone's width: nothing forced it wider
    assert colours >= 20, "the page rendered blank, or nearly"
