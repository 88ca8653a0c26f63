"""The answer engine: the cited paragraph for a question, or an honest "not covered"."""

from __future__ import annotations

import logging
import statistics
import time
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot import texts
from bot.answers import Answer, AnswerEngine, index_terms, stem, words
from bot.knowledge import load_kb

BEFORE_EXPIRY = date(2025, 1, 1)
AFTER_EXPIRY = date(2026, 12, 3)
QUESTIONS = Path(__file__).parent / "data" / "questions.yaml"
CONTRACT_KEYS = {"answered", "section", "citation", "title", "text", "score", "related"}

SECTION = """\
---
id: {id}
title: "{title}"
citation: {citation}
control: AP-08-0824-0017
effective: 2024-08-26
expires: 2026-08-26
keywords: [{keywords}]
aliases: [{aliases}]
related: [{related}]
---
{body}
"""

TOY_SECTIONS = [
    ("x1-1", "Record the first message", "record, first message", "", "Record it in the CAR."),
    (
        "x1-2",
        "Representative loses access",
        "revoked, withdrawn",
        "x1-1",
        "When the power of attorney is revoked, remove the representative.",
    ),
    ("x1-3", "Closing the case", "closing, pdf", "", "Save a PDF before closing the case."),
]
TOY_ALIASES = {"x1-3": '"rep wants the pdf"'}


@pytest.fixture(scope="module")
def engine() -> AnswerEngine:
    """Build the engine on the packaged knowledge base."""
    return AnswerEngine.default()


@pytest.fixture
def toy_engine(tmp_path: Path) -> AnswerEngine:
    """Build an engine on a three-section knowledge base with one acronym and one synonym."""
    for number, (section_id, title, keywords, related, body) in enumerate(TOY_SECTIONS, 1):
        text = SECTION.format(
            id=section_id,
            title=title,
            citation=f"IRM 8.6.1.4.X.1({number})",
            keywords=keywords,
            aliases=TOY_ALIASES.get(section_id, ""),
            related=related,
            body=body,
        )
        (tmp_path / f"{section_id}.md").write_text(text, encoding="utf-8")
    (tmp_path / "glossary.yaml").write_text(
        "- term: POA\n  expansion: Power of Attorney\n  meaning: Lets a representative act.\n"
        "  sections: [x1-2]\n",
        encoding="utf-8",
    )
    (tmp_path / "synonyms.yaml").write_text("rep: [representative]\n", encoding="utf-8")
    return AnswerEngine(load_kb(tmp_path))


# --- the query pipeline ---------------------------------------------------------------


def test_codes_stay_whole_and_are_also_split() -> None:
    assert words("Use CO-TDC, Letter 6271 and LB&I.") == [
        "use",
        "co-tdc",
        "letter",
        "6271",
        "and",
        "lb&i",
    ]
    assert index_terms("CO-TDC") == ["co-tdc", "co", "tdc"]


def test_stemming_joins_the_forms_of_a_word() -> None:
    assert {stem(w) for w in ("record", "records", "recorded", "recording")} == {"record"}
    assert stem("co-tdc") == "co-tdc"
    assert stem("6271") == "6271"


def test_an_acronym_finds_the_section_that_spells_it_out(toy_engine: AnswerEngine) -> None:
    answer = toy_engine.ask("POA revoked", BEFORE_EXPIRY)

    assert answer.section == "x1-2"


def test_the_spelled_out_form_reaches_the_acronym(toy_engine: AnswerEngine) -> None:
    terms = {t for word in toy_engine.analyse("power of attorney") for t in word.terms}

    assert "poa" in terms


def test_a_synonym_brings_in_the_knowledge_base_word(toy_engine: AnswerEngine) -> None:
    terms = {t for word in toy_engine.analyse("the rep") for t in word.terms}

    assert "representativ" in terms


def test_a_typo_is_corrected_to_the_nearest_known_word(toy_engine: AnswerEngine) -> None:
    answer = toy_engine.ask("how do I recrod the frist mesage", BEFORE_EXPIRY)

    assert answer.section == "x1-1"


