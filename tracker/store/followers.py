"""One step of a follower of the log (a projection, the classifier's reader, the webhook
outbox): claim its checkpoint, read a span after it, apply it, move the checkpoint."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from tracker.store.checkpoints import Claim, stepped
from tracker.store.database import backend_of, writing


@contextmanager
def claimed(engine: Engine, name: str, apart: bool = False) -> Iterator[Claim | None]:
    """Follower `name`'s checkpoint claimed for one step, or None while another instance
    holds it. The step reads and applies the span after `claim.start` and sets `claim.end`;
    the checkpoint moves there in the claim's transaction, with the step's rows, unless an
    error ends the step. `apart`: the follower writes in transactions of its own (the
    reader appends to the log), and the checkpoint moves after them."""
    backend = backend_of(engine)
    if apart:
        with backend.claim_apart(engine, name) as claim:
            yield claim
        return
    # Its rows can be derived again: the commit need not wait for the disk.
    with (writing(engine, durable=False) as conn,
          stepped(conn, name, backend.claim(conn, name)) as claim):
        yield claim
