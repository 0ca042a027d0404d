"""Classifier throughput on one core: 5 KB articles and headlines.

    python bench/classify.py [--seconds 3]

Baseline in the same run: splitting the same texts into sentences only (the least any
sentence-level reader must do), so the ratio shows what the rules themselves cost.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.classify import classify  # noqa: E402
from tracker.classify.sentences import split  # noqa: E402
from tracker.config import load_catalog  # noqa: E402
from tracker.domain.designations import Article  # noqa: E402

NEUTRAL = ("Grain exports through the southern ports rose again this month, traders said. "
           "Officials discussed new rail links and the price of fuel at a regional forum. ")


def corpus_articles() -> list[Article]:
    docs = [json.loads(p.read_text()) for p in sorted((ROOT / "tests" / "corpus").glob("*.json"))]
    articles = []
    for doc in docs:
        text = doc["text"] or doc["title"] or ""
        body = (NEUTRAL * 40)[:2500] + text + " " + (NEUTRAL * 40)
        articles.append(Article(title=doc["title"] or "", content=body[:5000]))
    return articles


def headlines() -> list[Article]:
    docs = [json.loads(p.read_text()) for p in sorted((ROOT / "tests" / "corpus").glob("*.json"))]
    return [Article(title=d["title"] or d["text"][:90], summary=d["text"][:160]) for d in docs]


def rate(work, items: list[Article], seconds: float) -> float:
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for item in items:
            work(item)
        done += len(items)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    designation = load_catalog(ROOT / "feeds.yaml").designations["taliban-designation"]
    print(f"{'input':12} {'classify/s':>12} {'split only/s':>13} {'ratio':>7}")
    for name, items in (("5 KB article", corpus_articles()), ("headline", headlines())):
        full = rate(lambda a: classify(a, designation), items, args.seconds)
        bare = rate(lambda a: split(f"{a.title} {a.summary} {a.content}"), items, args.seconds)
        print(f"{name:12} {full:12,.0f} {bare:13,.0f} {full / bare:7.2f}")
    print("\nGoal: 500 or more 5 KB articles per second on one core.")


if __name__ == "__main__":
    main()
