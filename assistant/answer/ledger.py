"""A figure over the years ("历年GDP增长目标", "How did the unemployment target change since 2015?"):
one row per document, the figure whose indicator names the topic, cited to the sentence that states
it. The figures come from `ingest.figures` over the passages that mention the topic (the same
mentions the time answer and Trends read); a redacted figure stays redacted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.mentions import Mention
from assistant.answer.quotes import cite_sentence
from assistant.records import Citation, LedgerRow
from ingest.chunking import sentence_spans
from ingest.figures import BEFORE, Figure, figures
from ingest.grammar import FULL_STOP
from ingest.normalize import to_simplified
from vectorstore.keyword import tokenize_zh
from vectorstore.view import IndexView


@dataclass(frozen=True, slots=True)
class Found:
    """The best figure of one document: the passage, the sentence's span in it, the figure."""

    mention: Mention
    start: int
    end: int
    figure: Figure
    score: float


Concept = tuple[Sequence[str], tuple[str, ...]]  # a concept's forms, and the words they are cut into


def concept_words(forms: Sequence[Sequence[str]]) -> list[Concept]:
    """Each concept's forms with their words of two characters or more, cut once per question."""
    return [(c, tuple(p for f in c for p in tokenize_zh(f) if len(p) >= 2)) for c in forms]


def indicator_score(indicator: str, concepts: Sequence[Concept]) -> float:
    """How well a figure's indicator names the topic: 1 for each concept written in it, 0.5 for a
    concept only some of whose words are (增长目标 in 国内生产总值增长)."""
    score = 0.0
    indicator = to_simplified(indicator)  # forms are in the index's Simplified
    for forms, words in concepts:
        if any(f in indicator for f in forms):
            score += 1.0
        elif any(w in indicator for w in words):
            score += 0.5
    return score


def best_figures(
    mentions: Sequence[Mention],
    forms: Sequence[Sequence[str]],
    view: IndexView,
    target: bool = False,
    required: Sequence[Sequence[str]] = (),
) -> list[Found]:
    """Per dated document, the figure whose indicator best names the topic: at least one of the other
    concepts in full, and each `required` one at least in part (what a target is set for, 增长 in 增长目标:
    零售总额…只增长了3％ is no GDP growth target, nor is 工业生产总值计划完成102.6%), from any of its passages
    that mention the topic; only targets when `target`; in date order."""
    best: dict[str, Found] = {}
    concepts = concept_words(forms)
    needed = [concept_words([r]) for r in required]
    # what the figure is of (国内生产总值) must be named in full, beside what is measured of it (增长)
    of = concept_words([f for f in forms if f not in required]) or concepts
    chunks = view.chunks.many(m.chunk_id for m in mentions if m.year)
    for m in mentions:
        chunk = chunks.get(m.chunk_id)
        if chunk is None:
            continue
        # the whole sentence: "主要预期目标是：……；城镇新增就业1100万人以上；……" lists targets
        for start, end in sentence_spans(chunk.text, 0, len(chunk.text), FULL_STOP):
            for figure in figures(chunk.text[start:end]):
                score = indicator_score(figure.indicator, concepts)
                named = indicator_score(figure.indicator, of) >= 1.0 and all(
                    indicator_score(figure.indicator, n) for n in needed
                )
                if not named or (target and figure.kind != "target"):
                    continue
                found = Found(m, start, end, figure, score + (0.25 if figure.kind == "target" else 0.0))
                if m.doc_id not in best or found.score > best[m.doc_id].score:
                    best[m.doc_id] = found
    return sorted(best.values(), key=lambda f: (f.mention.date, f.mention.doc_id))


def written(figure: Figure, sentence: str) -> str:
    """The figure as the sentence writes it, with a bound written before it (7%左右, 1100万人以上,
    至少X亿元)."""
    span = sentence[figure.start : figure.end]
    return f"{figure.qualifier}{span}" if figure.qualifier in BEFORE else span


def ledger(
    mentions: Sequence[Mention],
    forms: Sequence[Sequence[str]],
    view: IndexView,
    target: bool = False,
    required: Sequence[Sequence[str]] = (),
) -> tuple[list[Citation], list[LedgerRow]]:
    """The rows, one per document with a figure on the topic (a target, when `target`), and their
    citations numbered from 1."""
    citations: list[Citation] = []
    rows: list[LedgerRow] = []
    for n, found in enumerate(best_figures(mentions, forms, view, target, required), start=1):
        chunk = view.chunks[found.mention.chunk_id]
        citation = cite_sentence(n, chunk, view, found.start, found.end)
        sentence = chunk.text[found.start : found.end]
        f = found.figure
        citations.append(citation)
        rows.append(
            LedgerRow(
                year=found.mention.year,
                where=citation.where,
                figure=written(f, sentence),
                value=f.value,
                high=f.high,
                unit=f.unit,
                qualifier=f.qualifier,
                kind=f.kind,
                indicator=f.indicator,
                n=n,
            )
        )
    return citations, rows
