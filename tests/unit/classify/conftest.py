"""Each test reads with patterns built for it: a designation's patterns are cached for the
life of the process, and a test must not pass on patterns another test built."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tracker.classify.rules import language_of


@pytest.fixture(autouse=True)
def fresh_patterns() -> Iterator[None]:
    language_of.cache_clear()
    yield
