"""Scoring the classifier on a labelled corpus (`tracker eval`)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tracker.classify import classify
from tracker.domain.designations import Article, Designation

NONE = "none"


@dataclass(frozen=True)
class LabelledArticle:
    id: str
    article: Article
    labels: dict[str, str]


def load_corpus(path: Path) -> list[LabelledArticle]:
    """Every JSON file in the folder and its subfolders; a file that is not a labelled
    article says so."""
    if not path.is_dir():
        raise ValueError(f"{path} is not a folder of labelled articles")
    corpus = []
    for file in sorted(path.rglob("*.json")):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            labels = {str(k): str(v) for k, v in data["labels"].items()}
            article = Article(title=data.get("title") or "", content=data.get("text") or "",
                              url=data.get("url"), published=_date(data.get("published")))
        except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
            raise ValueError(f"{file}: not a labelled article ({exc})") from None
        corpus.append(LabelledArticle(str(data.get("id") or file.stem), article, labels))
    return corpus


def _date(value: Any) -> datetime | None:
    """An item's `published` (an ISO date or time, or null) as a UTC time."""
    if value is None:
        return None
    when = datetime.fromisoformat(str(value))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def evaluate(corpus: list[LabelledArticle], designations: dict[str, Designation],
             by_designation: bool = False) -> dict:
    """Accuracy, per-label precision/recall/F1, macro-F1, confusion and the errors; with
    `by_designation`, the same scores for each designation under `per_designation`.

    Every configured designation is read for every item: one missing from the item's labels
    is `none` for it, so a false alarm counts."""
    pairs: list[tuple[str, str]] = []
    errors: list[dict[str, Any]] = []
    per: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for item in corpus:
        for name, designation in designations.items():
            expected = item.labels.get(name, NONE)
            reading = classify(item.article, designation)
            got = reading.stage or NONE
            pairs.append((expected, got))
            per[name].append((expected, got))
            if got != expected:
                errors.append({"id": item.id, "designation": name, "expected": expected,
                               "got": got, "quote": reading.quote})
    report = {**_scores(pairs), "errors": errors}
    if by_designation:
        report["per_designation"] = {name: _scores(per[name]) for name in designations}
    return report


def _scores(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for expected, got in pairs:
        confusion[expected][got] += 1
    labels = sorted({label for pair in pairs for label in pair})
    per_stage = {}
    for label in labels:
        tp = confusion[label][label]
        predicted = sum(confusion[e][label] for e in confusion)
        support = sum(confusion[label].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_stage[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                            "f1": round(f1, 4), "support": support}
    n = len(pairs)
    correct = sum(1 for e, g in pairs if e == g)
    return {
        "n": n,
        "accuracy": round(correct / n, 4) if n else 0.0,
        "macro_f1": round(sum(s["f1"] for s in per_stage.values()) / len(per_stage), 4)
        if per_stage else 0.0,
        "per_stage": per_stage,
        "confusion": {e: dict(sorted(c.items())) for e, c in sorted(confusion.items())},
    }


def render(report: dict, console: Console) -> None:
    if "per_designation" in report:
        table = Table("designation", "n", "accuracy", "macro-F1", title="Per designation")
        for name, s in report["per_designation"].items():
            table.add_row(escape(name), str(s["n"]), f"{s['accuracy']:.3f}", f"{s['macro_f1']:.3f}")
        console.print(table)
    table = Table("label", "precision", "recall", "F1", "support", title="Classifier scores")
    for label, s in report["per_stage"].items():
        table.add_row(label, f"{s['precision']:.2f}", f"{s['recall']:.2f}", f"{s['f1']:.2f}",
                      str(s["support"]))
    console.print(table)
    console.print(f"n = {report['n']}   accuracy = {report['accuracy']:.3f}   "
                  f"macro-F1 = {report['macro_f1']:.3f}")
    labels = list(report["per_stage"])
    matrix = Table("expected \\ got", *labels, title="Confusion")
    for expected in labels:
        row = report["confusion"].get(expected, {})
        matrix.add_row(expected, *(str(row.get(got, 0) or "") for got in labels))
    console.print(matrix)
    for error in report["errors"]:
        console.print(f"[red]{escape(str(error['id']))}[/]: "
                      + escape(f"expected {error['expected']}, got {error['got']}"
                               + (f" \u2014 \u201c{error['quote']}\u201d" if error["quote"] else "")),
                      highlight=False)
