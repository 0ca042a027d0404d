"""A designation's process in plain words, from its configuration alone."""

from __future__ import annotations

from tracker.domain.designations import Designation

DECIDERS = {"court": "a court", "parliament": "parliament", "executive": "the government"}
BINDING = {"court": "a court's ruling",
           "parliament": "an order approved by parliament and in force",
           "executive": "the government's decision published or in force"}


def list_of(d: Designation) -> str:
    """The list's name, or the authority's list when the configuration names none."""
    return d.list_name or f"{d.authority[0]}'s list"


def process(d: Designation) -> str:
    """'removal from Russia's federal list of terrorist organisations, decided by a court'."""
    change = "removal from" if d.change == "removal" else "listing on"
    return f"{change} {list_of(d)}, decided by {DECIDERS[d.decided_by]}"


def binding_step(d: Designation) -> str:
    """What the last stage of the ladder means for this process: 'a court's ruling'."""
    return BINDING[d.decided_by]
