"""Answer quality on the evaluation set tests/data/questions.yaml.

Run with ``pytest tests/test_answer_quality.py -s`` (or ``-rA``) to see the figures:
top-1 accuracy (answered with the expected citation; an abstention counts as a miss),
hit@3 and MRR over the ranked sections, abstention on out-of-scope questions, and false
abstention on in-scope ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.answers import AnswerEngine

QUESTIONS = Path(__file__).parent / "data" / "questions.yaml"
TODAY = date(2025, 1, 1)
MIN_TOP1 = 0.90
MIN_ABSTENTION = 0.90


@dataclass(frozen=True)
class Scorecard:
    """The quality figures of one run over the evaluation set."""

    in_scope: int
    out_of_scope: int
    top1: float
    hit3: float
    mrr: float
    abstention: float
    false_abstention: float
    misses: tuple[str, ...]

    def __str__(self) -> str:
        lines = [
            f"in scope {self.in_scope}, out of scope {self.out_of_scope}",
            f"top-1 accuracy     {self.top1:6.1%}",
            f"hit@3              {self.hit3:6.1%}",
            f"MRR                {self.mrr:6.3f}",
            f"abstention (out)   {self.abstention:6.1%}",
            f"false abstention   {self.false_abstention:6.1%}",
            *self.misses,
        ]
        return "\n".join(lines)


def ranked(engine: AnswerEngine, question: str) -> tuple[bool, list[str]]:
    """Return whether the engine answered, and its citations best first."""
    answer = engine.ask(question, TODAY)
    order = [engine.kb.section(sid).citation for sid in engine.ranked_sections(question)]
    if answer.citation is not None:
        order = [answer.citation, *(c for c in order if c != answer.citation)]
    return answer.answered, order


def score(engine: AnswerEngine, questions: dict[str, list]) -> Scorecard:
    """Run every question of the set and compute the figures."""
    top1 = hit3 = reciprocal = abstained_in = 0.0
    misses: list[str] = []
    for item in questions["in_scope"]:
        answered, order = ranked(engine, item["q"])
        expected = item["expect"]
        rank = order.index(expected) + 1 if expected in order else 0
        top1 += answered and rank == 1
        hit3 += 0 < rank <= 3
        reciprocal += 1 / rank if rank else 0
        abstained_in += not answered
        if not (answered and rank == 1):
            got = order[0] if answered else "abstained"
            misses.append(f"  miss: {item['q']!r} expected {expected}, got {got}")
    abstained_out = 0
    for question in questions["out_of_scope"]:
        answered, order = ranked(engine, question)
        abstained_out += not answered
        if answered:
            misses.append(f"  answered out of scope: {question!r} with {order[0]}")
    total_in, total_out = len(questions["in_scope"]), len(questions["out_of_scope"])
    return Scorecard(
        in_scope=total_in,
        out_of_scope=total_out,
        top1=top1 / total_in,
        hit3=hit3 / total_in,
        mrr=reciprocal / total_in,
        abstention=abstained_out / total_out,
        false_abstention=abstained_in / total_in,
        misses=tuple(misses),
    )


@pytest.fixture(scope="module")
def scorecard() -> Scorecard:
    """Score the packaged engine on the evaluation set once, and print the figures."""
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    card = score(AnswerEngine.default(), questions)
    print(f"\nAnswer quality on {QUESTIONS.name}:\n{card}")
    return card


def test_top1_accuracy_is_at_least_ninety_percent(scorecard: Scorecard) -> None:
    assert scorecard.top1 >= MIN_TOP1, str(scorecard)


def test_out_of_scope_questions_are_abstained_at_least_ninety_percent(
    scorecard: Scorecard,
) -> None:
    assert scorecard.abstention >= MIN_ABSTENTION, str(scorecard)


def test_the_right_paragraph_is_almost_always_in_the_top_three(scorecard: Scorecard) -> None:
    assert scorecard.hit3 >= MIN_TOP1, str(scorecard)
