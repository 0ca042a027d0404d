"""The classifier holds its scores on the team's corpus, and gets the five dev articles right."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracker.classify.evaluate import evaluate, load_corpus
from tracker.config import load_catalog

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "corpus" / "dev"
REAL = ROOT.parent / "shared" / "corpus" / "real"


def shared(path: Path) -> Path:
    """A corpus outside the repository: skipped on a laptop without it, a failure under CI."""
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{path} (outside the repository) is missing, and CI is set")
        pytest.skip(f"{path} (outside the repository) is not here")
    return path


def designations() -> dict:
    return load_catalog(ROOT / "feeds.yaml").designations


def test_the_team_corpus() -> None:
    corpus = load_corpus(ROOT / "tests" / "corpus")
    assert len(corpus) >= 60
    labels = {label for item in corpus for label in item.labels.values()}
    assert labels == {"none", "considered", "proposed", "court-approved", "reversed"}
    report = evaluate(corpus, designations())
    assert report["errors"] == []


def test_the_five_dev_articles() -> None:
    report = evaluate(load_corpus(shared(DEV)), designations())
    assert report["n"] == 5 and report["errors"] == []


def test_the_real_articles_of_twelve_processes_hold_their_scores() -> None:
    """Real news of listings and removals by courts, parliaments and governments: the figures
    the reader reached (docs/reader-log.md) are a floor, and no designation falls apart."""
    folder = shared(REAL)
    report = evaluate(load_corpus(folder), load_catalog(folder / "designations.yaml").designations,
                      by_designation=True)
    assert report["macro_f1"] >= 0.92, report["per_stage"]
    assert report["accuracy"] >= 0.985
    assert min(s["macro_f1"] for s in report["per_designation"].values()) >= 0.75, \
        {k: s["macro_f1"] for k, s in report["per_designation"].items()}


# The real items the reader gets wrong today (id, designation, label, reading): reasons in
# docs/reader-log.md. Any other misread is a regression; one fixed can leave this list.
KNOWN_MISREADS = {
    ("real-108", "palestine-action-uk", "court-approved", "proposed"),
    ("real-123", "wagner-uk", "court-approved", "proposed"),
    ("real-128", "hamas-uk", "proposed", "considered"),
    ("real-137", "irgc-uk", "none", "considered"),
    ("real-139", "irgc-uk", "none", "considered"),
    ("real-142", "irgc-uk", "none", "considered"),
    ("real-143", "hamas-uk", "none", "considered"),
    ("real-205", "cartels-usa", "proposed", "considered"),
    ("real-215", "cartels-usa", "court-approved", "none"),
    ("real-217", "muslim-brotherhood-usa", "considered", "court-approved"),
    ("real-221", "cartels-usa", "none", "considered"),
    ("real-229", "irgc-canada", "none", "considered"),
    ("real-244", "irgc-eu", "considered", "none"),
    ("real-246", "cartels-usa", "reversed", "none"),
    ("real-253", "irgc-eu", "proposed", "court-approved"),
}


def test_every_real_item_read_right_stays_right() -> None:
    """The labels are the oracle: of 171 items x 12 designations, only the known misreads."""
    folder = shared(REAL)
    report = evaluate(load_corpus(folder), load_catalog(folder / "designations.yaml").designations)
    misreads = {(e["id"], e["designation"], e["expected"], e["got"]) for e in report["errors"]}
    assert misreads <= KNOWN_MISREADS, sorted(misreads - KNOWN_MISREADS)
