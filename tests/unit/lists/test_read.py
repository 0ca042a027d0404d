"""Reading an official list's page and matching its entries to a designation's subject."""

from __future__ import annotations

import json

import pytest

from tracker.config import ListConfig
from tracker.lists.read import ListUnreadable, names_in, names_subject, normalise, read_list

SUBJECT = ("Taliban", "Taleban", "Талибан", "Движение Талибан")


@pytest.mark.parametrize("entry", [
    "«Движение Талибан»",
    "Движение «Талибан»",
    "«Талибан» (Taliban Movement)",
    "Taliban Movement («Движение Талибан»)",
    "ДВИЖЕНИЕ ТАЛИБАН",  # casefolded
    '"Taleban"',
    "Исламский Эмират Афганистан (Talib movement, «Taliban»)",
])
def test_an_entry_names_the_subject_in_any_script_and_alias(entry: str) -> None:
    assert names_subject(entry, SUBJECT)


@pytest.mark.parametrize("entry", [
    "«База» («Аль-Каида»)",
    "«Талибанский фронт»",  # another word that begins like it
    "Pakistani Talibanistan Front",
    "«Асбат аль-Ансар»",
])
def test_an_entry_that_does_not_name_it(entry: str) -> None:
    assert not names_subject(entry, SUBJECT)


def test_names_in_an_entry_are_the_whole_and_each_alias() -> None:
    assert names_in("«База» («Аль-Каида»)") == {"база аль-каида", "база", "аль-каида"}


def test_normalise_spaces_and_numbering() -> None:
    assert normalise("  12.  «Движение\n  Талибан» ") == "«Движение Талибан»"
    assert normalise("1)\tName") == "Name"


def config(**values) -> ListConfig:
    return ListConfig.model_validate({"id": "l", "url": "https://list.example/", "designations": ["d"],
                                      **values})


def test_html_with_the_charset_of_its_header() -> None:
    page = "<table><tr><td>1</td><td>«Движение Талибан»</td></tr></table>".encode("cp1251")
    read = read_list(config(selector="td:nth-of-type(2)"), page, "text/html; charset=windows-1251")
    assert read.entries == {"«Движение Талибан»"} and read.effective_at is None


def test_csv_by_header_or_index() -> None:
    page = "id,name,date\n1,«Талибан»,2003-02-14\n2,«База»,2003-02-14\n".encode()
    assert read_list(config(format="csv", column="Name"), page, None).entries == {
        "«Талибан»", "«База»"}
    headless = page.split(b"\n", 1)[1]  # by index: every row is an entry, no header
    assert read_list(config(format="csv", column=1), headless, None).entries == {
        "«Талибан»", "«База»"}
    with pytest.raises(ListUnreadable, match="no column 'title'"):
        read_list(config(format="csv", column="title"), page, None)


def test_json_by_dotted_keys_with_a_stated_date() -> None:
    page = json.dumps({"updated": "2025-04-17", "data": {"entries": [
        {"name": "«Талибан»"}, {"name": "«База»"}]}}).encode()
    read = read_list(config(format="json", key="data.entries.name", date="updated"), page, None)
    assert read.entries == {"«Талибан»", "«База»"}
    assert read.effective_at is not None and read.effective_at.isoformat() == "2025-04-17T00:00:00+00:00"


@pytest.mark.parametrize(("values", "page"), [
    ({"selector": "table td"}, b"<html><body><ul><li>x</li></ul></body></html>"),
    ({"format": "json", "key": "entries"}, b'{"items": ["x"]}'),
    ({"format": "json", "key": "entries"}, b'{"entries": []}'),
    ({"format": "csv", "column": 0}, b""),
])
def test_no_entries_is_an_error(values: dict, page: bytes) -> None:
    with pytest.raises(ListUnreadable, match="no entries found"):
        read_list(config(**values), page, None)


def test_a_page_that_is_not_json_is_an_error() -> None:
    with pytest.raises(ListUnreadable, match="could not be read as a json list"):
        read_list(config(format="json", key="x"), b"<html>", None)
