"""The procedure knowledge base: one Markdown file per paragraph, a glossary and synonyms.

Each section file in ``bot/kb/`` holds YAML front matter (id, title, citation, control,
dates, keywords, aliases, related ids) and a Markdown body paraphrasing one paragraph of
the memo. An optional ``off_topic.yaml`` lists topics of the wider workplace the memo does
not cover. ``check_kb`` lists every problem it finds; ``load_kb`` refuses a knowledge base
that has any.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, TypeGuard

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler

logger = logging.getLogger(__name__)

GLOSSARY_FILE = "glossary.yaml"
SYNONYMS_FILE = "synonyms.yaml"
OFF_TOPIC_FILE = "off_topic.yaml"  # optional: topics of the office this memo does not cover

REQUIRED_FIELDS = (
    "id",
    "title",
    "citation",
    "control",
    "effective",
    "expires",
    "keywords",
    "aliases",
)
OPTIONAL_FIELDS = ("related",)
STRING_FIELDS = ("id", "title", "citation", "control")
LIST_FIELDS = ("keywords", "aliases", "related")
DATE_FIELDS = ("effective", "expires")

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONTROL_RE = re.compile(r"^AP-\d{2}-\d{4}-\d{4}$")
IRM_CITATION_RE = re.compile(r"^IRM \d+(?:\.(?:\d+|X))+(?:\(\d+\))?(?:\([a-z]\))?$")
MEMO_CITATION_RE = re.compile(
    r"^AP-\d{2}-\d{4}-\d{4}(?: [A-Z][A-Za-z]*(?: [A-Za-z]+)*)?(?: \(\d+\))?$"
)
GLOSSARY_STRINGS = ("term", "expansion", "meaning")
NOTE_RE = re.compile(r"\(([^)]*)\)")  # a note in a glossary expansion
NOT_SPELLED_OUT = "not spelled out in the memo"


class _PlainTextLoader(yaml.SafeLoader):
    """A safe YAML loader reading every scalar but null as text.

    Keywords such as job series 0110 stay "0110" instead of becoming the octal number 72,
    and a bad date is reported against its own field instead of failing the whole file.
    """


_PlainTextLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FrontMatterHandler(YAMLHandler):
    """Front-matter handler reading YAML with the plain-text loader."""

    def load(self, fm: str, **kwargs: object) -> Any:
        """Parse the front matter."""
        return yaml.load(fm, Loader=_PlainTextLoader)


@dataclass(frozen=True)
class Section:
    """One paragraph of the procedure, with its citation and retrieval hints."""

    id: str
    title: str
    citation: str
    control: str
    effective: date
    expires: date
    keywords: tuple[str, ...]
    aliases: tuple[str, ...]
    related: tuple[str, ...]
    body: str
    path: Path

    def expired_on(self, today: date) -> bool:
        """Return whether the guidance has expired as of ``today``."""
        return today > self.expires


@dataclass(frozen=True)
class GlossaryEntry:
    """An acronym or term of the procedure, what it stands for and where it is used."""

    term: str
    expansion: str
    meaning: str
    variants: tuple[str, ...]
    sections: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Return every spelling of the term: itself, its variants and its expansion."""
        return (self.term, *self.variants, self.expansion)

    @property
    def spelled_out(self) -> bool:
        """Return whether the memo itself gives the expansion.

        The glossary says so in a note in the expansion, "(not spelled out in the memo)";
        such an expansion is the usual reading, not the memo's, and is shown as such.
        """
        notes = " ".join(NOTE_RE.findall(self.expansion)).lower()
        return NOT_SPELLED_OUT not in notes


@dataclass(frozen=True)
class Problem:
    """One fault found in a knowledge-base file."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class KnowledgeBaseError(Exception):
    """The knowledge base failed its checks; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(
            f"the knowledge base has {len(self.problems)} problem(s); "
            f"run `smbot kb check` and fix them:\n{lines}"
        )


@dataclass(frozen=True)
class KnowledgeBase:
    """Sections by id in natural id order, the glossary, synonyms and off-topic vocabulary.

    ``off_topic`` lists words and phrases of the wider workplace that signal a procedure
    this memo does not cover ("settlement letter", "timesheet"), in file order.
    """

    sections: Mapping[str, Section]
    glossary: tuple[GlossaryEntry, ...] = ()
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    off_topic: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Section]:
        return iter(self.sections.values())

    def __len__(self) -> int:
        return len(self.sections)

    def __contains__(self, section_id: object) -> bool:
        return section_id in self.sections

    def section(self, section_id: str) -> Section:
        """Return the section with this id; raise KeyError if there is none."""
        return self.sections[section_id]

    def by_citation(self, citation: str) -> Section | None:
        """Return the section with this citation, ignoring case and spacing, if any."""
        wanted = _squash(citation)
        return next((s for s in self if _squash(s.citation) == wanted), None)

    def glossary_entry(self, name: str) -> GlossaryEntry | None:
        """Return the glossary entry whose term, variant or expansion is ``name``, if any."""
        wanted = _squash(name)
        for entry in self.glossary:
            if any(_squash(spelling) == wanted for spelling in entry.names):
                return entry
        return None


