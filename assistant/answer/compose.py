"""The words of an answer around its quotes: framing phrases in the question's language and script,
quotes grouped by document, the abstention, the side-by-side comparison. No model is needed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer.quotes import elided
from assistant.query import Query
from assistant.query.places import english_place_name
from assistant.records import Citation, ComparisonRow, LedgerRow, Timeline
from ingest.gazetteer import short_name
from ingest.normalize import to_simplified, to_traditional
from ingest.records import NATIONAL
from ingest.romanize import in_pinyin
from vectorstore.view import IndexView

# Framing text per question language; quotes stay in the script they were written in.
PHRASES = {
    "zh": {
        "intro": "根据所收录的讲话，相关内容如下：",
        "none": "所收录的讲话没有涉及这个问题。",
        "related": "以下段落可能相关：",
        "closest": "以下是与问题最接近的段落，但都没有直接说明：",
        "searched": "检索范围：{docs}篇文件（{cities}；{years}）。",
        "all_cities": "所有城市",
        "all_years": "所有年份",
        "undated_only": "均无日期",
        "unknown_city": "城市不详",
        "unknown_date": "日期不详",
        "searched_as": "检索词：{terms}。",
        "spoken_by": "讲话人{name}",
        "unreadable": "（无法辨认）",
        "national": "全国",
        "nothing_for": "所检索的{city}{n}篇讲话（{when}）没有谈到这个话题",
        "none_in_span": "所问的时间内没有{city}的讲话",
        "no_speeches_for": "索引中没有{city}的讲话",
        "inferred_city": "没有讲话标注为{city}；{city}是从讲话中提到的地名推断的：{evidence}。",
        "entity": "对象",
        "said": "讲话内容",
        "cites": "出处",
        "no_city_docs": "没有标注为{city}的讲话，以下为全部讲话中的结果。",
        "kept": "模型所写的{total}句中有{kept}句得到所引段落支持，其余已删除。",
        "model_cut": "模型的回答写到{tokens}个词元时被截止（SPEECHQA_LLM_MAX_TOKENS）。",
        "unverified": "模型的回答无法用所引段落核实，以下为讲话原文。",
        "model_failed": "模型未能作答（{reason}），以下为讲话原文。",
        "quotes_too": "模型的回答大多无法核实；以下为讲话原文：",
        "keywords_only": "向量检索暂不可用，本回答仅依据关键词检索。",
        "empty_index": "索引中还没有讲话。请先导入讲话（speechqa ingest 或“Documents”页上传）。",
        "building": "索引正在建立，还没有可检索的讲话；请在导入完成后再问。",
        "first_latest": "在所检索的{years}个年份（{start}—{end}年）的文件中，“{topic}”最早见于{first}年 "
        "[{first_n}]，最近一次见于{latest}年 [{latest_n}]；共有{mention_years}个年份的{passages}段提到。",
        "by_date": "按时间顺序：",
        "year_label": "{year}年",
        "undated": "另有{n}段提到它的文件没有日期，未计入时间顺序。",
        "no_dated": "没有找到提到它的有日期的段落，无法按时间回答；以下为一般检索结果。",
        "ledger_intro": "在所检索的{years}个年份（{start}—{end}年）的文件中，有{rows}份写明了“{topic}”"
        "的数字，按年份列出（每个数字引自写明它的句子）：",
        "ledger_places": "有{rows}份文件写明了“{topic}”的数字，按地区列出（每个数字引自写明它的句子）：",
        "ledger_without": "所检索的文件中没有写明这个数字的地区：{places}。",
        "year": "年份",
        "where": "地区",
        "figure": "数字",
        "kind": "性质",
        "target": "目标",
        "result": "实际",
    },
    "en": {
        "intro": "Here is what the speeches say, quoted in the original Chinese (a configured chat model "
        "writes the answer in English):",
        "searched_as": "Searched as: {terms}.",
        "spoken_by": "speaker {name}",
        "none": "The speeches in the corpus do not cover this question.",
        "related": "Possibly related passages:",
        "closest": "The closest passages; none of them states this directly:",
        "searched": "Searched {docs} documents ({cities}; {years}).",
        "all_cities": "all cities",
        "all_years": "all years",
        "undated_only": "undated",
        "unknown_city": "city unknown",
        "unknown_date": "date unknown",
        "unreadable": "(unreadable)",
        "national": "national",
        "nothing_for": "{city} speeches searched: {n} ({when}); none speaks of this topic",
        "none_in_span": "no {city} speeches in the years asked about",
        "no_speeches_for": "no speeches from {city} are indexed",
        "inferred_city": "No speech is tagged {city}; {city} was inferred from the places the speeches name: "
        "{evidence}.",
        "entity": "Place",
        "said": "What was said",
        "cites": "Sources",
        "no_city_docs": "No speech is tagged {city}; showing results from all speeches.",
        "kept": "{kept} of the model's {total} sentences are supported by the passages they cite; the rest "
        "were removed.",
        "unverified": "The model's answer could not be verified against the passages; here are the passages' "
        "own words.",
        "model_failed": "The chat model did not answer ({reason}); here are the passages' own words.",
        "model_cut": "The chat model was stopped after {tokens} tokens (SPEECHQA_LLM_MAX_TOKENS).",
        "quotes_too": "Most of the model's answer could not be verified; the passages' own words:",
        "keywords_only": "The vector index cannot be read right now; this answer comes from keyword search "
        "alone.",
        "empty_index": "No speeches are indexed yet. Add some first (speechqa ingest, or upload in the "
        "Documents tab).",
        "building": "The index is being built and holds no speeches yet; ask again when the ingestion has "
        "finished.",
        "first_latest": "Across the documents of the {years} years searched ({start}–{end}), “{topic}” first "
        "appears in {first} [{first_n}] and most recently in {latest} [{latest_n}]; {passages} passages in "
        "{mention_years} years mention it.",
        "by_date": "In date order:",
        "year_label": "{year}",
        "undated": "{n} more passages mentioning it are in undated documents and are not placed in time.",
        "no_dated": "No dated passage mentioning it was found, so this cannot be answered in time order; "
        "general results follow.",
        "ledger_intro": "Across the documents of the {years} years searched ({start}–{end}), {rows} state "
        "a figure for “{topic}”, by year (each cited to the sentence that states it):",
        "ledger_places": "{rows} documents state a figure for “{topic}”, by place (each cited to the "
        "sentence that states it):",
        "ledger_without": "Places searched whose documents state no such figure: {places}.",
        "year": "Year",
        "where": "Place",
        "figure": "Figure",
        "kind": "Kind",
        "target": "target",
        "result": "result",
    },
}


def phrase(key: str, language: str, script: str) -> str:
    text = PHRASES["en" if language == "en" else "zh"][key]
    return to_traditional(text) if script == "traditional" else text


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


def where_label(place: str, language: str, script: str) -> str:
    """How a reader is told where a document is from (`place` is DocMeta.where or Citation.where):
    the city or province in the reader's script, 全国 / national, or 城市不详 / city unknown."""
    if place == NATIONAL:
        return phrase("national", language, script)
    if not place:
        return phrase("unknown_city", language, script)
    if language == "en":  # Linyi (临沂), Hebei (河北省): the name as English writes it, and as the text does
        english = english_place_name(place)
        return f"{english} ({place})" if english != place else f"{in_pinyin(short_name(place))} ({place})"
    return to_traditional(place) if script == "traditional" else place


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


