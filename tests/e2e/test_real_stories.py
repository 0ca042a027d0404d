"""The real-article corpus (../shared/corpus/real) served as one feed with its items' real
dates, at once and in a shuffled order over several polls: per designation, what the rules
guarantee whatever the reader's accuracy, and the table of how close each history comes to the
truth of the labels (printed; see tracker/storyline.py and bench/timeline.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.servers import ROOT
from tracker.bootstrap import Tracker
from tracker.services import audit
from tracker.storyline import Score, load_items, run_story, table

CORPUS = ROOT.parent / "shared" / "corpus" / "real"


def _corpus() -> Path:
    if not (CORPUS / "designations.yaml").exists():
        message = f"{CORPUS} is not here"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so the real stories must run)")
        pytest.skip(message)
    return CORPUS


def _replays_the_same(tracker: Tracker) -> None:
    assert all(c.difference is None
               for c in audit.replay_beside(tracker.following, tracker.log, tracker.catalog))


@pytest.fixture(scope="module")
def stories() -> dict[str, dict[str, Score]]:
    corpus = _corpus()
    out = {}
    for mode, seed in (("at once", None), ("shuffled", 7)):
        scores = run_story(corpus, seed=seed, rounds=5, check=_replays_the_same)
        print(f"\n{mode}:\n{table(scores)}")
        out[mode] = {s.designation: s for s in scores}
    return out


def steps(score: Score) -> list[tuple]:
    return [(t["from"], t["to"], t["since"], t["withdrawn"] is not None) for t in score.history]


def designations() -> list[str]:
    import yaml

    path = CORPUS / "designations.yaml"
    if not path.exists():
        return ["corpus-absent"]
    return sorted(yaml.safe_load(path.read_text())["designations"])


@pytest.mark.timeout(300)
@pytest.mark.parametrize("designation", designations())
def test_a_real_story(stories: dict[str, dict[str, Score]], designation: str) -> None:
    at_once, shuffled = stories["at once"][designation], stories["shuffled"][designation]
    # History follows publication, not arrival: each stage is reached on the same day and the
    # story ends at the same stage (readings published at the same instant are taken in log
    # order, which may show a skipped rung as a step of its own or not).
    assert shuffled.reached == at_once.reached
    assert steps(shuffled)[-1:] == steps(at_once)[-1:]
    for score in (at_once, shuffled):
        # Every announced step up is confirmed: a plain body sentence, or several sites.
        assert score.unbacked_alerts == 0, score.alerts
        # A stage is reached only on a day some item was published.
        days = {i.published for i in load_items(CORPUS)}
        assert set(score.reached.values()) <= days


@pytest.mark.timeout(300)
def test_the_same_story_on_postgresql(postgres_url: str,
                                      stories: dict[str, dict[str, Score]]) -> None:
    scores = run_story(_corpus(), postgres_url, seed=3, rounds=4)
    # As in the shuffled run: the same days reached and the same last step (readings of one
    # instant are taken in log order, which differs with the order of arrival).
    assert {s.designation: (s.reached, steps(s)[-1:]) for s in scores} == {
        name: (s.reached, steps(s)[-1:]) for name, s in stories["at once"].items()}
