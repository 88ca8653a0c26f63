"""Drain the notification outbox: claim what is due, deliver it, record the outcome.

A row is claimed (state `claimed`, a lease in `not_before`) before anything is
sent and marked `sent` only after the notifier reports that Slack accepted it.
A process that dies after claiming leaves the row to be claimed again when the
lease runs out; the notifier is told it is a re-attempt so it can check whether
the earlier attempt got through before sending again. On PostgreSQL the claim
skips rows another replica holds (FOR UPDATE SKIP LOCKED), so replicas never
wait on each other; SQLite serialises writers by itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models import audit
from models.db import session_scope
from models.tables import Employee, Notification, SecureMessage
from reminders.case_actions import settled_ref
from reminders.tracking import OPEN_STATES

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
AUDITED_KINDS = frozenset({"escalation", "digest", "delivery_failed"})


@dataclass(frozen=True)
class Delivery:
    """What happened to one send: `sent`, `retry` (try later) or `failed` (for good)."""

    outcome: str
    channel: str | None = None
    ts: str | None = None
    error: str | None = None


class Notifier(Protocol):
    """Deliver one notification; never raises for a Slack or network failure."""

    async def deliver(
        self, notification: Notification, *, now: datetime, reattempt: bool
    ) -> Delivery: ...


@dataclass
class SweepReport:
    """Counts of one sweep's outcomes."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    keys: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """Wait longer after each failed attempt: 30 s, 1 min, 2 min … capped at 30 min."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 1800))


