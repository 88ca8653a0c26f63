"""The event format of DESIGN.md ("Events"): webhook bodies, replay lines and CSV import rows.

Each event is a pydantic model; `Event` is their union, discriminated on ``type``. Times must be
ISO 8601 with an offset and are kept as aware datetimes in the offset they were given. Case
numbers are not checked here: the caller applies the office's pattern. A bad event raises
`EventRejected` with one short reason that names the field, never pydantic's own report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from models.errors import UserError
from models.taxpayer_ids import REFUSAL_REASON, looks_like_taxpayer_id
from reminders.policy import parse_clock_time, parse_days

__all__ = [
    "CSV_COLUMNS",
    "EVENT_TYPES",
    "CaseClosing",
    "ConfigEvent",
    "Confirm",
    "ContactInitial",
    "EmployeeEvent",
    "EmployeeRef",
    "Event",
    "EventRejected",
    "MessageReceived",
    "MessageSent",
    "SmDiscontinued",
    "Tick",
    "parse_csv_row",
    "parse_event",
    "parse_event_json",
]

Role = Literal["ate", "manager", "admin"]
ContactMethod = Literal["letter", "phone"]

_TIME_EXAMPLE = "e.g. 2026-12-01T09:40:00-06:00"
_NOT_A_TIME = f"must be an ISO 8601 time with an offset, {_TIME_EXAMPLE}"
_EMPLOYEE_FORMS = 'a Slack user id like "U01" or {"egain": "40123"}'
_CSV_TRUE = frozenset({"true", "yes", "1"})
_CSV_FALSE = frozenset({"false", "no", "0"})
_SHOWN = 40
_CODE = re.compile(r"[A-Za-z0-9][\w.:/-]{0,63}", re.ASCII)
_EGAIN = re.compile(r"[0-9]{3,10}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class EventRejected(UserError):
    """An event that cannot be accepted; the reason names the field and what to send."""

    def __init__(self, reason: str, status: int = 422) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def _refuse(kind: str, reason: str) -> PydanticCustomError:
    """Build a validation error whose message is already the reason to show."""
    return PydanticCustomError(f"event_{kind}", reason)


def _aware_time(value: object) -> datetime:
    """Accept an ISO 8601 time with an offset (or an aware datetime) and nothing else."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise _refuse("time", _NOT_A_TIME) from None
    if not isinstance(value, datetime):
        raise _refuse("time", _NOT_A_TIME)
    if value.utcoffset() is None:
        raise _refuse("time", f"needs a time with an offset, {_TIME_EXAMPLE}")
    try:
        year = value.astimezone(UTC).year
    except (OverflowError, ValueError):
        raise _refuse("time", "is out of range") from None
    if not 2000 <= year <= 2099:
        raise _refuse("time", "must be between the years 2000 and 2099")
    return value


def _zone_name(value: object) -> object:
    """Accept an IANA time zone name such as America/Chicago."""
    if isinstance(value, str):
        try:
            ZoneInfo(value.strip())
        except (KeyError, ValueError, OSError):
            pass
        else:
            return value
    raise _refuse("zone", "must be an IANA time zone, e.g. America/Chicago")


def _egain_number(value: object) -> object:
    """Accept an eGain number: 3 to 10 digits, given as text."""
    if not isinstance(value, str) or not _EGAIN.fullmatch(value.strip()):
        raise _refuse("egain", 'must be 3 to 10 digits in quotes, e.g. "40123"')
    return value


def _confirm_code(value: object) -> object:
    """Accept what a confirmation is for: a short code without spaces."""
    if not isinstance(value, str) or not _CODE.fullmatch(value.strip()):
        raise _refuse("what", "must be a code like car:CO-TDC, closing, tfa:a or poa")
    return value


