"""Settings read from the environment (and an optional .env file), with Slack's usual names."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_DATABASE_URL = "sqlite:///var/smbot.db"


class Settings(BaseSettings):
    """Everything the bot reads from its environment; passed into the app factory."""

    # An empty variable counts as unset: `SLACK_SIGNING_SECRET=` must not turn signature
    # checks off, nor `SLACK_APP_TOKEN=` switch to Socket Mode.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = Field(
        default=None, description="Web API base URL; set only to point at a stand-in."
    )
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    host: str = "0.0.0.0"
    office_tz: str = "America/New_York"
    log_level: str | None = Field(
        default=None, description="Unset: INFO for serve, WARNING for the offline commands."
    )
    max_question_chars: int = 2000

    case_number_pattern: str = r"^[A-Z]{3}-\d{2}-\d{4,6}$"
    case_number_example: str = "APL-26-0001"
    sm_webhook_secret: SecretStr | None = Field(
        default=None, description="Shared secret that signs POST /events (HMAC-SHA256)."
    )
    reminder_days: list[float] = [1.0, 2.0]
    escalation_days: float = 3.0
    snooze_hours: list[int] = [1, 2, 4]
    work_start: str = "08:00"
    work_end: str = "16:30"
    work_days: str = "mon-fri"
    executive_closures: bool = True
    retention_days: int = Field(
        default=3 * 365, description="`smbot purge` default: cases closed this many days ago."
    )
    sweep_interval_seconds: float = 30.0
    claim_lease_seconds: float = 120.0

    @field_validator("office_tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in LOG_LEVELS:
            raise ValueError(f"unknown log level {value!r}; use one of {', '.join(LOG_LEVELS)}")
        return value

    @field_validator("case_number_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @property
    def socket_mode(self) -> bool:
        """Say whether `serve` runs Socket Mode (an app-level token is set)."""
        return self.slack_app_token is not None

    def require_for_serve(self) -> None:
        """Stop with the variable to set when `serve` cannot start."""
        if self.slack_bot_token is None:
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set. Set it to the app's bot token (xoxb-…) from "
                "'OAuth & Permissions' in the Slack app settings."
            )
        if not self.socket_mode and self.slack_signing_secret is None:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set. Set it to the signing secret from 'Basic "
                "Information', or set SLACK_APP_TOKEN (xapp-…) to run in Socket Mode."
            )

    def sqlite_path(self) -> Path | None:
        """Return the SQLite file this URL names, or None for another database."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        rest = self.database_url[len(prefix) :]
        return None if rest in ("", ":memory:") else Path(rest)
