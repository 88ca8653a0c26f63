"""Lay a digest out within Slack's limits: 50 blocks, 3,000 characters a text, a fallback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot import texts
from bot.blocks import MAX_BLOCKS, SECTION_TEXT_LIMIT, as_dicts
from reminders.digest import SECTIONS, Digest, Item

COMPACT_ITEMS = 8
Message = tuple[str, list[dict[str, Any]]]


def digest_message(digest: Digest, title: str, when: datetime) -> Message:
    """Compose the daily digest: totals first, a few items per section, the rest counted."""
    fallback = texts.digest_fallback(title, digest.total, _counts(digest))
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=title[:150]))]
    if digest.total == 0:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=texts.DIGEST_ALL_CLEAR)))
        return fallback, as_dicts(blocks)
    blocks.append(SectionBlock(text=MarkdownTextObject(text=texts.digest_totals(_counts(digest)))))
    for name, lines in _sections(digest):
        text, hidden = _pack(texts.DIGEST_SECTIONS[name], lines, COMPACT_ITEMS)
        if hidden:
            text += "\n" + texts.digest_more(hidden)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=texts.digest_footer(when))]))
    return fallback, as_dicts(blocks[:MAX_BLOCKS])


def digest_full(digest: Digest, title: str) -> list[Message]:
    """Compose every item, split into as many messages as Slack's limits need."""
    messages: list[Message] = []
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=title[:150]))]
    for name, lines in _sections(digest):
        heading = texts.DIGEST_SECTIONS[name]
        while lines:
            text, _ = _pack(heading, lines, len(lines))
            shown = text.count("\n")
            lines = lines[shown:]
            heading = texts.digest_continued(texts.DIGEST_SECTIONS[name])
            blocks.append(SectionBlock(text=MarkdownTextObject(text=text)))
            if len(blocks) >= MAX_BLOCKS - 1:
                messages.append((title, as_dicts(blocks)))
                blocks = []
    if blocks:
        messages.append((title, as_dicts(blocks)))
    return messages


def _counts(digest: Digest) -> dict[str, int]:
    counts = {name: len(digest.sections.get(name, [])) for name in SECTIONS}
    if digest.office:
        counts["questions"] = len(digest.unanswered_questions)
        counts["feedback"] = len(digest.unhelpful_answers)
    return counts


def _sections(digest: Digest) -> list[tuple[str, list[str]]]:
    found = [(name, [_line(item) for item in digest.sections.get(name, [])]) for name in SECTIONS]
    if digest.office:
        found.append(("questions", [f"• {texts.quote(q)}" for q in digest.unanswered_questions]))
        found.append(("feedback", [f"• {texts.quote(q)}" for q in digest.unhelpful_answers]))
    return [(name, lines) for name, lines in found if lines]


def _line(item: Item) -> str:
    # Readiness gaps come as codes (models.readiness); show them as what is missing.
    what = texts.gap_missing(item.what) if item.what in texts.GAP_LABELS else item.what
    return texts.digest_item(item.owner, item.case, what, item.age, item.level)


def _pack(heading: str, lines: list[str], most: int) -> tuple[str, int]:
    """Fit a heading and as many lines as fit into one text; return it and the count left out."""
    text = heading
    shown = 0
    for line in lines[:most]:
        if len(text) + 1 + len(line) > SECTION_TEXT_LIMIT - 80:
            break
        text += "\n" + line
        shown += 1
    return text, len(lines) - shown
