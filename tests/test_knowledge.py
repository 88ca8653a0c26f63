"""The knowledge base loader and checker: every fault is reported with its file and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.knowledge import (
    KnowledgeBaseError,
    Problem,
    check_kb,
    default_root,
    load_kb,
    natural_key,
)

BAD = Path(__file__).parent / "data" / "kb_bad"

MEMO_IDS = [
    "memo-purpose",
    "memo-background-name",
    "memo-background-feature-code",
    "memo-background-co-tdc",
    "memo-background-letters",
    "memo-procedural-change",
    "memo-effect",
    "memo-effective-date",
    "memo-contact",
    *(f"x-{n}" for n in range(1, 5)),
    "x1-1",
    "x1-1a",
    "x1-1b",
    "x1-1c",
    "x1-2",
    "x1-3",
    "x1-4",
    "x1-5",
    "x1-5a",
    "x1-5b",
    "x1-5c",
    "x1-5d",
    "x1-6",
    "x1-7",
    "x1-8",
]

SECTION = """\
---
id: {id}
title: "{title}"
citation: {citation}
control: AP-08-0824-0017
effective: 2024-08-26
expires: 2026-08-26
keywords: [{keywords}]
aliases: ["a question"]
related: [{related}]
---
{body}
"""


def write_section(root: Path, section_id: str, citation: str, **fields: str) -> None:
    """Write one valid section file, with any field overridden."""
    values = {
        "id": section_id,
        "title": f"Title of {section_id}",
        "citation": citation,
        "keywords": "fixture",
        "related": "",
        "body": "Some **body** text.",
        **fields,
    }
    (root / f"{section_id}.md").write_text(SECTION.format(**values), encoding="utf-8")


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    """Lay out a valid three-section knowledge base."""
    write_section(tmp_path, "x1-10", "IRM 8.6.1.4.X.1(10)")
    write_section(tmp_path, "x1-2", "IRM 8.6.1.4.X.1(2)", related="x-1", keywords="0110, 2026")
    write_section(tmp_path, "x-1", "AP-08-0824-0017 Background (1)")
    (tmp_path / "glossary.yaml").write_text(
        "- term: ATE\n  expansion: Appeals Technical Employee\n  meaning: Works cases.\n"
        "  variants: [ATEs]\n  sections: [x1-2, x-1]\n",
        encoding="utf-8",
    )
    (tmp_path / "synonyms.yaml").write_text("rep: [representative]\n", encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def bad_problems() -> list[Problem]:
    """Check the folder of faulty fixtures once."""
    return check_kb(BAD)


# --- loading -------------------------------------------------------------------------


def test_a_valid_knowledge_base_loads_in_natural_id_order(small_kb: Path) -> None:
    kb = load_kb(small_kb)

    assert list(kb.sections) == ["x-1", "x1-2", "x1-10"]
    section = kb.section("x1-2")
    assert section.citation == "IRM 8.6.1.4.X.1(2)"
    assert section.effective == date(2024, 8, 26)
    assert section.related == ("x-1",)
    assert section.body == "Some **body** text."
    assert section.path == small_kb / "x1-2.md"


def test_numbers_in_front_matter_stay_text(small_kb: Path) -> None:
    kb = load_kb(small_kb)

    assert kb.section("x1-2").keywords == ("0110", "2026")


def test_glossary_and_synonyms_are_looked_up_by_any_spelling(small_kb: Path) -> None:
    kb = load_kb(small_kb)

    entry = kb.glossary_entry("appeals technical EMPLOYEE")
    assert entry is not None and entry.term == "ATE"
    assert kb.glossary_entry("ATEs") is entry
    assert kb.glossary_entry("nothing") is None
    assert kb.synonyms == {"rep": ("representative",)}
    assert kb.by_citation("irm 8.6.1.4.x.1(10)") is kb.section("x1-10")


def test_expiry_is_the_day_after_the_expiration_date(small_kb: Path) -> None:
    section = load_kb(small_kb).section("x-1")

    assert not section.expired_on(date(2026, 8, 26))
    assert section.expired_on(date(2026, 8, 27))


def test_natural_key_orders_section_ids_as_a_reader_would() -> None:
    ids = ["x1-10", "x1-2", "x1-1a", "x-4", "x1-1"]

    assert sorted(ids, key=natural_key) == ["x-4", "x1-1", "x1-1a", "x1-2", "x1-10"]


def test_load_refuses_an_invalid_knowledge_base_with_every_problem() -> None:
    with pytest.raises(KnowledgeBaseError) as raised:
        load_kb(BAD)

    assert len(raised.value.problems) == len(check_kb(BAD))
    assert "smbot kb check" in str(raised.value)


# --- checking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "field"),
    [
        ("bad-yaml.md", "front matter"),
        ("no-front-matter.md", "front matter"),
        ("missing-title.md", "title"),
        ("wrong-type.md", "keywords"),
        ("id-mismatch.md", "id"),
        ("bad-date.md", "effective"),
        ("date-order.md", "expires"),
        ("bad-citation.md", "citation"),
        ("dup-citation.md", "citation"),
        ("bad-control.md", "control"),
        ("unknown-related.md", "related"),
        ("empty-body.md", "body"),
        ("unknown-field.md", "owner"),
        ("glossary.yaml", "meaning"),
        ("glossary.yaml", "sections"),
        ("synonyms.yaml", "Taxpayer"),
        ("synonyms.yaml", "tp"),
    ],
)
def test_each_fault_is_reported_with_its_file_and_field(
    bad_problems: list[Problem], file: str, field: str
) -> None:
    assert any(p.file == file and p.field == field for p in bad_problems), bad_problems


def test_the_valid_fixture_among_the_bad_ones_has_no_problem_of_its_own(
    bad_problems: list[Problem],
) -> None:
    assert not [p for p in bad_problems if p.file == "good.md"]


def test_a_problem_reads_file_field_message() -> None:
    problem = Problem("x1-3.md", "citation", "duplicate of x1-4.md")

    assert str(problem) == "x1-3.md: citation: duplicate of x1-4.md"


def test_a_duplicate_citation_names_the_other_file(bad_problems: list[Problem]) -> None:
    duplicate = next(p for p in bad_problems if p.message.startswith("duplicate"))

    assert str(duplicate) == "dup-citation.md: citation: duplicate of good.md"


def test_missing_glossary_and_synonyms_are_reported(small_kb: Path) -> None:
    (small_kb / "glossary.yaml").unlink()
    (small_kb / "synonyms.yaml").unlink()

    problems = check_kb(small_kb)

    assert {(p.file, p.field) for p in problems} == {
        ("glossary.yaml", "(file)"),
        ("synonyms.yaml", "(file)"),
    }


def test_a_missing_folder_is_one_problem(tmp_path: Path) -> None:
    problems = check_kb(tmp_path / "absent")

    assert len(problems) == 1 and problems[0].field == "(folder)"


# --- the packaged knowledge base ------------------------------------------------------


def test_the_packaged_knowledge_base_checks_clean() -> None:
    assert [str(p) for p in check_kb()] == []


def test_the_packaged_knowledge_base_has_a_section_per_paragraph() -> None:
    kb = load_kb(default_root())

    assert sorted(kb.sections) == sorted(MEMO_IDS)
