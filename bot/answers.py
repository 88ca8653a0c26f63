"""Answer "what does the procedure say?" with the paragraph that says it, or abstain.

The engine ranks the knowledge-base sections with BM25 (the ``bm25s`` library) after a
query pipeline of its own: lowercase, tokenise (codes such as ``co-tdc`` or ``6271`` kept
whole and also split), correct typos, expand acronyms and plain words through the
glossary and the synonym table, drop stopwords, strip common suffixes; neighbouring
words also count as pairs. It abstains when the top section does not contain enough of
the question's content words, or contains them only in passing rather than in what the
section is about. Ordinary English (filler, common adverbs, chat shorthand and idioms such
as "out of the blue") is not content, so it neither helps nor hurts that judgement. A known
word the top section lacks counts fully against it; words the knowledge base has never
seen count only weakly, together as much as one typical specific word of the question,
except the topics of the wider workplace listed in ``off_topic.yaml`` ("settlement letter",
"timesheet", "levy"): each of those the top section does not itself contain counts one and
a half times a typical specific word against it, so only a section that explains three or
more specific words of the question still answers. docs/knowledge-base.md explains each
signal and threshold.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import bm25s
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot import texts
from bot.errors import UserError
from bot.knowledge import GlossaryEntry, KnowledgeBase, Section, load_kb
from bot.mrkdwn import escape, to_mrkdwn
from bot.settings import Settings
from reminders.when import parse_case_number

logger = logging.getLogger(__name__)

# --- tuning: measured on tests/data/questions.yaml, see docs/knowledge-base.md ------

BM25_K1 = 1.2  # the usual BM25 defaults; nothing else did better on the question set
BM25_B = 0.75
KEYWORD_REPEAT = 2  # keywords say what a section is about: count them twice
PRIMARY_REPEAT = 2  # a glossary term counts twice in the first section its entry lists
PART_WEIGHT = 0.5  # "co" and "tdc" from "co-tdc" count for less than the whole code
EXPANSION_WEIGHT = 0.5  # words a glossary entry or a synonym brings in
FILLER_WEIGHT = 0.5  # filler and common words still rank, but less than content words
BIGRAM_WEIGHT = 0.5  # two neighbouring words ("every case", "first message") as one term
TYPO_MIN_LENGTH = 4
TYPO_MAX_DISTANCE = 0.2  # optimal-string-alignment edits per letter: one slip in five
PREFIX_MIN_SHARE = 0.6  # a known stem must make up this much of an unknown word's stem
MIN_EXPLAINED = 0.62  # IDF-weighted share of the question's words the top section has
MIN_ON_TOPIC = 0.4  # ... and share found in its title, keywords, aliases or glossary terms
SPECIFIC_SHARE = 1 / 3  # a known word found in at most this share of sections is specific
UNSEEN_SHARE = 1.0  # all unseen content words together weigh this times the median specific one
OFF_TOPIC_SHARE = 1.5  # each off-topic phrase the top section lacks weighs this times that
MAX_RELATED = 3
CACHE_SIZE = 4096
# The office's case-number form; a case number in a question is never part of what it asks.
DEFAULT_CASE_NUMBER_PATTERN: str = Settings.model_fields["case_number_pattern"].default

# --- tokenising ----------------------------------------------------------------------

WORD_RE = re.compile(r"[a-z0-9]+(?:[&./-][a-z0-9]+)*")
SPLIT_RE = re.compile(r"[&./-]")
PARENTHETICAL_RE = re.compile(r"\([^)]*\)")

# English function words: pronouns, articles, auxiliaries, prepositions, conjunctions.
_STOPWORD_TEXT = """
    a about above across after again against all along already although am among an and
    another any anyone anything are around as at be because been before being below
    beside besides between beyond both but by can could did do does doing done during
    either else etc even ever everyone everything few for from had has have
    having he her here hers him his how i if im in instead into is it its itself just let
    lets may me might mid mine more most much must my myself neither no nor not of off on
    once one only or other our ours out over own past per please really shall she should
    since so some someone something such sure than that the their theirs them then there
    these they this those though through to too toward towards under unless until up upon
    us very via was we were what whats when where whether which while who whom whose why
    will with within without would yet you your yours yourself
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Words that carry a question's intent but not its topic. They are scored (at FILLER_WEIGHT),
# but they do not count when judging how much of a question a section explains. "each" and
# "every" are here rather than in STOPWORDS so that pairs such as "every case" are indexed.
_FILLER_TEXT = """
    actual actually also ask asked each every exactly find finding finds found get gets
    getting go goes going got happen happens know like make makes made making mean means need
    needed
    needs now ok okay point put puts putting say says saying see still supposed take takes
    taking took tell thing things use used uses using want wanted wants
"""
FILLER = frozenset(_FILLER_TEXT.split())

