"""Recognise what looks like a taxpayer identification number (SSN, ITIN, EIN) in text.

The store keeps no taxpayer data, so every door into it asks this module first.

SSNs and ITINs have the 3-2-4 shape and EINs 2-7; people type them with dashes, dots,
slashes, commas or spaces between the groups (sometimes several), with no separator at
all, in threes, or one digit at a time. Only those shapes count: a date and a time typed
together ("12/01/2026 9:40") hold nine digits too, as do a ZIP+4 code (5-4) and a case
number followed by a time, and refusing those would stop an ATE's ordinary work.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

__all__ = ["REFUSAL_REASON", "looks_like_taxpayer_id", "redact_taxpayer_ids"]

# Why an event, an import line or a roster row was refused (it is then not stored).
REFUSAL_REASON = (
    "the request holds what looks like an SSN, ITIN or EIN; it was not stored. "
    "Name cases by case number only"
)

# Digit groups a taxpayer id is typed in: whole, 3-2-4, 2-7, in threes, 2-3-4, 3-6, or
# one digit at a time.
SHAPES = frozenset({(9,), (3, 2, 4), (2, 7), (3, 3, 3), (2, 3, 4), (3, 6), (1,) * 9})

# A run of digit groups with up to five separator characters between groups; letters,
# colons and line breaks end a run.
_RUN = re.compile(r"[0-9]+(?:[ \t\-_./,~|()\[\]#*+]{1,5}[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")


def _folded(text: str) -> str:
    """Fold what pasted text brings: wide and other-script digits to 0-9, look-alike
    dashes (hyphen, figure dash, minus…) to '-', invisible format characters dropped."""
    folded = []
    for ch in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        if category == "Nd":
            ch = str(unicodedata.digit(ch))
        elif category == "Pd" or ch == "\u2212":
            ch = "-"
        folded.append(ch)
    return "".join(folded)


def _matches(folded: str) -> Iterator[tuple[int, int]]:
    """Yield the spans of the folded text that have a taxpayer id's shape."""
    for run in _RUN.finditer(folded):
        groups = list(_GROUP.finditer(run.group()))
        for first in range(len(groups)):
            digits = 0
            for last in range(first, len(groups)):
                digits += len(groups[last].group())
                if digits > 9:
                    break
                shape = tuple(len(g.group()) for g in groups[first : last + 1])
                if digits == 9 and shape in SHAPES:
                    yield run.start() + groups[first].start(), run.start() + groups[last].end()


def looks_like_taxpayer_id(text: str) -> bool:
    """Say whether the text holds something shaped like an SSN, ITIN or EIN."""
    return next(_matches(_folded(text)), None) is not None


def redact_taxpayer_ids(text: str) -> str:
    """Replace anything shaped like a taxpayer id with a placeholder (for log lines)."""
    folded = _folded(text)
    spans = list(_matches(folded))
    if not spans:
        return text
    pieces, at = [], 0
    for start, end in spans:
        if start >= at:
            pieces += [folded[at:start], "[redacted]"]
            at = end
    return "".join([*pieces, folded[at:]])
