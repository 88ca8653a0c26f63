"""The business-hours clock: holidays, office hours, time zones, DST and its invariants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, composite

from reminders.clock import HolidayRules, Schedule

CHICAGO = ZoneInfo("America/Chicago")
NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
HONOLULU = ZoneInfo("Pacific/Honolulu")
DAY = Schedule("America/Chicago").day_length


def local(
    zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0, *rest: int
) -> datetime:
    """Return the aware datetime at this wall-clock time in `zone`."""
    second, microsecond = (*rest, 0, 0)[:2]
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=zone)


def test_default_business_day_is_eight_and_a_half_hours() -> None:
    """Measure one default business day."""
    assert timedelta(hours=8, minutes=30) == DAY


def test_labor_day_is_skipped() -> None:
    """Skip Labor Day Monday: Friday 16:00 + 1 day is Tuesday 16:00."""
    office = Schedule("America/Chicago")
    due = office.add(local(CHICAGO, 2026, 9, 4, 16, 0), DAY)
    # 30 minutes on Friday, Monday 2026-09-07 closed, the other 8 h on Tuesday.
    assert due == local(CHICAGO, 2026, 9, 8, 16, 0)
    assert office.holidays.name(date(2026, 9, 7)) == "Labor Day"


def test_evening_before_observed_independence_day_rolls_over() -> None:
    """Start Monday after the observed Friday, and roll a full day over to Tuesday 08:00."""
    office = Schedule("America/New_York")
    received = local(NEW_YORK, 2026, 7, 2, 18, 0)
    assert office.next_working_instant(received) == local(NEW_YORK, 2026, 7, 6, 8, 0)
    due = office.add(received, DAY)
    assert due == local(NEW_YORK, 2026, 7, 7, 8, 0)
    assert office.is_working(due)
    assert office.between(received, due) == DAY


def test_fall_back_keeps_wall_clock_hours() -> None:
    """Keep 12:00 local across the end of DST although the UTC offset changes."""
    office = Schedule("America/Los_Angeles")
    received = local(LOS_ANGELES, 2026, 10, 30, 12, 0)
    due = office.add(received, 2 * DAY)
    assert due == local(LOS_ANGELES, 2026, 11, 3, 12, 0)
    assert due.astimezone(LOS_ANGELES).time() == time(12, 0)
    assert received.utcoffset() == timedelta(hours=-7)
    assert due.astimezone(LOS_ANGELES).utcoffset() == timedelta(hours=-8)
    assert due == datetime(2026, 11, 3, 20, 0, tzinfo=UTC)
    assert office.business_days_between(received, due) == 2.0


def test_spring_forward_keeps_wall_clock_hours() -> None:
    """Keep 12:00 local across the start of DST although the UTC offset changes."""
    office = Schedule("America/Chicago")
    received = local(CHICAGO, 2026, 3, 6, 12, 0)
    due = office.add(received, 2 * DAY)
    assert due == local(CHICAGO, 2026, 3, 10, 12, 0)
    assert received.utcoffset() == timedelta(hours=-6)
    assert due.astimezone(CHICAGO).utcoffset() == timedelta(hours=-5)
    assert due == datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


def test_a_shift_across_a_dst_change_counts_elapsed_time() -> None:
    """Count a 01:00–04:00 shift as two elapsed hours in spring and four in autumn."""
    night = Schedule("America/Chicago", time(1, 0), time(4, 0), frozenset(range(7)))
    spring = local(CHICAGO, 2026, 3, 8, 0, 0)
    assert night.between(spring, local(CHICAGO, 2026, 3, 8, 12, 0)) == timedelta(hours=2)
    assert night.between(spring, local(CHICAGO, 2026, 3, 9, 12, 0)) == timedelta(hours=5)
    # 01:00 CST + 90 elapsed minutes is 03:30 CDT: there is no 02:30 that night.
    assert night.add(spring, timedelta(minutes=90)) == local(CHICAGO, 2026, 3, 8, 3, 30)
    autumn = local(CHICAGO, 2026, 11, 1, 0, 0)
    assert night.between(autumn, local(CHICAGO, 2026, 11, 1, 12, 0)) == timedelta(hours=4)
    # 01:00 CDT + 2 elapsed hours is 02:00 CST, after 01:00–02:00 has happened twice.
    assert night.add(autumn, timedelta(hours=2)) == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 12, 24), "Christmas Eve"),
        (date(2025, 1, 9), "National Day of Mourning for former President Jimmy Carter"),
    ],
)
def test_executive_closures_can_be_switched_off(day: date, name: str) -> None:
    """Count executive-order closures only when asked to."""
    assert HolidayRules().is_holiday(day)
    assert HolidayRules().name(day) == name
    assert not HolidayRules(executive_closures=False).is_holiday(day)
    assert HolidayRules(executive_closures=False).name(day) is None


@pytest.mark.parametrize("closures", [True, False])
def test_federal_holidays_and_observed_dates_always_count(closures: bool) -> None:
    """Count federal holidays and their observed weekdays with or without closures."""
    rules = HolidayRules(executive_closures=closures)
    assert rules.name(date(2026, 7, 3)) == "Independence Day (observed)"
    assert rules.is_holiday(date(2026, 7, 4))
    assert rules.is_holiday(date(2024, 12, 25))
    assert rules.is_holiday(date(2021, 12, 31))  # observed for Saturday 2022-01-01
    assert not rules.is_holiday(date(2026, 7, 6))


def test_christmas_eve_closure_moves_the_due_date() -> None:
    """Add one day from Monday 2024-12-23 16:00 with and without the closure."""
    received = local(CHICAGO, 2024, 12, 23, 16, 0)
    closed = Schedule("America/Chicago")
    open_ = Schedule("America/Chicago", holidays=HolidayRules(executive_closures=False))
    assert closed.add(received, DAY) == local(CHICAGO, 2024, 12, 26, 16, 0)
    assert open_.add(received, DAY) == local(CHICAGO, 2024, 12, 24, 16, 0)


def test_weekend_receipt_starts_monday() -> None:
    """Start the clock at Monday 08:00 for a Saturday message."""
    office = Schedule("America/Chicago")
    received = local(CHICAGO, 2026, 9, 12, 10, 0)
    assert not office.is_working(received)
    assert office.next_working_instant(received) == local(CHICAGO, 2026, 9, 14, 8, 0)
    assert office.add(received, timedelta(hours=2)) == local(CHICAGO, 2026, 9, 14, 10, 0)
    assert office.add(received, DAY) == local(CHICAGO, 2026, 9, 15, 8, 0)


def test_holiday_receipt_starts_the_next_working_day() -> None:
    """Start the clock on Tuesday for a message received on Labor Day."""
    office = Schedule("America/Chicago")
    received = local(CHICAGO, 2026, 9, 7, 11, 0)
    assert not office.is_working_day(date(2026, 9, 7))
    assert not office.is_working(received)
    assert office.add(received, timedelta(hours=4)) == local(CHICAGO, 2026, 9, 8, 12, 0)


def test_early_morning_receipt_starts_at_eight() -> None:
    """Start the clock at 08:00 for a message received at 06:15."""
    office = Schedule("America/Chicago")
    received = local(CHICAGO, 2026, 9, 9, 6, 15)
    assert office.add(received, timedelta(hours=1)) == local(CHICAGO, 2026, 9, 9, 9, 0)
    assert office.between(received, local(CHICAGO, 2026, 9, 9, 9, 0)) == timedelta(hours=1)


def test_office_hours_are_half_open() -> None:
    """Treat 08:00 as working and 16:30 as closed."""
    office = Schedule("America/Chicago")
    assert office.is_working(local(CHICAGO, 2026, 9, 9, 8, 0))
    assert office.is_working(local(CHICAGO, 2026, 9, 9, 16, 29, 59, 999999))
    closing = local(CHICAGO, 2026, 9, 9, 16, 30)
    assert not office.is_working(closing)
    assert office.next_working_instant(closing) == local(CHICAGO, 2026, 9, 10, 8, 0)
    assert office.add(closing, timedelta(0)) == local(CHICAGO, 2026, 9, 10, 8, 0)
    assert office.add(closing, DAY) == local(CHICAGO, 2026, 9, 11, 8, 0)


def test_working_intervals_are_utc_and_start_with_the_current_one() -> None:
    """Yield whole UTC intervals, the first one containing the given instant."""
    office = Schedule("America/Chicago")
    intervals = office.working_intervals(local(CHICAGO, 2026, 9, 4, 12, 0))
    first, second = next(intervals), next(intervals)
    assert first == (local(CHICAGO, 2026, 9, 4, 8, 0), local(CHICAGO, 2026, 9, 4, 16, 30))
    assert second == (local(CHICAGO, 2026, 9, 8, 8, 0), local(CHICAGO, 2026, 9, 8, 16, 30))
    assert all(moment.tzinfo is UTC for moment in first + second)


def test_outputs_are_utc_whatever_the_input_zone() -> None:
    """Return UTC instants for inputs given in any zone."""
    office = Schedule("America/Chicago")
    received = local(CHICAGO, 2026, 9, 9, 10, 0)
    for same in (received, received.astimezone(UTC), received.astimezone(TOKYO)):
        due = office.add(same, DAY)
        assert due.tzinfo is UTC
        assert due == local(CHICAGO, 2026, 9, 10, 10, 0)
        assert office.next_working_instant(same).tzinfo is UTC


def test_business_days_between_a_plain_week() -> None:
    """Measure five business days from one Monday 08:00 to the next."""
    office = Schedule("America/Chicago")
    monday = local(CHICAGO, 2026, 9, 14, 8, 0)
    assert office.business_days_between(monday, monday + timedelta(days=7)) == 5.0
    assert office.between(monday + timedelta(days=7), monday) == timedelta(0)


def test_tokyo_tuesday_to_saturday_schedule() -> None:
    """Work Saturday but not Monday on a Tuesday–Saturday 07:00–15:00 schedule."""
    office = Schedule(
        "Asia/Tokyo", time(7, 0), time(15, 0), frozenset({1, 2, 3, 4, 5}), HolidayRules("JP")
    )
    assert office.day_length == timedelta(hours=8)
    received = local(TOKYO, 2026, 10, 17, 14, 0)  # a Saturday
    assert office.is_working(received)
    assert office.add(received, office.day_length) == local(TOKYO, 2026, 10, 20, 14, 0)
    assert not office.is_working_day(date(2026, 10, 19))  # Monday is off


def test_honolulu_tuesday_to_saturday_schedule() -> None:
    """Skip both the observed Friday and the Saturday of Independence Day in Honolulu."""
    office = Schedule("Pacific/Honolulu", time(7, 0), time(15, 0), frozenset({1, 2, 3, 4, 5}))
    received = local(HONOLULU, 2026, 7, 2, 14, 0)
    due = office.add(received, office.day_length)
    assert due == local(HONOLULU, 2026, 7, 7, 14, 0)
    assert due == datetime(2026, 7, 8, 0, 0, tzinfo=UTC)


def test_naive_datetimes_are_refused() -> None:
    """Refuse naive datetimes everywhere."""
    office = Schedule("America/Chicago")
    naive = datetime(2026, 9, 9, 10, 0)
    aware = naive.replace(tzinfo=CHICAGO)
    calls = [
        lambda: office.is_working(naive),
        lambda: office.next_working_instant(naive),
        lambda: office.add(naive, DAY),
        lambda: office.between(naive, aware),
        lambda: office.between(aware, naive),
        lambda: office.business_days_between(naive, aware),
        lambda: next(office.working_intervals(naive)),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


def test_bad_zone_is_refused_by_name() -> None:
    """Name the unknown zone in the error."""
    with pytest.raises(ValueError, match="Mars/Olympus_Mons"):
        Schedule("Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="unknown time zone"):
        Schedule("../etc/passwd")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weekdays": frozenset()},
        {"weekdays": frozenset({7})},
        {"start": time(16, 30), "end": time(8, 0)},
        {"start": time(9, 0), "end": time(9, 0)},
    ],
)
def test_impossible_schedules_are_refused(kwargs: dict[str, object]) -> None:
    """Refuse schedules without working time."""
    with pytest.raises(ValueError):
        Schedule("America/Chicago", **kwargs)  # type: ignore[arg-type]


def test_unknown_holiday_calendar_is_refused() -> None:
    """Refuse a country or subdivision the holidays package does not know."""
    with pytest.raises(ValueError):
        HolidayRules("XX")
    with pytest.raises(ValueError):
        HolidayRules("US", "ZZ")


def test_negative_duration_is_refused() -> None:
    """Refuse to add a negative duration."""
    with pytest.raises(ValueError, match="negative"):
        Schedule("America/Chicago").add(local(CHICAGO, 2026, 9, 9, 10, 0), -DAY)


@dataclass(frozen=True)
class AlwaysClosed(HolidayRules):
    """Close the office every day."""

    def is_holiday(self, day: date) -> bool:
        """Return True whatever the day."""
        return True


def test_search_for_a_working_day_gives_up() -> None:
    """Give up with ValueError instead of looping forever."""
    office = Schedule("America/Chicago", holidays=AlwaysClosed())
    with pytest.raises(ValueError, match="no working day"):
        office.add(local(CHICAGO, 2026, 9, 9, 10, 0), DAY)


def test_state_holidays_add_to_federal_ones() -> None:
    """Keep federal holidays and add the subdivision's own."""
    texas = HolidayRules("US", "TX", executive_closures=False)
    assert texas.is_holiday(date(2026, 3, 2))  # Texas Independence Day
    assert texas.is_holiday(date(2026, 10, 12))  # federal Columbus Day, not a Texas holiday