# Common English words that say nothing about what a question is about: adverbs of time
# and degree, hedges, greetings, weekdays, vague nouns and adjectives. Like FILLER they are
# scored but do not count as content, are never "corrected" into a knowledge-base word, and
# are skipped when pairing neighbours, so "do I need to offer it on every single case" is
# judged on its topic words alone. Words the procedure uses as terms of art (start, end,
# sign, rule, reason, course, choice, several, blank, issue, necessary, long) are left out.
_COMMON_TEXT = """
    able absolutely additional additionally advance advice afraid ago ahead alright
    altogether always amount anybody anyhow anymore anyway anyways anywhere apparently
    appreciate appropriate approximately assume assuming aware away awhile bad basic
    basically become becomes becoming believe best better big bit bother bunch busy
    certain certainly chance clarify clear clearly come comes coming common commonly
    completely concern concerned confirm confused confusing consider correctly couple
    curious currently deal decide definitely despite difference different difficult
    directly double easily easy elsewhere enough entire entirely especially everybody
    everyday everywhere exact example except expect explain fact fair fairly familiar
    far feel finally fine fix folks following forget forgot frankly friday generally
    given glad gonna good gotten great guess guy guys happy hard hear heard hello hey hi
    hmm honestly hope hopefully however idea imagine important indeed info information
    instance interested involved kind kinda knew known largely last lately least less
    likely literally little look looking looks lot lots main mainly matter maybe
    meant meantime meanwhile mention mentioned mind moment monday mostly namely
    naturally nearly never next nice nobody nonetheless normal normally nothing
    obviously often otherwise overall particular particularly perhaps place plus
    possible possibly practically pretty previously probably properly quick
    quickly quite rather ready real realize realized recently regard regarding
    regardless regards related relevant remember right same saturday scenario seem
    seemed seems seriously short shouldnt similar simple simply single situation small
    somebody somehow sometime sometimes somewhat somewhere soon sorry sort specific
    specifically stuff suddenly sunday suppose surely thank thanks themselves therefore
    think thinking thought thursday thus today together tomorrow totally true truly try
    trying tuesday turn typically ugh unclear understand understanding unfortunately
    unsure unusual usual usually various wanna way ways wednesday week weird well
    whatever whenever wherever whichever whoever whole wonder wondering work works
    worried worry wrong yeah yes yesterday
"""
# Chat shorthand and urgency, which say how a question is asked, never what it is about.
_CHAT_TEXT = """
    asap btw cheers dunno fyi gotta idk imo kindly lol pls plz tbh thx ty urgent urgently
"""
COMMON = frozenset(_COMMON_TEXT.split()) | frozenset(_CHAT_TEXT.split())

# Idioms whose words would otherwise look like content ("case" in "just in case").
_FILLER_PHRASE_TEXT = """
    all of a sudden / as soon as possible / as well / at all / by the way / dumb question /
    every single / for sure / heads up / in general / is that alright / is that ok /
    is that okay / just in case / one more question / out of the blue / question for you /
    quick question / random question / right now / silly question / so far /
    where do i begin / where do i start / where to start
"""
FILLER_PHRASES = tuple(tuple(phrase.split()) for phrase in _FILLER_PHRASE_TEXT.split("/"))
NOT_CONTENT = STOPWORDS | FILLER | COMMON
UNPAIRED = STOPWORDS | COMMON  # skipped when pairing neighbours: "every single case"

# Past forms the suffix stripper cannot reach.
IRREGULAR = {
    "began": "begin",
    "begun": "begin",
    "bought": "buy",
    "brought": "bring",
    "chose": "choose",
    "chosen": "choose",
    "found": "find",
    "gave": "give",
    "given": "give",
    "held": "hold",
    "kept": "keep",
    "paid": "pay",
    "sent": "send",
    "told": "tell",
    "went": "go",
    "written": "write",
    "wrote": "write",
}

# Kept intact and never stemmed: they are codes or names, not English words.
_DIGIT = re.compile(r"\d")

# Negatives typed without their apostrophe ("doesnt", "dont", "isnt") read as with it.
_BARE_NEGATIVE_RE = re.compile(
    r"\b(do|does|did|is|are|was|were|has|have|had|should|could|would|must|need)nt\b"
)
# Chat spellings of function words, so that "wat is the egain number" reads as "what is".
SHORTHAND = {
    "wat": "what",
    "wut": "what",
    "wht": "what",
    "wats": "whats",
    "wuts": "whats",
    "u": "you",
    "ur": "your",
    "r": "are",
}
_CANNOT_RE = re.compile(r"\b(?:can't|cannot|cant)\b")
_WONT_RE = re.compile(r"\bwon'?t\b")
_NOT_RE = re.compile(r"n't\b")
_CLITIC_RE = re.compile(r"'(?:s|re|ve|ll|d|m)\b")


def normalise(text: str) -> str:
    """Lowercase, straighten quotes and drop possessive and negative contractions."""
    text = text.lower().replace("\u2019", "'").replace("`", "'")
    text = _NOT_RE.sub(" not", _WONT_RE.sub("will not", _CANNOT_RE.sub("can not", text)))
    text = _BARE_NEGATIVE_RE.sub(r"\1 not", text)
    return _CLITIC_RE.sub("", text)


def words(text: str) -> list[str]:
    """Split text into surface words, codes such as co-tdc or 8.24.1 kept whole.

    Chat spellings of function words are read as the words they stand for (``SHORTHAND``).
    """
    return [SHORTHAND.get(word, word) for word in WORD_RE.findall(normalise(text))]


def stem(word: str) -> str:
    """Strip a plural, -ing or -ed, and a final e, so record, records and recorded meet."""
    word = IRREGULAR.get(word, word)
    if len(word) <= 3 or _DIGIT.search(word) or SPLIT_RE.search(word):
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def parts(word: str) -> list[str]:
    """Return the pieces of a code such as co-tdc or lb&i; empty for a plain word."""
    if not SPLIT_RE.search(word):
        return []
    return [stem(piece) for piece in SPLIT_RE.split(word) if len(piece) > 1 or piece.isdigit()]