def compose_answer(
    citations: Sequence[Citation],
    language: str,
    script: str,
    related: Sequence[Citation] = (),
    terms: str = "",
) -> str:
    """Quotes grouped by document (in rank order of each group's best citation); then passages found
    beside them that do not bear on the question as closely, as possibly related. `terms`: for an
    English question, what its terms were searched as (`searched_as`)."""
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
        lines += [
            f"- {group_label(c, language, script)}: “{quoted(c, language, script, 80)}” [{c.n}]"
            for c in related
        ]
    return "\n".join(lines).rstrip()


def compose_abstention(related: Sequence[Citation], language: str, script: str, searched: str = "") -> str:
    lines = [phrase("none", language, script) + (f" {searched}" if searched else "")]
    if related:
        lines += ["", phrase("related", language, script)]
        lines += [
            f"- {group_label(c, language, script)}: “{quoted(c, language, script, 80)}” [{c.n}]"
            for c in related
        ]
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
    return "\n".join([*lines, "", searched(query, view, language, script)])


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
    cities = sorted({m.known_city for m in metas if m.known_city})
    filtered = query.filters.cities or query.filters.doc_ids
    city_text = (
        "、".join(cities[:6]) + ("…" if len(cities) > 6 else "")
        if filtered or len(cities) <= 6
        else phrase("all_cities", language, script)
    )
    return phrase("searched", language, script).format(
        docs=len(allowed),
        cities=city_text or "—",
        years=year_range([m.date for m in metas], language, script),
    )


def year_range(dates: Sequence[str], language: str, script: str) -> str:
    """2020, 2019–2021, or "undated": the years of documents' dates ("" for an undated one)."""
    years = sorted({d[:4] for d in dates if d[:4].isdigit()})
    if not years:
        return phrase("undated_only", language, script)
    return years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"


def compose_comparison(
    rows: Sequence[tuple[str, Sequence[Citation], bool, Sequence[str]]], language: str, script: str
) -> tuple[str, list[ComparisonRow]]:
    """A side-by-side table: entity | what was said | citations. Each row is (entity, its citations,
    whether the index holds any speech of it, the dates of its speeches searched: "" for an undated
    one). A side with nothing says plainly which of three it is: no speeches from it at all, none in
    the years asked about, or how many of its speeches (from when) were searched and are silent."""
    table = [
        f"| {phrase('entity', language, script)} | {phrase('said', language, script)} | "
        f"{phrase('cites', language, script)} |",
        "|---|---|---|",
    ]
    out_rows = []
    for entity, citations, has_speeches, dates in rows:
        if citations:
            said = " ".join(f"“{legible(c.quote, language, script)}” [{c.n}]" for c in citations)
            cites = ", ".join(f"[{c.n}]" for c in citations)
        else:
            said, cites = silence(entity, has_speeches, dates, language, script), "—"
        table.append(f"| {entity} | {said.replace('|', '｜')} | {cites} |")
        out_rows.append(ComparisonRow(entity=entity, summary=said, citations=tuple(c.n for c in citations)))
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
    for it and the places in them that point to it, or (`searched_all`) that all speeches were."""
    notes = []
    for city in query.missing_cities:
        found = [f"{doc_id} ({'、'.join(names[:4])})" for c, doc_id, names in query.inferred if c == city]
        if found or searched_all:
            key = "inferred_city" if found else "no_city_docs"
            notes.append(phrase(key, language, script).format(city=city, evidence="; ".join(found[:3])))
    return tuple(notes)


def with_notes(text: str, notes: Sequence[str]) -> str:
    """An answer's text with its notes (what the reader must know about how it was found) above it."""
    return "\n".join(f"_{n}_" for n in notes) + "\n\n" + text if notes else text


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
        else say("ledger_places").format(rows=len(rows), topic=topic)
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