class Sweeper:
    """Claim due notifications in batches and hand each to the notifier."""

    BATCH = 50  # rows one claim takes: what a replica holds while it sends them

    def __init__(
        self,
        engine: Engine,
        notifier: Notifier,
        clock: Callable[[], datetime],
        *,
        worker: str,
        lease: timedelta = timedelta(minutes=2),
        batch: int = BATCH,
        plan: Callable[[datetime], object] | None = None,
    ) -> None:
        self.engine = engine
        self.notifier = notifier
        self.clock = clock
        self.worker = worker
        self.lease = lease
        self.batch = batch
        self.plan = plan

    async def prepare(self, now: datetime) -> None:
        """Put recurring notifications (the digests) in the outbox before looking for due rows."""
        if self.plan is not None:
            await asyncio.to_thread(self.plan, now)

    async def run_once(self, now: datetime | None = None) -> SweepReport:
        """Deliver everything due at `now` (default: the clock); return what happened."""
        now = now or self.clock()
        report = SweepReport()
        await self.prepare(now)
        while True:
            set_aside = report.cancelled
            claimed = await asyncio.to_thread(self._claim, now, report)
            await self._deliver_all(claimed, now, report)
            # A batch that came back short (live plus set aside) was the last one due.
            if len(claimed) + report.cancelled - set_aside < self.batch:
                return report

    async def _deliver_all(
        self, claimed: list[Notification], now: datetime, report: SweepReport
    ) -> None:
        """Send the batch, renewing the lease on what is left well before it runs out.

        Renewal is what keeps a second replica from taking over (and re-sending) rows
        this one is still working through when Slack is slow; a row another worker
        took over meanwhile is left to it.
        """
        renewed_at, ours = self.clock(), {n.id for n in claimed}
        for index, notification in enumerate(claimed):
            if self.clock() - renewed_at > self.lease / 3:
                rest = [n.id for n in claimed[index:] if n.id is not None]
                ours = await asyncio.to_thread(self._renew, rest)
                renewed_at = self.clock()
            if notification.id in ours:
                await self._handle(notification, now, report)

    def _claim(self, now: datetime, report: SweepReport | None = None) -> list[Notification]:
        """Claim the next batch of due rows; return those that still need sending.

        One transaction: the due rows are selected (on PostgreSQL skipping rows another
        replica holds), claimed with a lease, and those that no longer need sending are
        set aside (`cancelled`: the message was settled or the prompt confirmed
        meanwhile; `superseded`: a later level of the same series is due too).
        """
        lease_end = now + self.lease
        claimable = (col(Notification.state).in_(OPEN_STATES), col(Notification.not_before) <= now)
        with session_scope(self.engine) as session:
            due = (
                select(Notification.id)
                .where(*claimable)
                .order_by(col(Notification.not_before), col(Notification.id))
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            )
            ids = list(session.exec(due).all())
            if not ids:
                return []
            # The conditions are repeated so that a row another process claimed between
            # the select and the update (SQLite has no SKIP LOCKED) is left to it.
            claim = (
                update(Notification)
                .where(col(Notification.id).in_(ids), *claimable)
                .values(
                    state="claimed",
                    claimed_by=self.worker,
                    not_before=lease_end,
                    attempts=Notification.attempts + 1,
                )
                .returning(Notification)
                .execution_options(synchronize_session=False)
            )
            claimed = list(session.execute(claim).scalars().all())
            verdicts = stale_states(session, claimed, now)
            for state in ("cancelled", "superseded"):
                stale = [n.id for n in claimed if verdicts.get(n.id) == state]
                if stale:
                    session.execute(
                        update(Notification)
                        .where(col(Notification.id).in_(stale))
                        .values(state=state)
                        .execution_options(synchronize_session=False)
                    )
        if report is not None:
            report.cancelled += len(verdicts)
        live = [n for n in claimed if n.id not in verdicts]
        return sorted(live, key=lambda n: (n.due_at, n.id or 0))

    async def _handle(
        self, notification: Notification, now: datetime, report: SweepReport
    ) -> None:
        delivery = await self.notifier.deliver(
            notification, now=now, reattempt=notification.attempts > 1
        )
        if delivery.outcome == "sent":
            await asyncio.to_thread(self._finish, notification, "sent", delivery, now)
            report.sent += 1
            report.keys.append(notification.key)
            logger.info(
                "notification sent key=%s to=%s", notification.key, notification.recipient_id
            )
        elif delivery.outcome == "retry" and notification.attempts < MAX_ATTEMPTS:
            await asyncio.to_thread(self._retry, notification, delivery, now)
            report.retried += 1
        else:
            await asyncio.to_thread(self._fail, notification, delivery, now)
            report.failed += 1

    def _renew(self, ids: list[int]) -> set[int | None]:
        """Extend the lease of these rows; return the ones still this worker's."""
        lease_end = self.clock() + self.lease
        with session_scope(self.engine) as session:
            session.execute(
                update(Notification)
                .where(
                    col(Notification.id).in_(ids),
                    col(Notification.claimed_by) == self.worker,
                    col(Notification.state) == "claimed",
                )
                .values(not_before=lease_end)
            )
            kept = session.exec(
                select(Notification.id).where(
                    col(Notification.id).in_(ids),
                    col(Notification.claimed_by) == self.worker,
                    col(Notification.state) == "claimed",
                )
            )
            return set(kept.all())

    def _finish(
        self,
        notification: Notification,
        state: str,
        delivery: Delivery | None,
        now: datetime | None,
    ) -> None:
        values: dict[str, object] = {"state": state}
        if delivery is not None:
            values.update(channel=delivery.channel, ts=delivery.ts, sent_at=now, error=None)
        self._update_if_still_ours(notification, values)
        if state == "sent" and now is not None and notification.kind in AUDITED_KINDS:
            with session_scope(self.engine) as session:
                audit.record(
                    session,
                    actor=audit.SYSTEM,
                    action=f"{notification.kind}.sent",
                    at=now,
                    case=notification.case_number,
                    detail=f"to {notification.recipient_id}",
                )

    def _retry(self, notification: Notification, delivery: Delivery, now: datetime) -> None:
        logger.warning(
            "notification will be retried key=%s attempt=%s error=%s",
            notification.key,
            notification.attempts,
            delivery.error,
        )
        self._update_if_still_ours(
            notification,
            {
                "state": "pending",
                "not_before": now + backoff(notification.attempts),
                "error": (delivery.error or "")[:200],
            },
        )

    def _fail(self, notification: Notification, delivery: Delivery, now: datetime) -> None:
        logger.warning(
            "notification failed for good key=%s to=%s error=%s",
            notification.key,
            notification.recipient_id,
            delivery.error,
        )
        self._update_if_still_ours(
            notification, {"state": "failed", "error": (delivery.error or "")[:200]}
        )
        with session_scope(self.engine) as session:
            surface_failure(session, notification, delivery.error or "unknown error", now)

    def _update_if_still_ours(self, notification: Notification, values: dict[str, object]) -> None:
        with session_scope(self.engine) as session:
            session.execute(
                update(Notification)
                .where(
                    col(Notification.id) == notification.id,
                    col(Notification.claimed_by) == self.worker,
                    col(Notification.state) == "claimed",
                )
                .values(**values)
            )