def test_add_is_fast() -> None:
    """Add three business days many times without stepping minute by minute."""
    office = Schedule("America/Chicago")
    received = local(CHICAGO, 2026, 9, 4, 16, 0)
    started = datetime.now(UTC)
    for _ in range(1000):
        office.add(received, 3 * DAY)
    assert datetime.now(UTC) - started < timedelta(seconds=2)


# Property-based tests.

ZONES = [
    "America/Chicago",
    "America/New_York",
    "America/Los_Angeles",
    "America/Phoenix",
    "Pacific/Honolulu",
    "America/Anchorage",
    "Asia/Tokyo",
    "UTC",
]
PROPERTIES = settings(deadline=None, max_examples=150)


@composite
def schedules(draw: DrawFn) -> Schedule:
    """Draw a schedule: the default office hours or custom ones, in one of several zones."""
    tz = draw(st.sampled_from(ZONES))
    rules = HolidayRules(executive_closures=draw(st.booleans()))
    if draw(st.booleans()):
        return Schedule(tz, holidays=rules)
    start = draw(st.integers(0, 20 * 60))
    end = draw(st.integers(start + 15, 24 * 60 - 1))
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    clock = [time(*divmod(minutes, 60)) for minutes in (start, end)]
    return Schedule(tz, clock[0], clock[1], weekdays, rules)


