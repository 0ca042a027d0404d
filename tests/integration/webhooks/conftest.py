"""Trackers for the webhook tests, built on the test's database with loopback receivers
allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.bootstrap import Tracker, build
from tracker.settings import Settings

FEEDS = """\
designations:
  taliban-designation:
    title: Taliban on Russia's list
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


@pytest.fixture
def make(database_url: str, tmp_path: Path):
    """Build trackers (settings as keyword arguments); closed when the test ends."""
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS)
    built: list[Tracker] = []

    def tracker(**settings: object) -> Tracker:
        options = {"webhook_allow_private": True, "webhook_retries": "0,0,0", **settings}
        t = build(Settings(database_url=database_url, feeds=feeds, **options))
        built.append(t)
        return t

    yield tracker
    for t in built:
        t.close()
