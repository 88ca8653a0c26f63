"""The timeliness policy: when reminders and escalations fall due, and whose clock counts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import time
from functools import lru_cache
from itertools import pairwise
from typing import Any

from reminders.clock import HolidayRules, Schedule

MAX_DAYS = 60
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_days(text: str) -> frozenset[int]:
    """Read working days like `mon-fri` or `tue,wed,thu,fri,sat` (Monday is 0)."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(f"unknown working days {text!r}; write e.g. mon-fri or mon,wed,fri")
        start, end = DAY_NAMES.index(first), DAY_NAMES.index(last or first)
        days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)])
    return frozenset(days)


def parse_clock_time(text: str) -> time:
    """Read a wall-clock time like 08:00 or 16:30."""
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"unknown time of day {text!r}; write it as HH:MM, e.g. 08:00") from None


@dataclass(frozen=True)
class Policy:
    """Reminder levels, escalation, snooze options and the office's default schedule."""

    office_tz: str = "America/New_York"
    reminder_days: tuple[float, ...] = (1.0, 2.0)
    escalation_days: float = 3.0
    snooze_hours: tuple[int, ...] = (1, 2, 4)
    work_start: time = time(8, 0)
    work_end: time = time(16, 30)
    work_days: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))
    holidays: HolidayRules = field(default_factory=HolidayRules)

    def __post_init__(self) -> None:
        steps = [*self.reminder_days, self.escalation_days]
        if not all(math.isfinite(d) and 0 < d <= MAX_DAYS for d in steps):
            raise ValueError(f"reminder and escalation days must be between 0 and {MAX_DAYS}")
        if any(later <= earlier for earlier, later in pairwise(steps)):
            raise ValueError("reminder days must rise, and all come before the escalation")
        if not all(0 < hours <= 40 for hours in self.snooze_hours):
            raise ValueError("snooze hours must be between 1 and 40")
        self.schedule()  # an unknown zone or empty working week is refused here

    def schedule(
        self,
        tz: str | None = None,
        *,
        start: str | None = None,
        end: str | None = None,
        days: str | None = None,
    ) -> Schedule:
        """Return the schedule for a person: their zone and overrides, else the office's."""
        return _schedule(
            tz or self.office_tz,
            parse_clock_time(start) if start else self.work_start,
            parse_clock_time(end) if end else self.work_end,
            parse_days(days) if days else self.work_days,
            self.holidays,
        )

    def levels(self) -> list[tuple[int, str, float]]:
        """List (level, kind, business days) in order: reminders, then the escalation."""
        steps = [(n, "reminder", days) for n, days in enumerate(self.reminder_days, start=1)]
        steps.append((len(steps) + 1, "escalation", self.escalation_days))
        return steps

    def with_overrides(self, overrides: dict[str, Any]) -> Policy:
        """Return a copy with settings from a replay `config` event or the settings."""
        changes: dict[str, Any] = {}
        try:
            for name, value in overrides.items():
                changes.update(_converted(name, value))
        except (TypeError, OverflowError) as error:
            raise ValueError(f"a setting has the wrong kind of value ({error})") from None
        return replace(self, **changes)


def _converted(name: str, value: Any) -> dict[str, Any]:
    simple: dict[str, Any] = {
        "office_tz": str,
        "escalation_days": float,
        "reminder_days": lambda v: tuple(float(x) for x in v),
        "snooze_hours": lambda v: tuple(int(x) for x in v),
        "work_start": lambda v: parse_clock_time(str(v)),
        "work_end": lambda v: parse_clock_time(str(v)),
        "work_days": lambda v: parse_days(str(v)),
    }
    if name in simple:
        return {name: simple[name](value)}
    if name == "executive_closures":
        return {"holidays": HolidayRules(executive_closures=bool(value))}
    raise ValueError(f"unknown policy setting {name!r}; known: {', '.join(sorted(simple))}")


@lru_cache(maxsize=256)
def _schedule(
    tz: str, start: time, end: time, days: frozenset[int], holidays: HolidayRules
) -> Schedule:
    return Schedule(tz=tz, start=start, end=end, weekdays=days, holidays=holidays)