def instants() -> st.SearchStrategy[datetime]:
    """Draw aware instants in 2024–2030, in UTC or a local zone."""
    return st.datetimes(
        min_value=datetime(2024, 1, 1),
        max_value=datetime(2030, 12, 31, 23, 59),
        timezones=st.sampled_from([UTC, *map(ZoneInfo, ZONES)]),
        allow_imaginary=False,
    )


@composite
def durations(draw: DrawFn, schedule: Schedule) -> timedelta:
    """Draw 0–30 business days: whole days, round minutes or any microsecond."""
    days = draw(st.integers(0, 30))
    kind = draw(st.sampled_from(["whole", "minutes", "micro"]))
    if kind == "whole":
        return days * schedule.day_length
    if kind == "minutes":
        return timedelta(minutes=draw(st.integers(0, days * 510)))
    top = days * schedule.day_length // timedelta(microseconds=1)
    return timedelta(microseconds=draw(st.integers(0, top)))


@PROPERTIES
@given(st.data(), schedules(), instants())
def test_adding_then_measuring_gives_back_the_duration(
    data: st.DataObject, schedule: Schedule, received: datetime
) -> None:
    """Measure exactly the working time that was added, and land on working time."""
    duration = data.draw(durations(schedule))
    due = schedule.add(received, duration)
    assert due.tzinfo is UTC
    assert due >= received
    assert schedule.is_working(due)
    assert schedule.between(received, due) == duration


