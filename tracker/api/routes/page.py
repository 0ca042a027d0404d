"""The pages: an overview of every designation, and one page per designation with its step
chart, timeline, evidence and feed health."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from tracker import views
from tracker.api.chart import chart
from tracker.api.deps import TrackerDep
from tracker.bootstrap import Tracker
from tracker.domain.links import web_link
from tracker.domain.process import binding_step, process
from tracker.errors import UnknownDesignation

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")


def _time(value: str | None, pattern: str) -> str:
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).strftime(pattern)
    except ValueError:
        return value


def day(value: str | None) -> str:
    """An ISO time as a person reads it: 17 Apr 2025."""
    return _time(value, "%-d %b %Y")


def moment(value: str | None) -> str:
    """An ISO time to the minute: 3 Dec 2026, 09:10 UTC."""
    return _time(value, "%-d %b %Y, %H:%M UTC")


templates.env.filters["day"] = day
templates.env.filters["moment"] = moment
templates.env.filters["web_link"] = web_link  # a link from an older log may be javascript:


def _policy() -> str:
    """The pages' Content-Security-Policy: no script at all, their one inline style by hash."""
    source = (Path(templates.env.loader.searchpath[0]) / "base.html").read_text()  # type: ignore[union-attr]
    styles = re.findall(r"<style>(.*?)</style>", source, re.S)
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
                      + "'" for s in styles)
    return (f"default-src 'none'; style-src {hashes}; img-src 'self'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'")


POLICY = _policy()


def overview(tracker: Tracker) -> dict[str, Any]:
    documents = [json.loads(views.status_json(tracker.engine, tracker.catalog, d))
                 | {"process": process(designation)}
                 for d, designation in tracker.catalog.designations.items()]
    return {"designations": documents, "health": views.feed_summary(tracker.engine, tracker.catalog)}


def designation_page(tracker: Tracker, name: str) -> dict[str, Any]:
    designation = tracker.catalog.designations.get(name)
    if designation is None:
        raise UnknownDesignation(name)
    d = json.loads(views.status_json(tracker.engine, tracker.catalog, name)) | {
        "decisions": views.decisions(tracker.engine, name)}
    return {"d": d, "process": process(designation), "binding": binding_step(designation),
            "chart": chart(d, datetime.now(UTC)),
            "health": views.feed_summary(tracker.engine, tracker.catalog, name)}


@router.get("/", response_class=HTMLResponse)
async def overview_page(request: Request, tracker: TrackerDep) -> HTMLResponse:
    context = await run_in_threadpool(overview, tracker)
    return templates.TemplateResponse(request, "overview.html", context,
                                      headers={"Content-Security-Policy": POLICY})


@router.get("/designations/{designation}", response_class=HTMLResponse)
async def designation(request: Request, tracker: TrackerDep, designation: str) -> HTMLResponse:
    context = await run_in_threadpool(designation_page, tracker, designation)
    return templates.TemplateResponse(request, "designation.html", context,
                                      headers={"Content-Security-Policy": POLICY})
