"""The form of the first word of a mention of the change, which decides how it is read."""

from __future__ import annotations

import pytest

from tracker.classify.rules import _verb_form


@pytest.mark.parametrize(("word", "form"), [
    ("banning", "ing"), ("listing", "ing"),
    ("banned", "past"), ("proscribed", "past"), ("taken", "past"), ("withdrawn", "past"),
    ("put", "past"), ("took", "past"), ("struck", "past"), ("made", "past"), ("set", "past"),
    ("cut", "past"),
    ("bans", "present"), ("designates", "present"), ("lists", "present"),
    ("address", "other"), ("designations", "other"), ("listings", "other"),
    ("status", "other"), ("terrorists", "other"), ("ban", "other"), ("removal", "other"),
])
def test_verb_form(word: str, form: str) -> None:
    assert _verb_form(word) == form
