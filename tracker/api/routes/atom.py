"""Atom feeds of changes: one designation's steps and corrections, or every designation's."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from starlette.concurrency import run_in_threadpool

from tracker import atom, views
from tracker.api.deps import TrackerDep
from tracker.api.routes.status import matches
from tracker.api.schemas import Problem
from tracker.bootstrap import Tracker
from tracker.errors import UnknownDesignation

router = APIRouter(tags=["status"])
ATOM = "application/atom+xml"
ANSWERS = {200: {"content": {ATOM: {}}, "description": "an Atom feed, newest first"},
           304: {"description": "unchanged since the given ETag"}}


def designation_feed(tracker: Tracker, name: str, base: str) -> bytes:
    if name not in tracker.catalog.designations:
        raise UnknownDesignation(name)
    document = json.loads(views.status_json(tracker.engine, tracker.catalog, name))
    return atom.atom(atom.entries(document, base), feed_id=f"{name}/feed",
                     title=f"{document['title']}: changes", self_url=f"{base}status/{name}/feed.atom",
                     page=f"{base}designations/{name}", updated=document["recorded_at"])


def every_feed(tracker: Tracker, base: str) -> bytes:
    documents = [json.loads(views.status_json(tracker.engine, tracker.catalog, d))
                 for d in tracker.catalog.designations]
    found = sorted((e for d in documents for e in atom.entries(d, base)),
                   key=lambda e: (e.effective, e.position), reverse=True)
    updated = max((d["recorded_at"] for d in documents if d["recorded_at"]), default=None)
    return atom.atom(found, feed_id="feed", title="Designation tracker: every change",
                     self_url=f"{base}feed.atom", page=base, updated=updated)


def answer(body: bytes, if_none_match: str | None) -> Response:
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if if_none_match and matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=ATOM, headers=headers)


@router.get("/status/{designation}/feed.atom", response_class=Response,
            responses={**ANSWERS, 404: {"model": Problem, "description": "no such designation"}})
async def designation_atom(request: Request, tracker: TrackerDep, designation: str,
                           if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """The designation's steps and corrections as an Atom feed, one entry each with its
    evidence."""
    body = await run_in_threadpool(designation_feed, tracker, designation, str(request.base_url))
    return answer(body, if_none_match)


@router.get("/feed.atom", response_class=Response, responses=ANSWERS)
async def every_atom(request: Request, tracker: TrackerDep,
                     if_none_match: Annotated[str | None, Header()] = None) -> Response:
    """Every designation's steps and corrections as one Atom feed."""
    body = await run_in_threadpool(every_feed, tracker, str(request.base_url))
    return answer(body, if_none_match)
