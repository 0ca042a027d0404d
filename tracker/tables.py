"""Every table, for Alembic: importing the modules registers them on one metadata."""

from tracker.projections import tables as _projections  # noqa: F401
from tracker.store.tables import metadata

__all__ = ["metadata"]
