"""Settings read from the environment (and an optional .env file), with Slack's usual names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_DATABASE_URL = "sqlite:///var/smbot.db"
# What each kind of Slack token starts with, to say which one was pasted where.
TOKEN_KINDS = {
    "xoxb-": "a bot token",
    "xapp-": "an app-level token",
    "xoxp-": "a user token",
    "xoxe": "a token-rotation token",
}


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
    port: int = Field(default=3000, ge=1, le=65535)
    host: str = "0.0.0.0"
    office_tz: str = "America/New_York"
    log_level: str | None = Field(
        default=None, description="Unset: INFO for serve, WARNING for the offline commands."
    )
    max_question_chars: int = Field(default=2000, ge=10)
    answer_worker: Literal["thread", "process"] = Field(
        default="thread",
        description=(
            "Where `smbot serve` answers questions: a thread (least memory), or a worker "
            "process of its own (about 90 MB more; acknowledgements keep their pace under "
            "bursts of questions)."
        ),
    )

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
    sweep_interval_seconds: float = Field(default=30.0, gt=0, le=3600)
    claim_lease_seconds: float = Field(default=120.0, gt=0, le=3600)

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

    @field_validator("retention_days")
    @classmethod
    def _positive_days(cls, value: int) -> int:
        if not 1 <= value <= 36500:
            raise ValueError(
                f"{value} is not a number of days to keep closed cases; use 1 to 36500 "
                "(the default, 1095, is three years)"
            )
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
        """Stop with every variable to set or fix when `serve` cannot start, all at once."""
        problems = [*self._missing_for_serve(), *self.token_problems()]
        if problems:
            raise ConfigError(
                "\n".join(
                    [
                        "smbot serve can't start:",
                        *(f"  {problem}" for problem in problems),
                        "Set or fix them in the environment (or .env) and run again.",
                    ]
                )
            )

    def _missing_for_serve(self) -> list[str]:
        missing = []
        if self.slack_bot_token is None:
            missing.append(
                "SLACK_BOT_TOKEN is not set. Set it to the app's bot token (xoxb-…) from "
                "'OAuth & Permissions' in the Slack app settings."
            )
        if not self.socket_mode and self.slack_signing_secret is None:
            missing.append(
                "SLACK_SIGNING_SECRET is not set. Set it to the signing secret from 'Basic "
                "Information', or set SLACK_APP_TOKEN (xapp-…) to run in Socket Mode."
            )
        return missing

    def token_problems(self) -> list[str]:
        """Name each Slack token that is set but is not the kind its variable holds."""
        found = (self.bot_token_problem(), self.app_token_problem())
        return [problem for problem in found if problem is not None]

    def bot_token_problem(self) -> str | None:
        """Say what is wrong with SLACK_BOT_TOKEN when it is set but not a bot token."""
        if _is_kind(self.slack_bot_token, "xoxb-"):
            return None
        return (
            "SLACK_BOT_TOKEN is not a bot token: it must start with xoxb-"
            f"{_pasted(self.slack_bot_token)}. Copy the 'Bot User OAuth Token' from "
            "'OAuth & Permissions' in the Slack app settings."
        )

    def app_token_problem(self) -> str | None:
        """Say what is wrong with SLACK_APP_TOKEN when it is set but not an app-level token."""
        if _is_kind(self.slack_app_token, "xapp-"):
            return None
        return (
            "SLACK_APP_TOKEN is not an app-level token: it must start with xapp-"
            f"{_pasted(self.slack_app_token)}. Create one with connections:write under "
            "'Basic Information → App-Level Tokens', or unset it to run in HTTP mode."
        )

    def sqlite_path(self) -> Path | None:
        """Return the SQLite file this URL names, or None for another database."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        rest = self.database_url[len(prefix) :]
        return None if rest in ("", ":memory:") else Path(rest)


def _is_kind(token: SecretStr | None, prefix: str) -> bool:
    return token is None or token.get_secret_value().startswith(prefix)


def _pasted(token: SecretStr | None) -> str:
    """Say which kind of token was given instead, by its prefix only (never the token)."""
    value = token.get_secret_value() if token is not None else ""
    kind = next((name for prefix, name in TOKEN_KINDS.items() if value.startswith(prefix)), None)
    return f" (this one is {kind})" if kind else ""
