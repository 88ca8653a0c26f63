"""The sample office the demo and the console start with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """One member of the sample office."""

    id: str
    name: str
    role: str
    manager_id: str | None
    tz: str
    egain: str | None


OFFICE: tuple[Person, ...] = (
    Person("U0MGR1", "Dana Whitfield", "manager", None, "America/Chicago", "40100"),
    Person("U0ATE1", "Alex Rivera", "ate", "U0MGR1", "America/Chicago", "40123"),
    Person("U0ATE2", "Sam Okafor", "ate", "U0MGR1", "America/New_York", "40124"),
    Person("U0ATE3", "Priya Nair", "ate", "U0MGR1", "America/Los_Angeles", None),
    Person("U0ADM1", "Jordan Blake", "admin", None, "America/New_York", None),
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
