"""Unconfirmed readings and a withdrawn step as the API, the page and `tracker status` show
them, with the default confirmation rules, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import FEEDS_YAML
from tracker.bootstrap import Tracker, build
from tracker.domain.events import EvidenceRecorded
from tracker.settings import Settings

D = "taliban-designation"


def reading(obs: str, stage: str, day: int, site: str, basis: str = "body") -> EvidenceRecorded:
    return EvidenceRecorded(D, obs, stage, 0.9, f"Quote {obs}.", "test-1", "wire",
                            f"https://{site}/{obs}", f"Title {obs}",
                            datetime(2025, 1, day, tzinfo=UTC), basis)


def shown(tracker: Tracker) -> tuple[dict, str, str]:
    """The status document, the page and `tracker status`'s output."""
    from tracker.api.app import create_app
    from tracker.cli import app

    tracker.project()
    with TestClient(create_app(tracker)) as client:
        body, page = client.get(f"/status/{D}").json(), client.get(f"/designations/{D}").text
    out = CliRunner().invoke(app, ["status", D])
    assert out.exit_code == 0, out.output
    return body, page, out.output


def test_unconfirmed_readings_are_listed_and_withdrawn_steps_struck_through(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS_YAML.replace("    confirm: {sources: 1}", "    confirm: {}"))
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    monkeypatch.setenv("TRACKER_FEEDS", str(feeds))
    monkeypatch.setenv("COLUMNS", "200")
    tracker = build(Settings(database_url=database_url, feeds=feeds))
    tracker.writer.record(D, [reading("bill", "proposed", 2, "first.example"),
                              reading("misread", "court-approved", 5, "hasty.example",
                                      "headline")])
    body, page, out = shown(tracker)
    assert body["stage"] == "proposed"
    assert [(r["observation_id"], r["site"], r["basis"]) for r in body["unconfirmed"]] == [
        ("misread", "hasty.example", "headline")]
    assert "Unconfirmed" in page and "hasty.example" in page
    assert "unconfirmed" in out and "hasty.example" in out

    # A second site agrees: the step is taken, dated by the first; three sites then report
    # the court step pending, which outweighs two: the step is withdrawn.
    tracker.writer.record(D, [reading("echo", "court-approved", 6, "echo.example", "headline")])
    tracker.writer.record(D, [reading(f"p{n}", "proposed", 8 + n, f"s{n}.example")
                              for n in range(3)])
    body, page, out = shown(tracker)
    assert (body["stage"], body["unconfirmed"]) == ("proposed", [])
    assert [(t["to"], t["since"][:10], t["withdrawn"] and t["withdrawn"]["at"][:10])
            for t in body["history"]] == [("proposed", "2025-01-02", None),
                                          ("court-approved", "2025-01-05", "2025-01-10")]
    assert '<li class="withdrawn">' in page
    assert "<del>proposed &rarr; court-approved</del>" in page
    assert "withdrawn 2025-01-10" in out
    tracker.close()
