"""Block Kit messages, built with slack-sdk's models so Slack's limits are checked."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import texts

SECTION_TEXT_LIMIT = 3000

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
    """Lay out a plain notice as one section."""
    return as_dicts([SectionBlock(text=MarkdownTextObject(text=clip(text)))])
