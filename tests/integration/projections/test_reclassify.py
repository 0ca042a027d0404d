"""Re-reading the past with a new classifier: shown on a dry run, recorded beside the old."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker import classify as classifier
from tracker import views
from tracker.bootstrap import build
from tracker.domain.events import EntryObserved
from tracker.services.reclassify import reclassify
from tracker.settings import Settings
from tracker.store.log import NewEvent

D = "taliban-designation"


def observe(tracker, n: int, title: str) -> None:  # type: ignore[no-untyped-def]
    when = datetime(2025, 1, n, tzinfo=UTC)
    event = EntryObserved(f"obs{n}", "wire", f"g{n}", f"https://news.example/{n}", title, "",
                          "", (), when, "published", when, (D,))
    tracker.log.append([NewEvent.of("feed-wire", event, f"obs:{n}")])


def test_reclassify_dry_run_then_for_real(settings: Settings,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    tracker = build(settings)
    observe(tracker, 1, "Russia is considering removing the Taliban from its terrorist list")
    observe(tracker, 2, "Kazakhstan removes the Taliban from its list of banned groups")
    tracker.settle()
    assert views.designations(tracker.engine, tracker.catalog)[0]["stage"] == "considered"
    before = tracker.log.head()[0]

    real, original = classifier.classify, classifier.CLASSIFIER_VERSION

    def stricter(article, designation):  # type: ignore[no-untyped-def]
        if "considering" in article.title:
            return classifier.Verdict(None, 0.0, None)
        return real(article, designation)

    monkeypatch.setattr(classifier, "classify", stricter)
    monkeypatch.setattr(classifier, "CLASSIFIER_VERSION", "rules-test-2")
    dry = reclassify(tracker.log, tracker.catalog, tracker.writer, tracker.following, dry_run=True)
    assert [(c.observation_id, c.old, c.new) for c in dry.readings] == [
        ("obs1", "considered", None)]
    assert dry.stages == {D: ("considered", None)}
    assert tracker.log.head()[0] == before  # nothing recorded

    done = reclassify(tracker.log, tracker.catalog, tracker.writer, tracker.following)
    assert done.stages == {D: ("considered", None)}
    evidence = [e.decode() for e in tracker.log.read(types=["EvidenceRecorded"])]
    assert [(e.observation_id, e.stage, e.classifier_version) for e in evidence] == [
        ("obs1", "considered", original), ("obs1", None, "rules-test-2")]  # the old one stays
    assert views.designations(tracker.engine, tracker.catalog)[0]["stage"] is None
    assert reclassify(tracker.log, tracker.catalog, tracker.writer,
                      tracker.following).readings == []  # nothing left to change
    tracker.close()
