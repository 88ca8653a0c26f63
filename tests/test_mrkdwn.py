"""Markdown to Slack mrkdwn through Python-Markdown's parser."""

from __future__ import annotations

import markdown

from bot.knowledge import load_kb
from bot.mrkdwn import SlackMrkdwnExtension, escape, to_mrkdwn


def test_bold_and_emphasis_become_slack_marks() -> None:
    assert to_mrkdwn("Use **CO-TDC** for the *first* message.") == (
        "Use *CO-TDC* for the _first_ message."
    )


def test_underscore_and_star_spellings_mean_the_same() -> None:
    assert to_mrkdwn("__bold__ and _em_") == "*bold* and _em_"


def test_a_link_becomes_slack_link_syntax() -> None:
    text = "Go to [irs.gov/connect](https://www.irs.gov/connect) to register."

    assert to_mrkdwn(text) == "Go to <https://www.irs.gov/connect|irs.gov/connect> to register."


def test_an_autolink_shows_the_url_once() -> None:
    assert to_mrkdwn("See <https://help.id.me>.") == "See <https://help.id.me>."


def test_a_link_keeps_its_query_string_unescaped() -> None:
    assert to_mrkdwn("[search](https://x.test/?a=1&b=2)") == "<https://x.test/?a=1&b=2|search>"


def test_special_characters_in_text_are_escaped() -> None:
    assert to_mrkdwn("LB&I cases: 2 < 3 > 1") == "LB&amp;I cases: 2 &lt; 3 &gt; 1"


def test_raw_html_is_shown_as_text_not_passed_through() -> None:
    assert to_mrkdwn("a <b>tag</b>") == "a &lt;b&gt;tag&lt;/b&gt;"


def test_link_text_is_escaped_but_not_its_syntax() -> None:
    assert to_mrkdwn("[A & B](https://x.test)") == "<https://x.test|A &amp; B>"


def test_inline_code_keeps_backticks_and_is_escaped_once() -> None:
    assert to_mrkdwn("Type `a <b> & c`.") == "Type `a &lt;b&gt; &amp; c`."


def test_a_code_block_is_fenced() -> None:
    assert to_mrkdwn("Run:\n\n    smbot kb check\n") == "Run:\n\n```\nsmbot kb check\n```"


def test_paragraphs_are_separated_by_a_blank_line_and_soft_breaks_join() -> None:
    text = "First line\ncontinues here.\n\nSecond paragraph."

    assert to_mrkdwn(text) == "First line continues here.\n\nSecond paragraph."


def test_a_hard_line_break_is_kept() -> None:
    assert to_mrkdwn("one  \ntwo") == "one\ntwo"


def test_headings_become_bold_lines_without_nested_marks() -> None:
    assert to_mrkdwn("## The **new** rule\n\nBody.") == "*The new rule*\n\nBody."


def test_a_bullet_list_becomes_bullet_lines() -> None:
    assert to_mrkdwn("Steps:\n\n- one\n- **two**\n") == "Steps:\n\n• one\n• *two*"


def test_a_numbered_list_is_numbered() -> None:
    assert to_mrkdwn("1. save\n2. attach\n3. close\n") == "1. save\n2. attach\n3. close"


def test_nested_lists_are_indented_by_level() -> None:
    text = "- top\n    - middle\n        1. deep\n- next\n"

    assert to_mrkdwn(text) == "• top\n    • middle\n        1. deep\n• next"


def test_a_loose_list_item_hangs_its_second_paragraph_under_the_text() -> None:
    text = "- first\n\n    more about first\n\n- second\n"

    assert to_mrkdwn(text) == "• first\n  more about first\n• second"


def test_a_quote_keeps_slack_quote_marks() -> None:
    assert to_mrkdwn("> quoted\n> text") == "> quoted text"


def test_empty_text_gives_empty_mrkdwn() -> None:
    assert to_mrkdwn("   \n") == ""


def test_the_extension_works_on_a_markdown_instance_of_ones_own() -> None:
    converter = markdown.Markdown(extensions=[SlackMrkdwnExtension()])

    assert converter.convert("**a**") == "*a*"
    converter.reset()
    assert converter.convert("*b*") == "_b_"


def test_escape_handles_ampersand_first() -> None:
    assert escape("&lt;") == "&amp;lt;"


def test_every_packaged_section_body_converts_without_html() -> None:
    for section in load_kb():
        text = to_mrkdwn(section.body)

        assert text.strip()
        assert "<p>" not in text and "<li>" not in text and "**" not in text