def test_a_short_unknown_word_is_not_corrected(toy_engine: AnswerEngine) -> None:
    assert [word.surface for word in toy_engine.analyse("pdg")] == ["pdg"]


def test_a_synonym_in_an_alias_counts_for_what_the_section_is_about(
    toy_engine: AnswerEngine,
) -> None:
    ranking = toy_engine.rank("representative pdf")

    assert toy_engine.ranked_sections("representative pdf")[0] == "x1-3"
    assert ranking.on_topic == pytest.approx(1.0)


def test_filler_idioms_and_common_words_are_not_content(engine: AnswerEngine) -> None:
    query = engine.analyse("honestly, do I have to offer it on every single case out of the blue?")

    assert [word.surface for word in query if word.content] == ["offer", "case"]


def test_common_words_are_never_corrected(engine: AnswerEngine) -> None:
    surfaces = [word.surface for word in engine.analyse("honestly yesterday single anymore")]

    assert surfaces == ["honestly", "yesterday", "single", "anymore"]


def test_the_words_of_a_glossary_name_make_one_unit(engine: AnswerEngine) -> None:
    power, _, attorney, revoked = engine.analyse("power of attorney revoked")

    assert power.unit == attorney.unit != revoked.unit


def test_ordinary_english_around_a_question_does_not_stop_the_answer(
    engine: AnswerEngine,
) -> None:
    plain = engine.ask(
        "which CARATS code do I enter when a taxpayer messages me first", BEFORE_EXPIRY
    )
    chatty = engine.ask(
        "hi, quick question: out of the blue a taxpayer messages me first, "
        "which CARATS code do I enter? thanks so much",
        BEFORE_EXPIRY,
    )

    assert plain.citation == chatty.citation == "IRM 8.6.1.4.X.1(3)"


def test_a_content_word_the_procedure_never_uses_counts_against_answering(
    engine: AnswerEngine,
) -> None:
    question = "which CARATS code do I enter when a taxpayer messages me first"

    assert engine.rank(f"{question} about a rebuttal").explained < engine.rank(question).explained
    assert not engine.ask("which CARATS code do I use for a rebuttal", BEFORE_EXPIRY).answered


# --- answers on the packaged knowledge base ------------------------------------------


@pytest.mark.parametrize(
    ("question", "citation"),
    [
        ("which date goes in the CAR with CO-TDC?", "IRM 8.6.1.4.X.1(3)"),
        ("taxpayer wants to stop using secure messaging, what code", "IRM 8.6.1.4.X.1(4)"),
        ("where are the POA revocation instructions", "IRM 8.6.1.4.X.1(6)"),
        ("do I upload Letter 6271 before the STARS request", "IRM 8.6.1.4.X.1(5)(a)"),
        ("save the secure messages as a PDF before closing?", "IRM 8.6.1.4.X.1(8)"),
    ],
)
def test_a_typical_question_gets_its_exact_citation(
    engine: AnswerEngine, question: str, citation: str
) -> None:
    answer = engine.ask(question, BEFORE_EXPIRY)

    assert answer.answered
    assert answer.citation == citation


def test_an_acronym_and_its_expansion_find_the_same_paragraph(engine: AnswerEngine) -> None:
    short = engine.ask("customer group mailbox for a TEGE case", BEFORE_EXPIRY)
    long = engine.ask("customer group mailbox for a tax exempt case", BEFORE_EXPIRY)

    assert short.section == long.section == "x1-7"


def test_a_typo_still_finds_the_paragraph(engine: AnswerEngine) -> None:
    answer = engine.ask("rep's poa was revokd, what about their secure mesages", BEFORE_EXPIRY)

    assert answer.citation == "IRM 8.6.1.4.X.1(6)"


@pytest.mark.parametrize(
    "question",
    [
        "what is the mileage reimbursement rate",
        "how do i request annual leave",
        "who approves a closing agreement",
        "",
        "the and of",
    ],
)
def test_a_question_the_procedure_does_not_cover_is_not_answered(
    engine: AnswerEngine, question: str
) -> None:
    answer = engine.ask(question, BEFORE_EXPIRY)

    assert not answer.answered
    assert answer.text == texts.NOT_COVERED
    assert (answer.section, answer.citation, answer.title, answer.related) == (
        None,
        None,
        None,
        [],
    )


