"""Keep taxpayer identification numbers out of chat, logs and the store."""

from __future__ import annotations

import re
import unicodedata

from bot import texts
from bot.errors import UserError

# SSN and ITIN share the 3-2-4 shape; an EIN is 2-7. Either may be typed with dashes,
# spaces or no separator at all, so a bare run of nine digits counts too.
TAXPAYER_DATA_REASON = (
    "the request holds what looks like an SSN, ITIN or EIN; it was not stored. "
    "Name cases by case number only"
)

# Pasted text brings look-alike dashes (hyphen, minus, figure dash…) and invisible
# format characters; the dashes are folded to a plain one, the invisible ones dropped.
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"
)
# SSNs and ITINs have the 3-2-4 shape, EINs 2-7; people type them with dashes, dots,
# slashes or spaces between the groups, with none at all, or one digit at a time.
# Only those shapes count: a date and a time typed together ("12/01/2026 9:40") also
# holds nine digits, and refusing it would stop an ATE recording a message.
_SEP = r"[\s\-_./]{0,3}"
_TAXPAYER_ID = re.compile(
    rf"(?<!\d)(?:\d{{3}}{_SEP}\d{{2}}{_SEP}\d{{4}}|\d{{2}}{_SEP}\d{{7}}"
    rf"|\d(?:[\s\-_./]{{1,3}}\d){{8}})(?!\d)"
)


def _folded(text: str) -> str:
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return visible.translate(_DASHES)


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
