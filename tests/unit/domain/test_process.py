"""A designation's process in plain words, built from its configuration."""

from __future__ import annotations

from tracker.domain.designations import Designation
from tracker.domain.process import binding_step, process


def designation(**kw: object) -> Designation:
    return Designation("d", "Title", ("Group",), ("Russia", "Moscow"), **kw)  # type: ignore[arg-type]


def test_a_removal_by_a_court_on_a_named_list() -> None:
    d = designation(list_name="Russia's federal list of terrorist organisations")
    assert process(d) == "removal from Russia's federal list of terrorist organisations, " \
                         "decided by a court"
    assert binding_step(d) == "a court's ruling"


def test_a_listing_without_a_list_name_names_the_authority() -> None:
    assert process(designation(change="listing", decided_by="parliament")) == \
        "listing on Russia's list, decided by parliament"
    assert process(designation(change="listing", decided_by="executive")) == \
        "listing on Russia's list, decided by the government"
    assert binding_step(designation(decided_by="executive")) == \
        "the government's decision published or in force"
