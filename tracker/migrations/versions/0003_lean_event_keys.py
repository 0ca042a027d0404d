"""events: drop the unique index on idempotency_key (event_keys already holds every key
uniquely); SQLite: event_keys WITHOUT ROWID (one b-tree instead of two). Fewer pages
written by every append.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

EVENTS = """CREATE TABLE events (
    position INTEGER NOT NULL,
    stream VARCHAR(200) NOT NULL,
    version INTEGER NOT NULL,
    type VARCHAR(100) NOT NULL,
    type_version INTEGER NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key VARCHAR(200) NOT NULL,
    recorded_at VARCHAR(32) NOT NULL,
    prev_hash VARCHAR(64) NOT NULL,
    hash VARCHAR(64) NOT NULL,
    CONSTRAINT pk_events PRIMARY KEY (position),
    CONSTRAINT uq_events_stream_version UNIQUE (stream, version){extra}
)"""
EVENT_KEYS = """CREATE TABLE event_keys (
    "key" VARCHAR(200) NOT NULL,
    position BIGINT NOT NULL,
    CONSTRAINT pk_event_keys PRIMARY KEY ("key")
){extra}"""


# The append-only triggers of 0001, dropped and made again around the rebuild.
SQLITE_TRIGGERS = [
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE on events refused'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE on events refused'); END",
]


def _sqlite_rebuild(events_extra: str, keys_extra: str) -> None:
    op.execute("DROP TRIGGER events_no_update")
    op.execute("DROP TRIGGER events_no_delete")
    op.execute("ALTER TABLE events RENAME TO events_old")
    op.execute(EVENTS.format(extra=events_extra))
    op.execute("INSERT INTO events SELECT * FROM events_old")
    op.execute("DROP TABLE events_old")
    op.execute("ALTER TABLE event_keys RENAME TO event_keys_old")
    op.execute(EVENT_KEYS.format(extra=keys_extra))
    op.execute('INSERT INTO event_keys SELECT "key", position FROM event_keys_old')
    op.execute("DROP TABLE event_keys_old")
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("uq_events_idempotency_key", "events", type_="unique")
    else:
        _sqlite_rebuild("", " WITHOUT ROWID")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_unique_constraint("uq_events_idempotency_key", "events", ["idempotency_key"])
    else:
        _sqlite_rebuild(",\n    CONSTRAINT uq_events_idempotency_key UNIQUE (idempotency_key)", "")
