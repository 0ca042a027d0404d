"""Serving the real-article corpus as a feed: how close each designation's history comes to
the truth of its labels (see tracker/storyline.py for how each column is counted).

    python bench/timeline.py                          # ../shared/corpus/real, at once and shuffled
    python bench/timeline.py --corpus DIR --seed 3 --rounds 8
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.storyline import run_story, table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "real")
    parser.add_argument("--seed", type=int, default=7, help="the shuffled arrival's order")
    parser.add_argument("--rounds", type=int, default=5, help="polls the shuffled items take")
    parser.add_argument("--database-url", help="a migrated database (default: a SQLite file)")
    parser.add_argument("--verbose", action="store_true", help="each history and its truth")
    args = parser.parse_args()
    if not (args.corpus / "designations.yaml").exists():
        sys.exit(f"{args.corpus}: no designations.yaml (see --corpus)")
    for label, seed in (("served at once", None), (f"shuffled over {args.rounds} polls "
                                                   f"(seed {args.seed})", args.seed)):
        started = time.perf_counter()
        scores = run_story(args.corpus, args.database_url, seed, args.rounds)
        print(f"\n{label} ({time.perf_counter() - started:.1f} s)\n")
        print(table(scores))
        if args.verbose:
            for s in scores:
                print(f"\n{s.designation}: truth {({k: str(v) for k, v in s.truth.items()})}")
                print(f"  reached {({k: str(v) for k, v in s.reached.items()})}")
                for step in s.history:
                    mark = " (withdrawn)" if step.get("withdrawn") else ""
                    print(f"  {step['since'][:10]} {step['from']} -> {step['to']} "
                          f"[{step['cause']}]{mark}")
                for alert in s.alerts:
                    print(f"  alert {alert}")


if __name__ == "__main__":
    main()
