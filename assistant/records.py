"""What the assistant returns: an Answer with numbered Citations that point at exact paragraphs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.query.plan import QueryPlan
from assistant.wording import phrase
from ingest.records import UNKNOWN_CITY, place_of

if TYPE_CHECKING:
    from assistant.query import Query
    from assistant.query.scope import Scope


@dataclass(frozen=True, slots=True)
class Citation:
    """[n] in an answer: a chunk, the sentence(s) quoted from it, and where it sits in its document."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    source: str
    city: str
    date: str
    section: str
    paragraph: int  # number of the paragraph holding the quote (1-based, as `speechqa show` prints)
    text: str  # the whole cited chunk, as written
    quote: str  # the sentence(s) the answer quotes, a substring of text
    score: float
    start: int = 0  # offsets of the chunk in the cleaned document
    end: int = 0
    level: str = ""  # of the document: national | provincial | city | county | ""
    province: str = ""  # of the document, when known
    speaker: str = ""  # of the document, when known

    @property
    def known_city(self) -> str:
        return "" if self.city == UNKNOWN_CITY else self.city

    @property
    def where(self) -> str:
        """Where the document is from (ingest.records.place_of)."""
        return place_of(self.city, self.province, self.level)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    entity: str  # the side as the index names it: 临沂, or a year
    summary: str  # what was said, quotes with [n] markers; for a silent side, why, and what was searched
    citations: tuple[int, ...]
    label: str = ""  # the side as the reader is told it: Linyi (临沂), 臨沂, 2019年


@dataclass(frozen=True, slots=True)
class Verification:
    """How a chat model's answer was checked: every sentence it wrote, kept or removed and why."""

    sentences: tuple[SentenceCheck, ...]
    failure: str = ""  # why the model stopped early (a timeout, an error), or ""

    @property
    def kept(self) -> int:
        return sum(s.kept for s in self.sentences)

    @property
    def total(self) -> int:
        return len(self.sentences)

    @property
    def removed(self) -> tuple[SentenceCheck, ...]:
        return tuple(s for s in self.sentences if not s.kept)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kept": self.kept,
            "total": self.total,
            "failure": self.failure,
            "removed": [{"sentence": s.sentence, "reason": s.reason, "why": s.why} for s in self.removed],
        }


@dataclass(frozen=True, slots=True)
class Timeline:
    """A question about time answered over every dated passage that mentions the topic."""

    kind: str  # first | latest | trend
    topic: tuple[str, ...]  # the forms a mention holds (one per concept; an English topic's in Chinese)
    first: str  # date of the earliest mention found
    latest: str  # date of the latest mention found
    per_year: tuple[tuple[str, int], ...]  # (year, passages mentioning the topic), in year order
    searched: tuple[str, ...]  # the years of the dated documents searched (filters applied)
    undated: int = 0  # passages mentioning it in undated documents (not placed in time)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "topic": list(self.topic),
            "first": self.first,
            "latest": self.latest,
            "per_year": dict(self.per_year),
            "years_searched": list(self.searched),
            "undated": self.undated,
        }


