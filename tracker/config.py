"""Designations and feeds from feeds.yaml, validated at start (the environment's: settings.py)."""

from __future__ import annotations

import difflib
import importlib.util
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from tracker.domain.designations import DEFAULT_STAGES, REVERSED, Confirm, Designation
from tracker.errors import ConfigError

ARTICLES_EXTRA = ("reading linked articles (fetch_articles) needs trafilatura, which is an "
                  "optional extra: pip install 'tracker[articles]'")
_ID = FEED_ID = r"^[a-z0-9][a-z0-9._-]{0,99}$"
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(value: Any) -> float:
    """`15m`, `1h30m`, `45s` or a number of seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 15m, 1h or 90s")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value).strip())
        if not match or not any(match.groups()):
            raise ValueError(f"{value!r} is not a duration such as 15m, 1h or 90s")
        h, m, s = (int(g or 0) for g in match.groups())
        seconds = float(h * 3600 + m * 60 + s)
    if seconds < 1:
        raise ValueError("an interval must be at least 1 second")
    return seconds


class ConfirmConfig(BaseModel):
    """What confirms a step up and what withdraws one (the README's status rules)."""

    model_config = ConfigDict(extra="forbid")

    confidence: float = Field(default=Confirm.confidence, gt=0, le=1)
    sources: int = Field(default=Confirm.sources, ge=1, le=50)
    against: int = Field(default=Confirm.against, ge=1, le=50)


class DesignationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    subject: list[str] = Field(min_length=1)
    authority: list[str] = Field(min_length=1)
    stages: list[str] = Field(default_factory=lambda: list(DEFAULT_STAGES), min_length=1)
    change: Literal["listing", "removal"] = "removal"
    decided_by: Literal["court", "parliament", "executive"] = "court"
    # The list's name as a person says it ("Russia's federal list of terrorist organisations").
    list_name: str | None = Field(default=None, alias="list", min_length=1)
    confirm: ConfirmConfig = Field(default_factory=ConfirmConfig)

    @field_validator("stages")
    @classmethod
    def _stages(cls, stages: list[str]) -> list[str]:
        if len(set(stages)) != len(stages):
            raise ValueError("stages must not repeat")
        if REVERSED in stages or "none" in stages:
            raise ValueError(f"'{REVERSED}' and 'none' are readings, not stages")
        # A stage the classifier never reads would silently drop the news of that step.
        for stage in stages:
            if stage not in DEFAULT_STAGES:
                raise ValueError(f"unknown stage {stage!r}{did_you_mean(stage, DEFAULT_STAGES)}; "
                                 f"stages are {', '.join(DEFAULT_STAGES)}")
        if sorted(stages, key=DEFAULT_STAGES.index) != stages:
            raise ValueError(f"stages go lowest first: {', '.join(DEFAULT_STAGES)}")
        return stages


class Source(BaseModel):
    """What feeds and official lists share: an id, an http(s) URL, an interval."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID)
    url: str
    interval: float

    @field_validator("interval", mode="before")
    @classmethod
    def _interval(cls, value: Any) -> float:
        return parse_duration(value)

    @field_validator("url")
    @classmethod
    def _url(cls, url: str) -> str:
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"{url!r} is not an http or https URL")
        return url


class FeedConfig(Source):
    interval: float = 900.0
    designations: list[str] = Field(default_factory=list)
    fetch_articles: bool = False


class ListConfig(Source):
    """An authority's own published list (tracker/lists): polled like a feed, read by a
    selector, its entries matched to the designations it names."""

    interval: float = 21600.0
    designations: list[str] = Field(min_length=1)
    format: Literal["html", "csv", "json"] = "html"
    selector: str | None = None  # html: a CSS selector, one element per entry
    column: str | int | None = None  # csv: the column's header or 0-based index
    key: str | None = None  # json: dotted keys to the entries, `*` for every item of a list
    date: str | None = None  # html: a CSS selector, json: a key, for the list's effective date
    disputed_after: int = Field(default=3, ge=1, le=1000)

    @model_validator(mode="after")
    def _locator(self) -> ListConfig:
        needed = {"html": "selector", "csv": "column", "json": "key"}[self.format]
        if getattr(self, needed) in (None, ""):
            raise ValueError(f"a {self.format} list needs '{needed}': where its entries are")
        if self.format == "html" and self.date:
            from tracker.lists.read import check_selector
            check_selector(self.date)
        return self

    @field_validator("selector")
    @classmethod
    def _selector(cls, selector: str | None) -> str | None:
        if selector:
            from tracker.lists.read import check_selector
            check_selector(selector)
        return selector


class FeedsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    designations: dict[str, DesignationConfig] = Field(min_length=1)
    feeds: list[FeedConfig] = Field(default_factory=list)
    lists: list[ListConfig] = Field(default_factory=list)

    @field_validator("designations")
    @classmethod
    def _ids(cls, value: dict[str, DesignationConfig]) -> dict[str, DesignationConfig]:
        for key in value:
            if not re.match(_ID, key):
                raise ValueError(f"designation id {key!r} must be lowercase letters, digits, -._")
        return value


def articles_available() -> bool:
    """Whether the article reader is installed (without importing it: 0.25 s and 28 MB)."""
    return importlib.util.find_spec("trafilatura") is not None


def did_you_mean(given: Any, choices: Sequence[str]) -> str:
    """` (did you mean 'x'?)` for a near miss, else nothing."""
    near = difflib.get_close_matches(str(given), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


class Catalog:
    """The designations and feeds a running service tracks."""

    def __init__(self, designations: Sequence[Designation], feeds: Sequence[FeedConfig],
                 lists: Sequence[ListConfig] = ()):
        self.designations = {d.id: d for d in designations}
        self.feeds = {f.id: f for f in feeds}
        self.lists = {x.id: x for x in lists}

    def designations_for(self, feed_id: str) -> list[Designation]:
        feed = self.feeds.get(feed_id)
        names = feed.designations if feed and feed.designations else list(self.designations)
        return [self.designations[n] for n in names]


def load_catalog(path: Path) -> Catalog:
    """Read and validate a feeds file; a bad one raises ConfigError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read the feeds file: {exc.strerror}") from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(str(path), f"not valid YAML: {problem}",
                          mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), "expected a mapping with 'designations' and 'feeds'", 1)
    try:
        parsed = FeedsFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        where = ".".join(str(p) for p in loc) or "top level"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "literal_error":  # change, decided_by: name the near miss too
            message += did_you_mean(error["input"], error["ctx"]["expected"].replace("'", "")
                                    .replace(" or ", ", ").split(", "))
        raise ConfigError(str(path), f"{where}: {message}", _line_of(root, loc)) from None
    fault = _reference_fault(parsed)
    if fault:
        loc, message = fault
        raise ConfigError(str(path), f"{'.'.join(map(str, loc))}: {message}", _line_of(root, loc))
    designations = [
        Designation(key, d.title, tuple(d.subject), tuple(d.authority), tuple(d.stages),
                    d.change, d.decided_by, Confirm(**d.confirm.model_dump()), d.list_name)
        for key, d in parsed.designations.items()
    ]
    return Catalog(designations, parsed.feeds, parsed.lists)


def _reference_fault(parsed: FeedsFile) -> tuple[tuple[Any, ...], str] | None:
    """Where feeds repeat an id or name a designation that is not defined."""
    seen: set[str] = set()
    for i, feed in enumerate(parsed.feeds):
        if feed.id in seen:
            return ("feeds", i, "id"), f"feed id {feed.id!r} is used twice"
        seen.add(feed.id)
        if feed.fetch_articles and not articles_available():
            return ("feeds", i, "fetch_articles"), f"feed {feed.id!r}: {ARTICLES_EXTRA}"
        for j, name in enumerate(feed.designations):
            if name not in parsed.designations:
                return (("feeds", i, "designations", j),
                        f"feed {feed.id!r} names unknown designation {name!r}")
    for i, listed in enumerate(parsed.lists):  # one schedule for both: ids unique across them
        if listed.id in seen:
            return ("lists", i, "id"), f"list id {listed.id!r} is used twice (feeds included)"
        seen.add(listed.id)
        for j, name in enumerate(listed.designations):
            if name not in parsed.designations:
                return (("lists", i, "designations", j),
                        f"list {listed.id!r} names unknown designation {name!r}")
    return None


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the deepest node along `loc` that exists."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line
