"""evidence and decisions sortable by effective time; the status projection is rebuilt

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The status projection is derived from the log: empty it and let it replay.
    for table in ("designation_status", "evidence", "decisions"):
        op.execute(f"DELETE FROM {table}")
    op.execute("DELETE FROM checkpoints WHERE name = 'status'")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective", sa.BigInteger(), nullable=False))
        batch_op.create_index("ix_evidence_designation_effective",
                              ["designation", "effective", "position"], unique=False)
        batch_op.create_index("ix_evidence_observation",
                              ["observation_id", "designation", "position"], unique=False)
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("effective")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_observation")
        batch_op.drop_index("ix_evidence_designation_effective")
        batch_op.drop_column("effective")
