"""official lists: the disputes a list raises against a binding step the news took

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disputes",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("designation", sa.String(100), nullable=False),
        sa.Column("list_id", sa.String(100), nullable=False),
        sa.Column("stage", sa.String(50), nullable=False),
        sa.Column("step_position", sa.BigInteger, nullable=False),
        sa.Column("polls", sa.Integer, nullable=False),
        sa.Column("entry", sa.Text),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_disputes_designation_position", "disputes", ["designation", "position"])


def downgrade() -> None:
    op.drop_index("ix_disputes_designation_position", table_name="disputes")
    op.drop_table("disputes")
