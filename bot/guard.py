"""Keep taxpayer identification numbers out of chat, logs and the store."""

from __future__ import annotations

from bot import texts
from bot.errors import UserError
from models.taxpayer_ids import REFUSAL_REASON as TAXPAYER_DATA_REASON
from models.taxpayer_ids import looks_like_taxpayer_id, redact_taxpayer_ids

__all__ = [
    "TAXPAYER_DATA_REASON",
    "looks_like_taxpayer_id",
    "redact_taxpayer_ids",
    "refuse_taxpayer_id",
]


def refuse_taxpayer_id(text: str) -> None:
    """Raise a user error (text not kept) when the text holds a taxpayer id."""
    if looks_like_taxpayer_id(text):
        raise UserError(texts.TAXPAYER_ID_REFUSED)