def index_terms(text: str) -> list[str]:
    """Tokenise text for the index: stems of content words, codes whole and in pieces."""
    terms: list[str] = []
    for word in words(text):
        if word in STOPWORDS:
            continue
        terms.append(stem(word))
        terms += [piece for piece in parts(word) if piece not in STOPWORDS]
    return terms


def bigrams(stems: Sequence[str]) -> list[str]:
    """Return each pair of neighbouring stems as one term, such as "every cas"."""
    return [f"{first} {second}" for first, second in itertools.pairwise(stems)]


def _strip_notes(name: str) -> str:
    """Drop parenthetical notes from a glossary expansion."""
    return " ".join(PARENTHETICAL_RE.sub(" ", name).split())


# --- what is not part of a question ----------------------------------------------------

# Small talk is a message made only of these words; which kind decides the reply.
_THANKS_TEXT = """
    thanks thank thx ty tysm cheers appreciated appreciate helps helped helpful ok okay cool
    great perfect awesome gotcha noted
"""
_HELP_TEXT = "help commands command menu usage options"
_GREETING_TEXT = "hi hello hey hiya howdy yo greetings morning afternoon evening"
_COURTESY_TEXT = """
    you so much very a lot all good there bot smbot again please pls plz me everyone folks
    guys got it that for the your this
"""
_THANKS_WORDS = frozenset(_THANKS_TEXT.split())
_HELP_WORDS = frozenset(_HELP_TEXT.split())
_GREETING_WORDS = frozenset(_GREETING_TEXT.split())
_COURTESY_WORDS = frozenset(_COURTESY_TEXT.split())
_SMALL_TALK_WORDS = _THANKS_WORDS | _HELP_WORDS | _GREETING_WORDS | _COURTESY_WORDS
_HELP_PHRASES = frozenset(
    {"what can you do", "what do you do", "how do i use you", "how does this work"}
)
SMALL_TALK_MAX_CHARS = 60  # small talk is short: "thank you so much, that helps a lot" is 35
_CASE_WORD = "case"
_EDGE_PUNCTUATION = "\"'()[]{}<>,.;:!?#*_"


def chat_reply(question: str) -> str | None:
    """Return the reply to small talk or a request for help, or None for a real question.

    A message counts only if every word of it is a greeting, thanks, a request for help or
    a courtesy ("thanks so much", "hi there", "help me"); "hi, which code for CO-TDC" is a
    question. Thanks win over help ("thanks for the help"), help over a greeting.
    """
    if len(question) > SMALL_TALK_MAX_CHARS:
        return None
    said = words(question)
    found = set(said)
    if " ".join(said) in _HELP_PHRASES:
        return texts.HELP
    if not found <= _SMALL_TALK_WORDS:
        return None
    if found & _THANKS_WORDS:
        return texts.THANKS_REPLY
    if found & _HELP_WORDS:
        return texts.HELP
    if found & _GREETING_WORDS:
        return texts.GREETING_REPLY
    return None


def without_case_numbers(question: str, pattern: str = DEFAULT_CASE_NUMBER_PATTERN) -> str:
    """Drop the case numbers from a question, with the word "case" that names one.

    A case number says which case, never what is asked: "APL-26-0001 tp wants to stop
    using sm" asks what "tp wants to stop using sm" asks. A word with a digit in it is a
    case number when, stripped of punctuation, `/sm received` would take it for one.
    """
    tokens = question.split()
    numbers = {i for i, token in enumerate(tokens) if _is_case_number(token, pattern)}
    if not numbers:
        return question
    named = set()
    for i in numbers:  # "case APL-26-0001", "case #APL-26-0001", "the APL-26-0001 case"
        for j in (i - 1, i + 1):
            if 0 <= j < len(tokens) and tokens[j].strip(_EDGE_PUNCTUATION).lower() == _CASE_WORD:
                named.add(j)
                break
    return " ".join(token for i, token in enumerate(tokens) if i not in numbers | named)


def _is_case_number(token: str, pattern: str) -> bool:
    """Return whether a word of a question is a case number of the office's form."""
    core = token.strip(_EDGE_PUNCTUATION)
    if not _DIGIT.search(core):
        return False
    try:
        parse_case_number(core, pattern)
    except UserError:
        return False
    return True


# --- answers -------------------------------------------------------------------------


