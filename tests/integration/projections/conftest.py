"""The whole tracker, built on the test's database, for the projection tests."""

from __future__ import annotations

import pytest

from tracker.bootstrap import build
from tracker.settings import Settings


@pytest.fixture
def tracker(settings: Settings):
    built = build(settings)
    yield built
    built.close()
