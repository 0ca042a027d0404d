"""Scoring: metrics on a tiny corpus whose numbers are known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.classify.evaluate import evaluate, load_corpus
from tracker.domain.designations import Designation

D = Designation("taliban-designation", "T", ("Taliban",), ("Russia",))


def write(folder: Path, n: int, title: str, label: str, extra: dict | None = None) -> None:
    doc = {"id": f"a{n}", "title": title, "published": None, "url": None, "text": "",
           "labels": {"taliban-designation": label, **(extra or {})}}
    (folder / f"a{n}.json").write_text(json.dumps(doc))


def test_known_numbers(tmp_path: Path) -> None:
    write(tmp_path, 1, "Russia removes Taliban from its terrorist list", "court-approved")
    write(tmp_path, 2, "Russia is considering removing the Taliban from its terror list",
          "considered")
    write(tmp_path, 3, "Taliban open a school in Kandahar", "none")
    write(tmp_path, 4, "Taliban open a hospital in Herat", "proposed",
          {"some-other-designation": "none"})  # a miss; the unknown designation is skipped
    report = evaluate(load_corpus(tmp_path), {D.id: D})
    assert report["n"] == 4
    assert report["accuracy"] == 0.75
    assert report["per_stage"]["none"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667,
                                           "support": 1}
    assert report["per_stage"]["proposed"]["recall"] == 0.0
    assert report["macro_f1"] == round((1 + 1 + 0.6667 + 0) / 4, 4)
    assert report["confusion"]["proposed"] == {"none": 1}
    assert report["errors"] == [{"id": "a4", "designation": "taliban-designation",
                                 "expected": "proposed", "got": "none", "quote": None}]


def test_a_file_that_is_not_a_labelled_article_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"id": "x"}')
    with pytest.raises(ValueError, match="bad.json: not a labelled article"):
        load_corpus(tmp_path)


def test_subfolders_are_read_and_a_configured_designation_missing_from_labels_is_none(
        tmp_path: Path) -> None:
    (tmp_path / "east").mkdir()
    write(tmp_path / "east", 1, "Russia removes Taliban from its terrorist list", "court-approved")
    other = Designation("hamas-russia", "H", ("Hamas",), ("Russia",))
    # labelled for the Taliban only: Hamas is `none` here, so a reading for it is a false alarm
    doc = {"id": "a2", "title": "Russia removes Hamas from its terrorist list", "text": "",
           "published": "2025-04-17", "url": None, "labels": {"taliban-designation": "none"}}
    (tmp_path / "a2.json").write_text(json.dumps(doc))
    corpus = load_corpus(tmp_path)
    assert [item.id for item in corpus] == ["a2", "a1"]
    assert corpus[0].article.published is not None and corpus[0].article.published.year == 2025
    report = evaluate(corpus, {D.id: D, other.id: other}, by_designation=True)
    assert report["n"] == 4
    assert {(e["id"], e["designation"], e["got"]) for e in report["errors"]} == {
        ("a2", "hamas-russia", "court-approved")}
    assert report["per_designation"]["taliban-designation"]["accuracy"] == 1.0
    assert report["per_designation"]["hamas-russia"]["accuracy"] == 0.5
    assert set(report["per_designation"]["hamas-russia"]) == {
        "n", "accuracy", "macro_f1", "per_stage", "confusion"}


def test_without_by_designation_the_report_keeps_its_shape(tmp_path: Path) -> None:
    write(tmp_path, 1, "Russia removes Taliban from its terrorist list", "court-approved")
    report = evaluate(load_corpus(tmp_path), {D.id: D})
    assert set(report) == {"n", "accuracy", "macro_f1", "per_stage", "confusion", "errors"}
