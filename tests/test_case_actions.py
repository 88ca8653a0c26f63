"""Case actions: CAR prompts, checklists, the closing export, `/sm case`, the audit export."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from bot import texts
from bot.cli import main
from bot.offline import OfflineBot, dialog_errors
from bot.render import render_message
from bot.settings import Settings
from bot.standin import Call
from models.tables import AuditEntry, CarPrompt, Closing
from reminders.sweep import SimulatedClock
from tests.test_replay import OFFICE

# Wednesday 2026-12-02 15:00 in Chicago.
NOW = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
ALL_TICKED = {item: {f"{item}_input": [item]} for item in texts.CLOSING_ITEMS}


def replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], events: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    path = tmp_path / "timeline.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in [*OFFICE, *events]) + "\n")
    status = main(["replay", str(path), "--json"])
    assert status == 0, capsys.readouterr().err
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def event(kind: str, case: str, at: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "case": case, "employee": "U01", "at": at, **extra}


def prompts(out: list[dict[str, Any]]) -> list[tuple[str, str, str, int]]:
    return [(n["at"], n["code"], n["case"], n["level"]) for n in out if n["kind"] == "car_prompt"]


def test_the_first_message_either_way_asks_for_co_tdc_with_its_date_and_repeats_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            event("message.sent", "APL-26-0001", "2026-09-14T09:00:00-05:00", id="m-1"),
            event("message.received", "APL-26-0001", "2026-09-14T11:00:00-05:00", id="m-2"),
            {"type": "tick", "at": "2026-09-30T00:00:00-05:00"},
        ],
    )

    assert prompts(out) == [
        ("2026-09-14T09:00:00-05:00", "CO-TDC", "APL-26-0001", 1),
        ("2026-09-15T09:00:00-05:00", "CO-TDC", "APL-26-0001", 2),
    ]
    assert "dated *Mon Sep 14, 2026*" in out[0]["text"]


def test_a_confirmed_prompt_is_not_repeated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            event("message.received", "APL-26-0002", "2026-09-14T09:00:00-05:00", id="m-1"),
            event("sm.discontinued", "APL-26-0002", "2026-09-14T10:00:00-05:00"),
            event("confirm", "APL-26-0002", "2026-09-14T12:00:00-05:00", what="car:CO-TDC"),
            {"type": "tick", "at": "2026-09-16T00:00:00-05:00"},
        ],
    )

    assert [(p[1], p[3]) for p in prompts(out)] == [("CO-TDC", 1), ("CO-TDW", 1), ("CO-TDW", 2)]


@pytest.mark.parametrize(
    ("method", "resolved", "code"),
    [("phone", False, "SM-OFFERED"), ("phone", True, "SM-NOT-OFFERED"), ("letter", False, None)],
)
def test_the_initial_contact_asks_for_what_the_procedure_requires(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    method: str,
    resolved: bool,
    code: str | None,
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            event(
                "contact.initial",
                "APL-26-0003",
                "2026-09-14T09:00:00-05:00",
                method=method,
                resolved=resolved,
            ),
            {"type": "tick", "at": "2026-09-14T12:00:00-05:00"},
        ],
    )

    assert [p[1] for p in prompts(out)] == ([code] if code else [])


def test_a_stalled_tfa_step_is_reminded_after_two_business_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            event("contact.initial", "APL-26-0004", "2026-09-14T08:30:00-05:00", method="letter"),
            event("confirm", "APL-26-0004", "2026-09-14T09:00:00-05:00", what="tfa:a"),
            {"type": "tick", "at": "2026-09-21T00:00:00-05:00"},
        ],
    )

    stalls = [(n["at"], n["kind"]) for n in out if n["kind"] == "checklist"]
    assert stalls == [("2026-09-16T09:00:00-05:00", "checklist")]
    assert "step (b)" in next(n["text"] for n in out if n["kind"] == "checklist")


def test_case_closing_prompts_and_the_confirmation_reaches_the_manager(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            event("contact.initial", "APL-26-0005", "2026-09-14T08:30:00-05:00", method="letter"),
            event("case.closing", "APL-26-0005", "2026-09-14T09:00:00-05:00"),
            event("confirm", "APL-26-0005", "2026-09-14T10:00:00-05:00", what="closing"),
            {"type": "tick", "at": "2026-09-15T00:00:00-05:00"},
        ],
    )

    assert [(n["kind"], n["to"]) for n in out] == [
        ("closing_prompt", "U01"),
        ("closing_confirmed", "U09"),
    ]


def test_confirming_something_that_was_never_asked_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.jsonl"
    lines = [
        *OFFICE,
        event("contact.initial", "APL-26-0006", "2026-09-14T08:30:00-05:00", method="letter"),
        event("confirm", "APL-26-0006", "2026-09-14T09:00:00-05:00", what="car:CO-TDW"),
        event("confirm", "APL-26-0006", "2026-09-14T09:00:00-05:00", what="lunch"),
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")

    status = main(["replay", str(path)])

    err = capsys.readouterr().err
    assert status == 1
    assert "line 6: There is no CO-TDW entry to confirm on APL-26-0006" in err
    assert "line 7:" in err and "car:CO-TDC" in err


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[OfflineBot]:
    clock = SimulatedClock(NOW)
    async with OfflineBot(database_url, settings=Settings(), clock=clock) as offline:
        offline.seed()
        yield offline


def said(calls: list[Call]) -> str:
    return "\n".join(str(c.args.get("text", "")) for c in calls)


async def prompt_dm(bot: OfflineBot, who: str) -> Call:
    calls = await bot.sweep(until=NOW)
    return next(
        c for c in calls if c.method == "chat.postMessage" and "car_recorded" in str(c.args)
    )


async def test_recorded_in_car_is_stored_with_who_and_when_and_a_second_click_changes_nothing(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "contact APL-26-0001 phone")
    dm = await prompt_dm(bot, "U0ATE1")
    button = render_message(dm.args["blocks"]).choice(1)

    first = await bot.click("U0ATE1", button, dm)
    second = await bot.click("U0ATE1", button, dm)

    assert "CAR note: Secure Messaging offered marked as recorded" in said(first)
    assert "already marked as recorded" in said(second)
    assert bot.services is not None
    with Session(bot.services.engine) as session:
        [prompt] = session.exec(select(CarPrompt)).all()
    assert (prompt.confirmed_by, prompt.confirmed_at) == ("U0ATE1", NOW)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("contact APL-26-0001 phone", "first contact on APL-26-0001 is already recorded"),
        ("contact APL-26-0001 fax", texts.USAGE_CONTACT),
        ("contact 2026-0001 phone", "Case numbers look like APL-26-0001"),
        ("contact 12-3456789 phone", texts.TAXPAYER_ID_REFUSED),
        ("tfa APL-26-0999", "I don't know case APL-26-0999 yet"),
        ("case APL-26-0001 origin mars", texts.USAGE_CASE),
    ],
)
async def test_case_action_commands_answer_bad_input_with_what_to_type(
    bot: OfflineBot, text: str, says: str
) -> None:
    await bot.slash("U0ATE1", "contact APL-26-0001 letter")

    calls = await bot.slash("U0ATE1", text)

    assert says in said(calls)


async def test_another_ates_case_is_refused(bot: OfflineBot) -> None:
    await bot.slash("U0ATE1", "contact APL-26-0001 letter")

    calls = await bot.slash("U0ATE2", "tfa APL-26-0001")

    assert "belongs to another ATE" in said(calls)


async def test_the_tfa_checklist_is_one_message_updated_in_place(bot: OfflineBot) -> None:
    await bot.slash("U0ATE1", "contact APL-26-0001 letter")
    posted = next(
        c for c in await bot.slash("U0ATE1", "tfa APL-26-0001") if c.method == "chat.postMessage"
    )
    step_a = render_message(posted.args["blocks"]).choice(1)

    await bot.click("U0ATE1", step_a, posted)
    again = await bot.click("U0ATE1", step_a, posted)

    [message] = bot.slack.messages("DU0ATE1")
    assert "(1/4 done)" in message["text"]
    assert "Letter 6270 is not needed" in json.dumps(message["blocks"])
    assert "already ticked" in said(again)
    assert len(render_message(message["blocks"]).actions) == 3


async def test_tfa_steps_are_ticked_in_the_procedures_order(bot: OfflineBot) -> None:
    await bot.slash("U0ATE1", "contact APL-26-0001 letter")
    posted = next(
        c for c in await bot.slash("U0ATE1", "tfa APL-26-0001") if c.method == "chat.postMessage"
    )
    buttons = render_message(posted.args["blocks"]).actions

    early = await bot.click("U0ATE1", buttons[3], posted)  # step (d) before (a)-(c)

    assert "Tick step (a) of the TFA checklist first" in said(early)
    [message] = bot.slack.messages("DU0ATE1")
    assert "(0/4 done)" in message["text"]


async def test_the_poa_revocation_is_confirmed_by_its_button(bot: OfflineBot) -> None:
    await bot.slash("U0ATE1", "contact APL-26-0001 letter")
    posted = next(
        c for c in await bot.slash("U0ATE1", "poa APL-26-0001") if c.method == "chat.postMessage"
    )

    await bot.click("U0ATE1", render_message(posted.args["blocks"]).choice(1), posted)

    [message] = bot.slack.messages("DU0ATE1")
    assert "POA revocation — case APL-26-0001 (1/1 done)" in message["text"]
    assert "complete" in json.dumps(message["blocks"])


async def test_a_bmf_case_from_lbi_gets_the_group_mailbox_hint(bot: OfflineBot) -> None:
    await bot.slash("U0ATE1", "contact APL-26-0001 letter")

    bmf = await bot.slash("U0ATE1", "case APL-26-0001 origin LB&I bmf")
    other = await bot.slash("U0ATE1", "case APL-26-0001 origin other bmf")

    assert texts.GROUP_MAILBOX_HINT in said(bmf)
    assert texts.GROUP_MAILBOX_HINT not in said(other)


async def test_the_closing_dialog_warns_refuses_unticked_items_and_stores_once(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 09:00")
    opened = next(
        c for c in await bot.slash("U0ATE1", "close APL-26-0001") if c.method == "views.open"
    )
    warnings = json.dumps(opened.args["view"], ensure_ascii=False)
    partial = {**ALL_TICKED, "closed_in_sm": {"closed_in_sm_input": []}}

    refused = await bot.submit("U0ATE1", opened, partial)
    errors = dialog_errors(bot.last_response)
    done = await bot.submit("U0ATE1", opened, ALL_TICKED)
    again = await bot.submit("U0ATE1", opened, ALL_TICKED)
    told = await bot.sweep(until=NOW)

    assert texts.CLOSING_WARNINGS["unanswered"] in warnings
    assert texts.CLOSING_WARNINGS["co-tdc"] in warnings
    assert refused == [] and set(errors) == {"closed_in_sm"}
    assert "confirmed" in said(done) and "Nothing to do" in said(again)
    assert bot.services is not None
    with Session(bot.services.engine) as session:
        assert len(session.exec(select(Closing)).all()) == 1
    assert any(
        "confirmed the closing export" in str(c.args.get("text"))
        for c in told
        if c.args.get("channel") == "DU0MGR1"
    )


async def test_the_case_summary_shows_messages_prompts_checklists_and_closing(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 09:00")
    await bot.slash("U0ATE1", "tfa APL-26-0001")

    calls = await bot.slash("U0ATE1", "case APL-26-0001")

    text = said(calls)
    assert "waiting for a reply" in text
    assert "CO-TDC dated Wed Dec 2, 2026 — *not yet recorded*" in text
    assert "TFA case-file request: 0/4 steps done" in text


def test_export_closings_lists_confirmations_for_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.jsonl"
    lines = [
        *OFFICE,
        event("contact.initial", "APL-26-0007", "2026-09-14T08:30:00-05:00", method="letter"),
        event("confirm", "APL-26-0007", "2026-09-14T10:00:00-05:00", what="closing"),
        event("contact.initial", "APL-26-0008", "2026-09-20T08:30:00-05:00", method="letter"),
        event("confirm", "APL-26-0008", "2026-09-21T10:00:00-05:00", what="closing"),
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert main(["import", "events", str(path)]) == 0
    capsys.readouterr()

    assert main(["export", "closings", "--since", "2026-09-15", "--format", "json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert main(["export", "closings"]) == 0
    csv_lines = capsys.readouterr().out.splitlines()

    assert [(r["case"], r["confirmed_by"], r["pdf_saved"]) for r in rows] == [
        ("APL-26-0008", "U01", True)
    ]
    assert csv_lines[0].startswith("case,ate,confirmed_by")
    assert len(csv_lines) == 3


def test_an_earlier_message_recorded_late_dates_co_tdc_back_and_asks_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            event("message.received", "APL-26-0003", "2026-09-15T10:00:00-05:00", id="m-2"),
            event("confirm", "APL-26-0003", "2026-09-15T11:00:00-05:00", what="car:CO-TDC"),
            # The first message of the case, backfilled after the CAR entry was confirmed.
            event("message.received", "APL-26-0003", "2026-09-14T09:00:00-05:00", id="m-1"),
            {"type": "tick", "at": "2026-09-15T12:00:00-05:00"},
        ],
    )

    asked = [n for n in out if n["kind"] == "car_prompt"]
    assert [n["code"] for n in asked] == ["CO-TDC", "CO-TDC"]
    assert "dated *Tue Sep 15, 2026*" in asked[0]["text"]
    assert "dated *Mon Sep 14, 2026*" in asked[1]["text"]
    assert "Correction: an earlier message turned up" in asked[1]["text"]
    assert "should be changed to this one" in asked[1]["text"]


def test_confirming_the_closing_export_stops_the_clock_on_open_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            event("message.received", "APL-26-0004", "2026-09-14T09:00:00-05:00", id="m-1"),
            event("case.closing", "APL-26-0004", "2026-09-15T09:00:00-05:00"),
            event("confirm", "APL-26-0004", "2026-09-15T10:00:00-05:00", what="closing"),
            {"type": "tick", "at": "2026-09-30T00:00:00-05:00"},
        ],
    )

    kinds = [n["kind"] for n in out if n["case"] == "APL-26-0004"]
    assert "escalation" not in kinds
    assert [n["level"] for n in out if n["kind"] == "reminder"] == [1]  # sent Tuesday 09:00


def test_a_closing_dated_before_the_case_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "timeline.jsonl"
    lines = [
        *OFFICE,
        event("message.received", "APL-26-0007", "2026-09-14T09:00:00-05:00", id="m-1"),
        event("confirm", "APL-26-0007", "2001-01-01T12:00:00-06:00", what="closing"),
    ]
    path.write_text("\n".join(json.dumps(e) for e in lines) + "\n")

    main(["replay", str(path)])

    assert "cannot be dated before the case's first record (2026-09-14)" in (
        capsys.readouterr().err
    )


async def test_what_people_record_in_chat_is_in_the_audit_log_under_their_name(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "contact APL-26-0001 letter")
    await bot.slash("U0MGR1", "received APL-26-0001 09:00")  # the manager, on Alex's behalf
    refused = await bot.slash("U0MGR1", "received APL-26-0099 09:00")  # a case not opened
    await bot.slash("U0ATE1", "contact APL-26-0002 phone")
    await bot.slash("U0ATE1", "discontinued APL-26-0002")
    await bot.slash("U0ATE1", "discontinued APL-26-0002")  # already recorded: not again
    await bot.slash("U0ATE1", "case APL-26-0002 origin tege bmf")
    await bot.slash("U0ATE1", "tfa APL-26-0002")
    await bot.slash("U0ATE1", "replied APL-26-0002")
    await bot.slash("U0MGR1", "digest at 07:45")

    assert bot.services is not None
    with Session(bot.services.engine) as session:
        rows = session.exec(select(AuditEntry)).all()
        logged = {(r.actor, r.action, r.case_number) for r in rows}
    assert [r.action for r in rows].count("sm.discontinued") == 1
    assert "a case belongs to the ATE who opens it" in said(refused)
    assert {
        ("U0MGR1", "message.received", "APL-26-0001"),
        ("U0ATE1", "contact.initial", "APL-26-0002"),
        ("U0ATE1", "sm.discontinued", "APL-26-0002"),
        ("U0ATE1", "case.origin", "APL-26-0002"),
        ("U0ATE1", "checklist.opened", "APL-26-0002"),
        ("U0ATE1", "message.sent", "APL-26-0002"),
        ("U0MGR1", "digest.preferences", None),
    } <= logged


async def test_a_case_with_a_long_history_shows_what_is_open_and_fits_slack(
    bot: OfflineBot,
) -> None:
    assert bot.services is not None
    for n in range(60):
        bot.platform_event(
            {
                "type": "message.received" if n % 2 == 0 else "message.sent",
                "id": f"m-{n}",
                "case": "APL-26-0001",
                "employee": "U0ATE1",
                "at": f"2026-10-{1 + n // 4:02d}T{9 + n % 4:02d}:00:00-05:00",
            }
        )
    await bot.slash("U0ATE1", "received APL-26-0001 09:00")

    calls = await bot.slash("U0ATE1", "case APL-26-0001")

    blocks = calls[-1].args["blocks"]
    shown = "\n".join(b["text"]["text"] for b in blocks)
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)
    assert "*waiting for a reply*" in shown
    assert "50 earlier messages (all settled) not shown" in shown
    assert "CO-TDC dated Thu Oct 1, 2026 — *not yet recorded*" in shown


def test_closing_with_a_message_unanswered_tells_the_manager_and_stops_the_chasing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = replay(
        tmp_path,
        capsys,
        [
            event("message.received", "APL-26-0008", "2026-09-14T09:00:00-05:00", id="m-1"),
            event("confirm", "APL-26-0008", "2026-09-14T09:05:00-05:00", what="car:CO-TDC"),
            event("confirm", "APL-26-0008", "2026-09-14T09:10:00-05:00", what="tfa:a"),
            event("case.closing", "APL-26-0008", "2026-09-14T10:00:00-05:00"),
            event("confirm", "APL-26-0008", "2026-09-14T11:00:00-05:00", what="closing"),
            {"type": "tick", "at": "2026-09-30T00:00:00-05:00"},
        ],
    )

    [told] = [n for n in out if n["kind"] == "closing_confirmed"]
    assert "1 secure message on the case had no reply when it was closed" in told["text"]
    assert [n for n in out if n["kind"] == "checklist"] == []
