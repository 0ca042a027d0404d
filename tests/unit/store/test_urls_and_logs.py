"""Small things a newcomer met: postgres:// URLs, and JSON log lines keeping extra= fields."""

from __future__ import annotations

import json
import logging

from tracker.logs import JsonFormatter
from tracker.store.database import make_engine


def test_postgres_urls_work_like_postgresql_urls() -> None:
    for url in ("postgres://u@127.0.0.1:5432/db", "postgres+psycopg://u@127.0.0.1:5432/db",
                "postgresql://u@127.0.0.1:5432/db"):
        engine = make_engine(url)
        assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
        engine.dispose()


def test_the_json_formatter_keeps_extra_fields() -> None:
    record = logging.getLogger("tracker.poll").makeRecord(
        "tracker.poll", logging.INFO, __file__, 1, "polled %s", ("wire",), None,
        extra={"feed": "wire", "status": 200, "at": object()})
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "polled wire" and line["logger"] == "tracker.poll"
    assert line["feed"] == "wire" and line["status"] == 200 and "at" in line
    assert "args" not in line and "msg" not in line and "levelno" not in line
