"""The Slack stand-in answers slack-sdk's AsyncWebClient the way Slack does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.standin import Call, SlackStandIn

REMINDER_BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Reply due*"}}]


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def client(slack: SlackStandIn) -> AsyncWebClient:
    return make_client(slack, token="xoxb-test")


def make_client(slack: SlackStandIn, token: str | None, timeout: int = 10) -> AsyncWebClient:
    return AsyncWebClient(
        token=token,
        base_url=slack.api_url,
        timeout=timeout,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(),
            AsyncServerErrorRetryHandler(),
            AsyncConnectionErrorRetryHandler(),
        ],
    )


async def test_posted_message_reads_back_as_updated(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C1", text="Reply due", blocks=REMINDER_BLOCKS)

    await client.chat_update(channel="C1", ts=posted["ts"], text="Replied")

    assert posted["channel"] == "C1"
    assert posted["message"]["blocks"] == REMINDER_BLOCKS
    [message] = slack.messages("C1")
    assert message["ts"] == posted["ts"]
    assert message["text"] == "Replied"
    assert message["channel"] == "C1"


async def test_message_ts_values_increase_across_posts(client: AsyncWebClient) -> None:
    first = await client.chat_postMessage(channel="C1", text="one")
    second = await client.chat_postMessage(channel="C2", text="two")

    assert first["ts"] == "1700000000.000100"
    assert float(second["ts"]) > float(first["ts"])


async def test_updating_an_unknown_message_is_message_not_found(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.chat_update(channel="C1", ts="1.000000", text="x")

    assert raised.value.response["error"] == "message_not_found"


async def test_deleted_message_leaves_the_channel(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C1", text="gone soon")

    await client.chat_delete(channel="C1", ts=posted["ts"])

    assert slack.messages("C1") == []


async def test_ephemeral_post_answers_message_ts_and_is_not_kept(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    reply = await client.chat_postEphemeral(channel="C1", user="U123", text="only you")

    assert reply["message_ts"]
    assert slack.messages() == []
    assert slack.calls_to("chat.postEphemeral")[0].args["user"] == "U123"


async def test_conversations_open_gives_the_users_dm_channel_every_time(
    client: AsyncWebClient,
) -> None:
    first = await client.conversations_open(users="U123")
    again = await client.conversations_open(users="U123")

    assert first["channel"]["id"] == "DU123"
    assert again["channel"]["id"] == "DU123"


async def test_rate_limited_post_is_retried_after_retry_after_and_succeeds(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    slack.fail("chat.postMessage", status=429, error="ratelimited", retry_after=1)

    reply = await client.chat_postMessage(channel="C1", text="hello")

    assert reply["ok"] is True
    first, second = slack.calls_to("chat.postMessage")
    assert (first.status, first.error) == (429, "ratelimited")
    assert second.ok
    assert (second.at - first.at).total_seconds() >= 1
    assert len(slack.messages("C1")) == 1


async def test_injected_channel_not_found_raises_and_posts_nothing(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    slack.fail("chat.postMessage", error="channel_not_found")

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="hello")

    assert raised.value.response["error"] == "channel_not_found"
    assert raised.value.response.status_code == 200
    assert slack.messages() == []


async def test_server_error_is_retried_then_succeeds(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    slack.add_user("U123", name="pat")
    slack.fail("users.info", status=500)

    reply = await client.users_info(user="U123")

    assert reply["user"]["name"] == "pat"
    assert [call.status for call in slack.calls_to("users.info")] == [500, 200]


async def test_faults_are_used_up_one_call_at_a_time(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    slack.fail("chat.postMessage", error="not_in_channel", times=2)

    outcomes = []
    for _ in range(3):
        try:
            await client.chat_postMessage(channel="C1", text="hi")
            outcomes.append("ok")
        except SlackApiError as exc:
            outcomes.append(exc.response["error"])

    assert outcomes == ["not_in_channel", "not_in_channel", "ok"]


async def test_slow_answer_times_out_the_client_but_still_posts(
    slack: SlackStandIn,
) -> None:
    slack.fail("chat.postMessage", delay=1.5)
    impatient = make_client(slack, token="xoxb-test", timeout=1)

    with pytest.raises(asyncio.TimeoutError):
        await impatient.chat_postMessage(channel="C1", text="late")

    await slack.wait_for("chat.postMessage")
    assert len(slack.messages("C1")) == 1


async def test_users_info_for_an_unknown_user_is_user_not_found(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.users_info(user="UNOBODY")

    assert raised.value.response["error"] == "user_not_found"


async def test_users_info_describes_the_person_with_time_zone(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    slack.add_user("U123", name="pat", real_name="Pat Doe", tz="America/Chicago")

    user = (await client.users_info(user="U123"))["user"]

    assert user["real_name"] == "Pat Doe"
    assert user["tz"] == "America/Chicago"
    assert user["tz_offset"] in (-21600, -18000)
    assert user["deleted"] is False


async def test_lookup_by_email_finds_the_person(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    slack.add_user("U123", name="pat", email="pat@example.gov")

    reply = await client.users_lookupByEmail(email="PAT@example.gov")

    assert reply["user"]["id"] == "U123"


async def test_deleted_user_is_described_and_cannot_be_messaged(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    slack.add_user("U9", name="gone", deleted=True)
    channel = (await client.conversations_open(users="U9"))["channel"]["id"]

    info = await client.users_info(user="U9")
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=channel, text="reminder")

    assert info["user"]["deleted"] is True
    assert raised.value.response["error"] == "account_inactive"


async def test_blocks_sent_as_json_text_in_a_form_body_are_recorded_decoded(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    form = {"channel": "C1", "text": "hi", "blocks": json.dumps(REMINDER_BLOCKS)}

    await client.api_call("chat.postMessage", data=form)

    [call] = slack.calls_to("chat.postMessage")
    assert call.args["blocks"] == REMINDER_BLOCKS
    assert slack.messages("C1")[0]["blocks"] == REMINDER_BLOCKS


async def test_modal_opens_and_updates_under_the_same_view_id(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Snooze"}, "blocks": []}

    opened = await client.views_open(trigger_id="123.456.abc", view=modal)
    updated = await client.views_update(
        view_id=opened["view"]["id"], view={**modal, "callback_id": "snooze"}
    )

    assert updated["view"]["id"] == opened["view"]["id"]
    assert slack.views[opened["view"]["id"]]["callback_id"] == "snooze"


async def test_published_home_tab_is_kept_per_user(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    home = {"type": "home", "blocks": REMINDER_BLOCKS}

    await client.views_publish(user_id="U123", view=home)

    view = slack.home_view("U123")
    assert view is not None
    assert view["blocks"] == REMINDER_BLOCKS
    assert slack.home_view("U999") is None


async def test_response_url_post_is_recorded_with_its_url(slack: SlackStandIn) -> None:
    url = slack.new_response_url()
    body = {"text": "Marked as replied", "replace_original": True}

    async with aiohttp.ClientSession() as session, session.post(url, json=body) as reply:
        status, text = reply.status, await reply.text()

    assert (status, text) == (200, "ok")
    [call] = slack.calls_to("response_url")
    assert call.args == {**body, "url": url}
    assert slack.responses(url) == [{**body, "url": url}]


async def test_response_url_replacing_the_original_changes_that_message(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel="C1", text="Reply due")
    url = slack.new_response_url(channel="C1", ts=posted["ts"])

    async with aiohttp.ClientSession() as session:
        await session.post(url, json={"replace_original": True, "text": "Replied"})

    assert slack.messages("C1")[0]["text"] == "Replied"


async def test_call_without_a_token_is_not_authed(slack: SlackStandIn) -> None:
    anonymous = make_client(slack, token=None)

    with pytest.raises(SlackApiError) as raised:
        await anonymous.auth_test()

    assert raised.value.response["error"] == "not_authed"
    assert slack.calls_to("auth.test")[0].ok is False


async def test_unknown_method_is_unknown_method(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.api_call("chat.sing")

    assert raised.value.response["error"] == "unknown_method"


async def test_auth_test_names_the_bot_user(client: AsyncWebClient) -> None:
    reply = await client.auth_test()

    assert (reply["user_id"], reply["team_id"]) == ("UBOT", "T0SM")


async def test_subscriber_sees_each_call_as_it_is_recorded(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    seen: list[Call] = []
    slack.subscribe(seen.append)

    await client.chat_postMessage(channel="C1", text="hi")

    assert [call.method for call in seen] == ["chat.postMessage"]
    assert seen[0].at.tzinfo is not None


async def test_wait_for_timeout_says_what_did_arrive(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    await client.auth_test()

    with pytest.raises(TimeoutError) as raised:
        await slack.wait_for("chat.postMessage", timeout=0.1)

    message = str(raised.value)
    assert "chat.postMessage" in message
    assert "auth.test" in message


async def test_wait_for_returns_once_the_call_arrives(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    waiting = asyncio.create_task(slack.wait_for("chat.postMessage"))

    await client.chat_postMessage(channel="C1", text="hi")

    [call] = await waiting
    assert call.args["text"] == "hi"


async def test_clear_forgets_calls_but_keeps_messages(
    slack: SlackStandIn, client: AsyncWebClient
) -> None:
    await client.chat_postMessage(channel="C1", text="hi")

    slack.clear()

    assert slack.calls == []
    assert len(slack.messages("C1")) == 1