def test_the_not_covered_text_says_where_to_ask() -> None:
    assert "Secure Messaging page" in texts.NOT_COVERED
    assert "management chain" in texts.NOT_COVERED
    assert "How to Contact an Analyst" in texts.NOT_COVERED


def test_an_answer_after_expiry_carries_the_notice(engine: AnswerEngine) -> None:
    answer = engine.ask("which date goes in the CAR with CO-TDC?", AFTER_EXPIRY)

    assert answer.expired
    assert answer.text.startswith(texts.expired_notice(date(2026, 8, 26)))
    assert "August 26, 2026" in answer.text and "IRM 8.6.1" in answer.text


def test_an_answer_before_expiry_has_no_notice(engine: AnswerEngine) -> None:
    answer = engine.ask("which date goes in the CAR with CO-TDC?", BEFORE_EXPIRY)

    assert not answer.expired
    assert "expired" not in answer.text


def test_the_answer_text_is_slack_mrkdwn(engine: AnswerEngine) -> None:
    answer = engine.ask("which date goes in the CAR with CO-TDC?", BEFORE_EXPIRY)

    assert "*CO-TDC*" in answer.text and "**" not in answer.text


def test_to_json_has_exactly_the_contract_keys(engine: AnswerEngine) -> None:
    answered = engine.ask("where are the POA revocation instructions", BEFORE_EXPIRY).to_json()
    abstained = engine.ask("when is payday", BEFORE_EXPIRY).to_json()

    assert set(answered) == set(abstained) == CONTRACT_KEYS
    assert isinstance(answered["score"], float) and isinstance(answered["related"], list)
    assert abstained["section"] is abstained["citation"] is abstained["title"] is None


def test_related_has_at_most_three_ids_and_never_the_answer(engine: AnswerEngine) -> None:
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["in_scope"]

    for item in questions:
        answer = engine.ask(item["q"], BEFORE_EXPIRY)

        assert len(answer.related) <= 3
        assert answer.section not in answer.related
        assert len(set(answer.related)) == len(answer.related)
        assert all(rid in engine.kb for rid in answer.related)
        assert len(answer.related_titles) == len(answer.related)


def test_related_starts_with_the_sections_own_list(engine: AnswerEngine) -> None:
    answer = engine.ask("where are the POA revocation instructions", BEFORE_EXPIRY)
    own = list(engine.kb.section("x1-6").related)

    assert answer.related[: len(own)] == own[:3]


def test_a_glossary_question_is_answered_from_the_glossary(engine: AnswerEngine) -> None:
    entry = engine.kb.glossary_entry("ACDS")
    assert entry is not None

    answer = engine.ask("What does ACDS stand for?", BEFORE_EXPIRY)

    assert answer.section == entry.sections[0]
    assert answer.citation == engine.kb.section(entry.sections[0]).citation
    assert "Appeals Centralized Database System" in answer.text


def test_the_default_engine_is_built_once() -> None:
    assert AnswerEngine.default() is AnswerEngine.default()


def test_the_question_text_is_never_logged(
    engine: AnswerEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.answers")

    engine.ask("zebra crossing CO-TDC question", BEFORE_EXPIRY)

    assert "zebra" not in caplog.text


def test_median_latency_is_under_five_milliseconds(engine: AnswerEngine) -> None:
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    asked = [item["q"] for item in questions["in_scope"]] + questions["out_of_scope"]
    timings = []

    for question in asked:
        started = time.perf_counter()
        engine.ask(question, BEFORE_EXPIRY)
        timings.append(time.perf_counter() - started)

    assert statistics.median(timings) < 0.005


def test_not_covered_builds_the_abstention() -> None:
    answer = AnswerEngine.not_covered(0.2)

    assert answer == Answer(False, None, None, None, texts.NOT_COVERED, 0.2)
