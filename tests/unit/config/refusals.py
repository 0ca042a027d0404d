"""How a bad feeds file is refused: with its path, the line and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.config import load_catalog
from tracker.errors import ConfigError


def assert_refused(path: Path, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_catalog(path)
    assert caught.value.line == line, str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert words in str(caught.value)