def _one_of(options: tuple[str, ...]) -> BeforeValidator:
    """Accept one of the options, in any letter case."""

    def check(value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in options:
            return value.strip().lower()
        raise _refuse("choice", f"must be one of {', '.join(options)}")

    return BeforeValidator(check)


def _clock_time(value: object) -> object:
    try:
        parse_clock_time(str(value))
    except ValueError:
        raise _refuse("time", "must be a time of day like 08:00") from None
    return str(value).strip()


def _work_days(value: object) -> object:
    try:
        parse_days(str(value))
    except ValueError:
        raise _refuse("days", "must be days like mon-fri or tue,wed,thu") from None
    return str(value).strip().lower()


ClockTime = Annotated[str, BeforeValidator(_clock_time)]
WorkDays = Annotated[str, BeforeValidator(_work_days)]
# The lengths match the store's columns (PostgreSQL enforces them; SQLite would not).
Text = Annotated[str, Field(min_length=1, max_length=120)]
Ident = Annotated[str, Field(min_length=1, max_length=64)]
AwareTime = Annotated[datetime, BeforeValidator(_aware_time)]
ZoneName = Annotated[str, BeforeValidator(_zone_name)]
EgainNumber = Annotated[str, BeforeValidator(_egain_number)]
ConfirmCode = Annotated[str, BeforeValidator(_confirm_code)]
RoleName = Annotated[Role, _one_of(get_args(Role))]
MethodName = Annotated[ContactMethod, _one_of(get_args(ContactMethod))]


class _Model(BaseModel):
    """Frozen, whitespace-stripped; unknown fields are ignored so newer senders still work."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)


class EmployeeRef(_Model):
    """Who an event concerns: a Slack user id or an eGain number, exactly one of them."""

    id: Ident | None = None
    egain: EgainNumber | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: object) -> object:
        """Read a bare string as a Slack user id."""
        if isinstance(data, str):
            return {"id": data}
        if not isinstance(data, dict):
            raise _refuse("employee", f"must be {_EMPLOYEE_FORMS}")
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> EmployeeRef:
        """Insist on one way of naming the employee."""
        if (self.id is None) == (self.egain is None):
            raise _refuse("employee", f"give exactly one of {_EMPLOYEE_FORMS}")
        return self


class EmployeeEvent(_Model):
    """Add or update an employee on the roster."""

    type: Literal["employee"] = "employee"
    id: Ident
    name: Text
    role: RoleName
    manager: Ident | None = None
    tz: ZoneName
    egain: EgainNumber | None = None
    work_start: ClockTime | None = None
    work_end: ClockTime | None = None
    work_days: WorkDays | None = None
    at: AwareTime | None = None

    @model_validator(mode="after")
    def _hours_in_order(self) -> EmployeeEvent:
        """Refuse personal hours that end before they start."""
        if self.work_start and self.work_end and self.work_end <= self.work_start:
            raise _refuse("work_end", "must be later than work_start")
        return self


class _CaseEvent(_Model):
    """Something that happened on a case, done by or for one employee."""

    id: Ident | None = None
    case: Ident
    employee: EmployeeRef
    at: AwareTime


class MessageReceived(_CaseEvent):
    """A taxpayer's secure message came in; its id is required so repeats are ignored."""

    type: Literal["message.received"] = "message.received"
    id: Ident


class MessageSent(_CaseEvent):
    """The employee sent a secure message on the case; its id is required."""

    type: Literal["message.sent"] = "message.sent"
    id: Ident


class ContactInitial(_CaseEvent):
    """The initial contact with the taxpayer, by letter or phone."""

    type: Literal["contact.initial"] = "contact.initial"
    method: MethodName
    resolved: bool = False


class SmDiscontinued(_CaseEvent):
    """The taxpayer asked to stop using Secure Messaging."""

    type: Literal["sm.discontinued"] = "sm.discontinued"


class CaseClosing(_CaseEvent):
    """The case is being closed; the closing export is due."""

    type: Literal["case.closing"] = "case.closing"


class Confirm(_CaseEvent):
    """The employee confirmed a step, e.g. "car:CO-TDC", "closing", "tfa:a" or "poa"."""

    type: Literal["confirm"] = "confirm"
    what: ConfirmCode


class Tick(_Model):
    """Advance the simulated clock; nothing else."""

    type: Literal["tick"] = "tick"
    id: Ident | None = None
    at: AwareTime


class ConfigEvent(BaseModel):
    """Policy settings for a replay; every field other than type, id and at is a setting."""

    model_config = ConfigDict(frozen=True, extra="allow")

    type: Literal["config"] = "config"
    id: Ident | None = None
    at: AwareTime | None = None

    @property
    def settings(self) -> dict[str, Any]:
        """Return the policy settings given in the event."""
        return dict(self.model_extra or {})


Event = Annotated[
    EmployeeEvent
    | MessageReceived
    | MessageSent
    | ContactInitial
    | SmDiscontinued
    | CaseClosing
    | Confirm
    | Tick
    | ConfigEvent,
    Field(discriminator="type"),
]
EVENT_TYPES: tuple[str, ...] = (
    "employee",
    "message.received",
    "message.sent",
    "contact.initial",
    "sm.discontinued",
    "case.closing",
    "confirm",
    "tick",
    "config",
)
CSV_COLUMNS: tuple[str, ...] = (
    "type",
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
)
_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)

