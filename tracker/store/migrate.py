"""Applying the Alembic migrations from code (`tracker db upgrade`, `tracker serve`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from tracker.store.database import backend_of

# The migrations travel inside the package, so that an installed wheel can create its schema
# anywhere; alembic.ini at the project's top points here too, for `alembic upgrade head`.
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    # Alembic's options are read by configparser, to which "%" starts an interpolation: a
    # URL-encoded password or name ("p%40ss", ":memory:" as "%3Amemory%3A") must be escaped.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema; instances starting together take turns."""
    config = alembic_config(engine)
    with engine.connect() as conn, backend_of(engine).migrating(conn):
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
