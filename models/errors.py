"""The failure whose message is safe to show a person."""

from __future__ import annotations


class UserError(Exception):
    """A failure whose message is safe to show and says what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