@PROPERTIES
@given(schedules(), instants())
def test_adding_nothing_waits_for_working_time(schedule: Schedule, received: datetime) -> None:
    """Add zero to get the next working instant."""
    due = schedule.add(received, timedelta(0))
    assert due == schedule.next_working_instant(received)
    assert schedule.is_working(due)
    assert (due == received) == schedule.is_working(received)


@PROPERTIES
@given(st.data(), schedules(), instants())
def test_add_is_monotonic_in_duration(
    data: st.DataObject, schedule: Schedule, received: datetime
) -> None:
    """Never return an earlier instant for a longer duration."""
    shorter, longer = sorted([data.draw(durations(schedule)), data.draw(durations(schedule))])
    assert schedule.add(received, shorter) <= schedule.add(received, longer)


@PROPERTIES
@given(st.data(), schedules(), instants(), instants())
def test_add_is_monotonic_in_start(
    data: st.DataObject, schedule: Schedule, first: datetime, second: datetime
) -> None:
    """Never return an earlier instant for a later start."""
    earlier, later = sorted([first, second])
    duration = data.draw(durations(schedule))
    assert schedule.add(earlier, duration) <= schedule.add(later, duration)


@PROPERTIES
@given(schedules(), instants(), st.timedeltas(timedelta(0), timedelta(days=45)), instants())
def test_between_is_additive(
    schedule: Schedule, first: datetime, gap: timedelta, third: datetime
) -> None:
    """Split a span anywhere and the working time of its parts adds up."""
    second = first + gap
    a, b, c = sorted([first, second, third])
    assert schedule.between(a, b) + schedule.between(b, c) == schedule.between(a, c)


@PROPERTIES
@given(schedules(), instants())
def test_working_intervals_are_ordered_and_working(schedule: Schedule, since: datetime) -> None:
    """Yield ordered, disjoint UTC intervals whose starts and last instants are working."""
    intervals = schedule.working_intervals(since)
    previous_end = None
    for _ in range(10):
        start, end = next(intervals)
        assert start < end
        assert previous_end is None or previous_end < start
        assert schedule.is_working(start)
        assert schedule.is_working(end - timedelta(microseconds=1))
        assert not schedule.is_working(end)
        previous_end = end
