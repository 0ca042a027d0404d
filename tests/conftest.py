"""Fixtures shared by every suite: databases on both backends, a configured tracker."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tracker.settings import Settings
from tracker.store.database import make_engine
from tracker.store.migrate import upgrade

PG_ADMIN_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parents[1]

FEEDS_YAML = """\
designations:
  taliban-designation:
    title: Taliban on Russia's federal list of terrorist organisations
    subject: [Taliban, Taleban, Islamic Emirate of Afghanistan]
    authority: [Russia, Russian, Moscow, Kremlin]
    confirm: {sources: 1}  # one reading confirms a step: these tests are not about confirmation
    stages: [considered, proposed, court-approved]
feeds:
  - id: wire
    url: http://127.0.0.1:9/feed.xml
    interval: 15m
    designations: [taliban-designation]
"""


def _postgres_available() -> str | None:
    """None when the server answers, else why not."""
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to reach it is a reason to skip or fail
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {exc.__class__.__name__}"


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated database to copy for each test; fails under CI when there is no server."""
    problem = _postgres_available()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem + " (CI is set, so PostgreSQL tests must run)")
        pytest.skip(problem)
    name = f"tracker_tpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_url_for(name))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _url_for(database: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


@pytest.fixture
def postgres_url(postgres_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test."""
    name = f"tracker_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    yield _url_for(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated database: every test using it runs on both backends."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def feeds_file(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(FEEDS_YAML)
    return path


@pytest.fixture
def settings(database_url: str, feeds_file: Path) -> Settings:
    return Settings(database_url=database_url, feeds=feeds_file, admin_token="secret-token",
                    webhook_allow_private=True)
