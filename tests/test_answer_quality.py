"""Answer quality on every question set in tests/data/questions*.yaml.

Run with ``pytest tests/test_answer_quality.py -s`` (or ``-rA``) to see the figures, per
file and overall: top-1 accuracy (answered with the expected citation; an abstention counts
as a miss), hit@3 and MRR over the ranked sections, abstention on out-of-scope questions,
and false abstention on in-scope ones.

Every file has the shape of questions.yaml: lists of ``{q, expect}`` items (``in_scope``,
``held_out``, ...) and lists of questions the procedure does not cover (any key containing
``out_of_scope``). All the in-scope lists of a file are merged, and so are its out-of-scope
lists. A file whose name contains "blind" is a reserved evaluation set: its figures are
printed, never its questions.

Two kinds of file are held to different bars:

- the development set (``questions.yaml``, and any other file whose name lacks "blind") is
  what the engine is tuned on: together they must reach the issue's 90 % top-1 and 90 %
  correct abstention, and 90 % hit@3;
- the blind files (``questions_blind*.yaml``) measure generalisation to questions nobody
  tuned on. Their figures are printed; each fails only below a regression floor (70 % top-1,
  70 % abstention), so that a change which breaks generalisation is caught without turning
  the blind set into one more thing to tune against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import pytest

from bot.answers import AnswerEngine
from bot.evaluation import BLIND_MARK, QUESTION_FILES, QuestionSet, Score, load_sets, ranked

DATA = Path(__file__).parent / "data"
# Development targets (the acceptance criteria), on the sets the engine is tuned on.
MIN_TOP1 = 0.90
MIN_ABSTENTION = 0.90
MIN_HIT3 = 0.90
# Regression floor for the blind sets. They measure generalisation and are not tuned on:
# holding them to the development targets would invite tuning on them (and each look at a
# blind set makes it less blind), so they only guard against a change that breaks
# generalisation. Last measured figures are in docs/knowledge-base.md.
BLIND_MIN_TOP1 = 0.70
BLIND_MIN_ABSTENTION = 0.70


@dataclass
class Scorecard(Score):
    """A score with what was missed, to show beside the figures."""

    misses: list[str] = field(default_factory=list, repr=False)

    def add(self, other: Self) -> None:
        """Add another scorecard's counts and misses to this one."""
        super().add(other)
        self.misses += other.misses

    def row(self) -> str:
        """Return the figures as one table row."""
        return (
            f"{self.name:<28} {self.in_scope:>4} {self.out_of_scope:>4} "
            f"{self.top1_rate:>7.1%} {self.hit3_rate:>7.1%} {self.mrr:>6.3f} "
            f"{self.abstention:>7.1%} {self.false_abstention:>8.1%}"
        )


HEADER = (
    f"{'set':<28} {'in':>4} {'out':>4} {'hit@1':>7} {'hit@3':>7} {'MRR':>6} "
    f"{'abst.':>7} {'false ab':>8}"
)


def score(engine: AnswerEngine, questions: QuestionSet) -> Scorecard:
    """Run every question of one set and count the results."""
    card = Scorecard(questions.name)
    misses: list[str] = []
    for question, expected in questions.in_scope:
        answered, order = ranked(engine, question)
        if not card.count_in_scope(expected, answered, order):
            got = order[0] if answered else "abstained"
            misses.append(f"  miss: {question!r} expected {expected}, got {got}")
    for question in questions.out_of_scope:
        answered, order = ranked(engine, question)
        card.count_out_of_scope(answered)
        if answered:
            misses.append(f"  answered out of scope: {question!r} with {order[0]}")
    if questions.blind:
        misses = [f"  {len(misses)} misses (blind set: questions not shown)"] if misses else []
    card.misses = misses
    return card


def combine(name: str, cards: Iterable[Scorecard]) -> Scorecard:
    """Return one scorecard adding up the counts of ``cards``."""
    total = Scorecard(name)
    for card in cards:
        total.add(card)
    return total


def report(cards: Iterable[Scorecard], totals: Iterable[Scorecard]) -> str:
    """Lay the figures out per set, then the totals, followed by the misses."""
    cards = list(cards)
    lines = [HEADER, *(card.row() for card in cards), *(total.row() for total in totals)]
    for card in cards:
        if card.misses:
            lines += [f"{card.name}:", *card.misses]
    return "\n".join(lines)


@dataclass(frozen=True)
class Results:
    """Scorecards per file, the development files together, and every file together."""

    files: list[Scorecard]
    development: Scorecard
    overall: Scorecard

    @property
    def blind(self) -> list[Scorecard]:
        """Return the scorecards of the reserved (blind) files."""
        return [card for card in self.files if BLIND_MARK in card.name]


@pytest.fixture(scope="module")
def results() -> Results:
    """Score the packaged engine on every question set once; print the figures."""
    engine = AnswerEngine.default()
    cards = [score(engine, questions) for questions in load_sets(DATA)]
    assert cards, f"no {QUESTION_FILES} in {DATA}"
    development = combine(
        "development (not blind)", (c for c in cards if BLIND_MARK not in c.name)
    )
    overall = combine("overall", cards)
    totals = [development, overall] if len(cards) > 1 else [overall]
    print(f"\nAnswer quality on {DATA.name}/{QUESTION_FILES}:\n{report(cards, totals)}")
    return Results(cards, development, overall)


def test_question_files_are_loaded_generically(tmp_path: Path) -> None:
    (tmp_path / "questions_extra.yaml").write_text(
        "in_scope:\n  - {q: one, expect: A}\nheld_out:\n  - {q: two, expect: B}\n"
        "out_of_scope: [three]\nheld_out_out_of_scope:\n  - four\n",
        encoding="utf-8",
    )
    (tmp_path / "other.yaml").write_text("in_scope: []\n", encoding="utf-8")

    (only,) = load_sets(tmp_path)

    assert only.name == "questions_extra.yaml"
    assert only.in_scope == [("one", "A"), ("two", "B")]
    assert only.out_of_scope == ["three", "four"]


def test_blind_files_are_told_apart_from_development_ones() -> None:
    cards = [Scorecard("questions.yaml"), Scorecard("questions_blind.yaml")]

    results = Results(cards, cards[0], combine("overall", cards))

    assert [card.name for card in results.blind] == ["questions_blind.yaml"]


def test_development_top1_accuracy_is_at_least_ninety_percent(results: Results) -> None:
    assert results.development.in_scope, "no development questions"
    assert results.development.top1_rate >= MIN_TOP1, results.development.row()


def test_development_out_of_scope_questions_are_abstained_at_least_ninety_percent(
    results: Results,
) -> None:
    assert results.development.out_of_scope, "no development out-of-scope questions"
    assert results.development.abstention >= MIN_ABSTENTION, results.development.row()


def test_the_right_paragraph_is_almost_always_in_the_top_three(results: Results) -> None:
    assert results.development.hit3_rate >= MIN_HIT3, results.development.row()


def test_blind_top1_accuracy_stays_above_the_regression_floor(results: Results) -> None:
    if not results.blind:
        pytest.skip("no questions_blind*.yaml")
    for card in results.blind:
        assert card.top1_rate >= BLIND_MIN_TOP1, card.row()


def test_blind_abstention_stays_above_the_regression_floor(results: Results) -> None:
    if not results.blind:
        pytest.skip("no questions_blind*.yaml")
    for card in results.blind:
        assert card.abstention >= BLIND_MIN_ABSTENTION, card.row()
