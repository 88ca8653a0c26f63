"""`/sm profile` (readiness: eGain number, access, training) and `/sm invite`."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncApp
from sqlmodel import Session, select

from bot import texts
from bot.errors import UserError
from bot.services import Services
from handlers.commands import CommandRequest, Subcommand
from handlers.replies import Reply
from models import access, audit, readiness
from models.db import session_scope
from models.tables import Employee

logger = logging.getLogger(__name__)

_EGAIN = re.compile(r"\d{3,10}", re.ASCII)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
# Appeals' Secure Messaging began in the 2020s: an earlier access or training date is a typo.
EARLIEST = date(2020, 1, 1)

# The word after `/sm profile`, the Employee column it sets and how the item is labelled.
DATE_ITEMS = {
    "access": ("access_granted_on", texts.GAP_LABELS["access"]),
    "training": ("user_training_on", texts.GAP_LABELS["user_training"]),
    "supervisor-training": ("supervisor_training_on", texts.GAP_LABELS["supervisor_training"]),
}
ALIASES = {"user-training": "training", "supervisor_training": "supervisor-training"}
INVITE_FORMS = ("phone", "letter")


async def profile_command(services: Services, request: CommandRequest) -> Reply:
    """`/sm profile [egain NUMBER | access DATE | training DATE | supervisor-training DATE]`."""
    word, _, value = request.args.strip().partition(" ")
    word = ALIASES.get(word.lower(), word.lower())
    with session_scope(services.engine) as session:
        person = access.actor(session, request.user_id)
        if not word:
            return Reply(text=show_profile(person))
        if word == "egain":
            saved = set_egain(session, person, value.strip())
        elif word in DATE_ITEMS:
            saved = set_date(person, word, value.strip(), today=_today(services, person))
        else:
            return Reply(text=texts.USAGE_PROFILE)
        session.add(person)
        audit.record(
            session, actor=person.id, action="profile.changed", at=services.clock(), detail=word
        )
        logger.info("profile updated item=%s user=%s", word, person.id)
        return Reply(text=f"{saved}\n\n{_todo(person)}")


def show_profile(person: Employee) -> str:
    """Lay out a person's readiness items and what is still to do."""
    shown = [
        texts.profile_heading(person.name, person.role, person.job_series),
        texts.profile_item(texts.GAP_LABELS["egain"], person.egain),
        texts.profile_item(texts.GAP_LABELS["access"], _day(person.access_granted_on)),
        texts.profile_item(texts.GAP_LABELS["user_training"], _day(person.user_training_on)),
    ]
    if person.role == "manager":
        label = texts.GAP_LABELS["supervisor_training"]
        shown.append(texts.profile_item(label, _day(person.supervisor_training_on)))
    return "\n".join([*shown, "", _todo(person)])


def _todo(person: Employee) -> str:
    """Say what the readiness rule still asks of the person, or that nothing is missing."""
    if readiness.covered(person) is False:
        return texts.profile_not_covered(person.job_series)
    gaps = readiness.gaps(person)
    if not gaps:
        return texts.PROFILE_READY
    return "\n".join([texts.PROFILE_TODO, *(texts.profile_gap(code) for code in gaps)])


def set_egain(session: Session, person: Employee, value: str) -> str:
    """Store the person's eGain number, refusing a malformed one or someone else's."""
    if not _EGAIN.fullmatch(value):
        raise UserError(texts.profile_bad_egain(value))
    holder = session.exec(select(Employee).where(Employee.egain == value)).first()
    if holder is not None and holder.id != person.id:
        raise UserError(texts.PROFILE_EGAIN_TAKEN)
    person.egain = value
    return texts.profile_saved(texts.GAP_LABELS["egain"], value)


def set_date(person: Employee, word: str, value: str, *, today: date) -> str:
    """Store an access or training date; managers only for the supervisor training."""
    if word == "supervisor-training" and person.role != "manager":
        raise UserError(texts.PROFILE_SUPERVISOR_ONLY)
    day = parse_day(value, today=today)
    column, label = DATE_ITEMS[word]
    setattr(person, column, day)
    return texts.profile_saved(label, f"{day:%Y-%m-%d}")


def parse_day(text: str, *, today: date) -> date:
    """Read `2026-11-02`, `today` or `yesterday` (in the person's zone); refuse the future."""
    word = text.strip().lower()
    relative = {"today": today, "yesterday": today - timedelta(days=1)}
    if word in relative:
        return relative[word]
    us = _US_DATE.fullmatch(word)
    if us:  # 12/01/2026, as `/sm received` also reads it
        word = f"{us[3]}-{int(us[1]):02d}-{int(us[2]):02d}"
    if not _ISO_DATE.fullmatch(word):
        raise UserError(texts.profile_bad_date(text.strip()[:40]))
    try:
        day = date.fromisoformat(word)
    except ValueError:
        raise UserError(texts.profile_bad_date(text.strip()[:40])) from None
    if day > today:
        raise UserError(texts.profile_future_date(day))
    if day < EARLIEST:
        raise UserError(texts.profile_too_early(day, EARLIEST))
    return day


def _today(services: Services, person: Employee) -> date:
    return services.clock().astimezone(ZoneInfo(person.tz)).date()


def _day(value: date | None) -> str | None:
    return f"{value:%Y-%m-%d}" if value else None


async def invite_command(services: Services, request: CommandRequest) -> Reply:
    """`/sm invite [phone|letter]`: the invitation to Secure Messaging, with the eGain number."""
    form = request.args.strip().lower()
    if form and form not in INVITE_FORMS:
        return Reply(text=texts.USAGE_INVITE)
    with session_scope(services.engine) as session:
        egain = access.actor(session, request.user_id).egain
    if not egain:
        return Reply(text=texts.INVITE_NO_EGAIN)
    wanted: dict[str, Callable[[str], str]] = {
        "phone": texts.invite_phone,
        "letter": texts.invite_letter,
    }
    parts = [make(egain) for name, make in wanted.items() if form in ("", name)]
    return Reply(text="\n\n".join([*parts, texts.INVITE_SOURCE]))


SUBCOMMANDS: dict[str, Subcommand] = {"profile": profile_command, "invite": invite_command}


def register(app: AsyncApp, services: Services) -> None:
    """Attach the profile listeners: none beyond the `/sm` subcommands, which need no buttons."""