def _squash(text: str) -> str:
    """Return ``text`` lowercased with runs of whitespace made one space."""
    return " ".join(text.lower().split())


def natural_key(section_id: str) -> tuple[tuple[tuple[int, str], ...], ...]:
    """Return a sort key that puts x-4 before x1-1 and x1-2 before x1-10."""
    return tuple(
        tuple((0, f"{int(run):09d}") if run.isdigit() else (1, run) for run in _runs(part))
        for part in section_id.split("-")
    )


def _runs(text: str) -> list[str]:
    """Split text into runs of digits and runs of other characters."""
    return re.findall(r"\d+|\D+", text)


def default_root() -> Path:
    """Return the folder of the packaged knowledge base."""
    return Path(str(resources.files("bot").joinpath("kb")))


def check_kb(root: Path | None = None) -> list[Problem]:
    """Check every file of the knowledge base and return the problems found."""
    _, problems = _read_kb(root or default_root())
    return problems


def load_kb(root: Path | None = None) -> KnowledgeBase:
    """Load the knowledge base; raise KnowledgeBaseError if it has any problem."""
    root = root or default_root()
    kb, problems = _read_kb(root)
    if problems:
        raise KnowledgeBaseError(problems)
    logger.info("knowledge base loaded sections=%d root=%s", len(kb), root)
    return kb


def _read_kb(root: Path) -> tuple[KnowledgeBase, list[Problem]]:
    """Parse and check everything under ``root``; return what parsed and the problems."""
    problems: list[Problem] = []
    if not root.is_dir():
        return KnowledgeBase({}), [Problem(str(root), "(folder)", "not a folder")]

    sections: dict[str, Section] = {}
    for path in sorted(root.glob("*.md"), key=lambda p: natural_key(p.stem)):
        section = _read_section(path, problems)
        if section is not None:
            sections[section.id] = section
    if not sections and not problems:
        problems.append(Problem(root.name, "(folder)", "no section files (*.md)"))
    problems += _check_cross_references(sections)

    glossary = _read_glossary(root / GLOSSARY_FILE, sections, problems)
    synonyms = _read_synonyms(root / SYNONYMS_FILE, problems)
    off_topic = _read_off_topic(root / OFF_TOPIC_FILE, glossary, synonyms, problems)
    return KnowledgeBase(sections, tuple(glossary), synonyms, tuple(off_topic)), problems


# --- section files ------------------------------------------------------------


def _read_section(path: Path, problems: list[Problem]) -> Section | None:
    """Parse one section file, adding its problems; return None if it is unusable."""
    found: list[Problem] = []
    meta, body = _parse_front_matter(path, found)
    if meta is not None:
        _check_fields(path, meta, found)
        if not body.strip():
            found.append(Problem(path.name, "body", "empty: write the paragraph below the ---"))
    problems += found
    if meta is None or found:
        return None
    return Section(
        id=meta["id"],
        title=meta["title"].strip(),
        citation=meta["citation"].strip(),
        control=meta["control"].strip(),
        effective=_as_date(meta["effective"]) or date.min,
        expires=_as_date(meta["expires"]) or date.max,
        keywords=tuple(meta["keywords"]),
        aliases=tuple(meta["aliases"]),
        related=tuple(meta.get("related") or ()),
        body=body.strip(),
        path=path,
    )