def stale_states(
    session: Session, batch: list[Notification], now: datetime
) -> dict[int | None, str]:
    """Return, by row id, the batch's notifications that no longer need sending and why."""
    message_ids = {n.message_id for n in batch if n.message_id is not None}
    settled = set(
        session.exec(
            select(SecureMessage.id).where(
                col(SecureMessage.id).in_(message_ids), col(SecureMessage.settled_at).is_not(None)
            )
        ).all()
    )
    top = _latest_due_levels(session, batch, now)
    verdicts: dict[int | None, str] = {}
    for n in batch:
        done = n.message_id in settled if n.message_id else settled_ref(session, n.ref)
        if done:
            verdicts[n.id] = "cancelled"
        elif n.kind in LEVELLED and (n.level or 0) < top.get(_thread(n), 0):
            verdicts[n.id] = "superseded"
    return verdicts


LEVELLED = ("reminder", "car_prompt")


def _thread(n: Notification) -> tuple[str, str | None]:
    """Name the series a levelled notification belongs to (its message, else its ref)."""
    return n.kind, n.message_id if n.message_id is not None else n.ref


def _latest_due_levels(
    session: Session, batch: list[Notification], now: datetime
) -> dict[tuple[str, str | None], int]:
    """Return the highest level already due, per reminder or prompt series in the batch."""
    levelled = [n for n in batch if n.kind in LEVELLED]
    if not levelled:
        return {}
    message_ids = {n.message_id for n in levelled if n.message_id is not None}
    refs = {n.ref for n in levelled if n.message_id is None and n.ref is not None}
    rows = session.exec(
        select(
            Notification.kind, Notification.message_id, Notification.ref, Notification.level
        ).where(
            col(Notification.kind).in_(LEVELLED),
            col(Notification.state).in_(OPEN_STATES),
            col(Notification.due_at) <= now,
            or_(col(Notification.message_id).in_(message_ids), col(Notification.ref).in_(refs)),
        )
    ).all()
    top: dict[tuple[str, str | None], int] = {}
    for kind, message_id, ref, level in rows:
        key = (kind, message_id if message_id is not None else ref)
        top[key] = max(top.get(key, 0), level or 0)
    return top


def surface_failure(session: Session, failed: Notification, error: str, now: datetime) -> None:
    """Tell the recipient's manager (else the admins) that DMs to them cannot be delivered."""
    if failed.kind == "delivery_failed":
        return
    person = session.get(Employee, failed.recipient_id)
    targets = [person.manager_id] if person is not None and person.manager_id else []
    if not targets:
        targets = list(session.exec(select(Employee.id).where(Employee.role == "admin")).all())
    for target in targets:
        if target == failed.recipient_id:
            continue
        # One notice per person who cannot be reached, per manager and day, not one per DM.
        key = f"delivery_failed:{failed.recipient_id}:{now:%Y-%m-%d}:{target}"
        if session.exec(select(Notification.id).where(Notification.key == key)).first():
            continue
        session.add(
            Notification(
                key=key[:128],
                kind="delivery_failed",
                recipient_id=target,
                case_number=failed.case_number,
                message_id=None,
                level=failed.level,
                due_at=now,
                not_before=now,
                error=f"{failed.key}|{error}"[:200],
            )
        )


class SimulatedClock:
    """A clock that stands still until told to move: for replay, the demo and tests."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def next_due(engine: Engine) -> datetime | None:
    """Return the earliest instant at which the sweep has something to take."""
    with Session(engine) as session:
        return session.exec(
            select(func.min(Notification.not_before)).where(
                col(Notification.state).in_(OPEN_STATES)
            )
        ).first()


async def deliver_until(sweeper: Sweeper, clock: SimulatedClock, until: datetime) -> None:
    """Move a simulated clock to `until`, sweeping at each instant something falls due."""
    await sweeper.prepare(clock.now)
    while (due := next_due(sweeper.engine)) is not None and due <= until:
        clock.now = max(clock.now, due)
        await sweeper.run_once(clock.now)
        await sweeper.prepare(clock.now)  # the next digest, now that this one went out
    clock.now = max(clock.now, until)
