"""Compare the answer engine with a plain BM25 baseline on tests/data/questions*.yaml.

Run from the repository root::

    python benchmarks/bench_answers.py [--repeat N]

Every question file is scored on its own and all of them together. A file holds lists of
``{q, expect}`` items (``in_scope``, ``held_out``, ...) and lists of questions the
procedure does not cover (keys containing ``out_of_scope``); each file's lists are merged.
Only figures are printed, never questions, so a reserved (blind) file can be scored too.

The baseline is bm25s over each section's title and body with bm25s's own tokenizer and
English stopwords: no keywords, aliases, glossary, synonyms or typo correction, and no
abstention (it always answers with its top hit). Both are scored the same way: hit@1 is
an answer with the expected citation (an abstention is a miss), hit@3 and MRR use the
ranked sections, and abstention counts out-of-scope questions left unanswered. Latency is
measured over every question of every file.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Self

import bm25s

from bot.answers import AnswerEngine
from bot.evaluation import TODAY, QuestionSet, Score, load_sets, ranked
from bot.knowledge import KnowledgeBase, load_kb

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


@dataclass(frozen=True)
class System:
    """One way of answering: ``rank`` gives (answered, citations best first) for scoring,
    ``answer`` is the call a user waits for, which is what gets timed."""

    rank: Callable[[str], tuple[bool, list[str]]]
    answer: Callable[[str], object]


@dataclass
class Figures(Score):
    """What one system scored on one or more question sets, and how long it took."""

    timings: list[float] = field(default_factory=list)

    def add(self, other: Self) -> None:
        """Add another set's counts and timings to these."""
        super().add(other)
        self.timings += other.timings

    @property
    def median_ms(self) -> float:
        return statistics.median(self.timings) * 1000 if self.timings else 0.0

    @property
    def p95_ms(self) -> float:
        if len(self.timings) < 2:
            return self.median_ms
        return statistics.quantiles(self.timings, n=20)[-1] * 1000


def product(engine: AnswerEngine) -> System:
    """Wrap the answer engine as a system."""
    return System(partial(ranked, engine), lambda question: engine.ask(question, TODAY))


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


def measure(system: System, questions: QuestionSet, repeat: int) -> Figures:
    """Score a system on one set and time each question ``repeat`` times."""
    figures = Figures()
    for question, expected in questions.in_scope:
        answered, order = _timed(system, question, repeat, figures.timings)
        figures.count_in_scope(expected, answered, order)
    for question in questions.out_of_scope:
        answered, _ = _timed(system, question, repeat, figures.timings)
        figures.count_out_of_scope(answered)
    return figures


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


def table(columns: dict[str, Figures], latency: bool) -> str:
    """Lay the figures out side by side."""
    rows = [
        ("hit@1", lambda f: f"{f.top1_rate:.1%}"),
        ("hit@3", lambda f: f"{f.hit3_rate:.1%}"),
        ("MRR", lambda f: f"{f.mrr:.3f}"),
        ("abstention correct (out of scope)", lambda f: f"{f.abstention:.1%}"),
    ]
    if latency:
        rows += [
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
    """Score both systems on every question file and overall, and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per question")
    args = parser.parse_args()
    kb = load_kb()
    systems = {"product": product(AnswerEngine(kb)), "plain BM25": baseline(kb)}
    overall = {name: Figures() for name in systems}
    for questions in load_sets(DATA):
        columns = {
            name: measure(system, questions, args.repeat) for name, system in systems.items()
        }
        for name, figures in columns.items():
            overall[name].add(figures)
        counts = f"{len(questions.in_scope)} in scope, {len(questions.out_of_scope)} out"
        print(f"{questions.name} ({counts})\n\n{table(columns, latency=False)}\n")
    counts = f"{overall['product'].in_scope} in scope, {overall['product'].out_of_scope} out"
    print(f"Overall ({counts})\n\n{table(overall, latency=True)}")


if __name__ == "__main__":
    main()
