"""The classifier holds its scores on the team's corpus, and gets the five dev articles right."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.classify.evaluate import evaluate, load_corpus
from tracker.config import load_catalog

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "corpus" / "dev"


def designations() -> dict:
    return load_catalog(ROOT / "feeds.yaml").designations


def test_the_team_corpus() -> None:
    corpus = load_corpus(ROOT / "tests" / "corpus")
    assert len(corpus) >= 60
    labels = {label for item in corpus for label in item.labels.values()}
    assert labels == {"none", "considered", "proposed", "court-approved", "reversed"}
    report = evaluate(corpus, designations())
    assert report["accuracy"] >= 0.95, report["errors"]
    assert report["macro_f1"] >= 0.95, report["errors"]


@pytest.mark.skipif(not DEV.is_dir(), reason=f"{DEV} (outside the repository) is not here")
def test_the_five_dev_articles() -> None:
    report = evaluate(load_corpus(DEV), designations())
    assert report["n"] == 5 and report["errors"] == []
