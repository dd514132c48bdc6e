"""Answers to Markdown and to terminal text; shared by the CLI, the UI and conversation export."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer.compose import legible, shortened
from assistant.query.places import where_label
from assistant.records import Answer, Citation
from assistant.wording import phrase
from ingest.metadata import SET_BY_YOU
from ingest.records import DocMeta


def citation_line(c: Citation, language: str, script: str) -> str:
    """One source: title, document and paragraph, and where, when and which section (the place as a
    reader of the answer's language and script reads it)."""
    where = " · ".join(p for p in (where_label(c.where, language, script), c.date, c.section[:60]) if p)
    return f"[{c.n}] {shortened(c.title, 50)} ({c.doc_id}, ¶{c.paragraph}){' — ' + where if where else ''}"


def answer_markdown(answer: Answer, *, with_sources: bool = True) -> str:
    """The answer text, then its sources with the quoted passage of each."""
    parts = [answer.text]
    sources: Sequence[Citation] = answer.sources
    if with_sources and sources:
        parts.append("")
        parts.append(f"**{sources_heading(answer)}**")
        for c in sources:
            parts.append(f"- {citation_line(c, answer.plan.language, answer.plan.script)}")
            parts.append(
                f"  > {legible(c.text, answer.plan.language, answer.plan.script).replace(chr(10), ' ')}"
            )
    return "\n".join(parts)


def sources_heading(answer: Answer) -> str:
    """ "Sources" in the question's language and script."""
    return phrase("sources", answer.plan.language, answer.plan.script)


def conversation_markdown(turns: Sequence[tuple[str, Answer]]) -> str:
    """A whole conversation, question by question, each answer with its citations."""
    out = ["# speechqa conversation", ""]
    for question, answer in turns:
        out += [f"## {question}", "", answer_markdown(answer), ""]
    return "\n".join(out)


def where_line(meta: DocMeta) -> str:
    """Where a document is from and what shows it: 惠州 (inferred, confidence 0.44: 潼湖、在惠),
    national (国务院), or unknown with the candidates that were too weak."""
    evidence = "、".join(meta.city_evidence[:6])
    if meta.city_evidence == ("manifest",):
        return f"{meta.city} (set in the manifest)"
    if "city" in meta.edited:
        return f"{meta.city} ({SET_BY_YOU})"
    if meta.known_city:
        return f"{meta.city} (inferred, confidence {meta.city_confidence:.2f}: {evidence})"
    weak = f"too weak: {evidence}" if evidence else "no evidence"
    if meta.level in ("national", "provincial") and meta.where:
        return f"{where_label(meta.where, 'en', 'simplified')} ({meta.level_evidence})"
    if meta.where:  # a province, the city not told
        return f"{meta.where} (province; city {weak})"
    return f"{where_label(meta.where, 'en', 'simplified')} ({weak})"


def names_lines(meta: DocMeta, limit: int = 12) -> list[str]:
    """People with their posts and places with their cities, as `speechqa show` prints them."""
    people = ", ".join(f"{n.name} ({n.note})" if n.note else n.name for n in meta.people[:limit])
    places = ", ".join(f"{n.name} ({n.note})" if n.note else n.name for n in meta.places[:limit])
    return [f"people: {people or 'none found'}", f"places: {places or 'none found'}"]


def edits_lines(meta: DocMeta, inferred: DocMeta | None) -> list[str]:
    """Each field a person set, beside what ingestion had inferred: "date: 2019-12-05 (set by you;
    inferred: unknown)"."""
    if inferred is None:
        return []
    out = []
    for field in meta.edited:
        before = where_line(inferred) if field == "city" else getattr(inferred, field) or "unknown"
        out.append(f"{field}: {getattr(meta, field)} ({SET_BY_YOU}; inferred: {before})")
    return out
