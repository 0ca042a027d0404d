"""The projections' tables."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, String, Table, Text

from tracker.store.tables import metadata

designation_status = Table(
    "designation_status",
    metadata,
    Column("designation", String(100), primary_key=True),
    Column("stage", String(50)),
    Column("since", String(40)),
    Column("position", BigInteger, nullable=False),
    Column("recorded_at", String(32)),
    Column("document", Text, nullable=False),
)

evidence = Table(
    "evidence",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("designation", String(100), nullable=False),
    Column("observation_id", String(100), nullable=False),
    Column("stage", String(50)),
    Column("confidence", Float, nullable=False),
    Column("quote", Text),
    Column("classifier_version", String(50), nullable=False),
    Column("feed", String(100), nullable=False),
    Column("url", Text),
    Column("title", Text, nullable=False),
    Column("published_at", String(40), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("effective", BigInteger, nullable=False),  # published_at in microseconds, to sort
    Column("basis", String(20), nullable=False, server_default="body"),  # headline | body
    Column("date_source", String(20), nullable=False, server_default="feed"),
    Index("ix_evidence_designation_position", "designation", "position"),
    Index("ix_evidence_designation_effective", "designation", "effective", "position"),
    Index("ix_evidence_observation", "observation_id", "designation", "position"),
)

# Analysts' decisions: a stage set by hand, or one piece of evidence rejected.
decisions = Table(
    "decisions",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("designation", String(100), nullable=False),
    Column("kind", String(20), nullable=False),  # override | rejection | withdrawal (of an override)
    Column("stage", String(50)),
    Column("observation_id", String(100)),
    Column("reason", Text, nullable=False),
    Column("analyst", String(200)),
    Column("effective_at", String(40)),
    Column("recorded_at", String(32), nullable=False),
    Column("effective", BigInteger),  # an override's effective_at in microseconds
    Index("ix_decisions_designation_position", "designation", "position"),
)

feed_health = Table(
    "feed_health",
    metadata,
    Column("feed", String(100), primary_key=True),
    Column("url", Text),
    Column("last_poll_at", String(40)),
    Column("last_success_at", String(40)),
    Column("last_outcome", String(20)),
    Column("last_status", Integer),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("failing_since", String(40)),  # the first failed poll since the last success
    Column("last_error", Text),
    Column("next_poll_at", String(40)),
    Column("entries_seen", BigInteger, nullable=False, default=0),
    Column("gone", Boolean, nullable=False, default=False),
    Column("position", BigInteger, nullable=False),
)

# Official lists' disputes: a list that kept contradicting a binding step the news took.
disputes = Table(
    "disputes",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("designation", String(100), nullable=False),
    Column("list_id", String(100), nullable=False),
    Column("stage", String(50), nullable=False),
    Column("step_position", BigInteger, nullable=False),
    Column("polls", Integer, nullable=False),
    Column("entry", Text),
    Column("at", String(40), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Index("ix_disputes_designation_position", "designation", "position"),
)
