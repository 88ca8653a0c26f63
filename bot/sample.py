"""The sample office the demo and the console start with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Person:
    """One member of the sample office."""

    id: str
    name: str
    role: str
    manager_id: str | None
    tz: str
    egain: str | None
    job_series: str | None = "0930"
    trained_on: date | None = date(2026, 3, 2)
    access_on: date | None = date(2026, 2, 16)


OFFICE: tuple[Person, ...] = (
    Person("U0MGR1", "Dana Whitfield", "manager", None, "America/Chicago", "40100"),
    Person("U0ATE1", "Alex Rivera", "ate", "U0MGR1", "America/Chicago", "40123"),
    Person("U0ATE2", "Sam Okafor", "ate", "U0MGR1", "America/New_York", "40124"),
    Person("U0ATE3", "Priya Nair", "ate", "U0MGR1", "America/Los_Angeles", None, trained_on=None),
    Person("U0ADM1", "Jordan Blake", "admin", None, "America/New_York", None, job_series=None),
)

DEMO_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("U0ATE1", "the taxpayer sent me a secure message first, what do I put in CARATS?"),
    ("U0ATE2", "rep wants to stop using sm - what code?"),
    ("U0ATE1", "do i need to offer secure mesaging if the phone call resolved everything"),
    ("U0ATE3", "tfa case file request - do I need letter 6270 for the password?"),
    ("U0ATE2", "what do I have to do before sending the case to my manager for closing"),
    ("U0ATE3", "how do I reset my timesheet password"),
)

DEMO_DIRECT_MESSAGE = ("U0ATE2", "can a rep get the case file through sm?")


@dataclass(frozen=True)
class Step:
    """One moment of the demo's fortnight: a platform event or a person's click."""

    at: datetime
    who: str
    narration: str
    event: dict[str, Any] | None = None
    click: str | None = None
    reason: str | None = None
    slash: str | None = None
    form: dict[str, Any] | None = None


def _at(text: str, tz: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def _message(kind: str, ident: str, case: str, who: str, at: datetime) -> dict[str, Any]:
    return {"type": kind, "id": ident, "case": case, "employee": who, "at": at.isoformat()}


DIGEST_READER = "U0MGR1"
CHI, NYC, LAX = "America/Chicago", "America/New_York", "America/Los_Angeles"
FORTNIGHT_START = _at("2026-08-31 07:00", CHI)

# Two working weeks around Labor Day (Monday 2026-09-07), in three time zones.
FORTNIGHT: tuple[Step, ...] = (
    Step(
        _at("2026-08-31 09:15", CHI),
        "U0ATE1",
        "A secure message comes in on APL-26-0101.",
        event=_message(
            "message.received", "sm-101-1", "APL-26-0101", "U0ATE1", _at("2026-08-31 09:15", CHI)
        ),
    ),
    Step(
        _at("2026-08-31 09:40", CHI),
        "U0ATE1",
        "Alex records CO-TDC in the CAR.",
        click="Recorded in CAR",
    ),
    Step(
        _at("2026-08-31 14:00", CHI),
        "U0ATE1",
        "Alex answers it the same afternoon.",
        event=_message(
            "message.sent", "sm-101-2", "APL-26-0101", "U0ATE1", _at("2026-08-31 14:00", CHI)
        ),
    ),
    Step(
        _at("2026-09-01 10:00", CHI),
        "U0ATE1",
        "Alex phones the taxpayer on a new case and offers Secure Messaging.",
        slash="contact APL-26-0105 phone",
    ),
    Step(
        _at("2026-09-03 18:40", NYC),
        "U0ATE2",
        "After hours, a message comes in on APL-26-0102; its clock starts Friday 08:00.",
        event=_message(
            "message.received", "sm-102-1", "APL-26-0102", "U0ATE2", _at("2026-09-03 18:40", NYC)
        ),
    ),
    Step(
        _at("2026-09-04 15:50", CHI),
        "U0ATE1",
        "Friday before the holiday weekend: a message comes in on APL-26-0103.",
        event=_message(
            "message.received", "sm-103-1", "APL-26-0103", "U0ATE1", _at("2026-09-04 15:50", CHI)
        ),
    ),
    Step(_at("2026-09-08 09:30", NYC), "U0ATE2", "Sam has answered APL-26-0102.", click="Replied"),
    Step(
        _at("2026-09-08 10:00", LAX),
        "U0ATE3",
        "A message comes in on APL-26-0104.",
        event=_message(
            "message.received", "sm-104-1", "APL-26-0104", "U0ATE3", _at("2026-09-08 10:00", LAX)
        ),
    ),
    Step(
        _at("2026-09-08 16:05", CHI),
        "U0ATE1",
        "Alex needs a little more time on APL-26-0103.",
        click="Snooze…:2 working hours",
    ),
    Step(
        _at("2026-09-09 08:05", CHI),
        "U0ATE1",
        "A second message comes in on APL-26-0101.",
        event=_message(
            "message.received", "sm-101-3", "APL-26-0101", "U0ATE1", _at("2026-09-09 08:05", CHI)
        ),
    ),
    Step(
        _at("2026-09-09 10:30", LAX),
        "U0ATE3",
        "Priya sees the taxpayer only confirmed receipt.",
        click="No reply needed",
        reason="taxpayer only acknowledged our letter",
    ),
    Step(
        _at("2026-09-09 11:00", LAX),
        "U0ATE3",
        "The representative on APL-26-0104 asks for the case file (TFA).",
        slash="tfa APL-26-0104",
    ),
    Step(
        _at("2026-09-09 11:20", LAX),
        "U0ATE3",
        "Priya uploads the signed, undated Letter 6271.",
        click="Done",
    ),
    Step(
        _at("2026-09-10 09:00", CHI),
        "U0ATE1",
        "APL-26-0103 is an LB&I business case.",
        slash="case APL-26-0103 origin lbi bmf",
    ),
    Step(
        _at("2026-09-10 14:00", NYC),
        "U0ATE2",
        "The taxpayer on APL-26-0102 asks to stop using Secure Messaging.",
        slash="discontinued APL-26-0102",
    ),
    Step(
        _at("2026-09-11 10:00", CHI),
        "U0ATE1",
        "Alex sends APL-26-0101 to closing.",
        slash="close APL-26-0101",
        form={"pdf_saved": True, "attached_in_acds": True, "closed_in_sm": False},
    ),
    Step(
        _at("2026-09-11 10:02", CHI),
        "U0ATE1",
        "Alex ticks the last item and confirms.",
        slash="close APL-26-0101",
        form={
            "pdf_saved": True,
            "attached_in_acds": True,
            "closed_in_sm": True,
            "note": "PDF named per office convention",
        },
    ),
    Step(
        _at("2026-09-11 10:05", CHI), "U0ATE1", "Alex looks the case up.", slash="case APL-26-0101"
    ),
    Step(_at("2026-09-11 16:30", CHI), "U0MGR1", "End of the fortnight."),
)
DIGEST_AT = _at("2026-09-14 08:31", CHI)
