"""The answer engine: the cited paragraph for a question, or an honest "not covered"."""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import statistics
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, select

from bot import texts
from bot.answers import (
    Answer,
    AnswerEngine,
    chat_reply,
    index_terms,
    refused_json,
    stem,
    without_case_numbers,
    words,
)
from bot.knowledge import check_kb, default_root, load_kb
from bot.offline import OfflineBot
from bot.standin import Call
from models.tables import Question

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


# --- what is not part of a question ---------------------------------------------------


def test_a_negative_typed_without_its_apostrophe_reads_as_with_it(engine: AnswerEngine) -> None:
    bare = [w.surface for w in engine.analyse("tp doesnt want sm, cant register, isnt it")]
    typed = [w.surface for w in engine.analyse("tp doesn't want sm, can't register, isn't it")]

    assert bare == typed
    assert "doesnt" not in bare and "cant" not in bare


def test_not_wanting_secure_messaging_is_stopping_it(engine: AnswerEngine) -> None:
    stop = engine.ask("the rep does not want sm", BEFORE_EXPIRY)
    start = engine.ask("the rep wants sm", BEFORE_EXPIRY)

    assert stop.citation == "IRM 8.6.1.4.X.1(4)"
    assert start.citation == "IRM 8.6.1.4.X.1(2)"


def test_chat_spellings_of_what_are_read_as_what(engine: AnswerEngine) -> None:
    answer = engine.ask("wat is the egian nmber", BEFORE_EXPIRY)

    assert answer.citation == "IRM 8.6.1.4.X(2)"  # the eGain entry's first section
    assert "eGain" in answer.text


@pytest.mark.parametrize(
    ("question", "left"),
    [
        ("APL-26-0001 tp wants to stop using sm", "tp wants to stop using sm"),
        ("case APL-26-0001: rep sent the first sm", "rep sent the first sm"),
        ("on case #apl-26-0101, which code", "on which code"),
        ("the APL-26-0200 case is closing", "the is closing"),
        ("APL\u201326\u20130300 tp opted out", "tp opted out"),  # en dashes, as /sm reads them
        ("AP-08-0824-0017 purpose", "AP-08-0824-0017 purpose"),  # the memo's own number
    ],
)
def test_case_numbers_are_left_out_of_the_question(question: str, left: str) -> None:
    assert without_case_numbers(question) == left


def test_case_numbers_follow_the_office_pattern() -> None:
    assert without_case_numbers("1234567890 tp opted out", r"^\d{10}$") == "tp opted out"
    assert without_case_numbers("APL-26-0001 tp opted out", r"^\d{10}$").startswith("APL")


def test_a_case_number_does_not_change_the_answer(engine: AnswerEngine) -> None:
    plain = engine.ask("tp wants to stop using sm", BEFORE_EXPIRY)
    numbered = engine.ask("APL-26-0001 tp wants to stop using sm", BEFORE_EXPIRY)

    assert plain.citation == numbered.citation == "IRM 8.6.1.4.X.1(4)"
    assert numbered.score == plain.score


@pytest.mark.parametrize("question", ["case APL-26-0001", "APL-26-0012", "apl-26-0451?"])
def test_a_case_number_alone_asks_nothing(engine: AnswerEngine, question: str) -> None:
    answer = engine.ask(question, BEFORE_EXPIRY)

    assert not answer.answered and not answer.chat
    assert answer.text == texts.NOT_COVERED


# --- small talk and help ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ("help", texts.HELP),
        ("Help me please", texts.HELP),
        ("what can you do?", texts.HELP),
        ("hello", texts.GREETING_REPLY),
        ("hi there!", texts.GREETING_REPLY),
        ("good morning", texts.GREETING_REPLY),
        ("thanks", texts.THANKS_REPLY),
        ("Thank you so much", texts.THANKS_REPLY),
        ("thx for the help", texts.THANKS_REPLY),
    ],
)
def test_small_talk_gets_a_chat_reply_not_a_paragraph(
    engine: AnswerEngine, message: str, reply: str
) -> None:
    answer = engine.ask(message, BEFORE_EXPIRY)

    assert answer.chat and not answer.answered
    assert answer.text == reply
    assert answer.citation is None and answer.related == []


def test_the_chat_replies_point_to_help() -> None:
    assert "`/sm help`" in texts.GREETING_REPLY and "`/sm help`" in texts.THANKS_REPLY


@pytest.mark.parametrize(
    ("question", "citation"),
    [
        ("hi, which carats code for the first secure message", "IRM 8.6.1.4.X.1(3)"),
        ("need help with secure messaging, who's the contact", "AP-08-0824-0017 Contact"),
        ("help, tp can't get past id.me", "IRM 8.6.1.4.X(3)"),
    ],
)
def test_a_question_with_a_greeting_or_help_in_it_is_still_a_question(
    engine: AnswerEngine, question: str, citation: str
) -> None:
    answer = engine.ask(question, BEFORE_EXPIRY)

    assert chat_reply(question) is None
    assert answer.citation == citation and not answer.chat


# --- definitions ------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["what does BSP stand for", "what is bsp", "bsp meaning?"])
def test_an_acronym_the_memo_does_not_spell_out_is_defined_with_a_caveat(
    engine: AnswerEngine, question: str
) -> None:
    answer = engine.ask(question, BEFORE_EXPIRY)

    assert answer.citation == "IRM 8.6.1.4.X.1(7)"
    assert "does not spell out *BSP*" in answer.text
    assert "Business Support Professional" in answer.text
    assert "stands for" not in answer.text


