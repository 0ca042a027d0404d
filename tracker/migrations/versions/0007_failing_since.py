"""feed health keeps when each feed's current run of failures began; rebuilt from the log

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Feed health is derived from the log: empty it and let it replay with the new column.
    op.execute("DELETE FROM feed_health")
    op.execute("DELETE FROM checkpoints WHERE name = 'feed_health'")
    with op.batch_alter_table("feed_health", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failing_since", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feed_health", schema=None) as batch_op:
        batch_op.drop_column("failing_since")