def _parse_front_matter(path: Path, found: list[Problem]) -> tuple[dict[str, Any] | None, str]:
    """Split a section file into its front matter and body, reporting unreadable ones."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        found.append(Problem(path.name, "(file)", f"cannot be read: {exc}"))
        return None, ""
    if not text.lstrip().startswith("---"):
        found.append(Problem(path.name, "front matter", "missing: start the file with ---"))
        return None, ""
    try:
        post = frontmatter.loads(text, handler=_FrontMatterHandler())
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        found.append(Problem(path.name, "front matter", f"not valid YAML: {reason}"))
        return None, ""
    if not post.metadata:
        found.append(Problem(path.name, "front matter", "empty, or not closed with ---"))
        return None, ""
    return dict(post.metadata), post.content


def _check_fields(path: Path, meta: dict[str, Any], found: list[Problem]) -> None:
    """Check presence, types and values of every front-matter field."""
    name = path.name
    for key in REQUIRED_FIELDS:
        if key not in meta or meta[key] is None:
            found.append(Problem(name, key, "missing"))
    for key in sorted(set(meta) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)):
        found.append(Problem(name, key, "unknown field (misspelt?)"))
    for key in STRING_FIELDS:
        if meta.get(key) is not None and not _is_text(meta[key]):
            found.append(Problem(name, key, "must be non-empty text"))
    for key in LIST_FIELDS:
        if meta.get(key) is not None and not _is_text_list(meta[key]):
            found.append(Problem(name, key, "must be a list of non-empty text items"))
    _check_dates(name, meta, found)
    _check_values(path, meta, found)


def _check_dates(name: str, meta: dict[str, Any], found: list[Problem]) -> None:
    """Check that both dates are real dates and effective is not after expires."""
    dates: dict[str, date] = {}
    for key in DATE_FIELDS:
        if meta.get(key) is None:
            continue
        value = _as_date(meta[key])
        if value is None:
            found.append(Problem(name, key, f"not a date: {meta[key]!r} (use YYYY-MM-DD)"))
        else:
            dates[key] = value
    if len(dates) == 2 and dates["effective"] > dates["expires"]:
        found.append(
            Problem(
                name,
                "expires",
                f"{dates['expires']} is before effective date {dates['effective']}",
            )
        )


def _check_values(path: Path, meta: dict[str, Any], found: list[Problem]) -> None:
    """Check the id, citation, control number and related ids against their patterns."""
    name = path.name
    section_id, citation, control = meta.get("id"), meta.get("citation"), meta.get("control")
    if _is_text(section_id) and section_id != path.stem:
        found.append(Problem(name, "id", f"{section_id!r} does not match the file name"))
    elif _is_text(section_id) and not ID_RE.match(section_id):
        found.append(Problem(name, "id", "use lowercase letters, digits and hyphens"))
    if _is_text(citation) and not _citation_ok(citation.strip()):
        found.append(
            Problem(
                name,
                "citation",
                f"{citation!r} is neither like 'IRM 8.6.1.4.X.1(5)(a)' "
                "nor like 'AP-08-0824-0017 Background (2)'",
            )
        )
    if _is_text(control) and not CONTROL_RE.match(control.strip()):
        found.append(Problem(name, "control", f"{control!r} is not like AP-08-0824-0017"))
    if _is_text_list(meta.get("related")) and path.stem in meta["related"]:
        found.append(Problem(name, "related", "a section cannot be related to itself"))


def _citation_ok(citation: str) -> bool:
    """Return whether a citation is an IRM paragraph or a memo part."""
    return bool(IRM_CITATION_RE.match(citation) or MEMO_CITATION_RE.match(citation))


def _check_cross_references(sections: Mapping[str, Section]) -> list[Problem]:
    """Report duplicate citations and related ids that name no section."""
    problems: list[Problem] = []
    seen: dict[str, Section] = {}
    for section in sections.values():
        key = _squash(section.citation)
        if key in seen:
            first = seen[key].path.name
            problems.append(Problem(first, "citation", f"duplicate of {section.path.name}"))
        else:
            seen[key] = section
        for other in section.related:
            if other not in sections:
                problems.append(Problem(section.path.name, "related", f"no section {other!r}"))
    return problems


def _is_text(value: object) -> TypeGuard[str]:
    """Return whether ``value`` is a string with something in it."""
    return isinstance(value, str) and bool(value.strip())


def _is_text_list(value: object) -> TypeGuard[list[str]]:
    """Return whether ``value`` is a list of non-empty strings."""
    return isinstance(value, list) and all(_is_text(item) for item in value)


def _as_date(value: object) -> date | None:
    """Return ``value`` as a date if it is one or an ISO date string, else None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


# --- glossary and synonyms -----------------------------------------------------


def _load_yaml(path: Path, problems: list[Problem]) -> Any:
    """Read a YAML file, reporting a missing or unparseable one; None then."""
    if not path.is_file():
        problems.append(Problem(path.name, "(file)", "missing"))
        return None
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_PlainTextLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())
        problems.append(Problem(path.name, "(file)", f"not valid YAML: {reason}"))
        return None