def test_an_acronym_the_memo_spells_out_is_stated_as_fact(engine: AnswerEngine) -> None:
    answer = engine.ask("what does STARS stand for", BEFORE_EXPIRY)

    assert "*STARS* stands for" in answer.text and "spell out" not in answer.text


def test_the_glossary_marks_the_expansions_the_memo_does_not_give(engine: AnswerEngine) -> None:
    unconfirmed = {entry.term for entry in engine.kb.glossary if not entry.spelled_out}

    assert {"BSP", "SHOTs", "IR"} <= unconfirmed
    assert "STARS" not in unconfirmed


# --- other channels, outages and words of a spelled-out name -----------------------------


@pytest.mark.parametrize(
    "question",
    [
        "can I use Teams with the taxpayer",
        "can i email the taxpayer instead",
        "can i just email the rep",
        "can I text the taxpayer",
        "secure messaging is down",
        "is egain down",
    ],
)
def test_another_channel_or_an_outage_is_not_covered(engine: AnswerEngine, question: str) -> None:
    answer = engine.ask(question, BEFORE_EXPIRY)

    assert not answer.answered
    assert answer.text == texts.NOT_COVERED


def test_an_off_topic_phrase_reads_a_word_through_its_synonym(engine: AnswerEngine) -> None:
    query = engine.analyse("can i email the tp")

    assert [w.surface for w in query if w.off_topic] == ["email", "tp"]


def test_an_off_topic_phrase_never_spans_a_new_clause(engine: AnswerEngine) -> None:
    question = "will i get an email when a taxpayer replies in sm"

    assert not [w.surface for w in engine.analyse(question) if w.off_topic]
    assert engine.ask(question, BEFORE_EXPIRY).citation == "IRM 8.6.1.4.X(4)"


def test_a_word_of_a_spelled_out_name_is_not_what_a_section_is_about(
    engine: AnswerEngine,
) -> None:
    word = engine.rank("teams")  # STARS: the Shared *Team* of Administrative and Redaction ...
    name = engine.rank("what goes to the shared team of administrative and redaction support")

    assert word.explained == 1.0 and word.on_topic == 0.0
    assert name.on_topic == 1.0
    assert engine.ranked_sections("teams")[0] == engine.ranked_sections("stars request")[0]


def test_a_refused_question_keeps_every_contract_key() -> None:
    refused = refused_json("That question is too long.")

    assert set(refused) == CONTRACT_KEYS | {"error"}
    assert refused["answered"] is False and refused["error"] == "That question is too long."
    assert refused["section"] is refused["citation"] is refused["title"] is refused["score"]
    assert refused["related"] == []


# --- in chat ----------------------------------------------------------------------------


def _questions(bot: OfflineBot) -> list[Question]:
    assert bot.services is not None
    with Session(bot.services.engine) as session:
        return list(session.exec(select(Question)).all())


def _last_text(calls: list[Call]) -> str:
    return str(calls[-1].args["text"])


async def test_a_dm_of_help_gets_the_command_list(offline: OfflineBot) -> None:
    dm = await offline.direct_message("U0ATE1", "help")
    slash = await offline.slash("U0ATE1", "ask help")

    assert _last_text(dm) == _last_text(slash) == texts.HELP
    assert _questions(offline) == []


@pytest.mark.parametrize("message", ["hello", "hi", "thanks", "thank you"])
async def test_small_talk_is_answered_kindly_and_not_stored_as_unanswered(
    offline: OfflineBot, message: str
) -> None:
    calls = await offline.direct_message("U0ATE1", message)

    assert "/sm help" in _last_text(calls)
    assert texts.NOT_COVERED not in _last_text(calls)
    assert _questions(offline) == []


async def test_a_case_number_in_a_dm_does_not_derail_the_answer(offline: OfflineBot) -> None:
    calls = await offline.direct_message("U0ATE1", "APL-26-0001 tp wants to stop using sm")

    assert "IRM 8.6.1.4.X.1(4)" in json.dumps(calls[-1].args)
    (stored,) = _questions(offline)
    assert stored.answered and stored.text.startswith("APL-26-0001")


async def test_a_command_sent_as_a_dm_says_how_to_run_it(offline: OfflineBot) -> None:
    calls = await offline.direct_message("U0ATE1", "/sm received APL-26-0700")

    assert texts.COMMAND_AS_MESSAGE in [c.args.get("text") for c in calls]
    assert offline.services is not None
    with Session(offline.services.engine) as session:
        assert session.exec(select(Question)).all() == []


@pytest.mark.parametrize(
    ("question", "citation"),
    [
        ("what does IRM 8.6.1.4.X.1(6) say", "IRM 8.6.1.4.X.1(6)"),
        ("IRM 8.6.1.4.X.1(8)", "IRM 8.6.1.4.X.1(8)"),
        ("8.6.1.4.X(2)", "IRM 8.6.1.4.X(2)"),
        ("x.1 (5)(b)?", "IRM 8.6.1.4.X.1(5)(b)"),
        ("what does background (3) say", "AP-08-0824-0017 Background (3)"),
    ],
)
def test_a_question_naming_a_citation_gets_that_paragraph(question: str, citation: str) -> None:
    answer = AnswerEngine.default().ask(question, date(2026, 9, 1))

    assert (answer.answered, answer.citation) == (True, citation)


@pytest.mark.parametrize("question", ["1", "-1", "?!"])
def test_a_question_with_no_words_is_not_covered(question: str) -> None:
    assert not AnswerEngine.default().ask(question, date(2026, 9, 1)).answered
