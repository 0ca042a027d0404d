"""Settings from the environment, validated at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tracker.store.database import EMBEDDED_URL

# About a day in all: seconds, then minutes, then hours.
DEFAULT_RETRIES = "5,30,120,600,1800,3600,7200,14400,28800,28800"


class Settings(BaseSettings):
    """Everything the environment sets; each default works on a fresh machine."""

    model_config = SettingsConfigDict(env_prefix="TRACKER_", extra="ignore")

    database_url: str = EMBEDDED_URL
    feeds: Path = Path("./feeds.yaml")
    admin_token: str | None = None
    webhook_retries: str = DEFAULT_RETRIES
    webhook_allow_private: bool = False
    webhook_timeout: float = Field(default=10.0, gt=0, le=3600)
    log_format: Literal["text", "json"] = "text"
    max_feed_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    feed_allow_private: bool = False
    poll_concurrency: int = Field(default=32, gt=0)

    @field_validator("webhook_retries")
    @classmethod
    def _retries(cls, value: str) -> str:
        retry_delays(value)
        return value

    @property
    def retry_delays(self) -> list[float]:
        return retry_delays(self.webhook_retries)


def retry_delays(value: str) -> list[float]:
    """Parse `TRACKER_WEBHOOK_RETRIES`: comma-separated seconds, each >= 0."""
    try:
        delays = [float(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"expected comma-separated seconds, got {value!r}") from None
    if any(d < 0 for d in delays):
        raise ValueError(f"delays must not be negative, got {value!r}")
    return delays
