"""evidence keeps its reading's basis and date source; the status projection is rebuilt

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Status now waits for confirmation and can be withdrawn: derive it again from the log.
    for table in ("designation_status", "evidence", "decisions"):
        op.execute(f"DELETE FROM {table}")
    op.execute("DELETE FROM checkpoints WHERE name = 'status'")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("basis", sa.String(20), nullable=False,
                                      server_default="body"))
        batch_op.add_column(sa.Column("date_source", sa.String(20), nullable=False,
                                      server_default="feed"))


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("date_source")
        batch_op.drop_column("basis")
