"""Migrations bring an empty database to the models, with no drift, on both backends."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic import command
from sqlalchemy import inspect

from tests.servers import ROOT
from tracker.store.database import make_engine
from tracker.store.migrate import alembic_config, upgrade
from tracker.tables import metadata


def test_alembic_check_finds_no_drift(database_url: str) -> None:
    engine = make_engine(database_url)
    command.check(alembic_config(engine))  # raises if models and migrations differ
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_alembic_upgrade_head_on_an_empty_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    done = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT,
                          env={**os.environ, "TRACKER_DATABASE_URL": url},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    engine = make_engine(url)
    assert "events" in inspect(engine).get_table_names()
    engine.dispose()


def test_a_url_with_a_percent_sign_migrates(tmp_path, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    """Alembic reads its options as configparser does, where "%" is special: a percent-
    encoded password, or a file whose name holds a "%", must still migrate."""
    user, _, rest = postgres_url.partition("@")
    for url in (f"sqlite:///{tmp_path / 'share%20d.db'}", f"{user}:p%40ss@{rest}"):
        engine = make_engine(url)
        try:
            upgrade(engine)
            assert "events" in inspect(engine).get_table_names()
        finally:
            engine.dispose()
