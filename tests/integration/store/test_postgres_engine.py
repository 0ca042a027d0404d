"""How the store connects to PostgreSQL: the URL forms hosts hand out, the planner setting
every connection carries, idle connections the server dropped, and one follower at a time."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tracker.store.database import backend_of, make_engine


@pytest.fixture
def url(postgres_url: str) -> str:
    return postgres_url


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_each_scheme_hosts_hand_out_connects_with_psycopg(url: str, scheme: str) -> None:
    engine = make_engine(scheme + "://" + url.split("://", 1)[1])
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
        assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
    finally:
        engine.dispose()


def test_every_connection_plans_each_statement_for_its_values(url: str) -> None:
    """A generic plan of the log's reads would scan from the start to the head."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
    finally:
        engine.dispose()


def test_idle_connections_the_server_dropped_are_replaced_unseen(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        killer = make_engine(url)
        with killer.connect() as other:
            other.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        killer.dispose()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_a_follower_runs_in_one_instance_at_a_time(url: str) -> None:
    engine = make_engine(url)
    backend = backend_of(engine)
    try:
        with backend.claim_apart(engine, "status") as made:  # the checkpoint's row, committed
            assert made is not None and made.start == 0
        with (backend.claim_apart(engine, "status") as first,
              backend.claim_apart(engine, "status") as second):
            assert first is not None and first.start == 0
            assert second is None
        with backend.claim_apart(engine, "status") as again:
            assert again is not None
    finally:
        engine.dispose()
