"""The two kinds of failure: one a person can act on (UserError), everything else."""

from __future__ import annotations

from models.errors import UserError

__all__ = ["ConfigError", "UserError"]


class ConfigError(UserError):
    """A setting is missing or wrong; the message names the variable to set."""