@dataclass(frozen=True, slots=True)
class SentenceCheck:
    sentence: str  # as the model wrote it
    shown: str  # as the answer shows it: markers that point at no passage removed
    markers: tuple[int, ...]  # markers that point at a passage
    kept: bool
    reason: str = (
        ""  # why it was removed (uncited, numbers, url, place, unsupported, header_only); "" when kept
    )
    missing: tuple[str, ...] = ()  # the numbers or words not found
    found: int = 0  # content words found in the cited passages
    words: int = 0  # content words in all

    @property
    def why(self) -> str:
        """Why the sentence was removed, in English (the API's `why`)."""
        return self.why_in("en", "simplified")

    def why_in(self, language: str, script: str) -> str:
        """Why the sentence was removed, for a reader: the reason and what was not found."""
        if self.kept:
            return ""
        detail = f" ({', '.join(self.missing[:4])})" if self.missing else ""
        return f"{phrase('reason_' + self.reason, language, script)}{detail}"


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether what was found answers the question (assistant.answer.decision): the outcome the reader
    is told, the model's probability that the passages answer, and the signals it read."""

    outcome: str  # answer | closest | not_covered
    probability: float
    signals: tuple[tuple[str, float], ...]

    @property
    def found(self) -> bool:
        return self.outcome == "answer"


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One row of a figure over the years (assistant.answer.ledger): the figure one document states
    for the topic, as written, with its value, and the citation [n] of the sentence stating it."""

    year: str
    where: str  # ingest.records.place_of the document
    figure: str  # as written: 7%左右, 1100万人以上, X%
    value: float | None  # the scale applied (1100万 -> 1.1e7); None when redacted
    high: float | None  # the upper end of a range (6.5%－7%), else None
    unit: str
    qualifier: str
    kind: str  # target | result
    indicator: str  # what the sentence says is measured: 国内生产总值增长
    n: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str  # Markdown with [n] markers
    citations: tuple[Citation, ...]
    found: bool
    plan: QueryPlan
    comparison: tuple[ComparisonRow, ...] = ()
    related: tuple[Citation, ...] = ()  # "possibly related" passages when the answer abstains
    ranked: tuple[Citation, ...] = field(default=(), repr=False)  # every passage retrieval ranked, in order
    notes: tuple[str, ...] = ()
    mode: str = "extractive"  # or "llm"
    verification: Verification | None = None  # a chat model's sentences and what became of them
    timeline: Timeline | None = None  # first and latest mention, per year: a question about time
    ledger: tuple[LedgerRow, ...] = ()  # a figure over the years: one row per document, each cited
    scope: Scope | None = None  # what the question was resolved to (the UI's chips, the API's scope)
    timings: tuple[tuple[str, float], ...] = field(default=(), repr=False)  # (stage, seconds)
    # what the reader is told: `answer` (quotes that bear on the question), `closest` (the nearest
    # passages, none stating it directly), `not_covered` (the corpus does not hold the topic); "" -> by found
    outcome: str = ""
    decision: Decision | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.outcome:
            object.__setattr__(self, "outcome", "answer" if self.found else "not_covered")

    @property
    def sources(self) -> tuple[Citation, ...]:
        """What to show beside the answer: its citations, then the possibly related passages."""
        return self.citations + self.related

    def to_dict(self) -> dict[str, Any]:
        """The batch/JSON form: id-less answer with citations in rank order."""
        return {
            "question": self.question,
            "standalone": self.plan.standalone,
            "answer": self.text,
            "found": self.found,
            "outcome": self.outcome,
            "citations": [c.to_dict() for c in self.citations],
            "related": [c.to_dict() for c in self.related],
            "comparison": [asdict(r) for r in self.comparison],
            "notes": list(self.notes),
            "mode": self.mode,
            "verification": self.verification.to_dict() if self.verification else None,
            "timeline": self.timeline.to_dict() if self.timeline else None,
            "ledger": [r.to_dict() for r in self.ledger],
            "scope": self.scope.to_dict() if self.scope else None,
            "timings_ms": {stage: round(1000 * seconds, 2) for stage, seconds in self.timings},
        }


# -- retrieval alone (Assistant.search) --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RetrieverScore:
    """One retriever's view of a passage: its rank in that retriever's own list (None when it did not
    list it) and its own score (BM25, or cosine similarity; None when it could not score it)."""

    retriever: str
    rank: int | None
    score: float | None


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    citation: Citation  # the passage, with the sentence an answer would quote
    score: float  # fused
    retrievers: tuple[RetrieverScore, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": round(self.score, 4),
            **citation_fields(self.citation),
            "retrievers": {
                r.retriever: {"rank": r.rank, "score": None if r.score is None else round(r.score, 4)}
                for r in self.retrievers
            },
        }


@dataclass(frozen=True, slots=True)
class Search:
    query: Query  # how the question was read: terms, translations, filters, weights
    passages: tuple[Ranked, ...]
    found: bool  # whether the decision would answer from these passages
    unavailable: tuple[str, ...] = ()
    decision: Decision | None = None


def citation_fields(c: Citation) -> dict[str, Any]:
    """A citation as an API gives it: where it is (document, section path, paragraph) and the quote."""
    return {
        "n": c.n,
        "doc_id": c.doc_id,
        "chunk_id": c.chunk_id,
        "title": c.title,
        "city": c.where,
        "date": c.date,
        "section": [part.strip() for part in c.section.split(" > ") if part.strip()],
        "paragraph": c.paragraph,
        "quote": c.quote,
        "text": c.text,
        "source": c.source,
    }


# -- an answer as it is made (Assistant.stream) ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Sources:
    """Retrieval is done: the extractive answer, whose citations are the sources to show now."""

    answer: Answer

    def to_dict(self) -> dict[str, Any]:
        return {"event": "sources", "citations": [c.to_dict() for c in self.answer.sources]}


@dataclass(frozen=True, slots=True)
class Waiting:
    """Nothing new from the chat model for a while: it is still reading (`writing` False) or writing."""

    seconds: float
    writing: bool

    def to_dict(self) -> dict[str, Any]:
        return {"event": "waiting", "seconds": round(self.seconds, 1), "writing": self.writing}


@dataclass(frozen=True, slots=True)
class Draft:
    """The sentence the model is writing, as far as it has got (not yet checked)."""

    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"event": "draft", "text": self.text}


@dataclass(frozen=True, slots=True)
class Checked:
    """A sentence the model finished, checked against the passages it cites."""

    check: SentenceCheck

    def to_dict(self) -> dict[str, Any]:
        return {"event": "sentence", "text": self.check.shown, "kept": self.check.kept, "why": self.check.why}


@dataclass(frozen=True, slots=True)
class Done:
    """The final answer: what the check kept (or the quotes); the last event of every stream."""

    answer: Answer

    def to_dict(self) -> dict[str, Any]:
        return {"event": "done", "answer": self.answer.to_dict()}


AnswerEvent = (
    Sources | Waiting | Draft | Checked | Done
)  # each says itself as a dict (to_dict), one wire form
