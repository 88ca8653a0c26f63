"""Measure and add business hours: working days, office hours, holidays and time zones."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

# A search for the next working day gives up after this many days (about three years).
MAX_SEARCH_DAYS = 3 * 366
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def _holiday_calendar(
    country: str, subdiv: str | None, executive_closures: bool, year: int
) -> Mapping[date, str]:
    """Return the closed dates of one year with their names."""
    # Neighbouring years are generated too so an observed date that crosses New Year
    # (e.g. Friday 2021-12-31 for Saturday 2022-01-01) is found whichever year holds it.
    years = range(year - 1, year + 2)
    sources = [holidays.country_holidays(country, years=years, categories="public")]
    if subdiv is not None:
        sources.append(
            holidays.country_holidays(country, subdiv=subdiv, years=years, categories="public")
        )
    if executive_closures and "government" in sources[0].supported_categories:
        sources.append(holidays.country_holidays(country, years=years, categories="government"))
    calendar: dict[date, str] = {}
    for source in sources:
        for day, name in source.items():
            if day.year == year:
                calendar.setdefault(day, name)
    return MappingProxyType(calendar)


@dataclass(frozen=True)
class HolidayRules:
    """Tell which dates the office is closed for a holiday."""

    country: str = "US"
    subdiv: str | None = None
    executive_closures: bool = True

    def __post_init__(self) -> None:
        """Refuse a country or subdivision the holidays package does not know."""
        try:
            holidays.country_holidays(self.country, subdiv=self.subdiv, years=())
        except NotImplementedError as error:
            raise ValueError(f"unknown holiday calendar: {error}") from None

    def is_holiday(self, day: date) -> bool:
        """Return whether the office is closed on `day` for a holiday or closure."""
        return day in self._calendar(day.year)

    def name(self, day: date) -> str | None:
        """Return the name of the holiday or closure on `day`, or None."""
        return self._calendar(day.year).get(day)

    def _calendar(self, year: int) -> Mapping[date, str]:
        """Return the cached closed dates of `year`."""
        return _holiday_calendar(self.country, self.subdiv, self.executive_closures, year)


def _to_utc(instant: datetime) -> datetime:
    """Return `instant` in UTC, refusing a naive datetime."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got naive {instant!r}")
    return instant.astimezone(UTC)


@dataclass(frozen=True)
class Schedule:
    """Office hours in one time zone: which days are worked, and from when to when."""

    tz: str
    start: time = time(8, 0)
    end: time = time(16, 30)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: HolidayRules = HolidayRules()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Validate the zone, the hours and the weekdays."""
        try:
            zone = ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone: {self.tz!r}") from None
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("start and end are local wall times and must be naive")
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        if not self.weekdays:
            raise ValueError("a schedule needs at least one working weekday")
        if not self.weekdays <= set(range(7)):
            raise ValueError(f"weekdays must be 0 (Monday) to 6 (Sunday), got {self.weekdays}")

    @property
    def day_length(self) -> timedelta:
        """Return the working time of one business day."""
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)

    def zone(self) -> ZoneInfo:
        """Return the office's time zone."""
        return self._zone

    def is_working_day(self, day: date) -> bool:
        """Return whether `day` is a working weekday that is not a holiday."""
        return day.weekday() in self.weekdays and not self.holidays.is_holiday(day)

    def is_working(self, instant: datetime) -> bool:
        """Return whether `instant` falls within office hours of a working day."""
        utc = _to_utc(instant)
        start, _ = self._interval_at_or_after(utc)
        return start <= utc

    def next_working_instant(self, instant: datetime) -> datetime:
        """Return `instant` in UTC if it is working time, else the next working start."""
        utc = _to_utc(instant)
        start, _ = self._interval_at_or_after(utc)
        return max(start, utc)

    def add(self, instant: datetime, duration: timedelta) -> datetime:
        """Return the instant when `duration` of working time from `instant` has elapsed."""
        if duration < timedelta(0):
            raise ValueError(f"duration must not be negative, got {duration}")
        utc = _to_utc(instant)
        remaining = duration
        for start, end in self.working_intervals(utc):
            start = max(start, utc)
            # Strictly less: a duration that ends exactly at closing time rolls over
            # to the next working start, so the due instant is always working time.
            if remaining < end - start:
                return start + remaining
            remaining -= end - start
        raise AssertionError("working_intervals never ends")  # pragma: no cover

    def between(self, earlier: datetime, later: datetime) -> timedelta:
        """Return the working time within [earlier, later), zero if later is not after."""
        since, until = _to_utc(earlier), _to_utc(later)
        total = timedelta(0)
        if until <= since:
            return total
        for start, end in self.working_intervals(since):
            if start >= until:
                break
            total += min(end, until) - max(start, since)
        return total

    def business_days_between(self, earlier: datetime, later: datetime) -> float:
        """Return the working time within [earlier, later) in business days."""
        return self.between(earlier, later) / self.day_length

    def working_intervals(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Yield UTC [start, end) office hours, from the one containing or after `since`."""
        utc = _to_utc(since)
        # Begin a day early so an interval is never missed at a date-line or DST edge.
        day = utc.astimezone(self._zone).date() - _ONE_DAY
        while True:
            day = self._next_working_day(day)
            interval = self._interval_on(day)
            if interval is not None and interval[1] > utc:
                yield interval
            day += _ONE_DAY

    def _interval_at_or_after(self, utc: datetime) -> tuple[datetime, datetime]:
        """Return the first working interval that ends after `utc`."""
        return next(self.working_intervals(utc))

    def _next_working_day(self, day: date) -> date:
        """Return `day` or the first working day after it."""
        for offset in range(MAX_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_SEARCH_DAYS} days of {day}")

    def _interval_on(self, day: date) -> tuple[datetime, datetime] | None:
        """Return the UTC office hours of `day`, or None if a DST gap leaves none."""
        start = datetime.combine(day, self.start, self._zone).astimezone(UTC)
        end = datetime.combine(day, self.end, self._zone).astimezone(UTC)
        # A wall time inside a spring-forward gap maps to the pre-change offset, which can
        # put a custom start after its end in UTC; such a day has no working time.
        return (start, end) if start < end else None
