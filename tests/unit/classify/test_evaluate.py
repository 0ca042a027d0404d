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
