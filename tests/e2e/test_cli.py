"""The `tracker` command as a user runs it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.servers import ROOT
from tracker.store.database import make_engine

D = "taliban-designation"
EXAMPLE = ROOT / "examples" / "example-feed.xml"
README = (ROOT / "README.md").read_text()


@pytest.fixture
def run(database_url: str, tmp_path: Path):
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text((ROOT / "tests" / "e2e" / "feeds.yaml.in").read_text()
                     .replace("FEED_URL", "http://127.0.0.1:9/unused.xml"))
    base = {**os.environ, "TRACKER_DATABASE_URL": database_url, "TRACKER_FEEDS": str(feeds)}

    def tracker(*args: str, expect: int = 0,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "tracker.cli", *args], env={**base, **(env or {})},
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == expect, f"{args}: {done.returncode}\n{done.stdout}{done.stderr}"
        return done

    tracker.url = database_url  # type: ignore[attr-defined]
    tracker.dir = tmp_path  # type: ignore[attr-defined]
    return tracker


def test_an_empty_log_verifies_and_replays(run) -> None:
    assert "log intact: 0 events" in run("verify").stdout
    assert "matches" in run("replay", "--verify").stdout
    run("db", "upgrade")


def test_ingest_then_status_history_export_and_verify(run) -> None:
    out = run("ingest", str(EXAMPLE), "--feed-id", "wire").stdout
    assert "5 entries, 5 new" in out
    assert "5 entries, 0 new" in run("ingest", str(EXAMPLE), "--feed-id", "wire").stdout

    status = json.loads(run("status", D, "--json").stdout)
    assert status["stage"] == "court-approved"
    assert [t["to"] for t in status["history"]] == ["considered", "proposed", "court-approved"]
    older = json.loads(run("status", D, "--as-of", "2024-12-31", "--json").stdout)
    assert older["stage"] == "proposed"
    history = json.loads(run("history", D, "--json").stdout)
    assert history["history"] == status["history"]

    export = run.dir / "log.jsonl"
    export.write_text(run("export", "--format", "jsonl").stdout)
    lines = export.read_text().splitlines()
    assert [json.loads(line)["position"] for line in lines] == list(range(1, len(lines) + 1))
    verified = run("verify").stdout
    assert f"log intact: {len(lines)} events" in verified
    head = verified.split("head ")[1].strip()
    assert "log intact" in run("verify", "--file", str(export)).stdout
    run("verify", "--head", head)
    run("verify", "--head", head[:-1] + ("0" if head[-1] != "0" else "1"), expect=1)
    # The few lines of plain Python the README gives auditors agree.
    snippet = README.split("An auditor can check an export without this code:")[1]
    snippet = snippet.split("```python\n", 1)[1].split("```", 1)[0]
    audited = subprocess.run([sys.executable, "-c", snippet], cwd=run.dir, capture_output=True,
                             text=True, timeout=60)
    assert audited.returncode == 0, audited.stderr
    assert audited.stdout.strip() == f"intact; head {head.split(':')[1]}"
    csv_out = run("export", "--format", "csv", "--designation", D).stdout
    assert csv_out.splitlines()[0].startswith("position,stream,version,type")
    assert "EntryObserved" in csv_out and "EvidenceRecorded" in csv_out

    # Someone with write access edits an event: verify names the first bad position.
    engine = make_engine(run.url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE events DISABLE TRIGGER events_no_update_delete"))
        else:
            conn.execute(text("DROP TRIGGER events_no_update"))
        conn.execute(text("UPDATE events SET payload = payload || ' ' "
                          "WHERE position = 2"))
    engine.dispose()
    broken = run("verify", expect=1)
    assert "log broken at position 2" in broken.stderr
    edited = export.read_text().replace('"position": 3,', '"position": 4,', 1)
    (run.dir / "edited.jsonl").write_text(edited)
    assert "position 3" in run("verify", "--file", str(run.dir / "edited.jsonl"), expect=1).stderr


def test_a_bad_feeds_file_is_refused_with_its_line(run) -> None:
    bad = run.dir / "feeds.yaml"
    bad.write_text(bad.read_text().replace("interval: 1h", "interval: often"))
    done = run("status", D, expect=2)
    assert f"{bad}:11:" in done.stderr and "not a duration" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_designation_and_bad_options(run) -> None:
    assert "no designation 'hamas' is tracked" in run("status", "hamas", expect=1).stderr
    assert "--head" in run("verify", "--head", "nonsense", expect=2).stderr
    run("export", "--format", "xml", expect=2)
    assert "cannot read" in run("ingest", "/nonexistent/feed.xml", expect=1).stdout


def test_configuration_and_feed_text_is_never_read_as_markup(run) -> None:
    feeds = run.dir / "feeds.yaml"
    feeds.write_text(feeds.read_text().replace(
        "title: Taliban on Russia's federal list of terrorist organisations",
        "title: Taliban [/draft] on [bold]Russia's list"))
    run("ingest", str(EXAMPLE), "--feed-id", "wire")
    for command in ("status", "history"):
        shown = run(command, D).stdout
        assert "Taliban [/draft] on [bold]Russia's list" in shown
        assert "Traceback" not in shown
    feeds.write_text(feeds.read_text().replace("id: wire", "id: Wire Feed"))
    refused = run("status", D, expect=2).stderr
    assert "[a-z0-9][a-z0-9._-]" in " ".join(refused.split()).replace(" ", "")


def test_the_history_table_reads_at_80_columns_without_repeating_the_title(run) -> None:
    run("ingest", str(EXAMPLE), "--feed-id", "wire")
    shown = run("history", D, env={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in shown.splitlines()) <= 80
    for line in shown.splitlines():
        assert line.count("\u201c") <= 1


def test_ingest_says_what_it_caused_and_takes_only_feed_ids(run) -> None:
    out = run("ingest", str(EXAMPLE), "--feed-id", "wire").stdout
    assert "5 entries, 5 new; " in out and " evidence, 3 transitions" in out
    refused = run("ingest", str(EXAMPLE), "--feed-id", "Wire Feed!", expect=2).stderr
    assert "is not a feed id" in refused


def test_export_into_a_pipe_that_closes_early_exits_0(run) -> None:
    run("ingest", str(EXAMPLE), "--feed-id", "wire")
    done = subprocess.run(["bash", "-o", "pipefail", "-c",
                           f"{sys.executable} -m tracker.cli export | head -n 1"],
                          env={**os.environ, "TRACKER_DATABASE_URL": run.url,
                               "TRACKER_FEEDS": str(run.dir / "feeds.yaml")},
                          cwd=run.dir, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1 and "Traceback" not in done.stderr


def test_the_three_decisions_from_the_command_line(run) -> None:
    run("ingest", str(EXAMPLE), "--feed-id", "wire")
    done = run("override", "set", D, "none", "--reason", "misread", "--effective-at",
               "2025-05-01").stdout
    assert "StageOverridden" in done and "stage: none" in done
    position = done.split("position ")[1].split(";")[0]
    assert json.loads(run("status", D, "--json").stdout)["stage"] is None
    done = run("override", "withdraw", D, position, "--reason", "it was right").stdout
    assert "OverrideWithdrawn" in done and "stage: court-approved" in done
    assert "already withdrawn" in run("override", "withdraw", D, position, "--reason", "again",
                                      expect=2).stderr
    refused = run("override", "reject", D, "no-such-observation", "--reason", "x", expect=2)
    assert "no evidence" in refused.stderr


def test_status_takes_the_times_the_api_takes(run) -> None:
    for given in ("2024-06-01T00:00", "2024-05-30T14:00+03:00", "2024-06-01 00:00:00", "20240601"):
        assert json.loads(run("status", D, "--as-of", given, "--json").stdout)["stage"] is None
    def said(*args: str) -> str:  # the error box's text, unwrapped
        return " ".join(run(*args, expect=2).stderr.replace("│", " ").split())

    refused = said("status", D, "--known-at", "1717200000")
    assert "ISO 8601" in refused and "Traceback" not in refused
    assert "out of range" in said("status", D, "--as-of", "0001-01-01")
    shown = run("status", "--help").stdout
    assert "%Y" not in shown and "published" in shown and "recorded" in shown


def test_eval_scores_per_designation_and_refuses_an_unknown_grouping(tmp_path: Path) -> None:
    env = {**os.environ, "TRACKER_FEEDS": str(ROOT / "feeds.yaml")}

    def tracker(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tracker.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    done = tracker("eval", str(ROOT / "tests" / "corpus"), "--json", "--by", "designation")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["per_designation"][D]["n"] == report["n"]
    table = tracker("eval", str(ROOT / "tests" / "corpus"), "--by", "designation")
    assert "Per designation" in table.stdout and D in table.stdout
    refused = tracker("eval", str(ROOT / "tests" / "corpus"), "--by", "feed")
    assert refused.returncode == 2 and "--by takes 'designation'" in refused.stderr
