"""What every listener needs, built once and passed into the app factory."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.answers import AnswerEngine
from bot.errors import ConfigError
from bot.settings import Settings
from bot.work import WorkTracker
from models.db import utcnow
from reminders.clock import HolidayRules
from reminders.intake import CaseRules
from reminders.policy import Policy, parse_clock_time, parse_days


def policy_from(settings: Settings) -> Policy:
    """Build the timeliness policy from the settings; a bad value names the settings to fix."""
    try:
        return _policy(settings)
    except ValueError as error:
        raise ConfigError(
            f"The reminder settings don't fit together: {error}. Check REMINDER_DAYS, "
            "ESCALATION_DAYS, SNOOZE_HOURS, WORK_START, WORK_END, WORK_DAYS and OFFICE_TZ."
        ) from None


def _policy(settings: Settings) -> Policy:
    return Policy(
        office_tz=settings.office_tz,
        reminder_days=tuple(settings.reminder_days),
        escalation_days=settings.escalation_days,
        snooze_hours=tuple(settings.snooze_hours),
        work_start=parse_clock_time(settings.work_start),
        work_end=parse_clock_time(settings.work_end),
        work_days=parse_days(settings.work_days),
        holidays=HolidayRules(executive_closures=settings.executive_closures),
    )


def case_rules(settings: Settings) -> CaseRules:
    """Return the office's case-number form."""
    return CaseRules(settings.case_number_pattern, settings.case_number_example)


@dataclass
class Services:
    """Settings, the store, the answer engine, the policy, the clock and the work tracker."""

    settings: Settings
    engine: Engine
    answers: AnswerEngine
    policy: Policy
    clock: Callable[[], datetime] = utcnow
    work: WorkTracker = field(default_factory=WorkTracker)
    on_change: Callable[[Iterable[str]], None] | None = None
    background: set[asyncio.Task[None]] = field(default_factory=set)
    # Platform events get threads of their own: a burst of questions fills the loop's
    # default pool, and an event queued behind it would miss its acknowledgement time.
    intake: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="intake")
    )
    # Where questions are answered: None, a thread of this process (the offline bot and
    # tests, on their own clock); `smbot serve` gives a worker process (bot.answering).
    answering: Executor | None = None

    def changed(self, *user_ids: str | None) -> None:
        """Tell the chat surface whose open items changed (their Home tab is republished)."""
        if self.on_change is not None:
            self.on_change([user for user in user_ids if user])

    @classmethod
    def create(
        cls, settings: Settings, engine: Engine, *, clock: Callable[[], datetime] = utcnow
    ) -> Services:
        """Assemble the services from settings, with the packaged knowledge base."""
        return cls(
            settings=settings,
            engine=engine,
            answers=AnswerEngine.default(),
            policy=policy_from(settings),
            clock=clock,
        )
