"""Shuffling the events of a designation as another arrival order would bring them."""

from __future__ import annotations

import random

from tracker.domain.events import EvidenceRecorded


def shuffled_arrival(events: list[object], rng: random.Random) -> list[object]:
    """The events in a random order, each observation's readings still in their own order
    (what matters per observation is its newest reading and whether it was rejected)."""
    order = list(range(len(events)))
    rng.shuffle(order)
    by_observation: dict[str, list[int]] = {}
    for i, e in enumerate(events):
        if isinstance(e, EvidenceRecorded):
            by_observation.setdefault(e.observation_id, []).append(i)
    slots = {obs: iter(sorted(order.index(i) for i in idx))
             for obs, idx in by_observation.items()}
    shuffled: list[object] = [None] * len(events)
    for i, e in enumerate(events):
        at = next(slots[e.observation_id]) if isinstance(e, EvidenceRecorded) \
            else order.index(i)
        shuffled[at] = e
    return shuffled
