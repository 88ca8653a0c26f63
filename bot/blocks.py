"""Block Kit messages, built with slack-sdk's models so Slack's limits are checked."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import texts

SECTION_TEXT_LIMIT = 3000
MAX_BLOCKS = 50  # in one message

ACTION_HELPFUL = "answer_helpful"
ACTION_UNHELPFUL = "answer_unhelpful"


def clip(text: str, limit: int = SECTION_TEXT_LIMIT) -> str:
    """Shorten text to Slack's limit for one text object, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def as_dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    """Serialise blocks for the Web API (and validate them on the way)."""
    return [block.to_dict() for block in blocks]


def answer_blocks(
    *,
    title: str,
    text: str,
    citation: str,
    related: list[tuple[str, str]],
    question_id: int | None,
) -> list[dict[str, Any]]:
    """Lay out a cited answer with related sections and the feedback buttons."""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip(f"*{title}*\n{text}"))),
        ContextBlock(elements=[MarkdownTextObject(text=texts.citation_line(citation))]),
    ]
    if related:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=texts.related_line(related))])
        )
    if question_id is not None:
        blocks.append(_feedback_buttons(question_id))
    return as_dicts(blocks)


def _feedback_buttons(question_id: int) -> ActionsBlock:
    return ActionsBlock(
        block_id=f"feedback:{question_id}",
        elements=[
            ButtonElement(
                text=texts.BUTTON_HELPFUL, action_id=ACTION_HELPFUL, value=str(question_id)
            ),
            ButtonElement(
                text=texts.BUTTON_UNHELPFUL, action_id=ACTION_UNHELPFUL, value=str(question_id)
            ),
        ],
    )


def notice_blocks(text: str) -> list[dict[str, Any]]:
    """Lay out a plain notice as sections, split between lines to fit Slack's limit."""
    sections, current = [], ""
    for line in text.split("\n"):
        if current and len(current) + 1 + len(line) > SECTION_TEXT_LIMIT:
            sections.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    sections.append(current)
    return as_dicts(
        [SectionBlock(text=MarkdownTextObject(text=clip(part))) for part in sections[:MAX_BLOCKS]]
    )


ACTION_REPLIED = "sm_replied"
ACTION_NO_REPLY = "sm_no_reply"
ACTION_SNOOZE = "sm_snooze"
NO_REPLY_VIEW = "sm_no_reply_view"
NO_REPLY_BLOCK = "reason"
NO_REPLY_INPUT = "reason_input"


def reminder_blocks(
    text: str, message_id: str, snooze_hours: tuple[int, ...]
) -> list[dict[str, Any]]:
    """Lay out a reminder with *Replied*, *No reply needed* and *Snooze*."""
    options = [
        Option(text=texts.snooze_option(hours), value=f"{message_id}|{hours}")
        for hours in snooze_hours
    ]
    elements: list[Any] = [
        ButtonElement(
            text=texts.BUTTON_REPLIED, action_id=ACTION_REPLIED, value=message_id, style="primary"
        ),
        ButtonElement(text=texts.BUTTON_NO_REPLY, action_id=ACTION_NO_REPLY, value=message_id),
    ]
    if options:
        elements.append(
            StaticSelectElement(
                placeholder=texts.SNOOZE_PLACEHOLDER, action_id=ACTION_SNOOZE, options=options
            )
        )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=clip(text))),
        ActionsBlock(block_id=f"message:{message_id}", elements=elements),
    ]
    return as_dicts(blocks)


def no_reply_view(message_id: str, case: str) -> dict[str, Any]:
    """Build the modal that asks why a message needs no reply."""
    view = View(
        type="modal",
        callback_id=NO_REPLY_VIEW,
        private_metadata=message_id,
        title=PlainTextObject(text=texts.NO_REPLY_TITLE),
        submit=PlainTextObject(text=texts.NO_REPLY_SUBMIT),
        close=PlainTextObject(text=texts.CANCEL),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"Case *{case}*")),
            InputBlock(
                block_id=NO_REPLY_BLOCK,
                label=PlainTextObject(text=texts.NO_REPLY_LABEL),
                hint=PlainTextObject(text=texts.NO_REPLY_HINT),
                element=PlainTextInputElement(action_id=NO_REPLY_INPUT, max_length=200),
            ),
        ],
    )
    return view.to_dict()


