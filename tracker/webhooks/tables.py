"""Subscriptions, the outbox of deliveries, and every attempt: operational state."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, String, Table, Text

from tracker.store.tables import metadata

subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("url", Text, nullable=False),
    Column("designations", Text),  # a JSON list, or null for every designation
    Column("secret", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("from_position", BigInteger, nullable=False),  # transitions after this are sent
    Column("disabled_reason", Text),
    Column("deleted", Boolean, nullable=False, default=False),
)

deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(100), primary_key=True),  # the webhook-id, the same on every retry
    Column("subscription_id", String(40), nullable=False),
    Column("position", BigInteger, nullable=False),  # of the StatusChanged event
    Column("payload", Text, nullable=False),
    Column("status", String(20), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("lease_owner", String(100)),
    Column("lease_until", Float),
    Column("last_status_code", Integer),
    Column("last_error", Text),
    Column("recorded_at", String(32), nullable=False),  # when the transition was committed
    Column("delivered_at", String(40)),
    Index("ix_webhook_deliveries_subscription_position", "subscription_id", "position"),
    Index("ix_webhook_deliveries_pending", "status", "subscription_id", "position"),
)

attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(100), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("at", String(40), nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Column("duration_ms", Integer, nullable=False),
    Column("next_retry_at", String(40)),
    Index("ix_webhook_attempts_delivery", "delivery_id", "attempt"),
)
