"""The tables of the log. Projections and webhooks add theirs to the same metadata."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tracker.store.database import KEYED_ONLY, POSITION_TYPE

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

events = Table(
    "events",
    metadata,
    Column("position", POSITION_TYPE, primary_key=True, autoincrement=False),
    Column("stream", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(100), nullable=False),
    Column("type_version", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("stream", "version", name="uq_events_stream_version"),
)

# Every key an event is known by (its idempotency key and its aliases): the same story
# reached by another guid, link or text finds the event already there.
event_keys = Table(
    "event_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("position", BigInteger, nullable=False),
    **KEYED_ONLY,
)

# How far each follower of the log has read; written with the follower's rows.
checkpoints = Table(
    "checkpoints",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# When each feed is next due, its conditional-GET validators, and which instance holds it:
# operational state that steers polling, not a projection of the log.
feed_schedule = Table(
    "feed_schedule",
    metadata,
    Column("feed", String(100), primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("next_poll_at", Float, nullable=False),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("lease_owner", String(100)),
    Column("lease_until", Float),
    Column("gone", Boolean, nullable=False, default=False),
)
