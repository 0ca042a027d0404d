"""`lists:` in feeds.yaml: validated like feeds, refused with file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.unit.config.refusals import assert_refused
from tracker.config import load_catalog
from tracker.lists.read import names_subject

GOOD = """\
designations:
  taliban-designation:
    title: Taliban on Russia's list
    subject: [Taliban, Талибан]
    authority: [Russia]
feeds:
  - id: wire
    url: https://example.org/rss.xml
lists:
  - id: fsb-terror
    url: http://www.fsb.ru/fsb/npd/terror.htm
    selector: "table tr > td:nth-of-type(2)"
    designations: [taliban-designation]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    return path


def test_a_list_loads_with_its_defaults(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, GOOD))
    listed = catalog.lists["fsb-terror"]
    assert (listed.format, listed.interval, listed.disputed_after) == ("html", 21600.0, 3)
    assert list(catalog.feeds) == ["wire"]


@pytest.mark.parametrize(("text", "line", "words"), [
    (GOOD.replace('    selector: "table tr > td:nth-of-type(2)"\n', ""), 10,
     "a html list needs 'selector'"),
    (GOOD.replace("td:nth-of-type(2)", "td:::"), 12, "is not a CSS selector"),
    (GOOD.replace("  - id: fsb-terror", "  - id: wire"), 10, "list id 'wire' is used twice"),
    (GOOD.replace("designations: [taliban-designation]\n", "designations: [hamas]\n")
     .replace("feeds:\n  - id: wire\n    url: https://example.org/rss.xml\n", "feeds: []\n"),
     11, "list 'fsb-terror' names unknown designation 'hamas'"),
    (GOOD.replace("    url: http://www.fsb.ru", "    format: pdf\n    url: http://www.fsb.ru"),
     11, "Input should be 'html', 'csv' or 'json'"),
    (GOOD + "    disputed_after: 0\n", 14, "greater than or equal to 1"),
    (GOOD + "    colour: red\n", 14, "Extra inputs are not permitted"),
    (GOOD.replace("http://www.fsb.ru", "ftp://www.fsb.ru"), 11, "not an http or https URL"),
    (GOOD + "    format: csv\n", 10, "a csv list needs 'column'"),
])
def test_a_bad_list_is_refused_with_path_line_and_reason(tmp_path: Path, text: str, line: int,
                                                         words: str) -> None:
    assert_refused(write(tmp_path, text), line, words)


def test_the_shipped_file_watches_the_fsb_list_for_the_taliban() -> None:
    catalog = load_catalog(ROOT / "feeds.yaml")
    listed = catalog.lists["fsb-terror"]
    assert listed.url == "http://www.fsb.ru/fsb/npd/terror.htm"
    assert listed.designations == ["taliban-designation"]
    subject = catalog.designations["taliban-designation"].subject
    assert names_subject("«Движение Талибан»", subject)
    assert names_subject("«Талибан»", subject)
