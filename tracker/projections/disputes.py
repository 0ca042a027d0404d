"""Disputes: each StatusDisputed as a row, for the status document's `disputed` flag."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table

from tracker.domain.documents import iso
from tracker.projections.tables import disputes
from tracker.store.database import insert_many
from tracker.store.log import StoredEvent


class DisputeProjection:
    name = "disputes"
    types = frozenset({"StatusDisputed"})
    tables: tuple[Table, ...] = (disputes,)

    def forget(self) -> None:
        pass

    def apply(self, conn: Connection, batch: list[tuple[StoredEvent, Any]]) -> None:
        insert_many(conn, disputes, [
            {"position": stored.position, "designation": e.designation, "list_id": e.list,
             "stage": e.stage, "step_position": e.step_position, "polls": e.polls,
             "entry": e.entry, "at": iso(e.at), "recorded_at": stored.recorded_at}
            for stored, e in batch])
