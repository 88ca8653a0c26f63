"""Read what an employee types for "when" (09:40, yesterday 15:10, 2h ago) and case numbers.

`parse_when` interprets the text in the employee's time zone and returns an aware UTC datetime
no more than 5 minutes after `now` and no more than 60 days before it. Local wall times are
attached with ``fold=0``: a time repeated when clocks fall back means its first (daylight)
occurrence, and a time skipped when clocks spring forward is read with the offset in force
before the jump (02:30 on a spring-forward night in Chicago becomes 03:30 CDT).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from models.errors import UserError

__all__ = ["FUTURE_GRACE", "MAX_AGE", "parse_case_number", "parse_when"]

FUTURE_GRACE = timedelta(minutes=5)
MAX_AGE = timedelta(days=60)

_FORMS = "a time like 09:40, 'yesterday 15:10', or 2026-12-01 09:40"
_MAX_TEXT = 64  # nothing we accept is longer; longer text is refused without parsing
_SHOWN = 40  # how much of the typed text a refusal quotes
_GUARD = MAX_AGE + timedelta(days=2)  # dates this far off are refused before any arithmetic

_WEEKDAYS = {
    **dict.fromkeys(("monday", "mon"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("wednesday", "wed", "weds"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("friday", "fri"), 4),
    **dict.fromkeys(("saturday", "sat"), 5),
    **dict.fromkeys(("sunday", "sun"), 6),
}
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}

_AGO = re.compile(r"(\d{1,6}) ?(m|mins?|minutes?|h|hrs?|hours?|d|days?) ago", re.ASCII)
_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2})(?::(\d{2}))?)? ?(?:([ap])\.?m\.?)?", re.ASCII)
_HHMM = re.compile(r"[0-2]\d[0-5]\d", re.ASCII)  # 0940, as on a 24-hour clock
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?", re.ASCII)
_ISO_T = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", re.ASCII)
_WITH_OFFSET = re.compile(
    r"(\d{4}-\d{2}-\d{2})[t ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?) ?(z|[+-]\d{2}(?::?\d{2})?)",
    re.ASCII,
)


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """Read a typed time in the employee's zone and return it as an aware UTC datetime."""
    now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    cleaned = " ".join(text.split()).lower()
    if cleaned in ("", "now"):
        return now
    if len(cleaned) > _MAX_TEXT:
        raise _unreadable(text)
    today = now.astimezone(tz).date()
    moment = (
        _read_ago(cleaned, now)
        or _read_with_offset(cleaned, today)
        or _read_local(cleaned, now, tz, today)
    )
    if moment is None:
        raise _unreadable(text)
    if moment > now + FUTURE_GRACE:
        raise _in_future(moment)
    if moment < now - MAX_AGE:
        raise _too_old(moment)
    return moment.astimezone(UTC)


def parse_case_number(text: str, pattern: str, *, example: str = "APL-26-0001") -> str:
    """Normalise a typed case number and check it against the office's pattern.

    Look-alike dashes that word processors and chat apps put in (‐ – — −) count as '-'.
    """
    case = "".join(
        "-" if unicodedata.category(ch) == "Pd" or ch == "\u2212" else ch
        for ch in text.strip().upper()
    )
    if not case:
        raise UserError(f"Give a case number. Case numbers look like {example}.")
    if re.fullmatch(pattern, case, flags=re.ASCII) is None:
        typed = _clip(text.strip())
        raise UserError(f"'{typed}' is not a case number. Case numbers look like {example}.")
    return case


def _read_ago(cleaned: str, now: datetime) -> datetime | None:
    """Read "5 min ago", "2h ago", "90 minutes ago" or "3 days ago"."""
    match = _AGO.fullmatch(cleaned)
    if match is None:
        return None
    delta = timedelta(**{_UNITS[match[2][0]]: int(match[1])})
    if delta > MAX_AGE:
        raise _too_old(None)
    return now - delta


def _read_with_offset(cleaned: str, today: date) -> datetime | None:
    """Read a full ISO 8601 time whose own offset wins over the employee's zone."""
    match = _WITH_OFFSET.fullmatch(cleaned)
    if match is None:
        return None
    offset = _read_offset(match[3])
    if offset is None:
        return None
    try:
        wall = datetime.fromisoformat(f"{match[1]}T{match[2]}")
    except ValueError:
        return None  # the local reader gives the precise complaint
    _guard(wall, today)
    return wall.replace(tzinfo=offset)


