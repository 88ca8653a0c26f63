"""`POST /events`: HMAC-signed events from the Secure Messaging platform."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlmodel import Session, select

from bot.offline import OfflineBot
from bot.webhook import sign
from models.tables import CarPrompt, Employee, Notification, SecureMessage, SeenEvent
from tests.conftest import served

SECRET = "webhook-secret"
RECEIVED = {
    "type": "message.received",
    "id": "m-1",
    "case": "APL-26-0001",
    "employee": "U0ATE1",
    "at": "2026-12-01T09:40:00-06:00",
}
EMPLOYEE = {"type": "employee", "name": "New Person", "tz": "America/Chicago"}


class Webhook:
    def __init__(self, bot: OfflineBot, url: str, http: aiohttp.ClientSession) -> None:
        self.bot, self.url, self.http = bot, url, http

    async def post(
        self,
        body: bytes | str | dict[str, Any],
        *,
        secret: str = SECRET,
        at: float | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        raw = (
            body
            if isinstance(body, bytes)
            else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
        )
        stamp = str(int(at if at is not None else time.time()))
        signed = {
            "X-SM-Timestamp": stamp,
            "X-SM-Signature": sign(secret, stamp, raw),
            "Content-Type": "application/json",
        }
        async with self.http.post(
            f"{self.url}/events", data=raw, headers=headers if headers is not None else signed
        ) as response:
            return response.status, await response.json()

    def messages(self) -> list[SecureMessage]:
        assert self.bot.services is not None
        with Session(self.bot.services.engine) as session:
            return list(session.exec(select(SecureMessage)).all())

    def notifications(self) -> list[Notification]:
        assert self.bot.services is not None
        with Session(self.bot.services.engine) as session:
            return list(session.exec(select(Notification)).all())


@pytest.fixture
async def webhook(offline: OfflineBot) -> AsyncIterator[Webhook]:
    async with served(offline, webhook_secret=SECRET) as url, aiohttp.ClientSession() as http:
        yield Webhook(offline, url, http)


async def test_a_signed_event_is_accepted_and_its_reminders_planned(webhook: Webhook) -> None:
    status, body = await webhook.post(RECEIVED)

    assert (status, body) == (202, {"ok": True})
    assert [m.id for m in webhook.messages()] == ["m-1"]
    assert sorted(n.key for n in webhook.notifications()) == [
        "car:APL-26-0001:CO-TDC:1",
        "car:APL-26-0001:CO-TDC:2",
        "escalation:m-1:3:U0MGR1",
        "reminder:m-1:1",
        "reminder:m-1:2",
    ]


async def test_an_id_seen_before_is_acknowledged_and_ignored(webhook: Webhook) -> None:
    await webhook.post(RECEIVED)

    status, body = await webhook.post(RECEIVED)

    assert (status, body["duplicate"]) == (200, True)
    assert len(webhook.notifications()) == 5
    assert webhook.bot.services is not None
    with Session(webhook.bot.services.engine) as session:  # kept by its id alone
        assert [seen.id for seen in session.exec(select(SeenEvent))] == ["m-1"]


@pytest.mark.parametrize(
    ("secret", "age", "reason"),
    [("wrong", 0, "bad signature"), (SECRET, 6 * 60, "stale")],
)
async def test_a_bad_or_stale_signature_is_refused_and_nothing_stored(
    webhook: Webhook, secret: str, age: int, reason: str
) -> None:
    status, body = await webhook.post(RECEIVED, secret=secret, at=time.time() - age)

    assert status == 401
    assert reason in body["error"]
    assert webhook.messages() == []


async def test_a_missing_signature_header_is_refused(webhook: Webhook) -> None:
    status, body = await webhook.post(RECEIVED, headers={"Content-Type": "application/json"})

    assert status == 401
    assert "X-SM-Signature" in body["error"]


async def test_a_signed_request_sent_again_changes_nothing(webhook: Webhook) -> None:
    manager = {**EMPLOYEE, "id": "U0MGR2", "role": "manager", "manager": "U0MGR1"}
    stamp = str(int(time.time()))
    raw = json.dumps({**manager, "role": "ate"}).encode()
    headers = {"X-SM-Timestamp": stamp, "X-SM-Signature": sign(SECRET, stamp, raw)}
    await webhook.post(raw, headers=headers)  # captured by someone on the way
    await webhook.post(manager)  # the platform's later change

    status, body = await webhook.post(raw, headers=headers)

    assert (status, body.get("duplicate")) == (200, True)
    assert webhook.bot.services is not None
    with Session(webhook.bot.services.engine) as session:
        stored = session.get(Employee, "U0MGR2")
        assert stored is not None and stored.role == "manager"


@pytest.mark.parametrize(
    ("raw", "stamp", "status", "says"),
    [
        (b'{"type": "employee", "name": "\xff\xfe"}', None, 400, "not UTF-8"),
        (json.dumps(RECEIVED).encode(), "\u00b2", 401, "stale or malformed timestamp"),
        (b"{" + b" " * 70_000 + b"}", None, 413, "over 64 KB"),
    ],
)
async def test_a_malformed_request_gets_a_reason_in_json(
    webhook: Webhook, raw: bytes, stamp: str | None, status: int, says: str
) -> None:
    stamp = stamp or str(int(time.time()))
    headers = {
        "X-SM-Timestamp": stamp.encode().decode("latin-1"),
        "X-SM-Signature": sign(SECRET, stamp, raw),
        "Content-Type": "application/json",
    }

    answer = await webhook.post(raw, headers=headers)

    assert answer[0] == status and says in answer[1]["error"]


async def test_a_tampered_body_is_refused(webhook: Webhook) -> None:
    stamp = str(int(time.time()))
    original = json.dumps(RECEIVED).encode()
    tampered = original.replace(b"APL-26-0001", b"APL-26-0002")
    headers = {"X-SM-Timestamp": stamp, "X-SM-Signature": sign(SECRET, stamp, original)}

    status, _ = await webhook.post(tampered, headers=headers)

    assert status == 401
    assert webhook.messages() == []


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ("{not json", 400, "JSON"),
        ({**RECEIVED, "type": "message.recieved"}, 422, "unknown type"),
        ({k: v for k, v in RECEIVED.items() if k != "case"}, 422, "'case'"),
        ({**RECEIVED, "employee": "U404"}, 422, "no employee with id U404"),
        ({**RECEIVED, "at": "2026-12-01T09:40:00"}, 422, "offset"),
        ({**RECEIVED, "case": "case 7"}, 422, "APL-26-0001"),
        (
            {
                "type": "confirm",
                "case": "APL-26-0999",
                "employee": "U0ATE1",
                "what": "closing",
                "at": "2026-12-01T09:40:00-06:00",
            },
            422,
            "APL-26-0999",
        ),
    ],
)
async def test_bad_events_get_a_reason_a_person_can_act_on(
    webhook: Webhook, body: Any, status: int, says: str
) -> None:
    got, answer = await webhook.post(body)

    assert got == status
    assert says in answer["error"]
    assert webhook.messages() == []


async def test_a_taxpayer_id_in_an_event_is_refused_and_not_stored(webhook: Webhook) -> None:
    status, answer = await webhook.post({**RECEIVED, "case": "123-45-6789"})

    assert status == 422
    assert "6789" not in json.dumps(answer)
    assert webhook.messages() == []


async def test_a_taxpayer_id_hidden_in_json_escapes_is_refused_and_not_stored(
    webhook: Webhook,
) -> None:
    escaped = "".join(f"\\u{ord(ch):04x}" for ch in "123-45-6789")
    body = (
        '{"type": "employee", "id": "U0W1", "name": "' + escaped + '", "role": "ate", '
        '"manager": "U0MGR1", "tz": "America/Chicago"}'
    )

    status, answer = await webhook.post(body)

    assert status == 422 and "SSN, ITIN or EIN" in answer["error"]
    assert webhook.bot.services is not None
    with Session(webhook.bot.services.engine) as session:
        assert session.get(Employee, "U0W1") is None


@pytest.mark.parametrize(
    ("person", "says"),
    [
        ({"id": "U0NEW", "role": "ate", "manager": "U0ATE1"}, "U0ATE1 is an ATE"),
        ({"id": "U0MGR1", "role": "ate"}, "report to U0MGR1; give them another manager first"),
        (
            {"id": "U0MGR1", "role": "manager", "manager": "U0MGR2"},
            "U0MGR1 would end up managing themselves",
        ),
    ],
)
async def test_a_management_chain_that_cannot_work_is_refused(
    webhook: Webhook, person: dict[str, str], says: str
) -> None:
    await webhook.post({**EMPLOYEE, "id": "U0MGR2", "role": "manager", "manager": "U0MGR1"})

    status, answer = await webhook.post({**EMPLOYEE, **person})

    assert status == 422 and says in answer["error"]
    assert webhook.bot.services is not None
    with Session(webhook.bot.services.engine) as session:
        dana = session.get(Employee, "U0MGR1")
        assert dana is not None and (dana.role, dana.manager_id) == ("manager", None)


async def test_an_event_naming_another_ate_than_the_cases_is_refused(webhook: Webhook) -> None:
    await webhook.post(RECEIVED)

    status, answer = await webhook.post({**RECEIVED, "id": "m-2", "employee": "U0ATE2"})

    assert status == 422
    assert "case APL-26-0001 belongs to U0ATE1 (Alex Rivera)" in answer["error"]
    assert [m.id for m in webhook.messages()] == ["m-1"]


async def test_another_ate_cannot_confirm_a_cases_car_entry(webhook: Webhook) -> None:
    await webhook.post(RECEIVED)
    confirm = {
        "type": "confirm",
        "case": "APL-26-0001",
        "employee": "U0ATE2",
        "what": "car:CO-TDC",
        "at": "2026-12-01T10:00:00-06:00",
    }

    status, answer = await webhook.post(confirm)

    assert status == 422 and "belongs to U0ATE1" in answer["error"]
    assert webhook.bot.services is not None
    with Session(webhook.bot.services.engine) as session:
        assert all(p.confirmed_at is None for p in session.exec(select(CarPrompt)))


async def test_an_employee_can_be_named_by_egain_number(webhook: Webhook) -> None:
    status, _ = await webhook.post({**RECEIVED, "employee": {"egain": "40123"}})

    assert status == 202
    assert webhook.messages()[0].employee_id == "U0ATE1"
