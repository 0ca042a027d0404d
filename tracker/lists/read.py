"""Reading an official list's page: its entries as normalised text, and whether one names a
designation's subject.

A page where the locator finds nothing is an error, never an empty list: a changed layout or
a cut page must not read as "every group left the list".
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tracker.config import ListConfig

# Quotes of every script an entry may wrap a name in; brackets that hold aliases.
QUOTES = "\"'«»„“”‟‘’‚‛‹›「」『』"
_QUOTES = re.compile(f"[{re.escape(QUOTES)}]")
_BRACKETS = re.compile(r"[()\[\]{}]")
_SPACE = re.compile(r"\s+")
_NUMBERED = re.compile(r"^\d{1,4}\s*[.)]\s+")  # "12. " or "12) " before the name
_DATES = (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"))


class ListUnreadable(Exception):
    """The page could not be read as the list, or the locator found no entries in it."""


@dataclass(frozen=True)
class ListPage:
    entries: frozenset[str]
    effective_at: datetime | None  # the date the page states for the list, if any


def normalise(text: str) -> str:
    """One entry as recorded: NFC, one space between words, no numbering before it."""
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return _NUMBERED.sub("", text)


def check_selector(selector: str) -> None:
    """Refuse a CSS selector that cssselect cannot translate (at configuration time)."""
    from cssselect import GenericTranslator, SelectorError

    try:
        GenericTranslator().css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"{selector!r} is not a CSS selector: {exc}") from None


def read_list(config: ListConfig, body: bytes, content_type: str | None) -> ListPage:
    """The entries the list's locator finds in a page; ListUnreadable when it finds none."""
    readers = {"html": _html, "csv": _csv, "json": _json}
    try:
        found, stated = readers[config.format](config, body, _charset(content_type)) \
            if body.strip() else ([], None)
    except ListUnreadable:
        raise
    except Exception as exc:  # a page nothing foresaw: this list's failure
        raise ListUnreadable(f"the page could not be read as a {config.format} list: "
                             f"{type(exc).__name__}: {exc}") from None
    entries = frozenset(e for e in (normalise(t) for t in found) if e)
    if not entries:
        where = config.selector or config.column or config.key
        raise ListUnreadable(f"no entries found at {where!r}: the page's layout may have "
                             "changed (the list is kept as it was)")
    return ListPage(entries, _date(stated) if stated else None)


def _charset(content_type: str | None) -> str | None:
    match = re.search(r"charset=\"?([\w.:-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def _text(body: bytes, charset: str | None) -> str:
    if charset:
        try:
            return body.decode(charset, errors="replace")
        except LookupError:
            pass
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1251", errors="replace")  # the older Russian official pages


def _html(config: ListConfig, body: bytes, charset: str | None) -> tuple[list[str], str | None]:
    import lxml.html

    if charset:
        doc = lxml.html.document_fromstring(_text(body, charset))
    else:
        doc = lxml.html.document_fromstring(body)  # lxml honours the page's own <meta charset>
    found = [element.text_content() for element in doc.cssselect(config.selector or "")]
    stated = None
    if config.date:
        dates = doc.cssselect(config.date)
        stated = dates[0].text_content() if dates else None
    return found, stated


def _csv(config: ListConfig, body: bytes, charset: str | None) -> tuple[list[str], str | None]:
    rows = list(csv.reader(io.StringIO(_text(body, charset))))
    if not rows:
        return [], None
    column = config.column
    if isinstance(column, str) and not column.isdigit():
        header = [normalise(h).casefold() for h in rows[0]]
        if column.casefold() not in header:
            raise ListUnreadable(f"no column {column!r} in the header: the layout may have "
                                 "changed (the list is kept as it was)")
        index, rows = header.index(column.casefold()), rows[1:]
    else:
        index = int(column)  # type: ignore[arg-type]
    return [row[index] for row in rows if len(row) > index], None


def _json(config: ListConfig, body: bytes, charset: str | None) -> tuple[list[str], str | None]:
    document = json.loads(_text(body, charset))
    found = [v for v in _walk(document, (config.key or "").split(".")) if isinstance(v, str)]
    stated = None
    if config.date:
        dates = [v for v in _walk(document, config.date.split(".")) if isinstance(v, str)]
        stated = dates[0] if dates else None
    return found, stated


def _walk(value: Any, keys: list[str]) -> Iterable[Any]:
    """The values at dotted keys; `*` (or a key on a list) takes every item."""
    if not keys:
        if isinstance(value, list):
            yield from value
        else:
            yield value
        return
    key, rest = keys[0], keys[1:]
    if isinstance(value, list):
        items = value if key == "*" else [v.get(key) for v in value if isinstance(v, dict)]
        for item in items:
            yield from _walk(item, rest if key == "*" else rest)
    elif isinstance(value, dict) and key in value:
        yield from _walk(value[key], rest)


def _date(text: str) -> datetime | None:
    """A date the page states (2025-04-17 or 17.04.2025), as midnight UTC."""
    for pattern in _DATES:
        match = pattern.search(text)
        if match:
            a, b, c = (int(g) for g in match.groups())
            year, month, day = (a, b, c) if pattern is _DATES[0] else (c, b, a)
            try:
                return datetime(year, month, day, tzinfo=UTC)
            except ValueError:
                return None
    return None


# -- matching an entry to a designation's subject ---------------------------------------------
def names_in(entry: str) -> set[str]:
    """The names an entry goes by: the whole, and each alias in brackets or quotes, each
    casefolded, without quotes, on one line."""
    folded = entry.casefold()
    parts = {folded}
    parts.update(re.findall(r"[(\[{]([^()\[\]{}]+)[)\]}]", folded))
    parts.update(re.findall(r"[«„“\"]([^«»„“”\"]+)[»”\"]", folded))
    out = set()
    for part in parts:
        part = _SPACE.sub(" ", _BRACKETS.sub(" ", _QUOTES.sub(" ", part))).strip(" ,;.-")
        if part:
            out.add(part)
    return out


def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


def names_subject(entry: str, subject: Iterable[str]) -> bool:
    """Whether an entry names the subject: one of the subject's names, casefolded and without
    quotes, stands as a whole word in the entry or one of its aliases."""
    names = names_in(entry)
    for name in subject:
        wanted = _SPACE.sub(" ", _QUOTES.sub(" ", name.casefold())).strip()
        if wanted and any(_word(wanted).search(n) for n in names):
            return True
    return False
