"""The two kinds of failure: one a person can act on, everything else."""

from __future__ import annotations


class UserError(Exception):
    """A failure whose message is safe to show and says what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(UserError):
    """A setting is missing or wrong; the message names the variable to set."""