ACTION_CAR_RECORDED = "car_recorded"
ACTION_STEP_DONE = "checklist_step_done"
ACTION_OPEN_CLOSING = "closing_open"
CLOSING_VIEW = "closing_view"
CLOSING_NOTE_BLOCK = "note"
CLOSING_NOTE_INPUT = "note_input"


def car_prompt_blocks(text: str, prompt_id: int) -> list[dict[str, Any]]:
    """Lay out a CAR prompt with its *Recorded in CAR* button."""
    button = ButtonElement(
        text=texts.BUTTON_RECORDED,
        action_id=ACTION_CAR_RECORDED,
        value=str(prompt_id),
        style="primary",
    )
    return as_dicts(
        [
            SectionBlock(text=MarkdownTextObject(text=clip(text))),
            ActionsBlock(block_id=f"car:{prompt_id}", elements=[button]),
        ]
    )


def checklist_blocks(
    heading: str, steps: list[tuple[str, str, bool]], checklist_id: int
) -> list[dict[str, Any]]:
    """Lay out a checklist: each step's text, a *Done* button on the open ones."""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=heading[:150]))]
    for step, text, done in steps:
        accessory = (
            None
            if done
            else ButtonElement(
                text=texts.BUTTON_STEP_DONE,
                action_id=ACTION_STEP_DONE,
                value=f"{checklist_id}:{step}",
            )
        )
        blocks.append(
            SectionBlock(
                block_id=f"step:{step}",
                text=MarkdownTextObject(text=clip(text)),
                accessory=accessory,
            )
        )
    return as_dicts(blocks)


def closing_prompt_blocks(text: str, case: str) -> list[dict[str, Any]]:
    """Lay out the closing prompt with the button that opens the confirmation."""
    button = ButtonElement(
        text=texts.BUTTON_CONFIRM_CLOSING,
        action_id=ACTION_OPEN_CLOSING,
        value=case,
        style="primary",
    )
    return as_dicts(
        [
            SectionBlock(text=MarkdownTextObject(text=clip(text))),
            ActionsBlock(block_id=f"closing:{case}", elements=[button]),
        ]
    )


def closing_view(case: str, warnings: list[str]) -> dict[str, Any]:
    """Build the closing-export modal: one required tick per item, an optional note."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f"Case *{case}*"))]
    blocks.extend(
        ContextBlock(elements=[MarkdownTextObject(text=texts.CLOSING_WARNINGS[w])])
        for w in warnings
    )
    for item, label in texts.CLOSING_ITEMS.items():
        blocks.append(
            InputBlock(
                block_id=item,
                label=PlainTextObject(text=label[:2000]),
                element=CheckboxesElement(
                    action_id=f"{item}_input",
                    options=[Option(text=PlainTextObject(text="Done"), value=item)],
                ),
            )
        )
    blocks.append(
        InputBlock(
            block_id=CLOSING_NOTE_BLOCK,
            label=PlainTextObject(text=texts.CLOSING_NOTE_LABEL),
            optional=True,
            element=PlainTextInputElement(
                action_id=CLOSING_NOTE_INPUT, multiline=True, max_length=500
            ),
        )
    )
    view = View(
        type="modal",
        callback_id=CLOSING_VIEW,
        private_metadata=case,
        title=PlainTextObject(text=texts.CLOSING_TITLE),
        submit=PlainTextObject(text=texts.CLOSING_SUBMIT),
        close=PlainTextObject(text=texts.CANCEL),
        blocks=blocks,
    )
    return view.to_dict()
