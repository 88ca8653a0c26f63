"""Compare the answer engine with a plain BM25 baseline on tests/data/questions.yaml.

Run from the repository root::

    python benchmarks/bench_answers.py [--repeat N]

The baseline is bm25s over each section's title and body with bm25s's own tokenizer and
English stopwords: no keywords, aliases, glossary, synonyms or typo correction, and no
abstention (it always answers with its top hit). Both are scored the same way: hit@1 is
an answer with the expected citation (an abstention is a miss), hit@3 and MRR use the
ranked sections, and abstention counts out-of-scope questions left unanswered.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import bm25s
import yaml

from bot.answers import AnswerEngine
from bot.knowledge import KnowledgeBase, load_kb

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "questions.yaml"
TODAY = date(2025, 1, 1)


@dataclass(frozen=True)
class System:
    """One way of answering: ``rank`` gives (answered, citations best first) for scoring,
    ``answer`` is the call a user waits for, which is what gets timed."""

    rank: Callable[[str], tuple[bool, list[str]]]
    answer: Callable[[str], object]


@dataclass(frozen=True)
class Figures:
    """What one system scored on the evaluation set."""

    hit1: float
    hit3: float
    mrr: float
    abstention: float
    median_ms: float
    p95_ms: float


def product(engine: AnswerEngine) -> System:
    """Wrap the answer engine as a system."""

    def rank(question: str) -> tuple[bool, list[str]]:
        answer = engine.ask(question, TODAY)
        order = [engine.kb.section(sid).citation for sid in engine.ranked_sections(question)]
        if answer.citation is not None:
            order = [answer.citation, *(c for c in order if c != answer.citation)]
        return answer.answered, order

    return System(rank, lambda question: engine.ask(question, TODAY))


def baseline(kb: KnowledgeBase) -> System:
    """Build plain BM25 over title and body that always answers with its top hit."""
    sections = list(kb)
    retriever = bm25s.BM25()
    corpus = [f"{section.title}\n{section.body}" for section in sections]
    retriever.index(
        bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False
    )

    def rank(question: str) -> tuple[bool, list[str]]:
        tokens = bm25s.tokenize([question], stopwords="en", show_progress=False)
        ids, _ = retriever.retrieve(tokens, k=len(sections), show_progress=False)
        return True, [sections[int(i)].citation for i in ids[0]]

    return System(rank, rank)


def measure(system: System, questions: dict[str, list], repeat: int) -> Figures:
    """Score a system and time each question ``repeat`` times."""
    hits1 = hits3 = reciprocal = 0.0
    timings: list[float] = []
    for item in questions["in_scope"]:
        answered, order = _timed(system, item["q"], repeat, timings)
        rank = order.index(item["expect"]) + 1 if item["expect"] in order else 0
        hits1 += answered and rank == 1
        hits3 += 0 < rank <= 3
        reciprocal += 1 / rank if rank else 0
    abstained = 0
    for question in questions["out_of_scope"]:
        answered, _ = _timed(system, question, repeat, timings)
        abstained += not answered
    total = len(questions["in_scope"])
    return Figures(
        hit1=hits1 / total,
        hit3=hits3 / total,
        mrr=reciprocal / total,
        abstention=abstained / len(questions["out_of_scope"]),
        median_ms=statistics.median(timings) * 1000,
        p95_ms=statistics.quantiles(timings, n=20)[-1] * 1000,
    )


def _timed(
    system: System, question: str, repeat: int, timings: list[float]
) -> tuple[bool, list[str]]:
    """Run one question ``repeat`` times, keeping each duration."""
    result = system.rank(question)
    for _ in range(repeat):
        started = time.perf_counter()
        system.answer(question)
        timings.append(time.perf_counter() - started)
    return result


def table(columns: dict[str, Figures]) -> str:
    """Lay the figures out side by side."""
    rows = [
        ("hit@1", lambda f: f"{f.hit1:.1%}"),
        ("hit@3", lambda f: f"{f.hit3:.1%}"),
        ("MRR", lambda f: f"{f.mrr:.3f}"),
        ("abstention correct (out of scope)", lambda f: f"{f.abstention:.1%}"),
        ("median latency per question", lambda f: f"{f.median_ms:.2f} ms"),
        ("p95 latency per question", lambda f: f"{f.p95_ms:.2f} ms"),
    ]
    lines = [f"| {'metric':<34} | " + " | ".join(f"{name:>14}" for name in columns) + " |"]
    lines.append(f"|{'-' * 36}|" + "|".join("-" * 16 for _ in columns) + "|")
    for label, cell in rows:
        values = " | ".join(f"{cell(figures):>14}" for figures in columns.values())
        lines.append(f"| {label:<34} | {values} |")
    return "\n".join(lines)


def main() -> None:
    """Score both systems and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per question")
    args = parser.parse_args()
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    kb = load_kb()
    systems = {"product": product(AnswerEngine(kb)), "plain BM25": baseline(kb)}
    columns = {name: measure(system, questions, args.repeat) for name, system in systems.items()}
    counts = f"{len(questions['in_scope'])} in scope, {len(questions['out_of_scope'])} out"
    print(f"Answer engine vs plain BM25 on {QUESTIONS.name} ({counts})\n")
    print(table(columns))


if __name__ == "__main__":
    main()
