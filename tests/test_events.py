"""The event format: valid events of every type, one clear reason for each bad one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.errors import UserError
from reminders.events import (
    CSV_COLUMNS,
    EVENT_TYPES,
    CaseClosing,
    ConfigEvent,
    Confirm,
    ContactInitial,
    EmployeeEvent,
    EmployeeRef,
    EventRejected,
    MessageReceived,
    MessageSent,
    SmDiscontinued,
    Tick,
    parse_csv_row,
    parse_event,
    parse_event_json,
)

AT = "2026-12-01T09:40:00-06:00"
AT_DT = datetime(2026, 12, 1, 9, 40, tzinfo=timezone(timedelta(hours=-6)))
CASE = "APL-26-0001"

EMPLOYEE = {
    "type": "employee",
    "id": "U01",
    "name": "A. Rivera",
    "role": "ate",
    "manager": "U09",
    "tz": "America/Chicago",
    "egain": "40123",
}
RECEIVED = {"type": "message.received", "id": "m-1", "case": CASE, "employee": "U01", "at": AT}
SENT = {**RECEIVED, "type": "message.sent", "id": "m-2"}
CONTACT = {
    "type": "contact.initial",
    "case": CASE,
    "employee": "U01",
    "method": "phone",
    "resolved": True,
    "at": AT,
}
DISCONTINUED = {"type": "sm.discontinued", "case": CASE, "employee": "U01", "at": AT}
CLOSING = {"type": "case.closing", "case": CASE, "employee": "U01", "at": AT}
CONFIRM = {"type": "confirm", "case": CASE, "employee": "U01", "what": "car:CO-TDC", "at": AT}
TICK = {"type": "tick", "at": AT}
CONFIG = {"type": "config", "reminder_business_days": [1, 2, 3], "digest_at": "08:30"}
VALID: list[dict[str, Any]] = [
    EMPLOYEE,
    RECEIVED,
    SENT,
    CONTACT,
    DISCONTINUED,
    CLOSING,
    CONFIRM,
    TICK,
    CONFIG,
]


def rejected(obj: object) -> EventRejected:
    """Return the rejection parse_event must raise for the object."""
    with pytest.raises(EventRejected) as caught:
        parse_event(obj)
    return caught.value


def test_employee_event() -> None:
    event = parse_event(EMPLOYEE)
    assert event == EmployeeEvent(
        id="U01", name="A. Rivera", role="ate", manager="U09", tz="America/Chicago", egain="40123"
    )
    assert event.at is None


def test_message_events() -> None:
    received = parse_event(RECEIVED)
    assert isinstance(received, MessageReceived)
    assert (received.id, received.case, received.employee) == ("m-1", CASE, EmployeeRef(id="U01"))
    assert received.at == AT_DT
    assert received.at.utcoffset() == timedelta(hours=-6)  # kept in the offset it came with
    assert isinstance(parse_event(SENT), MessageSent)


def test_contact_initial() -> None:
    event = parse_event(CONTACT)
    assert isinstance(event, ContactInitial)
    assert (event.method, event.resolved, event.id) == ("phone", True, None)
    letter = parse_event({**CONTACT, "method": "Letter", "resolved": False})
    assert isinstance(letter, ContactInitial)
    assert (letter.method, letter.resolved) == ("letter", False)


def test_resolved_defaults_to_false() -> None:
    event = parse_event({k: v for k, v in CONTACT.items() if k != "resolved"})
    assert isinstance(event, ContactInitial) and event.resolved is False


def test_case_events_and_confirm() -> None:
    assert isinstance(parse_event(DISCONTINUED), SmDiscontinued)
    assert isinstance(parse_event(CLOSING), CaseClosing)
    for what in ("car:CO-TDC", "closing", "tfa:a", "poa"):
        event = parse_event({**CONFIRM, "what": what, "id": "c-1"})
        assert isinstance(event, Confirm) and (event.what, event.id) == (what, "c-1")


def test_tick() -> None:
    assert parse_event({"type": "tick", "at": "2026-12-01T15:40:00Z"}) == Tick(
        at=datetime(2026, 12, 1, 15, 40, tzinfo=UTC)
    )


def test_config_keeps_every_setting() -> None:
    event = parse_event({**CONFIG, "at": AT})
    assert isinstance(event, ConfigEvent)
    assert event.at == AT_DT
    assert event.settings == {"reminder_business_days": [1, 2, 3], "digest_at": "08:30"}
    assert isinstance(parse_event({"type": "config"}), ConfigEvent)


def test_employee_may_be_named_by_egain_number() -> None:
    event = parse_event({**CONFIRM, "employee": {"egain": "40123"}})
    assert isinstance(event, Confirm)
    assert event.employee == EmployeeRef(egain="40123")
    assert event.employee.id is None


def test_unknown_fields_are_ignored() -> None:
    event = parse_event({**RECEIVED, "channel": "web", "employee": {"id": "U01", "x": 1}})
    assert event == parse_event(RECEIVED)


def test_text_is_stripped_and_choices_ignore_case() -> None:
    event = parse_event({**EMPLOYEE, "id": " U01 ", "role": " Manager", "egain": " 40123 "})
    assert isinstance(event, EmployeeEvent)
    assert (event.id, event.role, event.egain) == ("U01", "manager", "40123")


def test_json_line() -> None:
    assert parse_event_json(json.dumps(RECEIVED)) == parse_event(RECEIVED)


@pytest.mark.parametrize("obj", VALID, ids=[str(o["type"]) for o in VALID])
def test_events_survive_a_json_round_trip(obj: dict[str, Any]) -> None:
    event = parse_event(obj)
    assert parse_event_json(json.dumps(event.model_dump(mode="json"))) == event


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        ({k: v for k, v in RECEIVED.items() if k != "case"}, "missing field 'case'"),
        ({k: v for k, v in RECEIVED.items() if k != "id"}, "missing field 'id'"),
        ({k: v for k, v in TICK.items() if k != "at"}, "missing field 'at'"),
        ({k: v for k, v in EMPLOYEE.items() if k != "tz"}, "missing field 'tz'"),
        ({"at": AT}, "missing field 'type'"),
        (
            {**RECEIVED, "type": "message.recieved"},
            "unknown type 'message.recieved'; expected one of: employee, message.received, "
            "message.sent, contact.initial, sm.discontinued, case.closing, confirm, tick, config",
        ),
        (
            {**RECEIVED, "type": 5},
            "field 'type': must be text, one of: employee, message.received, message.sent, "
            "contact.initial, sm.discontinued, case.closing, confirm, tick, config",
        ),
        (
            {**RECEIVED, "at": "2026-12-01T09:40:00"},
            "field 'at': needs a time with an offset, e.g. 2026-12-01T09:40:00-06:00",
        ),
        (
            {**RECEIVED, "at": "yesterday"},
            "field 'at': must be an ISO 8601 time with an offset, e.g. 2026-12-01T09:40:00-06:00",
        ),
        (
            {**RECEIVED, "at": 1764603600},
            "field 'at': must be an ISO 8601 time with an offset, e.g. 2026-12-01T09:40:00-06:00",
        ),
        ({**TICK, "at": "0001-01-01T00:00:00+05:00"}, "field 'at': is out of range"),
        (
            {**CONFIG, "at": "2026-12-01"},
            "field 'at': needs a time with an offset, e.g. 2026-12-01T09:40:00-06:00",
        ),
        ({**EMPLOYEE, "role": "boss"}, "field 'role': must be one of ate, manager, admin"),
        ({**EMPLOYEE, "role": None}, "field 'role': must be one of ate, manager, admin"),
        (
            {**EMPLOYEE, "tz": "Mars/Olympus"},
            "field 'tz': must be an IANA time zone, e.g. America/Chicago",
        ),
        (
            {**EMPLOYEE, "tz": "../../etc/passwd"},
            "field 'tz': must be an IANA time zone, e.g. America/Chicago",
        ),
        (
            {**EMPLOYEE, "egain": "12"},
            "field 'egain': must be 3 to 10 digits in quotes, e.g. \"40123\"",
        ),
        (
            {**EMPLOYEE, "egain": 40123},
            "field 'egain': must be 3 to 10 digits in quotes, e.g. \"40123\"",
        ),
        ({**EMPLOYEE, "name": "  "}, "field 'name': must not be empty"),
        ({**EMPLOYEE, "name": 7}, "field 'name': must be text"),
        (
            {**EMPLOYEE, "name": "Zo\x00e"},
            "a text holds a control character (such as NUL or a line break); "
            "send plain one-line text",
        ),
        ({**RECEIVED, "id": "x" * 65}, "field 'id': is too long (at most 64 characters)"),
        ({**CONTACT, "method": "email"}, "field 'method': must be one of letter, phone"),
        ({**CONTACT, "resolved": "maybe"}, "field 'resolved': must be true or false"),
        (
            {**CONFIRM, "what": "car CO-TDC"},
            "field 'what': must be a code like car:CO-TDC, closing, tfa:a or poa",
        ),
        (
            {**CONFIRM, "employee": 12},
            'field \'employee\': must be a Slack user id like "U01" or {"egain": "40123"}',
        ),
        (
            {**CONFIRM, "employee": {"id": "U01", "egain": "40123"}},
            "field 'employee': give exactly one of a Slack user id like \"U01\" or "
            '{"egain": "40123"}',
        ),
        (
            {**CONFIRM, "employee": {}},
            "field 'employee': give exactly one of a Slack user id like \"U01\" or "
            '{"egain": "40123"}',
        ),
        (
            {**CONFIRM, "employee": {"egain": "4O123"}},
            "field 'employee.egain': must be 3 to 10 digits in quotes, e.g. \"40123\"",
        ),
    ],
)
def test_rejections_name_the_field(obj: dict[str, Any], reason: str) -> None:
    error = rejected(obj)
    assert (error.reason, error.message, error.status) == (reason, reason, 422)
    assert isinstance(error, UserError)


def test_case_numbers_are_not_checked_here() -> None:
    event = parse_event({**RECEIVED, "case": "whatever-1"})
    assert isinstance(event, MessageReceived) and event.case == "whatever-1"


@pytest.mark.parametrize("obj", [[], "tick", 5, None, [RECEIVED]])
def test_not_an_object_is_a_bad_request(obj: object) -> None:
    error = rejected(obj)
    assert (error.reason, error.status) == ("an event must be a JSON object", 400)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not valid JSON: Expecting value at line 1 column 1"),
        (
            '{"type": "tick",',
            "not valid JSON: Expecting property name enclosed in double quotes "
            "at line 1 column 17",
        ),
        ("[1, 2]", "an event must be a JSON object"),
        ("[" * 100_000, "not valid JSON: a number is too long or the nesting too deep"),
        ("9" * 5000, "not valid JSON: a number is too long or the nesting too deep"),
    ],
)
def test_bad_json_is_a_bad_request(text: str, reason: str) -> None:
    with pytest.raises(EventRejected) as caught:
        parse_event_json(text)
    assert (caught.value.reason, caught.value.status) == (reason, 400)


def test_json_with_a_bad_field_is_unprocessable() -> None:
    with pytest.raises(EventRejected) as caught:
        parse_event_json('{"type": "tick"}')
    assert (caught.value.reason, caught.value.status) == ("missing field 'at'", 422)


def csv_row(**cells: str) -> dict[str, str]:
    """Build a full CSV row: every column, empty unless given."""
    return {column: cells.get(column, "") for column in CSV_COLUMNS}


def test_csv_employee_row() -> None:
    row = csv_row(
        type="employee",
        id="U01",
        name="A. Rivera",
        role="ate",
        manager="U09",
        tz="America/Chicago",
        egain="40123",
    )
    assert parse_csv_row(row) == parse_event(EMPLOYEE)


def test_csv_empty_cells_are_absent() -> None:
    row = csv_row(type="employee", id="U01", name="A. Rivera", role="ate", tz="America/Chicago")
    event = parse_csv_row(row)
    assert isinstance(event, EmployeeEvent)
    assert (event.manager, event.egain) == (None, None)


def test_csv_message_row() -> None:
    row = csv_row(type="message.received", id="m-1", case=CASE, employee="U01", at=AT)
    assert parse_csv_row(row) == parse_event(RECEIVED)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("true", True),
        ("Yes", True),
        ("1", True),
        ("false", False),
        ("NO", False),
        ("0", False),
        ("", False),
    ],
)
def test_csv_resolved(cell: str, expected: bool) -> None:
    row = csv_row(
        type="contact.initial", case=CASE, employee="U01", method="phone", at=AT, resolved=cell
    )
    event = parse_csv_row(row)
    assert isinstance(event, ContactInitial) and event.resolved is expected


def test_csv_bad_resolved() -> None:
    row = csv_row(
        type="contact.initial", case=CASE, employee="U01", method="phone", at=AT, resolved="maybe"
    )
    with pytest.raises(EventRejected) as caught:
        parse_csv_row(row)
    assert (
        caught.value.reason == "field 'resolved': must be true or false (yes/no and 1/0 work too)"
    )
    assert caught.value.status == 422


def test_csv_egain_column_names_the_employee_on_other_rows() -> None:
    row = csv_row(type="confirm", case=CASE, egain="40123", what="closing", at=AT)
    event = parse_csv_row(row)
    assert isinstance(event, Confirm) and event.employee == EmployeeRef(egain="40123")
    both = csv_row(type="confirm", case=CASE, employee="U01", egain="40123", what="poa", at=AT)
    with pytest.raises(EventRejected, match="give exactly one of"):
        parse_csv_row(both)


def test_csv_headers_are_forgiving_and_extra_columns_ignored() -> None:
    row = {"\ufeffType": "tick", " AT ": f" {AT} ", "note": "hello"}
    assert parse_csv_row(row) == Tick(at=AT_DT)


def test_csv_missing_type() -> None:
    with pytest.raises(EventRejected, match="missing field 'type'"):
        parse_csv_row(csv_row(at=AT))


def test_event_types_match_the_union() -> None:
    assert len(set(EVENT_TYPES)) == 9
    for obj in VALID:
        assert parse_event(obj).type == obj["type"]


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
FIELDS = [
    "id",
    "case",
    "employee",
    "at",
    "method",
    "resolved",
    "what",
    "name",
    "role",
    "manager",
    "tz",
    "egain",
]
GOOD_VALUES = st.sampled_from(
    [
        "U01",
        "40123",
        AT,
        "2026-12-01T09:40:00",
        "phone",
        "letter",
        "ate",
        "America/Chicago",
        "car:CO-TDC",
        "",
        " ",
    ]
) | st.fixed_dictionaries({}, optional={"id": JSONISH, "egain": JSONISH})
EVENT_LIKE = st.builds(
    lambda kind, fields: {"type": kind, **fields},
    st.sampled_from([*EVENT_TYPES, "message.recieved"]),
    st.dictionaries(st.sampled_from(FIELDS), GOOD_VALUES | JSONISH, max_size=8),
)


def assert_event_or_rejected(parse: Any, value: object) -> None:
    """Check that parsing yields an event or an EventRejected with a sane status."""
    try:
        event = parse(value)
    except EventRejected as error:
        assert error.status in (400, 422)
        assert error.reason and "\n" not in error.reason and len(error.reason) < 200
    else:
        assert event.type in EVENT_TYPES


@settings(deadline=None, max_examples=300)
@given(JSONISH)
def test_any_jsonish_object_is_an_event_or_rejected(obj: object) -> None:
    assert_event_or_rejected(parse_event, obj)


@settings(deadline=None, max_examples=300)
@given(EVENT_LIKE)
def test_any_event_like_object_is_an_event_or_rejected(obj: dict[str, Any]) -> None:
    assert_event_or_rejected(parse_event, obj)
    assert_event_or_rejected(parse_event_json, json.dumps(obj))


@settings(deadline=None, max_examples=300)
@given(st.text())
def test_any_text_is_an_event_or_rejected(text: str) -> None:
    assert_event_or_rejected(parse_event_json, text)


@settings(deadline=None, max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from([*CSV_COLUMNS, "other"]),
        st.sampled_from(["", "true", "maybe", *EVENT_TYPES])
        | GOOD_VALUES.filter(lambda v: isinstance(v, str))
        | st.text(),
    )
)
def test_any_csv_row_is_an_event_or_rejected(row: dict[str, str]) -> None:
    assert_event_or_rejected(parse_csv_row, row)
