"""Reading typed times ("9:40", "yesterday 15:10", "2h ago") and case numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.errors import UserError
from reminders.when import FUTURE_GRACE, MAX_AGE, parse_case_number, parse_when

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # Thursday 09:00 in Chicago (CST, -06:00)
CHICAGO = ZoneInfo("America/Chicago")
CASE_PATTERN = r"^[A-Z]{3}-\d{2}-\d{4,6}$"
ZONES = [
    CHICAGO,
    ZoneInfo("UTC"),
    ZoneInfo("Asia/Tokyo"),
    ZoneInfo("Asia/Kathmandu"),
    ZoneInfo("Pacific/Kiritimati"),
    ZoneInfo("Pacific/Pago_Pago"),
    ZoneInfo("Australia/Lord_Howe"),
    ZoneInfo("Europe/London"),
]


def when(text: str, now: datetime = NOW, tz: ZoneInfo = CHICAGO) -> datetime:
    """Parse with the fixed clock and zone unless told otherwise."""
    return parse_when(text, now=now, tz=tz)


def utc(year: int, month: int, day: int, hour: int, minute: int, *rest: int) -> datetime:
    """Build a UTC datetime."""
    second, micro = (*rest, 0, 0)[:2]
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def refusal(text: str, now: datetime = NOW, tz: ZoneInfo = CHICAGO) -> str:
    """Return the message of the refusal parse_when must raise."""
    with pytest.raises(UserError) as caught:
        parse_when(text, now=now, tz=tz)
    return caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", NOW),
        ("   ", NOW),
        ("now", NOW),
        ("NOW", NOW),
        # bare times: today when not ahead of now (5 minutes' grace), otherwise yesterday
        ("8:40", utc(2026, 12, 3, 14, 40)),
        ("08:40", utc(2026, 12, 3, 14, 40)),
        ("9:04", utc(2026, 12, 3, 15, 4)),
        ("9:06", utc(2026, 12, 2, 15, 6)),
        ("09:40", utc(2026, 12, 2, 15, 40)),
        ("9:40", utc(2026, 12, 2, 15, 40)),
        ("9.40am", utc(2026, 12, 2, 15, 40)),
        ("9.40 a.m.", utc(2026, 12, 2, 15, 40)),
        ("3pm", utc(2026, 12, 2, 21, 0)),
        ("3 PM", utc(2026, 12, 2, 21, 0)),
        ("15:10", utc(2026, 12, 2, 21, 10)),
        ("15:10:30", utc(2026, 12, 2, 21, 10, 30)),
        ("12am", utc(2026, 12, 3, 6, 0)),
        ("12pm", utc(2026, 12, 2, 18, 0)),
        # named days
        ("today 08:15", utc(2026, 12, 3, 14, 15)),
        ("yesterday 15:10", utc(2026, 12, 2, 21, 10)),
        ("  Yesterday   3PM ", utc(2026, 12, 2, 21, 0)),
        ("15:10 yesterday", utc(2026, 12, 2, 21, 10)),
        ("monday 10:00", utc(2026, 11, 30, 16, 0)),
        ("fri 4pm", utc(2026, 11, 27, 22, 0)),
        ("last friday 4 pm", utc(2026, 11, 27, 22, 0)),
        ("wednesday 9:00", utc(2026, 12, 2, 15, 0)),
        ("thu 9:00", utc(2026, 12, 3, 15, 0)),  # today is Thursday: this morning
        ("Thurs 8am", utc(2026, 12, 3, 14, 0)),
        ("thu 4pm", utc(2026, 11, 26, 22, 0)),  # still ahead today: last week's
        ("last thu 8am", utc(2026, 11, 26, 14, 0)),
        ("0940", utc(2026, 12, 3, 15, 40) - timedelta(days=1)),  # 09:40 is still ahead
        ("0840", utc(2026, 12, 3, 14, 40)),
        # dates
        ("2026-12-01 09:40", utc(2026, 12, 1, 15, 40)),
        ("2026-12-01T09:40", utc(2026, 12, 1, 15, 40)),
        ("2026-12-01t9:40am", utc(2026, 12, 1, 15, 40)),
        ("12/01 09:40", utc(2026, 12, 1, 15, 40)),
        ("12/1 9:40", utc(2026, 12, 1, 15, 40)),
        ("12/01/2026 09:40", utc(2026, 12, 1, 15, 40)),
        ("12/01/26 09:40", utc(2026, 12, 1, 15, 40)),
        # an offset wins over the employee's zone
        ("2026-12-01T09:40:00-06:00", utc(2026, 12, 1, 15, 40)),
        ("2026-12-01T09:40:00+01:00", utc(2026, 12, 1, 8, 40)),
        ("2026-12-01T09:40:00.250-0500", utc(2026, 12, 1, 14, 40, 0, 250000)),
        ("2026-12-01T09:40Z", utc(2026, 12, 1, 9, 40)),
        ("2026-12-01 09:40 +05:30", utc(2026, 12, 1, 4, 10)),
        # relative
        ("5 min ago", utc(2026, 12, 3, 14, 55)),
        ("5m ago", utc(2026, 12, 3, 14, 55)),
        ("2h ago", utc(2026, 12, 3, 13, 0)),
        ("2 hours ago", utc(2026, 12, 3, 13, 0)),
        ("90 minutes ago", utc(2026, 12, 3, 13, 30)),
        ("3 days ago", utc(2026, 11, 30, 15, 0)),
        ("60 days ago", NOW - timedelta(days=60)),
        ("1440 hours ago", NOW - timedelta(days=60)),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    result = when(text)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


def test_result_is_in_utc() -> None:
    assert when("yesterday 15:10").tzinfo is UTC
    assert when("2026-12-01T09:40:00-06:00").tzinfo is UTC


def test_the_employee_zone_decides_today() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")  # NOW is 00:00 on Friday Dec 4 there
    assert when("23:30", tz=tokyo) == utc(2026, 12, 3, 14, 30)
    assert when("today 00:00", tz=tokyo) == NOW
    assert when("thu 9:00", tz=tokyo) == utc(2026, 12, 3, 0, 0)


def test_naive_now_is_read_as_utc() -> None:
    assert when("8:40", now=NOW.replace(tzinfo=None)) == utc(2026, 12, 3, 14, 40)


def test_month_day_without_year_is_the_latest_such_date() -> None:
    january = utc(2027, 1, 5, 15, 0)
    assert when("12/30 10:00", now=january) == utc(2026, 12, 30, 16, 0)
    assert when("1/2 10:00", now=january) == utc(2027, 1, 2, 16, 0)


def test_fall_back_overlap_takes_the_first_occurrence() -> None:
    # 01:30 happens twice on 2026-11-01 in Chicago; fold=0 means the CDT (-05:00) one.
    assert when("2026-11-01 01:30") == utc(2026, 11, 1, 6, 30)
    assert when("11/01 1:30am") == utc(2026, 11, 1, 6, 30)


def test_spring_forward_gap_reads_with_the_offset_before_the_jump() -> None:
    # 02:30 does not exist on 2026-03-08 in Chicago; fold=0 reads it as CST, i.e. 03:30 CDT.
    now = utc(2026, 3, 10, 15, 0)
    assert when("2026-03-08 02:30", now=now) == utc(2026, 3, 8, 8, 30)
    assert when("sunday 2:30am", now=now) == utc(2026, 3, 8, 8, 30)
    assert when("2026-03-08 03:30", now=now) == utc(2026, 3, 8, 8, 30)


def test_unreadable_text_is_refused_with_the_forms() -> None:
    assert refusal("tomorow 9") == (
        "I couldn't read 'tomorow 9'. Use a time like 09:40, 'yesterday 15:10', "
        "or 2026-12-01 09:40."
    )


@pytest.mark.parametrize(
    "text",
    [
        "tomorrow 9:00",
        "9",
        "930",
        "13pm",
        "0am",
        "25:00",
        "9:60",
        "9:40:61",
        "next friday 9:00",
        "yesterday today",
        "2026-12-01T09:40:00+24:00",
        "5 weeks ago",
        "ago",
        "9:40 pm pm",
        "٩:٤٠",  # Arabic-Indic digits are not read as a time
        "noon",
    ],
)
def test_unreadable_forms(text: str) -> None:
    message = refusal(text)
    assert message.startswith(f"I couldn't read '{text}'")
    assert "09:40" in message and "'yesterday 15:10'" in message


@pytest.mark.parametrize("text", ["yesterday", "today", "monday", "2026-12-01"])
def test_a_day_without_a_time_asks_for_the_time(text: str) -> None:
    assert refusal(text) == f"Add the time of day too, e.g. '{text} 15:10'."


def test_long_text_is_quoted_short() -> None:
    message = refusal("yesterday " * 20)
    assert message.startswith("I couldn't read 'yesterday yesterday")
    assert "…'" in message
    assert len(message) < 160


@pytest.mark.parametrize(
    "text", ["02/30 9:00", "2026-02-30 09:00", "2026-13-01 09:00", "2/29 9:00"]
)
def test_dates_not_on_the_calendar(text: str) -> None:
    message = refusal(text)
    assert message.startswith("There is no date '")
    assert "2026-12-01 09:40" in message


@pytest.mark.parametrize(
    "text",
    [
        "today 09:40",
        "today 18:00",
        "9:06 today",
        "2026-12-04 08:00",
        "2027-06-01 09:00",
        "9999-12-31T23:59-12:00",
    ],
)
def test_future_times_are_refused(text: str) -> None:
    message = refusal(text)
    assert message.startswith("That time is in the future (")
    assert "'yesterday 15:10'" in message


def test_future_refusal_shows_how_the_time_was_read() -> None:
    assert "(Thu Dec 3, 2026 18:00 CST)" in refusal("today 18:00")


@pytest.mark.parametrize(
    "text",
    [
        "61 days ago",
        "1441 hours ago",
        "999999 days ago",
        "2026-10-01 09:00",
        "0001-01-01T00:00+05:00",
        "12/01/2025 09:00",
        "12/20 09:40",
    ],
)
def test_times_older_than_60_days_are_refused(text: str) -> None:
    message = refusal(text)
    assert message.startswith("That time is more than 60 days ago")
    assert "smbot import events" in message
    assert "'yesterday 15:10'" in message


def test_month_day_ahead_this_year_means_last_year() -> None:
    assert "(Sat Dec 20, 2025 09:40)" in refusal("12/20 09:40")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("APL-26-0001", "APL-26-0001"),
        ("  apl-26-123456 ", "APL-26-123456"),
        ("APL\u201026\u20130001", "APL-26-0001"),  # a word processor's hyphen and en dash
    ],
)
def test_case_numbers_are_normalised(text: str, expected: str) -> None:
    assert parse_case_number(text, CASE_PATTERN) == expected


@pytest.mark.parametrize(
    "text", ["APL-26-001", "APL26-0001", "AP-26-0001", "apl-26-0001x", "bad", "APL-٢٦-0001"]
)
def test_bad_case_numbers_are_refused(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_case_number(text, CASE_PATTERN)
    assert caught.value.message == f"'{text}' is not a case number. " + (
        "Case numbers look like APL-26-0001."
    )


def test_empty_case_number_is_refused() -> None:
    with pytest.raises(UserError, match="Case numbers look like APL-26-0001"):
        parse_case_number("  ", CASE_PATTERN)


def test_case_number_example_follows_the_office_pattern() -> None:
    with pytest.raises(UserError, match="look like 2026-0001"):
        parse_case_number("x", r"\d{4}-\d{4}", example="2026-0001")


def assert_in_window(result: datetime, now: datetime) -> None:
    """Check that a parsed time is aware, in UTC and within the accepted window."""
    assert result.utcoffset() == timedelta(0)
    assert now - MAX_AGE <= result <= now + FUTURE_GRACE


@settings(deadline=None, max_examples=400)
@given(st.text())
def test_any_text_is_a_time_in_the_window_or_a_user_error(text: str) -> None:
    try:
        result = when(text)
    except UserError as error:
        assert error.message
    else:
        assert_in_window(result, NOW)


_DAY_WORDS = st.sampled_from(
    ["", "today ", "yesterday ", "mon ", "last friday ", "sunday ", "Thu ", "12/01 ", "2/29 "]
)
_DATES = st.dates(date(2025, 6, 1), date(2028, 1, 1)).flatmap(
    lambda d: st.sampled_from(
        [f"{d:%Y-%m-%d} ", f"{d:%Y-%m-%d}T", f"{d:%m/%d} ", f"{d:%m/%d/%Y} "]
    )
)
_CLOCKS = st.builds(
    "{}{}{:02d}{}".format,
    st.integers(0, 30),
    st.sampled_from([":", "."]),
    st.integers(0, 70),
    st.sampled_from(["", "am", " pm", "p.m.", ":00", ":59-06:00", "Z", " +05:45"]),
)
_AGO = st.builds("{} {} ago".format, st.integers(0, 2000), st.sampled_from(["min", "h", "days"]))
_TYPED = st.one_of(st.builds("{}{}".format, _DAY_WORDS | _DATES, _CLOCKS), _AGO)
_NOWS = st.datetimes(datetime(2025, 1, 1), datetime(2028, 1, 1), timezones=st.just(UTC))


@settings(deadline=None, max_examples=400)
@given(_TYPED, _NOWS, st.sampled_from(ZONES))
def test_time_shaped_text_in_any_zone_is_in_the_window_or_a_user_error(
    text: str, now: datetime, tz: ZoneInfo
) -> None:
    try:
        result = when(text, now=now, tz=tz)
    except UserError as error:
        assert error.message
    else:
        assert_in_window(result, now)
        assert when(result.isoformat(), now=now, tz=tz) == result
