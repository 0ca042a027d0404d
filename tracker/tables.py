"""Every table, for Alembic: importing the modules registers them on one metadata."""

from tracker.projections import tables as _projections  # noqa: F401
from tracker.store.tables import metadata
from tracker.webhooks import tables as _webhooks  # noqa: F401

__all__ = ["metadata"]
