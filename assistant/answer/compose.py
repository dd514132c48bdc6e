"""The words of an answer around its quotes: framing phrases in the question's language and script,
quotes grouped by document, the abstention, the side-by-side comparison. No model is needed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer.quotes import elided
from assistant.query import Query
from assistant.query.places import where_label
from assistant.records import Citation, ComparisonRow, LedgerRow, Timeline
from assistant.wording import phrase
from ingest.normalize import to_simplified, to_traditional
from ingest.romanize import in_pinyin
from vectorstore.records import Filters
from vectorstore.view import IndexView

_UNREADABLE = re.compile("\ufffd+")


def legible(text: str, language: str, script: str) -> str:
    """The text as a reader sees it: a span the source lost to mojibake (the cleaned text's "\ufffd")
    written as …（无法辨认）… / …(unreadable)…, never as a raw replacement character."""
    return _UNREADABLE.sub(f"…{phrase('unreadable', language, script)}…", text)


def shortened(text: str, limit: int) -> str:
    """At most `limit` characters, cut after a clause mark or a space when one is past the middle,
    marked with …; a text already cut keeps its mark."""
    cut_before = text.endswith("…")
    text = text.rstrip("…")
    if len(text) <= limit:
        return text + ("…" if cut_before else "")
    cut = max((text.rfind(mark, 0, limit) for mark in "，、；：,;: "), default=-1)
    return (text[:cut] if cut > limit // 2 else text[:limit]) + "…"


def quoted(citation: Citation, language: str, script: str, limit: int = 0) -> str:
    """A citation's quote as the answer shows it: elided where it starts or stops inside a sentence,
    unreadable spans marked, cut at a clause when `limit` is given."""
    text = legible(elided(citation), language, script)
    return shortened(text, limit) if limit else text


def when_label(date: str, language: str, script: str) -> str:
    """A document's date, or 日期不详 / date unknown."""
    return date or phrase("unknown_date", language, script)


def group_label(citation: Citation, language: str, script: str) -> str:
    city = where_label(citation.where, language, script)
    date = f", {citation.date}" if citation.date else ""
    speaker = ""
    if citation.speaker:
        name = (
            f"{in_pinyin(citation.speaker, person=True)} ({citation.speaker})"
            if language == "en"
            else citation.speaker
        )
        speaker = " · " + phrase("spoken_by", language, script).format(name=name)
    return f"**{city}** · {shortened(citation.title, 40)}{date}{speaker}"


def searched_as(translations: Sequence[tuple[str, Sequence[str]]], language: str, script: str) -> str:
    """An English question's terms with the Chinese they were searched as (land quota → 土地指标)."""
    terms = "; ".join(f"{english} → {'、'.join(chinese[:3])}" for english, chinese in translations if chinese)
    return phrase("searched_as", language, script).format(terms=terms) if terms else ""


def read_as(readings: Sequence[tuple[str, Sequence[str]]], language: str, script: str) -> str:
    """Words of the question the speeches never write, with the words they were read as (底子 → 基础,
    `Concept.readings`), so that a quote about 产业基础 is seen to answer a question about 产业底子."""
    text = " ".join(
        phrase("read_as", language, script).format(word=word, readings="、".join(found[:3]))
        for word, found in readings
        if found
    )
    return to_traditional(text) if script == "traditional" else text


def never_written(query: Query, language: str, script: str) -> str:
    """The question's key terms that no passage of the corpus writes in any of their forms or readings:
    the evidence behind "not covered", and for English the sense each was searched as, so that a reader
    sees a dictionary's wrong sense (remark → 一席话) and can ask again in other words."""
    english = {tuple(t.chinese): query.plan.as_typed(t.english) for t in query.translations}
    words = [
        f"{english[c.forms]} ({'、'.join(c.forms[:2])})"
        if language == "en" and english.get(c.forms, "") not in ("", c.forms[0])
        else c.forms[0]
        for c in query.topics
        if c.absent
    ]
    if not words:
        return ""
    text = phrase("never_written", language, script).format(words=listed(words, language))
    return to_traditional(text) if script == "traditional" else text


def compose_answer(
    citations: Sequence[Citation],
    language: str,
    script: str,
    related: Sequence[Citation] = (),
    terms: str = "",
) -> str:
    """Quotes grouped by document (in rank order of each group's best citation); then passages found
    beside them that do not bear on the question as closely, as possibly related. `terms`: for an
    English question, what its terms were searched as (`searched_as`); for a Chinese one, the words it
    was read as (`read_as`)."""
    lines = [phrase("intro", language, script), *([terms] if terms else []), ""]
    groups: dict[str, list[Citation]] = {}
    for citation in citations:
        groups.setdefault(citation.doc_id, []).append(citation)
    for members in groups.values():
        lines.append(group_label(members[0], language, script))
        for citation in members:
            lines.append(f"- “{quoted(citation, language, script)}” [{citation.n}]")
        lines.append("")
    if related:
        lines.append(phrase("related", language, script))
        lines += [related_line(c, language, script) for c in related]
    return "\n".join(lines).rstrip()


def related_line(citation: Citation, language: str, script: str) -> str:
    """A passage listed beside the answer: where it is from, its sentence shortened, its number."""
    where = group_label(citation, language, script)
    return f"- {where}: “{quoted(citation, language, script, 80)}” [{citation.n}]"


def compose_abstention(
    related: Sequence[Citation], language: str, script: str, searched: str = "", absent: str = ""
) -> str:
    """The answer that the corpus does not cover the question, with how far the search looked
    (`searched`) and the question's words no passage writes (`absent`, `never_written`); then the
    passages nearest the question."""
    lines = [" ".join(part for part in (phrase("none", language, script), searched, absent) if part)]
    if related:
        lines += ["", phrase("related", language, script)]
        lines += [related_line(c, language, script) for c in related]
    return "\n".join(lines)


def compose_closest(
    nearest: Sequence[Citation], query: Query, view: IndexView, language: str, script: str
) -> str:
    """The passages nearest the question, none of which the decision takes as stating the answer: each
    with its sentence nearest the question and the question's own words in bold, so that the reader
    sees at once what they share; then what was searched."""
    lines = [phrase("closest", language, script), ""]
    words = sorted({w for w in query.highlight if len(w) >= 2}, key=len, reverse=True)
    for c in nearest:
        lines.append(
            f"- {group_label(c, language, script)}: “{emphasised(quoted(c, language, script), words)}” "
            f"[{c.n}]"
        )
    scope = " ".join(
        filter(None, (searched(query, view, language, script), never_written(query, language, script)))
    )
    return "\n".join([*lines, "", scope])


def emphasised(text: str, words: Sequence[str]) -> str:
    """`text` with each of `words` (longest first, in either script) in bold."""
    if not words:
        return text
    plain = to_simplified(text)  # same length: the conversion is character for character here
    if len(plain) != len(text):
        return text
    marks = [False] * len(text)
    for word in words:
        start = plain.find(word)
        while start >= 0:
            marks[start : start + len(word)] = [True] * len(word)
            start = plain.find(word, start + len(word))
    out, bold = [], False
    for char, mark in zip(text, marks, strict=True):
        if mark != bold:
            out.append("**")
            bold = mark
        out.append(char)
    return "".join(out) + ("**" if bold else "")


def searched(query: Query, view: IndexView, language: str, script: str) -> str:
    """Which documents, cities and years the question was searched over: a "not covered" or "closest"
    says how far it looked."""
    allowed = view.documents_allowed(query.filters)
    metas = [view.metas[d] for d in allowed if d in view.metas]
    places = [where_label(p, language, script) for p in sorted({m.where for m in metas if m.where})]
    filtered = query.filters.cities or query.filters.doc_ids
    city_text = (
        listed(places[:6], language) + ("…" if len(places) > 6 else "")
        if filtered or len(places) <= 6
        else phrase("all_cities", language, script)
    )
    return phrase("searched_one" if len(allowed) == 1 else "searched", language, script).format(
        docs=len(allowed),
        cities=city_text or "—",
        years=year_range([m.date for m in metas], language, script),
    )


def listed(parts: Sequence[str], language: str) -> str:
    """Names in a row as the reader's language lists them: "Linyi (临沂), Huizhou (惠州)" or "临沂、惠州"."""
    return (", " if language == "en" else "、").join(parts)


def year_range(dates: Sequence[str], language: str, script: str) -> str:
    """2020, 2019–2021, or "undated": the years of documents' dates ("" for an undated one)."""
    years = sorted({d[:4] for d in dates if d[:4].isdigit()})
    if not years:
        return phrase("undated_only", language, script)
    return years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"


def compose_comparison(
    rows: Sequence[tuple[str, str, Sequence[Citation], bool, Sequence[str]]], language: str, script: str
) -> tuple[str, list[ComparisonRow]]:
    """A side-by-side table: entity | what was said | citations. Each row is (entity, how the reader is
    told it, its citations, whether the index holds any speech of it, the dates of its speeches
    searched: "" for an undated one). A side with nothing says plainly which of three it is: no
    speeches from it at all, none in the years asked about, or how many of its speeches (from when)
    were searched and are silent."""
    table = [
        f"| {phrase('entity', language, script)} | {phrase('said', language, script)} | "
        f"{phrase('cites', language, script)} |",
        "|---|---|---|",
    ]
    out_rows = []
    for entity, label, citations, has_speeches, dates in rows:
        if citations:
            said = " ".join(f"“{legible(c.quote, language, script)}” [{c.n}]" for c in citations)
            cites = ", ".join(f"[{c.n}]" for c in citations)
        else:
            said, cites = silence(label, has_speeches, dates, language, script), "—"
        table.append(f"| {label} | {said.replace('|', '｜')} | {cites} |")
        out_rows.append(ComparisonRow(entity, said, tuple(c.n for c in citations), label))
    return "\n".join(table), out_rows


def silence(entity: str, has_speeches: bool, dates: Sequence[str], language: str, script: str) -> str:
    """Why a side of a comparison has nothing to quote, with what was searched."""
    if not has_speeches:
        return phrase("no_speeches_for", language, script).format(city=entity)
    if not dates:
        return phrase("none_in_span", language, script).format(city=entity)
    return phrase("nothing_for", language, script).format(
        city=entity, n=len(dates), when=year_range(dates, language, script)
    )


def city_notes(query: Query, language: str, script: str, *, searched_all: bool = True) -> tuple[str, ...]:
    """For each city the question names that no document is tagged with: which documents were searched
    for it and the places in them that point to it, or (`searched_all`) that all speeches were, unless
    the search kept to the other places or documents the question names (惠州如何看待深圳: 惠州's)."""
    narrowed = bool(query.filters.cities or query.filters.doc_ids)
    notes = []
    for city in query.missing_cities:
        found = [f"{doc_id} ({'、'.join(names[:4])})" for c, doc_id, names in query.inferred if c == city]
        if found or searched_all:
            key = "inferred_city" if found else "no_city_docs_here" if narrowed else "no_city_docs"
            notes.append(
                phrase(key, language, script).format(
                    city=where_label(city, language, script), evidence="; ".join(found[:3])
                )
            )
    return tuple(notes)


def with_notes(text: str, notes: Sequence[str]) -> str:
    """An answer's text with its notes (what the reader must know about how it was found) above it."""
    return "\n".join(f"_{n}_" for n in notes) + "\n\n" + text if notes else text


def widened_note(filters: Filters, fallback: Filters, language: str, script: str) -> tuple[str, ...]:
    """What the question named (places, years) when no speech matched it, and what was searched
    instead: every speech, or those the reader's own filters (`fallback`) allow."""
    dates = [d for d in (filters.date_from, filters.date_to) if d]
    parts = [where_label(c, language, script) for c in filters.cities]
    parts += [year_range(dates, language, script) + ("" if language == "en" else "年")] if dates else []
    scope = listed(parts, language) or phrase("question_scope", language, script)
    key = "widened" if fallback.empty else "widened_to_filters"
    return (phrase(key, language, script).format(scope=scope),)


def degraded_notes(degraded: bool, language: str, script: str) -> tuple[str, ...]:
    """The note a keyword-only answer carries when a retriever could not be asked (a stopped vector store)."""
    return (phrase("keywords_only", language, script),) if degraded else ()


def compose_ledger(
    rows: Sequence[LedgerRow], timeline: Timeline | None, topic: str, language: str, script: str
) -> str:
    """A figure over the years (with the years searched), or across places (`timeline` None), as a
    table: one row per document, each figure cited to its sentence."""

    def say(key: str) -> str:
        return phrase(key, language, script)

    searched = timeline.searched if timeline else ()
    intro = (
        say("ledger_intro").format(
            years=len(searched),
            start=searched[0] if searched else "?",
            end=searched[-1] if searched else "?",
            rows=len(rows),
            topic=topic,
        )
        if timeline
        else say("ledger_places" if len(rows) > 1 else "ledger_places_one").format(
            rows=len(rows), topic=topic
        )
    )
    lines = [
        intro,
        "",
        f"| {say('year')} | {say('where')} | {say('figure')} | {say('kind')} | {say('cites')} |",
    ]
    lines.append("|---|---|---|---|---|")
    for r in rows:
        where = where_label(r.where, language, script)
        lines.append(f"| {r.year} | {where} | {r.indicator} {r.figure} | {say(r.kind)} | [{r.n}] |")
    return "\n".join(lines)
