"""Keep taxpayer identification numbers out of chat, logs and the store."""

from __future__ import annotations

import re

from bot import texts
from bot.errors import UserError

# SSN and ITIN share the 3-2-4 shape; an EIN is 2-7. Either may be typed with dashes,
# spaces or no separator at all, so a bare run of nine digits counts too.
TAXPAYER_DATA_REASON = (
    "the request holds what looks like an SSN, ITIN or EIN; it was not stored. "
    "Name cases by case number only"
)

_SEP = r"[\s\-–—.]?"
_TAXPAYER_ID = re.compile(
    rf"(?<![\w-])(?:\d{{3}}{_SEP}\d{{2}}{_SEP}\d{{4}}|\d{{2}}{_SEP}\d{{7}})(?![\w-])"
)


def looks_like_taxpayer_id(text: str) -> bool:
    """Say whether the text holds something shaped like an SSN, ITIN or EIN."""
    return _TAXPAYER_ID.search(text) is not None


def refuse_taxpayer_id(text: str) -> None:
    """Raise a user error (text not kept) when the text holds a taxpayer id."""
    if looks_like_taxpayer_id(text):
        raise UserError(texts.TAXPAYER_ID_REFUSED)
