"""The answer engine: the cited paragraph for a question, or an honest "not covered"."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import statistics
import time
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot import texts
from bot.answers import Answer, AnswerEngine, index_terms, stem, words
from bot.knowledge import check_kb, default_root, load_kb

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


def test_unfamiliar_words_in_a_chatty_question_do_not_stop_the_answer(
    engine: AnswerEngine,
) -> None:
    answer = engine.ask(
        "my teammate says the taxpayer pinged her first on secure messaging, "
        "which carats code goes in the car",
        BEFORE_EXPIRY,
    )

    assert answer.citation == "IRM 8.6.1.4.X.1(3)"


def test_unfamiliar_words_together_weigh_as_one_word(engine: AnswerEngine) -> None:
    question = "rep pinged me first on secure messaging, which CARATS code goes in the CAR"

    one = engine.rank(question)
    more = engine.rank(f"{question} newbie outlook yanked")

    assert more.explained == pytest.approx(one.explained)
    assert engine.ask(f"{question} newbie outlook yanked", BEFORE_EXPIRY).answered


def test_an_unseen_word_counts_less_than_a_known_word_the_section_lacks(
    engine: AnswerEngine,
) -> None:
    question = "the taxpayer messaged me first, which CARATS code goes in the CAR"

    unseen = engine.rank(f"{question} for the voucher").explained
    known_elsewhere = engine.rank(f"{question} for the password").explained

    assert known_elsewhere < unseen < engine.rank(question).explained


@pytest.mark.parametrize(
    "question",
    [
        "how do i submit my timesheet",  # one specific word and one from another topic
        "what do i do if a taxpayer threatens me over secure messaging",  # only generic words
    ],
)
def test_an_off_topic_question_with_unfamiliar_words_still_abstains(
    engine: AnswerEngine, question: str
) -> None:
    ranking = engine.rank(question)

    assert ranking.explained <= 0.5
    assert not engine.ask(question, BEFORE_EXPIRY).answered


# --- the off-topic vocabulary ---------------------------------------------------------


@pytest.fixture
def toy_off_topic(toy_engine: AnswerEngine, tmp_path: Path) -> AnswerEngine:
    """Build the toy engine again with an off-topic vocabulary next to its sections."""
    (tmp_path / "off_topic.yaml").write_text(
        "office:\n  - payroll\n  - reset password\n  - interest\n", encoding="utf-8"
    )
    return AnswerEngine(load_kb(tmp_path))


def test_the_packaged_off_topic_vocabulary_is_loaded(engine: AnswerEngine) -> None:
    assert 150 <= len(engine.kb.off_topic) <= 300
    assert {"levy", "timesheet", "settlement letter"} <= set(engine.kb.off_topic)


def test_an_off_topic_phrase_is_one_unit_across_stopwords(toy_off_topic: AnswerEngine) -> None:
    reset, _, password = toy_off_topic.analyse("reset my password")

    assert reset.off_topic == password.off_topic == ("reset password",)
    assert reset.unit == password.unit and reset.content and password.content


def test_a_one_word_entry_matches_only_a_content_word(toy_off_topic: AnswerEngine) -> None:
    (interested,) = toy_off_topic.analyse("interested")  # a common word; stems to "interest"

    assert interested.off_topic == ()


def test_a_misspelt_off_topic_word_is_recognised(toy_off_topic: AnswerEngine) -> None:
    (word,) = toy_off_topic.analyse("payrol")

    assert word.surface == "payroll" and word.off_topic == ("payroll",)


def test_an_off_topic_word_stops_a_question_with_two_domain_words(
    engine: AnswerEngine,
) -> None:
    question = "which carats code do i enter for a levy"
    without = AnswerEngine(dataclasses.replace(engine.kb, off_topic=()))

    assert without.ask(question, BEFORE_EXPIRY).answered  # "levy" alone is merely unseen
    assert not engine.ask(question, BEFORE_EXPIRY).answered


def test_an_off_topic_word_counts_more_than_an_unseen_one_but_three_specific_words_answer(
    engine: AnswerEngine,
) -> None:
    question = "the taxpayer messaged me first, which CARATS code goes in the CAR"

    off_topic = engine.rank(f"{question} for the payroll").explained
    unseen = engine.rank(f"{question} for the voucher").explained

    assert off_topic < unseen
    assert engine.ask(f"{question} for the payroll", BEFORE_EXPIRY).citation == (
        "IRM 8.6.1.4.X.1(3)"
    )


def test_a_section_that_contains_the_topic_itself_still_answers(engine: AnswerEngine) -> None:
    answer = engine.ask("can i send pub 5437 to the taxpayer by e-fax", BEFORE_EXPIRY)

    assert answer.citation == "IRM 8.6.1.4.X.1(1)(b)"  # the paragraph says "fax or mail"


def _kb_copy(tmp_path: Path, off_topic: str | None) -> Path:
    """Copy the packaged knowledge base, with this off_topic.yaml (None: without one)."""
    root = tmp_path / "kb"
    shutil.copytree(default_root(), root)
    (root / "off_topic.yaml").unlink()
    if off_topic is not None:
        (root / "off_topic.yaml").write_text(off_topic, encoding="utf-8")
    return root


def test_the_off_topic_file_is_optional(tmp_path: Path) -> None:
    root = _kb_copy(tmp_path, None)

    assert check_kb(root) == [] and load_kb(root).off_topic == ()


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("- levy\n", "(file)", "must map each group to a list of phrases"),
        ("money: []\n", "money", "must be a non-empty list of phrases"),
        ("money: [Levy]\n", "money", "'Levy': must be lowercase"),
        ("money: [levy]\nmore: [levy]\n", "more", "'levy': duplicate (also in 'money')"),
        ("forms: [carats]\n", "forms", "'carats': is a glossary name"),
        ("people: [rep]\n", "people", "'rep': is a synonym in synonyms.yaml"),
        ("money: [levy\n", "(file)", "not valid YAML"),
    ],
)
def test_a_faulty_off_topic_file_is_reported(
    tmp_path: Path, text: str, field: str, message: str
) -> None:
    problems = check_kb(_kb_copy(tmp_path, text))

    assert [(p.file, p.field) for p in problems] == [("off_topic.yaml", field)]
    assert problems[0].message.startswith(message)


def test_chat_shorthand_is_not_content(engine: AnswerEngine) -> None:
    query = engine.analyse("asap fyi tbh, which carats code")

    assert [word.surface for word in query if word.content] == ["carats", "code"]


def test_a_form_of_a_common_word_is_not_corrected(engine: AnswerEngine) -> None:
    assert [word.surface for word in engine.analyse("working")] == ["working"]


def test_a_word_whose_stem_is_a_stopword_still_counts(engine: AnswerEngine) -> None:
    answer = engine.ask("do i need to paste sm language into my letters", BEFORE_EXPIRY)

    assert answer.citation == "AP-08-0824-0017 Background (4)"


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