_PLAIN_REASONS = {
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
}


def parse_event(obj: object) -> Event:
    """Validate one decoded event, or raise EventRejected with one reason a person can act on.

    Every text in it is checked for taxpayer ids after decoding, so that no escape
    (JSON's \\u0031 for "1", say) can carry one past the check.
    """
    if not isinstance(obj, dict):
        raise EventRejected("an event must be a JSON object", 400)
    texts = list(_texts(obj))
    if any(looks_like_taxpayer_id(text) for text in texts):
        raise EventRejected(REFUSAL_REASON, 422)
    if any(_CONTROL.search(text) for text in texts):
        raise EventRejected(
            "a text holds a control character (such as NUL or a line break); "
            "send plain one-line text",
            422,
        )
    kind = _event_type(obj)
    try:
        return _ADAPTER.validate_python(obj)
    except ValidationError as error:
        raise EventRejected(_reason(error.errors(include_url=False)[0], kind)) from None


def _texts(value: object, depth: int = 0) -> Iterator[str]:
    """Yield every string in a decoded JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif depth > 20:
        return  # deeper nesting than any event has; validation refuses it anyway
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item, depth + 1)


def parse_event_json(text: str) -> Event:
    """Decode one JSON event (a webhook body or a replay line) and validate it."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as error:
        reason = f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        raise EventRejected(reason, 400) from None
    except (ValueError, RecursionError):
        reason = "not valid JSON: a number is too long or the nesting too deep"
        raise EventRejected(reason, 400) from None
    return parse_event(obj)


def parse_csv_row(row: dict[str, str]) -> Event:
    """Read one CSV import row (empty cells absent, other columns ignored) into an event."""
    cells: dict[str, object] = {}
    for key, value in row.items():
        column = key.strip().lstrip("\ufeff").lower() if isinstance(key, str) else None
        if column in CSV_COLUMNS and isinstance(value, str) and value.strip():
            cells[column] = value.strip()
    if "resolved" in cells:
        cells["resolved"] = _csv_bool(str(cells["resolved"]))
    if cells.get("type") != "employee" and "egain" in cells:
        ref = {"egain": cells.pop("egain")}  # the egain column names who, on non-roster rows
        if "employee" in cells:
            ref["id"] = cells["employee"]
        cells["employee"] = ref
    return parse_event(cells)


def _event_type(obj: dict[Any, Any]) -> str:
    """Return the event's type, refusing a missing or unknown one."""
    if "type" not in obj:
        raise EventRejected("missing field 'type'")
    kind = obj["type"]
    expected = ", ".join(EVENT_TYPES)
    if not isinstance(kind, str):
        raise EventRejected(f"field 'type': must be text, one of: {expected}")
    if kind not in EVENT_TYPES:
        raise EventRejected(f"unknown type '{_clip(kind)}'; expected one of: {expected}")
    return kind


def _reason(error: ErrorDetails, kind: str) -> str:
    """Turn pydantic's first error into one short reason naming the field."""
    loc = [str(part) for part in error["loc"]]
    if loc and loc[0] == kind:  # the discriminated union puts the tag first
        loc = loc[1:]
    field = ".".join(loc) or "event"
    code = error["type"]
    if code == "missing":
        return f"missing field '{field}'"
    if code.startswith("event_"):
        return f"field '{field}': {error['msg']}"
    if code == "string_too_long":
        limit = (error.get("ctx") or {}).get("max_length", "")
        return f"field '{field}': is too long (at most {limit} characters)"
    return f"field '{field}': {_PLAIN_REASONS.get(code, 'is not valid')}"


def _csv_bool(cell: str) -> bool:
    """Read true/false, yes/no or 1/0 from a CSV cell."""
    word = cell.lower()
    if word in _CSV_TRUE:
        return True
    if word in _CSV_FALSE:
        return False
    raise EventRejected("field 'resolved': must be true or false (yes/no and 1/0 work too)")


def _clip(text: str) -> str:
    """Shorten a value to one line fit to quote back."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _SHOWN else flat[: _SHOWN - 1] + "…"
