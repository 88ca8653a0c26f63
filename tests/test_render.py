"""Block Kit renders as terminal text a person can read and answer by number."""

from __future__ import annotations

from typing import Any

import pytest

from bot.render import mrkdwn_to_text, render_message, render_view


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element = {"type": "button", "text": plain(label), "action_id": action_id, "value": value}
    return element | ({"style": style} if style else {})


REMINDER: list[dict[str, Any]] = [
    {"type": "header", "text": plain("Reply due today")},
    {
        "type": "section",
        "text": mrkdwn("*Case APL-1042* is waiting for your reply."),
        "fields": [
            mrkdwn("*Received*\nMon 3 Mar"),
            mrkdwn("*Due*\nWed 5 Mar"),
            mrkdwn("*Channel*\nSecure Messaging"),
        ],
    },
    {"type": "context", "elements": [mrkdwn("Reminder 2 of 3")]},
    {"type": "divider"},
    {
        "type": "actions",
        "block_id": "reminder:42",
        "elements": [
            button("Replied", "reminder_replied", "42", style="primary"),
            button("No reply needed", "reminder_not_needed", "42"),
            {
                "type": "static_select",
                "action_id": "reminder_snooze",
                "placeholder": plain("Snooze"),
                "options": [
                    {"text": plain("1 hour"), "value": "1h"},
                    {"text": plain("Tomorrow"), "value": "1d"},
                ],
            },
        ],
    },
]


def test_reminder_shows_title_underlined_then_text() -> None:
    lines = render_message(REMINDER).text.splitlines()

    assert lines[0] == "Reply due today"
    assert lines[1] == "═" * len("Reply due today")
    assert lines[2] == "Case APL-1042 is waiting for your reply."


def test_reminder_fields_sit_two_per_line_in_aligned_columns() -> None:
    lines = render_message(REMINDER).text.splitlines()

    labels = next(line for line in lines if line.startswith("Received"))
    values = next(line for line in lines if line.startswith("Mon 3 Mar"))
    assert labels.split() == ["Received", "Due"]
    assert values.index("Wed") == labels.index("Due")
    assert "Channel" in lines
    assert "Secure Messaging" in lines


def test_reminder_context_is_marked_and_divider_drawn() -> None:
    lines = render_message(REMINDER).text.splitlines()

    assert "  ↳ Reminder 2 of 3" in lines
    assert "─" * 88 in lines


def test_reminder_buttons_are_numbered_in_order_on_one_line() -> None:
    rendered = render_message(REMINDER)

    assert "[1] Replied   [2] No reply needed" in rendered.text.splitlines()
    assert "[3] Snooze ▾ 1 hour · Tomorrow" in rendered.text.splitlines()
    assert [c.number for c in rendered.actions] == [1, 2, 3]
    assert [c.action_id for c in rendered.actions] == [
        "reminder_replied",
        "reminder_not_needed",
        "reminder_snooze",
    ]


def test_chosen_number_leads_back_to_the_element() -> None:
    rendered = render_message(REMINDER)

    replied = rendered.choice(1)
    snooze = rendered.choice(3)

    assert (replied.block_id, replied.value, replied.style) == ("reminder:42", "42", "primary")
    assert replied.element["type"] == "button"
    assert [(o.label, o.value) for o in snooze.options] == [("1 hour", "1h"), ("Tomorrow", "1d")]
    with pytest.raises(KeyError):
        rendered.choice(4)


def test_numbers_continue_from_a_section_accessory_to_later_buttons() -> None:
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": mrkdwn("Case 7"), "accessory": button("Open", "open", "7")},
        {"type": "actions", "elements": [button("Done", "done", "7")]},
    ]

    rendered = render_message(blocks)

    assert rendered.text.splitlines() == ["Case 7", "[1] Open", "[2] Done"]


def test_links_mentions_and_channels_are_spelled_out() -> None:
    text = (
        "<@U123> see <https://example.gov/case/1|the case> in <#C42|appeals>, "
        "<https://example.gov/help> <!here>"
    )

    shown = mrkdwn_to_text(text)

    assert shown == (
        "@U123 see the case (https://example.gov/case/1) in #appeals, "
        "https://example.gov/help @here"
    )


def test_markers_are_dropped_but_code_and_strike_stay_readable() -> None:
    shown = mrkdwn_to_text("*Due* _today_ ~tomorrow~ `case_id*2*` a_b_c &lt;Tom &amp; Jo&gt;")

    assert shown == "Due today ~tomorrow~ `case_id*2*` a_b_c <Tom & Jo>"


def test_colour_is_off_unless_asked_for() -> None:
    plain_text = mrkdwn_to_text("*Due*")
    coloured = mrkdwn_to_text("*Due*", color=True)

    assert "\x1b[" not in plain_text
    assert coloured == "\x1b[1mDue\x1b[22m"


def test_message_without_blocks_shows_its_text() -> None:
    rendered = render_message([], text="*Reminder:* reply to <@U1>")

    assert rendered.text == "Reminder: reply to @U1"
    assert rendered.actions == []


def test_message_with_neither_blocks_nor_text_is_empty() -> None:
    assert render_message(None).text == ""


def test_modal_shows_title_inputs_and_submit_and_close() -> None:
    view = {
        "type": "modal",
        "title": plain("Snooze reminder"),
        "submit": plain("Snooze"),
        "blocks": [
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": plain("Note"),
                "element": {"type": "plain_text_input", "action_id": "note_text"},
            },
        ],
    }

    rendered = render_view(view)

    lines = rendered.text.splitlines()
    assert lines[:2] == ["Snooze reminder", "═" * len("Snooze reminder")]
    assert "Note (optional): [____]" in lines
    assert lines[-1] == "Submit: Snooze   Close: Cancel"
    [note] = rendered.inputs
    assert (note.block_id, note.action_id, note.optional) == ("note", "note_text", True)
    assert (rendered.submit, rendered.close) == ("Snooze", "Cancel")


def test_home_tab_has_a_home_title_and_no_submit() -> None:
    view = {"type": "home", "blocks": [{"type": "section", "text": mrkdwn("Nothing due")}]}

    rendered = render_view(view)

    assert rendered.text.splitlines() == ["Home", "════", "Nothing due"]
    assert rendered.submit is None


def test_rich_text_shows_its_plain_text_and_list_bullets() -> None:
    block = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [{"type": "text", "text": "Hi "}, {"type": "user", "user_id": "U1"}],
            },
            {
                "type": "rich_text_list",
                "style": "bullet",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "a"}]}
                ],
            },
        ],
    }

    assert render_message([block]).text.splitlines() == ["Hi @U1", "• a"]


def test_image_shows_its_alt_text() -> None:
    block = {"type": "image", "image_url": "https://example.gov/x.png", "alt_text": "chart"}

    assert render_message([block]).text == "[image: chart]"


def test_long_lines_wrap_at_width_without_splitting_words() -> None:
    words = [f"word{i}" for i in range(30)]

    lines = render_message(None, text=" ".join(words), width=40).text.splitlines()

    assert len(lines) > 1
    assert all(len(line) <= 40 for line in lines)
    assert " ".join(lines).split() == words


def test_wrapped_bullet_keeps_its_indentation() -> None:
    text = "• " + "reply to the taxpayer " * 5

    lines = render_message(None, text=text, width=40).text.splitlines()

    assert lines[0].startswith("• reply")
    assert all(line.startswith("  ") and not line.startswith("   ") for line in lines[1:])
