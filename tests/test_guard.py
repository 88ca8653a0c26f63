"""The taxpayer-data guard: what counts as an SSN, ITIN or EIN, and what does not."""

from __future__ import annotations

import pytest

from bot.guard import looks_like_taxpayer_id, redact_taxpayer_ids


@pytest.mark.parametrize(
    "text",
    [
        "ssn 123-45-6789",
        "itin is 912 70 1234 for this one",
        "ein 12-3456789",
        "123456789",
        "the number was 123.45.6789",
        "(12 3456789)",
        "SSN123-45-6789",
        "ein-12-3456789",
        "123/45/6789",
        "1 2 3 4 5 6 7 8 9",
        "123\u2010" + "45\u22126789",
        "1\u200e23-45-6789",
        "987 654 321",
        "987,65,4321",
        "987  -  65  -  4321",
        "987~65~4321",
        "12-345-6789",
        "123-456789",
        "\uff11\uff12\uff13-\uff14\uff15-\uff16\uff17\uff18\uff19",  # full-width digits
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",  # Arabic-Indic digits
    ],
)
def test_taxpayer_ids_in_any_common_form_are_caught(text: str) -> None:
    assert looks_like_taxpayer_id(text)


@pytest.mark.parametrize(
    "text",
    [
        "case APL-26-0001",
        "memo AP-08-0824-0017",
        "letter 6271 and publication 5437",
        "call me at 555-123-4567",
        "due 2026-12-03 at 09:40",
        "eGain 40123",
        "1234567890",
        "received APL-26-0001 12/01/2026 9:40",
        "replied APL-26-0001 2026-12-01 9:40",
        "U0MGR9,Dana Whitfield,manager,,America/Chicago,0930,40100",
        "the zip is 20224-0001",
        "ext 12345 6789",
        "+44 20 7946 0958",
        "1-800-829-1040",
        "received APL-26-0001 930am",
        "12/03/2026 09:40",
    ],
)
def test_case_numbers_dates_and_form_numbers_pass(text: str) -> None:
    assert not looks_like_taxpayer_id(text)


def test_redaction_replaces_only_the_id() -> None:
    assert redact_taxpayer_ids("ssn 987 65 4321 on APL-26-0001") == "ssn [redacted] on APL-26-0001"