@dataclass
class Answer:
    """What the engine says: the cited paragraph, or that the procedure does not cover it.

    ``score`` is between 0 and 1: the IDF-weighted share of the question's content words
    that the top section contains (1.0 for a glossary definition; for an abstention, the
    share that fell short). ``related_titles`` goes with ``related``, for display. ``chat``
    is set when the "question" was small talk or a request for help: ``text`` is then a
    chat reply (the command list, a greeting), neither an answer nor an unanswered question.
    """

    answered: bool
    section: str | None
    citation: str | None
    title: str | None
    text: str
    score: float
    related: list[str] = field(default_factory=list)
    related_titles: list[str] = field(default_factory=list)
    expired: bool = False
    chat: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the contract fields of ``smbot ask --json``."""
        return {
            "answered": self.answered,
            "section": self.section,
            "citation": self.citation,
            "title": self.title,
            "text": self.text,
            "score": round(self.score, 4),
            "related": list(self.related),
        }


def refused_json(message: str) -> dict[str, Any]:
    """Return the ``smbot ask --json`` object of a refused question.

    It has every contract key of ``Answer.to_json`` (null where there is nothing to give,
    ``text`` the refusal as a person would read it) and ``error``, the same message.
    """
    return {
        "answered": False,
        "section": None,
        "citation": None,
        "title": None,
        "text": message,
        "score": None,
        "related": [],
        "error": message,
    }


@dataclass
class QueryWord:
    """One word of a question and the weighted index terms it stands for.

    ``content`` is false for stopwords, filler, common words and filler idioms; ``unit``
    is shared by the words of one glossary name or synonym phrase ("carats code", "power of
    attorney"), which count as one idea when judging how much of a question is explained.
    ``off_topic`` is set on the words of a phrase from ``off_topic.yaml`` ("conference
    room", "timesheet"): the terms a section must contain to be about that topic itself.
    """

    surface: str
    content: bool
    terms: dict[str, float] = field(default_factory=dict)
    unit: int = 0
    off_topic: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ranking:
    """Sections ranked for a question, with the two signals abstention is decided on.

    ``explained`` is the IDF-weighted share of the question's content that the top
    section contains; ``on_topic`` is the share found in what the section is about: its
    title, keywords, aliases (with their synonyms) and the glossary terms that list it.
    """

    order: list[int]
    scores: np.ndarray
    explained: float = 0.0
    on_topic: float = 0.0

    @property
    def confident(self) -> bool:
        """Return whether the top section answers the question."""
        return (
            bool(self.order) and self.explained >= MIN_EXPLAINED and self.on_topic >= MIN_ON_TOPIC
        )


class AnswerEngine:
    """Answers questions from one knowledge base; build it once and reuse it."""

    def __init__(
        self, kb: KnowledgeBase, case_number_pattern: str = DEFAULT_CASE_NUMBER_PATTERN
    ) -> None:
        self.kb = kb
        self.case_number_pattern = case_number_pattern
        self._sections: list[Section] = list(kb)
        self._ids = [section.id for section in self._sections]
        self._bodies = {section.id: to_mrkdwn(section.body) for section in self._sections}
        self._phrases = _PhraseTable(kb)
        self._off_topic = _OffTopicTable(kb.off_topic, kb.synonyms)
        self._build_index()
        self._corrector = _TypoCorrector(
            self._surface_vocabulary(), self._vocab, self._off_topic.words
        )
        logger.info("answer engine ready sections=%d terms=%d", len(self._ids), len(self._vocab))

    @classmethod
    def default(cls) -> AnswerEngine:
        """Return the engine for the packaged knowledge base, built on first use."""
        return _default_engine()

    # --- building ---------------------------------------------------------------------

    def _document_terms(self, section: Section) -> list[str]:
        """Tokenise a section: title, keywords, aliases, body and glossary expansions."""
        text = " ".join((section.title, *section.keywords, *section.aliases, section.body))
        terms = index_terms(text)
        terms += index_terms(" ".join(section.keywords)) * (KEYWORD_REPEAT - 1)
        terms += self._phrases.synonyms_in(_topic_text(section))
        for part in (section.title, *section.keywords, *section.aliases, section.body):
            terms += bigrams([stem(word) for word in words(part) if word not in UNPAIRED])
        for entry in self._phrases.entries_in(text):
            primary = entry.sections[0] == section.id
            terms += _names_terms(entry) * (PRIMARY_REPEAT if primary else 1)
        return terms

    def _topic_terms(self, section: Section) -> set[str]:
        """Return the terms of what a section is about, as opposed to what its body says.

        The glossary terms that list the section count, and their variants, but not the
        single words of a spelled-out name: STARS is about the *Shared Team of
        Administrative and Redaction Support*, not about teams or support. The whole name
        typed in a question still reaches the term itself, which counts.
        """
        text = _topic_text(section)
        terms = set(index_terms(text)) | set(self._phrases.synonyms_in(text))
        for entry in self.kb.glossary:
            if section.id in entry.sections:
                terms.update(index_terms(" ".join(_topic_names(entry))))
        return terms

    def _build_index(self) -> None:
        """Index every section with bm25s; keep each term's score and topic flag per section."""
        corpus = [self._document_terms(section) for section in self._sections]
        self._bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        self._bm25.index(corpus, show_progress=False)
        indexed = len(self._bm25.scores["indptr"]) - 1  # bm25s adds "" past the index
        self._vocab = {term: i for term, i in self._bm25.vocab_dict.items() if i < indexed}
        self._term_scores = np.vstack(
            [self._bm25.get_scores_from_ids([i]) for i in range(indexed)]
        )
        self._on_topic = np.zeros(self._term_scores.shape, dtype=bool)
        for column, section in enumerate(self._sections):
            rows = [self._vocab[t] for t in self._topic_terms(section) if t in self._vocab]
            self._on_topic[rows, column] = True
        documents = len(corpus)
        self._idf = _idf(documents, (self._term_scores > 0).sum(axis=1))
        self._specific_idf = float(_idf(documents, np.array([documents * SPECIFIC_SHARE]))[0])

    def _surface_vocabulary(self) -> set[str]:
        """Return every plain word typo correction may map a question word to."""
        sources = [" ".join((s.title, *s.keywords, *s.aliases, s.body)) for s in self._sections]
        sources += [" ".join(entry.names) for entry in self.kb.glossary]
        sources += list(self.kb.synonyms)
        return {
            word
            for text in sources
            for word in words(text)
            if word.isalpha() and len(word) >= TYPO_MIN_LENGTH and word not in STOPWORDS
        }

    # --- asking -----------------------------------------------------------------------

    def ask(self, question: str, today: date) -> Answer:
        """Answer a question as of ``today``; the question text is never logged.

        Small talk and a request for help get their chat reply (``chat`` set). Case numbers
        are left out (``case_number_pattern``): they say which case, not what is asked.
        """
        reply = chat_reply(question)
        question = without_case_numbers(question, self.case_number_pattern)
        entry = None if reply else self._phrases.definition_asked(question, self._corrector)
        cited = None if reply or entry else self.cited_section(question)
        if reply is not None:
            answer = Answer(False, None, None, None, reply, 0.0, chat=True)
        elif entry is not None:
            answer = self._define(entry, today)
        elif cited is not None:  # "what does X.1(6) say": the paragraph it names
            answer = self._cite(cited, today, 1.0, self.ranked_sections(question))
        elif not any(ch.isalpha() for ch in question):  # "1", "-1": nothing is asked
            answer = self.not_covered(0.0)
        else:
            answer = self._answer(self.rank(question), today)
        logger.debug(
            "answered=%s section=%s score=%.3f chat=%s",
            answer.answered,
            answer.section,
            answer.score,
            answer.chat,
        )
        return answer

    def analyse(self, question: str) -> list[QueryWord]:
        """Run the query pipeline: correct typos, expand phrases, drop stopwords, stem."""
        question = without_case_numbers(question, self.case_number_pattern)
        surface = [self._corrector.correct(word) for word in words(question)]
        stems = [stem(word) for word in surface]
        query = [
            QueryWord(word, word not in NOT_CONTENT, unit=i) for i, word in enumerate(surface)
        ]
        for start, length in _phrase_starts(surface, FILLER_PHRASES):
            for word in query[start : start + length]:
                word.content = False
        for start, length, terms in self._phrases.matches(stems):
            span = query[start : start + length]
            unit = span[0].unit  # "carats code", "power of attorney": one idea, one unit
            for word in span:
                word.unit = unit
                for term in terms:
                    _raise(word.terms, term, EXPANSION_WEIGHT)
        for positions, needed in self._off_topic.matches(surface, stems, query):
            unit = query[positions[0]].unit  # "conference room": one topic, one unit
            for position in positions:
                query[position].content = True
                query[position].unit = unit
                query[position].off_topic = needed
        for word, term in zip(query, stems, strict=True):
            if word.surface not in STOPWORDS:  # "paste" stems to "past", a stopword, yet counts
                weight = 1.0 if word.content else FILLER_WEIGHT
                word.terms[term] = max(word.terms.get(term, 0.0), weight)
            for piece in parts(word.surface):
                _raise(word.terms, piece, PART_WEIGHT)
        return query

    def rank(self, question: str) -> Ranking:
        """Rank every section for a question and measure how well the best one explains it."""
        query = self.analyse(question)
        weights: dict[int, float] = {}
        for word in query:
            for term, weight in word.terms.items():
                if term in self._vocab:
                    row = self._vocab[term]
                    weights[row] = max(weights.get(row, 0.0), weight)
        kept = [stem(word.surface) for word in query if word.surface not in UNPAIRED]
        for term in bigrams(kept):
            if term in self._vocab:
                row = self._vocab[term]
                weights[row] = max(weights.get(row, 0.0), BIGRAM_WEIGHT)
        if not weights:
            return Ranking([], np.zeros(len(self._ids)))
        rows = np.fromiter(weights, dtype=np.int64)
        scores = np.fromiter(weights.values(), dtype=np.float32) @ self._term_scores[rows]
        order = [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
        if not order:
            return Ranking([], scores)
        return Ranking(order, scores, *self._explained(query, order[0]))

    def cited_section(self, question: str) -> Section | None:
        """Return the section whose citation the question names, the most specific one.

        "IRM 8.6.1.4.X.1(6)", "X.1(6)", "x.1 (6)", "AP-08-0824-0017 Background (3)" and
        "Background (3)" name sections; a question that names none gets None.
        """
        typed = _citation_key(question)
        # Only citations with a paragraph number: "Purpose" alone is an ordinary word.
        named = [
            s
            for s in self._sections
            if "(" in _citation_key(s.citation) and _citation_key(s.citation) in typed
        ]
        return max(named, key=lambda s: len(_citation_key(s.citation)), default=None)

    def ranked_sections(self, question: str) -> list[str]:
        """Return the ids of every section that matches the question, best first."""
        return [self._ids[i] for i in self.rank(question).order]

    def _explained(self, query: list[QueryWord], top: int) -> tuple[float, float]:
        """Return the IDF-weighted shares of the question the top section explains.

        The question's content words are grouped into units (the words of one glossary or
        synonym phrase make one unit). A unit the knowledge base knows weighs the IDF of its
        rarest known term; the top section explains the share of that weight carried by the
        best of the unit's terms it contains (a synonym or a code's piece counts for its
        weight), and is on topic for the share carried by the best of them found in its
        title, keywords, aliases or glossary terms. A known word the top section lacks is
        the real evidence that the question is about something else, and counts in full.

        Units the knowledge base has never seen are weak evidence: a case worker's own words
        ("ping", "newbie", "yanked", a product name) are mostly not what the question is
        about. Together, however many there are, they weigh ``UNSEEN_SHARE`` times the
        median weight of the question's specific known units (those found in at most
        ``SPECIFIC_SHARE`` of the sections), and never more than the known units: so they
        take a question with one specific word down to half (abstain) but do not outweigh
        two. If every known unit is generic ("taxpayer", "case", "secure messaging"), they
        weigh as much as the least specific word that is still specific.

        A phrase of the off-topic vocabulary ("settlement letter", "timesheet") is strong
        evidence instead, seen or not: if the top section does not itself contain it, it
        explains none of it, and it weighs ``OFF_TOPIC_SHARE`` times that typical specific
        weight (or its own IDF, if the knowledge base knows it and that is more). Two
        specific words then fall short (2 / 3.5 = 0.57) and three still answer (3 / 4.5).
        """
        units: dict[int, dict[str, float]] = {}
        topics: dict[int, tuple[str, ...]] = {}
        for word in query:
            if word.content:
                terms = units.setdefault(word.unit, {})
                for term, weight in word.terms.items():
                    terms[term] = max(terms.get(term, 0.0), weight)
                if word.off_topic:
                    topics[word.unit] = word.off_topic
        weights: list[float] = []
        found = on_topic = 0.0
        unseen = False
        foreign: list[float] = []  # own weights of off-topic units the top section lacks
        for unit, terms in units.items():
            known = [(self._vocab[t], w) for t, w in terms.items() if t in self._vocab]
            if unit in topics and not self._contains(topics[unit], top):
                own = [row for row, _ in known]
                foreign.append(float(self._idf[own].max()) if own else 0.0)
                continue
            if not known:
                unseen = True
                continue
            rows = np.array([row for row, _ in known])
            idf = self._idf[rows]
            value = idf * np.array([weight for _, weight in known])
            weight = float(idf.max())
            best = float(value.max())
            weights.append(weight)
            found += weight * float((value * (self._term_scores[rows, top] > 0)).max()) / best
            on_topic += weight * float((value * self._on_topic[rows, top]).max()) / best
        total = sum(weights)
        if not total:
            return 0.0, 0.0
        specific = [w for w in weights if w >= self._specific_idf]
        typical = float(np.median(specific)) if specific else self._specific_idf
        if unseen:
            total += min(UNSEEN_SHARE * typical, sum(weights))  # never more than half
        total += sum(max(own, OFF_TOPIC_SHARE * typical) for own in foreign)
        return found / total, on_topic / total

    def _contains(self, needed: tuple[str, ...], top: int) -> bool:
        """Return whether the top section contains every term of an off-topic phrase."""
        rows = [self._vocab.get(term) for term in needed]
        return all(row is not None and self._term_scores[row, top] > 0 for row in rows)

    def _answer(self, ranking: Ranking, today: date) -> Answer:
        """Turn a ranking into the top section's answer, or abstain if it is not enough."""
        if not ranking.confident:
            return self.not_covered(ranking.explained)
        section = self._sections[ranking.order[0]]
        hits = [self._ids[i] for i in ranking.order[1:]]
        return self._cite(section, today, ranking.explained, hits)

    def _cite(self, section: Section, today: date, score: float, hits: Sequence[str]) -> Answer:
        """Build the answer for one section, with its related sections and expiry notice."""
        expired = section.expired_on(today)
        text = self._bodies[section.id]
        if expired:
            text = f"{texts.expired_notice(section.expires)}\n\n{text}"
        related = _pick_related(section, hits)
        return Answer(
            answered=True,
            section=section.id,
            citation=section.citation,
            title=section.title,
            text=text,
            score=score,
            related=related,
            related_titles=[self.kb.section(rid).title for rid in related],
            expired=expired,
        )

    def _define(self, entry: GlossaryEntry, today: date) -> Answer:
        """Answer "what does X stand for" from the glossary, cited to its first section."""
        section = self.kb.section(entry.sections[0])
        answer = self._cite(section, today, 1.0, entry.sections[1:])
        define = (
            texts.glossary_definition
            if entry.spelled_out
            else texts.glossary_definition_unconfirmed
        )
        definition = define(
            escape(entry.term), escape(_strip_notes(entry.expansion)), escape(entry.meaning)
        )
        notice = f"{texts.expired_notice(section.expires)}\n\n" if answer.expired else ""
        answer.text = f"{notice}{definition}"
        return answer

    @staticmethod
    def not_covered(score: float = 0.0) -> Answer:
        """Return the abstention: the procedure does not cover the question."""
        return Answer(False, None, None, None, texts.NOT_COVERED, score)


def _topic_text(section: Section) -> str:
    """Return what a section is about: its title, keywords and aliases."""
    return " ".join((section.title, *section.keywords, *section.aliases))


def _idf(documents: int, frequency: np.ndarray) -> np.ndarray:
    """Return BM25's inverse document frequency for terms found in ``frequency`` sections."""
    return np.log1p((documents - frequency + 0.5) / (frequency + 0.5))


def _names_terms(entry: GlossaryEntry) -> list[str]:
    """Return the index terms of every name of a glossary entry."""
    return index_terms(" ".join(_strip_notes(name) for name in entry.names))


def _topic_names(entry: GlossaryEntry) -> list[str]:
    """Return the names of a glossary entry but a spelled-out name of several words."""
    expansion = _strip_notes(entry.expansion)
    names = [_strip_notes(name) for name in (entry.term, *entry.variants)]
    if len([word for word in words(expansion) if word not in STOPWORDS]) <= 1:
        names.append(expansion)
    return names


def _pick_related(section: Section, hits: Iterable[str]) -> list[str]:
    """Return up to three related ids: the section's own list first, then next-best hits."""
    related: list[str] = []
    for candidate in (*section.related, *hits):
        if candidate != section.id and candidate not in related:
            related.append(candidate)
        if len(related) == MAX_RELATED:
            break
    return related


def _raise(weights: dict[str, float], term: str, weight: float) -> None:
    """Give a term at least this weight in the query."""
    if term and term not in STOPWORDS:
        weights[term] = max(weights.get(term, 0.0), weight)


@functools.cache
def _citation_key(text: str) -> str:
    """Reduce a citation (or a question) to the part people type the same way every time:
    no spaces, no "IRM", no "8.6.1.4." before the X, no memo control number."""
    flat = re.sub(r"\s+", "", text.lower()).replace("irm", "")
    return flat.replace("8.6.1.4.", "").replace("ap-08-0824-0017", "")


@functools.cache
def _default_engine() -> AnswerEngine:
    """Build the engine for the packaged knowledge base once per process."""
    return AnswerEngine(load_kb())


# --- expansion and typo correction ---------------------------------------------------


class _PhraseTable:
    """Glossary names and synonym phrases, found in a question by their stemmed words."""

    DEFINITION_RES = (
        re.compile(
            r"^what (?:(?:does|do|is|are) )?(?:an? |the )?(?P<term>.+?) "
            r"(?:stand for|stands for|mean|means|short for)$"
        ),
        # "what's" reaches here as "what": the words drop a possessive or contracted 's.
        re.compile(r"^(?:what is|whats|what|define|meaning of) (?:an? |the )?(?P<term>.+?)$"),
        re.compile(r"^(?P<term>.+?) (?:stands for|stand for|meaning|means)$"),
    )

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb
        self._phrases: dict[str, list[tuple[tuple[str, ...], list[str]]]] = {}
        for entry in kb.glossary:
            terms = _names_terms(entry)
            for name in entry.names:
                self._add(_strip_notes(name), terms)
        self._synonyms: list[tuple[tuple[str, ...], list[str]]] = []
        for phrase, targets in kb.synonyms.items():
            terms = index_terms(" ".join(targets))
            self._add(phrase, terms)
            key = tuple(stem(word) for word in words(phrase))
            if key:
                self._synonyms.append((key, terms))

    def _add(self, phrase: str, terms: list[str]) -> None:
        """Register a phrase by its first stemmed word."""
        key = tuple(stem(word) for word in words(phrase))
        if key:
            self._phrases.setdefault(key[0], []).append((key, terms))

    def matches(self, stems: Sequence[str]) -> Iterator[tuple[int, int, list[str]]]:
        """Yield start, length and expansion terms of every phrase found in ``stems``."""
        for start, first in enumerate(stems):
            for key, terms in self._phrases.get(first, ()):
                if tuple(stems[start : start + len(key)]) == key:
                    yield start, len(key), terms

    def synonyms_in(self, text: str) -> list[str]:
        """Return what the synonym phrases found in ``text`` stand for, once per phrase."""
        stems = tuple(stem(word) for word in words(text))
        return [term for key, terms in self._synonyms if _contains(stems, key) for term in terms]

    def entries_in(self, text: str) -> list[GlossaryEntry]:
        """Return the glossary entries one of whose names occurs in ``text``."""
        stems = tuple(stem(word) for word in words(text))
        found = []
        for entry in self._kb.glossary:
            keys = {tuple(stem(w) for w in words(_strip_notes(n))) for n in entry.names}
            if any(_contains(stems, key) for key in keys if key):
                found.append(entry)
        return found

    def definition_asked(
        self, question: str, corrector: _TypoCorrector | None = None
    ) -> GlossaryEntry | None:
        """Return the glossary entry a "what does X stand for" question asks about.

        With a ``corrector``, the term is looked up as typed and, failing that, with its
        typos corrected ("egian nmber" is the eGain number).
        """
        plain = " ".join(words(question))
        for pattern in self.DEFINITION_RES:
            match = pattern.match(plain)
            if match is None:
                continue
            term = match.group("term")
            entry = self._kb.glossary_entry(term)
            if entry is None and corrector is not None:
                entry = self._kb.glossary_entry(" ".join(map(corrector.correct, term.split())))
            if entry is not None:
                return entry
        return None


def _phrase_starts(
    text: Sequence[str], phrases: Iterable[tuple[str, ...]]
) -> Iterator[tuple[int, int]]:
    """Yield start and length of every occurrence of one of ``phrases`` in ``text``."""
    for phrase in phrases:
        size = len(phrase)
        for start in range(len(text) - size + 1):
            if tuple(text[start : start + size]) == phrase:
                yield start, size


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Return whether ``needle`` occurs as a contiguous run in ``haystack``."""
    size = len(needle)
    return any(
        tuple(haystack[i : i + size]) == tuple(needle) for i in range(len(haystack) - size + 1)
    )


# Words that start a new clause: an off-topic phrase never spans one ("an email when a
# taxpayer replies" is not "email the taxpayer").
CLAUSE_BREAKS = frozenset(
    [
        "when",
        "where",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "how",
        "what",
        "whats",
        "if",
        "whether",
        "and",
        "or",
        "but",
        "because",
        "so",
        "then",
        "than",
        "while",
        "until",
        "unless",
        "since",
        "although",
        "though",
        "after",
        "before",
        "once",
        "that",
    ]
)


class _OffTopicTable:
    """The off-topic vocabulary, found in a question by its stemmed words.

    Stopwords are skipped on both sides, so "reset my password" matches "reset password"
    and "tour of duty" matches "tour duty", but a phrase never spans a new clause
    (``CLAUSE_BREAKS``). A word the synonym table maps to one other word also reads as
    that word, so "email the tp" matches "email the taxpayer". A one-word entry matches
    only a content word. Each match yields the question positions it covers and what a
    section must contain to be about that topic itself: the entry's stem (or, for a code
    such as ``e-fax``, its alphabetic pieces), or the neighbouring-word pairs of a phrase,
    as the index pairs them.
    """

    def __init__(
        self, phrases: Iterable[str], synonyms: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        self._entries: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        self.words: set[str] = set()
        for phrase in phrases:
            surface = [word for word in words(phrase) if word not in STOPWORDS]
            if not surface:
                continue
            key = tuple(stem(word) for word in surface)
            self._entries.setdefault(key[0], []).append((key, _needed(surface)))
            self.words.update(w for w in surface if w.isalpha() and len(w) >= TYPO_MIN_LENGTH)
        self._readings: dict[str, set[str]] = {}
        for phrase, targets in (synonyms or {}).items():
            source = words(phrase)
            for target in map(words, targets):
                if len(source) == 1 and len(target) == 1:
                    self._readings.setdefault(stem(source[0]), set()).add(stem(target[0]))

    def matches(
        self, surface: Sequence[str], stems: Sequence[str], query: Sequence[QueryWord]
    ) -> Iterator[tuple[list[int], tuple[str, ...]]]:
        """Yield the positions and needed terms of every entry found in a question."""
        positions = [i for i, word in enumerate(surface) if word not in STOPWORDS]
        clause = list(itertools.accumulate(word in CLAUSE_BREAKS for word in surface))
        readings = [{stems[i]} | self._readings.get(stems[i], set()) for i in positions]
        for start, firsts in enumerate(readings):
            for key, needed in (e for first in firsts for e in self._entries.get(first, ())):
                span = positions[start : start + len(key)]
                if len(span) < len(key) or clause[span[0]] != clause[span[-1]]:
                    continue
                if not all(term in readings[start + k] for k, term in enumerate(key)):
                    continue
                if len(key) == 1 and not query[span[0]].content:
                    continue  # "interested" is not the topic "interest"
                yield span, needed


def _needed(surface: Sequence[str]) -> tuple[str, ...]:
    """Return the terms a section must contain to be about an off-topic entry itself."""
    paired = [stem(word) for word in surface if word not in UNPAIRED]
    if len(paired) > 1:
        return tuple(bigrams(paired))
    if not paired:
        return (stem(surface[0]),)
    pieces = [p for p in parts(surface[0]) if p.isalpha() and len(p) >= 3]
    return tuple(pieces) if pieces else (paired[0],)


class _TypoCorrector:
    """Map a word the knowledge base does not know to the nearest word it does."""

    def __init__(self, surface: set[str], vocab: dict[str, int], topics: set[str]) -> None:
        self._choices = sorted(surface | FILLER | COMMON | topics)
        self._vocab = vocab
        # "working" is no typo of "wording", nor "payroll" of anything the memo says
        self._plain = {stem(word) for word in NOT_CONTENT | topics}
        self._stems = {stem(word): word for word in reversed(self._choices)}
        self._cache: dict[str, str] = {}

    def correct(self, word: str) -> str:
        """Return the corrected word, or the word itself if it is known or too far off."""
        if (
            len(word) < TYPO_MIN_LENGTH
            or not word.isalpha()
            or word in NOT_CONTENT
            or stem(word) in self._vocab
            or stem(word) in self._plain
        ):
            return word
        if word not in self._cache:
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            self._cache[word] = self._nearest(word) or self._truncated(word) or word
        return self._cache[word]

    def _nearest(self, word: str) -> str | None:
        """Return the known word one slip away (two in a long word), if there is one."""
        best = process.extractOne(
            word, self._choices, scorer=OSA.normalized_distance, score_cutoff=TYPO_MAX_DISTANCE
        )
        return best[0] if best else None

    def _truncated(self, word: str) -> str | None:
        """Return the longest known stem the word starts with, if it makes most of the word.

        This catches derivations the suffix stripper leaves apart, such as closure and
        closing, without reaching for short stems that begin many unrelated words.
        """
        root = stem(word)
        for size in range(len(root) - 1, TYPO_MIN_LENGTH - 1, -1):
            if size / len(root) < PREFIX_MIN_SHARE:
                break
            if root[:size] in self._stems:
                return self._stems[root[:size]]
        return None
