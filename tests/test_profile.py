"""Readiness (IRM 8.6.1.4.X(2)), `/sm profile` and `/sm invite`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from bot import texts
from bot.offline import OfflineBot
from bot.settings import Settings
from bot.standin import Call
from models import readiness
from models.db import make_engine, session_scope
from models.migrate import upgrade
from models.tables import Employee
from reminders.sweep import SimulatedClock

# Wednesday 2026-12-02 15:00 in Chicago.
NOW = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
DONE = date(2026, 11, 2)


def person(role: str = "ate", series: str | None = "0930", **done: object) -> Employee:
    return Employee(id="U0X", name="Test Person", role=role, job_series=series, **done)


def ready(role: str = "ate", series: str | None = "0930") -> Employee:
    return person(
        role,
        series,
        access_granted_on=DONE,
        user_training_on=DONE,
        supervisor_training_on=DONE if role == "manager" else None,
        egain="40999",
    )


# --- readiness rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("employee", "gaps"),
    [
        (person("ate", "0930"), ["access", "user_training", "egain"]),
        (person("ate", "GS-0512"), ["access", "user_training", "egain"]),
        (person("manager", "0110"), ["access", "user_training", "supervisor_training", "egain"]),
        (person("ate", "0343"), []),
        (person("manager", "2210"), []),
        (person("ate", None), ["job_series", "access", "user_training", "egain"]),
        (person("admin", None), []),
        (person("admin", "0343"), []),
        (person("admin", "1101"), ["access", "user_training", "egain"]),
        (ready("ate", "0801"), []),
        (ready("manager", "0526"), []),
        (ready("ate", None), ["job_series"]),
        (
            person("manager", "0930", access_granted_on=DONE, user_training_on=DONE, egain="401"),
            ["supervisor_training"],
        ),
    ],
)
def test_gaps_follow_the_series_and_role(employee: Employee, gaps: list[str]) -> None:
    assert readiness.gaps(employee) == gaps


def test_team_and_office_gaps_list_only_people_with_something_missing(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        session.add(Employee(id="U0M", name="Dana", role="manager", job_series="0930"))
        session.add(Employee(id="U0M2", name="Lee", role="manager", job_series="0343"))
        session.add(Employee(id="U0B", name="Sam", role="ate", manager_id="U0M", egain="401"))
        session.add(Employee(id="U0A", name="Alex", role="ate", manager_id="U0M"))
        done = ready("ate", "0930")
        done.id, done.name, done.manager_id = "U0C", "Chris", "U0M"
        session.add(done)
        session.add(Employee(id="U0D", name="Kim", role="ate", manager_id="U0M2"))

    with Session(engine) as session:
        team = readiness.team_gaps(session, "U0M")
        office = readiness.office_gaps(session)

    assert [(r.employee_id, r.gaps) for r in team] == [
        ("U0A", ("job_series", "access", "user_training", "egain")),
        ("U0B", ("job_series", "access", "user_training")),
    ]
    assert [r.employee_id for r in office] == ["U0A", "U0M", "U0D", "U0B"]
    engine.dispose()


# --- /sm profile ------------------------------------------------------------------


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[OfflineBot]:
    clock = SimulatedClock(NOW)
    async with OfflineBot(database_url, settings=Settings(), clock=clock) as offline:
        offline.seed()
        _nothing_recorded_yet(offline)
        yield offline


def _nothing_recorded_yet(offline: OfflineBot) -> None:
    """Start from a roster fresh from import: no series, access or training on file."""
    assert offline.services is not None
    with session_scope(offline.services.engine) as session:
        for person in session.exec(select(Employee)).all():
            person.job_series = None
            person.access_granted_on = None
            person.user_training_on = None
            person.supervisor_training_on = None
            session.add(person)


def said(calls: list[Call]) -> str:
    return "\n".join(str(c.args.get("text", "")) for c in calls)


def stored(bot: OfflineBot, user_id: str) -> Employee:
    assert bot.services is not None
    with Session(bot.services.engine) as session:
        found = session.get(Employee, user_id)
    assert found is not None
    return found


async def test_the_profile_shows_the_items_and_what_to_do_about_each_gap(bot: OfflineBot) -> None:
    calls = await bot.slash("U0ATE1", "profile")

    text = said(calls)
    assert "Alex Rivera (ATE, job series not on file)" in text
    assert "• eGain number: 40123" in text
    assert f"• Secure Messaging access: {texts.PROFILE_NOT_RECORDED}" in text
    assert "Supervisor training" not in text
    assert texts.PROFILE_TODO in text
    for code in ("job_series", "access", "user_training"):
        assert texts.profile_gap(code) in text
    assert texts.profile_gap("egain") not in text


async def test_each_item_can_be_set_and_the_profile_is_then_ready(bot: OfflineBot) -> None:
    assert bot.services is not None
    with session_scope(bot.services.engine) as session:
        manager = session.get(Employee, "U0MGR1")
        assert manager is not None
        manager.job_series = "0930"

    await bot.slash("U0MGR1", "profile access 2026-11-02")
    await bot.slash("U0MGR1", "profile training yesterday")
    last = await bot.slash("U0MGR1", "profile supervisor-training today")
    egain = await bot.slash("U0MGR1", "profile egain 40777")

    dana = stored(bot, "U0MGR1")
    assert (dana.access_granted_on, dana.user_training_on, dana.supervisor_training_on) == (
        date(2026, 11, 2),
        date(2026, 12, 1),
        date(2026, 12, 2),
    )
    assert dana.egain == "40777"
    assert "✅ Supervisor training saved: 2026-12-02." in said(last)
    assert texts.PROFILE_READY in said(egain)


async def test_a_date_typed_month_first_is_read(bot: OfflineBot) -> None:
    calls = await bot.slash("U0ATE1", "profile access 11/02/2026")

    assert "2026-11-02" in said(calls)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("profile training 2026-12-03", texts.profile_future_date(date(2026, 12, 3))),
        ("profile access 2/30/2026", "I couldn't read '2/30/2026' as a date"),
        ("profile access 2026-02-30", "I couldn't read '2026-02-30' as a date"),
        ("profile training 1900-01-01", "1900-01-01 is before Secure Messaging came to Appeals"),
        ("profile supervisor-training today", texts.PROFILE_SUPERVISOR_ONLY),
        ("profile egain 40124", texts.PROFILE_EGAIN_TAKEN),
        ("profile egain 4O123", texts.profile_bad_egain("4O123")),
        ("profile colour blue", texts.USAGE_PROFILE),
        ("profile egain 123-45-6789", texts.TAXPAYER_ID_REFUSED),
    ],
)
async def test_bad_profile_input_is_refused_and_nothing_changes(
    bot: OfflineBot, text: str, says: str
) -> None:
    calls = await bot.slash("U0ATE1", text)

    assert says in said(calls)
    alex = stored(bot, "U0ATE1")
    assert (alex.egain, alex.user_training_on, alex.access_granted_on) == ("40123", None, None)


async def test_someone_not_on_the_roster_is_told_how_to_get_added(bot: OfflineBot) -> None:
    calls = await bot.slash("U0STRANGER", "profile")

    assert "smbot roster import" in said(calls)


async def test_an_uncovered_series_is_told_the_rule_does_not_apply(bot: OfflineBot) -> None:
    assert bot.services is not None
    with session_scope(bot.services.engine) as session:
        alex = session.get(Employee, "U0ATE1")
        assert alex is not None
        alex.job_series = "0343"

    calls = await bot.slash("U0ATE1", "profile")

    assert texts.profile_not_covered("0343") in said(calls)


# --- /sm invite -------------------------------------------------------------------


async def test_the_invitation_gives_the_egain_number_and_where_to_register(
    bot: OfflineBot,
) -> None:
    both = said(await bot.slash("U0ATE1", "invite"))
    phone = said(await bot.slash("U0ATE1", "invite phone"))
    letter = said(await bot.slash("U0ATE1", "invite LETTER"))

    assert texts.invite_phone("40123") in both and texts.invite_letter("40123") in both
    assert texts.invite_phone("40123") in phone and "letter" not in phone.lower()
    assert texts.invite_letter("40123") in letter and "read out" not in letter
    for text in (both, phone, letter):
        assert "irs.gov/connect" in text and "help.id.me" in text
        assert texts.INVITE_SOURCE in text


async def test_without_an_egain_number_the_invitation_says_how_to_add_it(
    bot: OfflineBot,
) -> None:
    calls = await bot.slash("U0ATE3", "invite")

    assert texts.INVITE_NO_EGAIN in said(calls)
    assert "read out" not in said(calls)
    assert "/sm profile egain NUMBER" in texts.INVITE_NO_EGAIN


async def test_an_unknown_invitation_form_gets_the_usage(bot: OfflineBot) -> None:
    calls = await bot.slash("U0ATE1", "invite fax")

    assert texts.USAGE_INVITE in said(calls)