def _read_offset(text: str) -> timezone | None:
    """Turn "z", "-06:00", "+0530" or "+05" into a fixed offset."""
    if text == "z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        return None
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _read_local(cleaned: str, now: datetime, tz: ZoneInfo, today: date) -> datetime | None:
    """Read an optional day and a wall-clock time in the employee's zone."""
    day, rest, step_back = _split_day(_ISO_T.sub(r"\1 ", cleaned), today)
    clock = _read_clock(rest)
    if clock is None:
        if day is not None and not rest:
            raise UserError(f"Add the time of day too, e.g. '{cleaned} 15:10'.")
        return None
    # A bare time, or a weekday with a time, means the latest such moment up to now:
    # "16:00" typed at 09:00 is yesterday's, "thu 9am" typed on Thursday evening today's.
    if step_back and _attach(day, clock, tz, today) > now + FUTURE_GRACE:
        day -= step_back
    return _attach(day, clock, tz, today)


def _split_day(cleaned: str, today: date) -> tuple[date, str, timedelta | None]:
    """Find a day word at the start or end of the text; return it, the rest, and how far
    to step back should the moment turn out to be ahead of now (None: never)."""
    words = cleaned.split(" ")
    for size in (2, 1):  # "last friday" is two words
        for head, rest in ((words[:size], words[size:]), (words[-size:], words[:-size])):
            word = " ".join(head)
            day = _read_day(word, today)
            if day is not None:
                step_back = timedelta(days=7) if word in _WEEKDAYS else None
                return day, " ".join(rest), step_back
    return today, cleaned, timedelta(days=1)


def _read_day(word: str, today: date) -> date | None:
    """Read today, yesterday, a weekday (this week's, up to today; with "last", the one
    before today) or a date."""
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    if word in _WEEKDAYS:
        return today - timedelta(days=(today.weekday() - _WEEKDAYS[word]) % 7)
    name = word.removeprefix("last ")
    if name in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS[name] - 1) % 7 + 1
        return today - timedelta(days=back)
    return _read_date(word, today)


def _read_date(word: str, today: date) -> date | None:
    """Read 2026-12-01, 12/01/2026, 12/01/26 or 12/01 (the latest such date up to today)."""
    if match := _ISO_DATE.fullmatch(word):
        return _make_date(word, int(match[1]), int(match[2]), int(match[3]))
    match = _US_DATE.fullmatch(word)
    if match is None:
        return None
    month, day = int(match[1]), int(match[2])
    if match[3]:
        year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
        return _make_date(word, year, month, day)
    for year in (today.year, today.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise _no_such_date(word)


def _make_date(word: str, year: int, month: int, day: int) -> date:
    """Build a calendar date or refuse the text as naming no such day."""
    try:
        return date(year, month, day)
    except ValueError:
        raise _no_such_date(word) from None


def _read_clock(text: str) -> time | None:
    """Read 09:40, 9:40, 0940, 15:10:30, 9.40am, 3pm or 3 pm; a bare hour is too vague."""
    if _HHMM.fullmatch(text):
        text = f"{text[:2]}:{text[2:]}"
    match = _CLOCK.fullmatch(text)
    if match is None or (match[2] is None and match[4] is None):
        return None
    hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    if match[4]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[4] == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _attach(day: date, clock: time, tz: ZoneInfo, today: date) -> datetime:
    """Put a wall time on a day in the zone (fold=0) after a cheap range check."""
    wall = datetime.combine(day, clock)
    _guard(wall, today)
    return wall.replace(tzinfo=tz, fold=0)


def _guard(wall: datetime, today: date) -> None:
    """Refuse dates far outside the window before offset arithmetic can overflow."""
    if wall.date() < today - _GUARD:
        raise _too_old(wall)
    if wall.date() > today + timedelta(days=2):
        raise _in_future(wall)


def _describe(moment: datetime) -> str:
    """Say a moment the way a person reads it: "Thu Dec 3, 2026 18:00 CST"."""
    shown = f"{moment:%a %b} {moment.day}, {moment.year:04d} {moment:%H:%M} {moment:%Z}"
    return shown.strip()


def _clip(text: str) -> str:
    """Shorten typed text to one line fit to quote back."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _SHOWN else flat[: _SHOWN - 1] + "…"


def _unreadable(text: str) -> UserError:
    """Build the refusal for text in no accepted form."""
    return UserError(f"I couldn't read '{_clip(text)}'. Use {_FORMS}.")


def _no_such_date(word: str) -> UserError:
    """Build the refusal for a date that is not on the calendar."""
    return UserError(f"There is no date '{_clip(word)}'. Use {_FORMS}.")


def _in_future(moment: datetime) -> UserError:
    """Build the refusal for a time after now."""
    return UserError(
        f"That time is in the future ({_describe(moment)}). Give when it happened: {_FORMS}."
    )


def _too_old(moment: datetime | None) -> UserError:
    """Build the refusal for a time more than 60 days back, pointing to the import."""
    when = f" ({_describe(moment)})" if moment is not None else ""
    return UserError(
        f"That time is more than 60 days ago{when}. To backfill older records, use the "
        f"`smbot import events FILE` command; for recent ones use {_FORMS}."
    )
