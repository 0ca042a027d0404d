"""feeds.yaml and settings: validated at start, refused with the file, the line and the fault."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.unit.config.refusals import assert_refused
from tracker.config import load_catalog, parse_duration
from tracker.errors import ConfigError
from tracker.settings import Settings

ROOT = Path(__file__).resolve().parents[3]

GOOD = """\
designations:
  taliban-designation:
    title: Taliban on Russia's list
    subject: [Taliban]
    authority: [Russia]
feeds:
  - id: wire
    url: https://example.org/rss.xml
    interval: 1h30m
    designations: [taliban-designation]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    return path


def test_the_shipped_feeds_file_is_valid() -> None:
    catalog = load_catalog(ROOT / "feeds.yaml")
    designation = catalog.designations["taliban-designation"]
    assert designation.stages == ("considered", "proposed", "court-approved")
    assert catalog.feeds and all(f.designations for f in catalog.feeds.values())


def test_a_good_file_loads_with_its_defaults(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, GOOD))
    assert catalog.feeds["wire"].interval == 5400
    assert catalog.designations["taliban-designation"].stages[-1] == "court-approved"


@pytest.mark.parametrize(("text", "line", "words"), [
    (GOOD.replace("interval: 1h30m", "interval: soon"), 9, "not a duration"),
    (GOOD.replace("[taliban-designation]\n", "[hamas]\n"), 10, "unknown designation 'hamas'"),
    (GOOD.replace("https://example.org", "ftp://example.org"), 8, "not an http or https URL"),
    (GOOD.replace("subject: [Taliban]", "subject: []"), 4, "at least 1 item"),
    (GOOD.replace("    authority: [Russia]\n", "    authority: [Russia]\n    colour: red\n"), 6,
     "Extra inputs are not permitted"),
    (GOOD.replace("  - id: wire", "  - id: Wire Feed"), 7, "should match pattern"),
    (GOOD + GOOD[GOOD.index("  - id"):], 11, "feed id 'wire' is used twice"),
    (GOOD.replace("title: Taliban on Russia's list", "title: [unclosed"), 4, "not valid YAML"),
    (GOOD.replace("    authority: [Russia]\n", "    authority: [Russia]\n    confirm:\n"
                  "      sources: 0\n"), 7, "greater than or equal to 1"),
    (GOOD.replace("    authority: [Russia]\n", "    authority: [Russia]\n    confirm:\n"
                  "      confidence: 1.5\n"), 7, "less than or equal to 1"),
    (GOOD.replace("    authority: [Russia]\n", "    authority: [Russia]\n    confirm:\n"
                  "      quorum: 3\n"), 7, "Extra inputs are not permitted"),
    (GOOD.replace("    authority: [Russia]\n", "    authority: [Russia]\n"
                  "    stages: [considered, proposed, court-aproved]\n"), 6,
     "unknown stage 'court-aproved' (did you mean 'court-approved'?)"),
    (GOOD.replace("    authority: [Russia]\n", "    authority: [Russia]\n"
                  "    stages: [proposed, considered]\n"), 6, "lowest first"),
    (GOOD.replace("    authority: [Russia]\n", "    authority: [Russia]\n    change: removel\n"), 6,
     "(did you mean 'removal'?)"),
    (GOOD.replace("    authority: [Russia]\n", "    authority: [Russia]\n    decided_by: courts\n"),
     6, "(did you mean 'court'?)"),
    (GOOD.replace("    authority: [Russia]\n", "    authority: [Russia]\n    list: ''\n"), 6,
     "list: String should have at least 1 character"),
])
def test_a_bad_file_is_refused_with_path_line_and_reason(tmp_path: Path, text: str, line: int,
                                                         words: str) -> None:
    assert_refused(write(tmp_path, text), line, words)


def test_a_designation_may_name_its_list(tmp_path: Path) -> None:
    assert load_catalog(write(tmp_path, GOOD)).designations["taliban-designation"].list_name is None
    text = GOOD.replace("    authority: [Russia]\n", "    authority: [Russia]\n"
                        "    list: Russia's federal list of terrorist organisations\n")
    designation = load_catalog(write(tmp_path, text)).designations["taliban-designation"]
    assert designation.list_name == "Russia's federal list of terrorist organisations"


def test_confirm_has_defaults_and_is_set_per_designation(tmp_path: Path) -> None:
    default = load_catalog(write(tmp_path, GOOD)).designations["taliban-designation"].confirm
    assert (default.confidence, default.sources, default.against) == (0.8, 2, 2)
    text = GOOD.replace("    authority: [Russia]\n", "    authority: [Russia]\n"
                        "    confirm: {confidence: 0.9, sources: 3, against: 4}\n")
    confirm = load_catalog(write(tmp_path, text)).designations["taliban-designation"].confirm
    assert (confirm.confidence, confirm.sources, confirm.against) == (0.9, 3, 4)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the feeds file"):
        load_catalog(tmp_path / "nope.yaml")


def test_durations() -> None:
    assert parse_duration("15m") == 900
    assert parse_duration("2h") == 7200
    assert parse_duration(45) == 45
    with pytest.raises(ValueError):
        parse_duration("0s")


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOK_RETRIES", "1,2.5,10")
    monkeypatch.setenv("TRACKER_WEBHOOK_ALLOW_PRIVATE", "1")
    settings = Settings()
    assert settings.retry_delays == [1, 2.5, 10]
    assert settings.webhook_allow_private is True
    assert settings.database_url == "sqlite:///./tracker.db"
    monkeypatch.setenv("TRACKER_WEBHOOK_RETRIES", "soon")
    with pytest.raises(ValueError, match="comma-separated seconds"):
        Settings()


@pytest.mark.parametrize("value", ["0", "-5", "nan", "1e9"])
def test_a_webhook_timeout_that_bounds_nothing_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                          value: str) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOK_TIMEOUT", value)
    with pytest.raises(ValidationError, match="webhook_timeout"):
        Settings()


def test_fetch_articles_without_the_extra_is_refused_saying_how_to_install_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker import config

    monkeypatch.setattr(config, "articles_available", lambda: False)
    path = write(tmp_path, GOOD + "    fetch_articles: true\n")
    with pytest.raises(ConfigError) as caught:
        load_catalog(path)
    assert caught.value.line == 11 and "pip install 'tracker[articles]'" in str(caught.value)
    load_catalog(write(tmp_path, GOOD))  # feeds that do not ask for it load without it
