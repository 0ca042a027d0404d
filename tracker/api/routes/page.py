"""The timeline page: each designation's stage and its transitions with their articles."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from tracker import views
from tracker.api.deps import TrackerDep
from tracker.domain.links import web_link

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")


def day(value: str | None) -> str:
    """An ISO time as a person reads it: 17 Apr 2025."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%-d %b %Y")
    except ValueError:
        return value


templates.env.filters["day"] = day
templates.env.filters["web_link"] = web_link  # a link from an older log may be javascript:


def _policy() -> str:
    """The page's Content-Security-Policy: no script at all, its one inline style by hash."""
    source = (Path(templates.env.loader.searchpath[0]) / "timeline.html").read_text()  # type: ignore[union-attr]
    styles = re.findall(r"<style>(.*?)</style>", source, re.S)
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
                      + "'" for s in styles)
    return (f"default-src 'none'; style-src {hashes}; img-src 'self'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'")


POLICY = _policy()


@router.get("/", response_class=HTMLResponse)
def timeline_page(request: Request, tracker: TrackerDep) -> HTMLResponse:
    documents = [json.loads(views.status_json(tracker, d)) | {"decisions": views.decisions(tracker, d)}
                 for d in tracker.catalog.designations]
    return templates.TemplateResponse(request, "timeline.html", {"documents": documents},
                                      headers={"Content-Security-Policy": POLICY})
