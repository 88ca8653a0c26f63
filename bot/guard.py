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

# Pasted text brings look-alike dashes (hyphen, minus, figure dash…) and invisible
# spaces; they are folded to a plain dash or removed before matching.
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SEP = r"[\s\-_.]{0,3}"
_TAXPAYER_ID = re.compile(
    rf"(?<![\w-])(?:\d{{3}}{_SEP}\d{{2}}{_SEP}\d{{4}}|\d{{2}}{_SEP}\d{{7}})(?![\w-])"
)


def _folded(text: str) -> str:
    return text.translate(_INVISIBLE).translate(_DASHES)


def looks_like_taxpayer_id(text: str) -> bool:
    """Say whether the text holds something shaped like an SSN, ITIN or EIN."""
    return _TAXPAYER_ID.search(_folded(text)) is not None


def redact_taxpayer_ids(text: str) -> str:
    """Replace anything shaped like a taxpayer id with a placeholder (for log lines)."""
    folded = _folded(text)
    return _TAXPAYER_ID.sub("[redacted]", folded) if _TAXPAYER_ID.search(folded) else text


def refuse_taxpayer_id(text: str) -> None:
    """Raise a user error (text not kept) when the text holds a taxpayer id."""
    if looks_like_taxpayer_id(text):
        raise UserError(texts.TAXPAYER_ID_REFUSED)
