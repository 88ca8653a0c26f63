"""The App Home tab: each person's open items, with the DMs' buttons, kept current."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot import payloads
from bot.offline import JSON, OfflineBot
from bot.render import render_view
from bot.settings import Settings
from reminders.sweep import SimulatedClock
from tests.conftest import SAMPLES

NOW = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[OfflineBot]:
    clock = SimulatedClock(NOW)
    async with OfflineBot(database_url, settings=Settings(), clock=clock) as offline:
        offline.seed()
        yield offline


async def open_home(bot: OfflineBot, user: str) -> dict:
    await bot.dispatch(
        payloads.event_callback(
            {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
        ),
        JSON,
    )
    await bot.settle()
    view = bot.slack.home_view(user)
    assert view is not None
    return view


def action_ids(view: dict) -> list[str]:
    found = []
    for block in view["blocks"]:
        found += [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
        if "accessory" in block:
            found.append(block["accessory"]["action_id"])
    return found


async def test_an_empty_home_says_nothing_is_open(bot: OfflineBot) -> None:
    view = await open_home(bot, "U0ATE2")

    assert "Nothing open" in json.dumps(view)


async def test_the_home_lists_waiting_messages_prompts_and_checklists_with_their_buttons(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "received APL-26-0001 09:00")
    await bot.slash("U0ATE1", "tfa APL-26-0001")

    view = await open_home(bot, "U0ATE1")

    text = json.dumps(view)
    assert "APL-26-0001" in text and "next reminder Thu Dec 3, 09:00 CST" in text
    assert "CO-TDC dated Wed Dec 2, 2026" in text
    assert "TFA case-file request, next: step (a)" in text
    assert {"sm_replied", "sm_no_reply", "car_recorded", "checklist_step_done"} <= set(
        action_ids(view)
    )


async def test_a_managers_home_adds_the_team_summary(bot: OfflineBot) -> None:
    view = await open_home(bot, "U0MGR1")

    assert "Dana Whitfield's team" in json.dumps(view)


async def test_the_home_is_republished_when_the_persons_items_change(bot: OfflineBot) -> None:
    await open_home(bot, "U0ATE1")

    await bot.slash("U0ATE1", "received APL-26-0002 10:00")
    await bot.settle()

    assert "APL-26-0002" in json.dumps(bot.slack.home_view("U0ATE1"))


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/slack-samples not beside the repo")
async def test_slacks_own_app_home_opened_payload_publishes_the_home(bot: OfflineBot) -> None:
    envelope = json.loads((SAMPLES / "incoming" / "app_home_opened.json").read_text())
    envelope["event"]["user"] = "U0ATE3"
    envelope["event"]["tab"] = "home"

    await bot.dispatch(json.dumps(envelope), JSON)
    await bot.settle()

    assert bot.slack.home_view("U0ATE3") is not None


async def test_a_step_ticked_on_the_home_updates_the_checklist_dm_in_place_only(
    bot: OfflineBot,
) -> None:
    await bot.slash("U0ATE1", "contact APL-26-0001 letter")
    await bot.slash("U0ATE1", "tfa APL-26-0001")
    await open_home(bot, "U0ATE1")
    published = bot.slack.calls_to("views.publish")[-1]
    home = render_view(published.args["view"])
    done = next(c for c in home.actions if c.action_id == "checklist_step_done")
    posted_before = len(bot.slack.calls_to("chat.postMessage"))
    responded_before = len(bot.slack.calls_to("response_url"))

    calls = await bot.click("U0ATE1", done, published)
    await bot.settle()

    [checklist] = [m for m in bot.slack.messages("DU0ATE1") if "TFA" in m["text"]]
    assert "✅" in json.dumps(checklist["blocks"], ensure_ascii=False)
    assert [c.method for c in calls if c.method == "chat.update"] == ["chat.update"]
    assert len(bot.slack.calls_to("chat.postMessage")) == posted_before
    assert len(bot.slack.calls_to("response_url")) == responded_before


async def test_a_long_section_says_how_many_more_there_are(bot: OfflineBot) -> None:
    for n in range(20):
        await bot.slash("U0ATE1", f"received APL-26-{n + 1:04d} 09:{n:02d}")

    view = await open_home(bot, "U0ATE1")

    text = json.dumps(view, ensure_ascii=False)
    assert "…and 5 more" in text
    assert len(view["blocks"]) <= 100


async def test_someone_not_on_the_roster_is_told_how_to_get_added(bot: OfflineBot) -> None:
    view = await open_home(bot, "U0STRANGER")

    assert "not on the office roster yet" in json.dumps(view)
