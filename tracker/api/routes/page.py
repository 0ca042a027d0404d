"""The timeline page."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from tracker import views
from tracker.api.deps import TrackerDep

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")


@router.get("/", response_class=HTMLResponse)
def timeline_page(request: Request, tracker: TrackerDep) -> HTMLResponse:
    documents = [json.loads(views.status_json(tracker, d)) for d in tracker.catalog.designations]
    return templates.TemplateResponse(request, "timeline.html", {"documents": documents})