def _read_glossary(
    path: Path, sections: Mapping[str, Section], problems: list[Problem]
) -> list[GlossaryEntry]:
    """Parse and check the glossary: a list of term, expansion, meaning, sections."""
    data = _load_yaml(path, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem(path.name, "(file)", "must be a list of entries"))
        return []
    entries: list[GlossaryEntry] = []
    terms: set[str] = set()
    for number, item in enumerate(data, start=1):
        entry = _read_glossary_entry(path.name, number, item, sections, problems)
        if entry is None:
            continue
        if _squash(entry.term) in terms:
            problems.append(
                Problem(path.name, "term", f"entry {number}: duplicate {entry.term!r}")
            )
        terms.add(_squash(entry.term))
        entries.append(entry)
    return entries


def _read_glossary_entry(
    name: str, number: int, item: object, sections: Mapping[str, Section], problems: list[Problem]
) -> GlossaryEntry | None:
    """Check one glossary entry; return it if it is complete and valid."""
    if not isinstance(item, dict):
        problems.append(Problem(name, "(entry)", f"entry {number}: must be a mapping"))
        return None
    label = f"entry {number}" + (f" ({item['term']})" if _is_text(item.get("term")) else "")
    found: list[Problem] = []
    for key in GLOSSARY_STRINGS:
        if not _is_text(item.get(key)):
            found.append(Problem(name, key, f"{label}: missing or not text"))
    if "variants" in item and not _is_text_list(item["variants"]):
        found.append(Problem(name, "variants", f"{label}: must be a list of text items"))
    ids = item.get("sections")
    if not _is_text_list(ids) or not ids:
        found.append(Problem(name, "sections", f"{label}: must list at least one section id"))
    else:
        found += [
            Problem(name, "sections", f"{label}: no section {sid!r}")
            for sid in ids
            if sid not in sections
        ]
    problems += found
    if found:
        return None
    return GlossaryEntry(
        term=item["term"].strip(),
        expansion=item["expansion"].strip(),
        meaning=item["meaning"].strip(),
        variants=tuple(v.strip() for v in item.get("variants") or ()),
        sections=tuple(item["sections"]),
    )


def _read_synonyms(path: Path, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    """Parse and check the synonyms: lowercase phrase -> list of knowledge-base words."""
    data = _load_yaml(path, problems)
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(path.name, "(file)", "must map each phrase to a list of words"))
        return {}
    synonyms: dict[str, tuple[str, ...]] = {}
    for phrase, words in data.items():
        label = str(phrase)
        if not _is_text(phrase) or phrase != _squash(phrase):
            problems.append(Problem(path.name, label, "phrase must be lowercase text"))
        elif not _is_text_list(words) or not words:
            problems.append(Problem(path.name, label, "must be a non-empty list of words"))
        else:
            synonyms[phrase] = tuple(w.strip() for w in words)
    return synonyms


def _read_off_topic(
    path: Path,
    glossary: list[GlossaryEntry],
    synonyms: Mapping[str, tuple[str, ...]],
    problems: list[Problem],
) -> list[str]:
    """Parse and check the optional off-topic vocabulary: group -> list of phrases.

    Every phrase must be lowercase text, unique across the file, and neither a glossary
    name nor a synonym phrase: a word cannot both mean a knowledge-base word and signal a
    topic the memo does not cover.
    """
    if not path.is_file():
        return []
    data = _load_yaml(path, problems)
    if data is None:
        return []
    if not isinstance(data, dict):
        problems.append(Problem(path.name, "(file)", "must map each group to a list of phrases"))
        return []
    taken = {_squash(name): "a glossary name" for entry in glossary for name in entry.names}
    taken.update({phrase: "a synonym in synonyms.yaml" for phrase in synonyms})
    seen: dict[str, str] = {}
    phrases: list[str] = []
    for group, items in data.items():
        label = str(group)
        if not _is_text(group):
            problems.append(Problem(path.name, label, "group name must be text"))
            continue
        if not _is_text_list(items) or not items:
            problems.append(Problem(path.name, label, "must be a non-empty list of phrases"))
            continue
        for item in items:
            phrase = item.strip()
            if phrase != _squash(phrase):
                problems.append(Problem(path.name, label, f"{item!r}: must be lowercase"))
            elif phrase in seen:
                problems.append(
                    Problem(path.name, label, f"{phrase!r}: duplicate (also in {seen[phrase]!r})")
                )
            elif phrase in taken:
                problems.append(Problem(path.name, label, f"{phrase!r}: is {taken[phrase]}"))
            else:
                seen[phrase] = label
                phrases.append(phrase)
    return phrases
