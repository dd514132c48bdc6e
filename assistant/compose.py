"""The offline answer: the most relevant sentences of the retrieved chunks, quoted as written and
grouped by city or document, each with a numbered citation. No model is needed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.records import Citation, ComparisonRow
from ingest.chunking import sentence_spans
from ingest.normalize import normalize_text, to_traditional
from ingest.records import DocMeta
from vectorstore.records import Hit

# Framing text per question language; quotes stay in the script they were written in.
PHRASES = {
    "zh": {
        "intro": "根据所收录的讲话，相关内容如下：",
        "none": "所收录的讲话没有涉及这个问题。",
        "related": "以下段落可能相关：",
        "unknown_city": "城市不详",
        "nothing_for": "未找到相关内容",
        "entity": "对象", "said": "讲话内容", "cites": "出处",
        "no_city_docs": "没有标注为{city}的讲话，以下为全部讲话中的结果。",
        "dropped": "部分生成内容因缺乏出处支持已删除。",
    },
    "en": {
        "intro": "Here is what the speeches say (quoted in the original Chinese):",
        "none": "The speeches in the corpus do not cover this question.",
        "related": "Possibly related passages:",
        "unknown_city": "city unknown",
        "nothing_for": "nothing found in the speeches",
        "entity": "City", "said": "What was said", "cites": "Sources",
        "no_city_docs": "No speech is tagged {city}; showing results from all speeches.",
        "dropped": "Some generated statements were removed because the cited passages do not support them.",
    },
}


def phrase(key: str, language: str, script: str) -> str:
    text = PHRASES["en" if language == "en" else "zh"][key]
    return to_traditional(text) if script == "traditional" else text


_QUANTITY_QUESTION = re.compile(r"(多少|几|多大|规模|数量|比例|比率|目标|增长|达到|how (much|many)|what (share|percentage|rate|ratio|target|amount)|\bnumber\b)", re.I)
_NUMBER = re.compile(r"\d")


def asks_quantity(question: str) -> bool:
    return bool(_QUANTITY_QUESTION.search(question))


def _sentence_score(sentence: str, keywords: Sequence[str], quantity: bool = False) -> float:
    folded = normalize_text(sentence)
    score = float(sum(len(k) for k in set(keywords) if len(k) >= 2 and k in folded))
    if quantity and _NUMBER.search(sentence):
        score += 4.0  # a question about an amount is answered by the sentence that states one
    return score


def best_quote(hit: Hit, keywords: Sequence[str], max_sentences: int = 2, max_chars: int = 160,
               quantity: bool = False) -> tuple[int, int]:
    """Offsets (within the chunk text) of the sentence(s) that best match the keywords: the best sentence,
    plus its neighbour when that one matches too and the quote stays short. Without any match, the first
    sentence after the heading."""
    text = hit.chunk.text
    spans = [(s, e) for s, e in sentence_spans(text, 0, len(text)) if text[s:e].strip()]
    if not spans:
        return 0, len(text)
    scores = [_sentence_score(text[s:e], keywords, quantity) for s, e in spans]
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    if scores[best] == 0:
        best = 1 if len(spans) > 1 and len(text[spans[0][0]:spans[0][1]]) < 30 else 0
    start, end = spans[best]
    if max_sentences > 1 and best + 1 < len(spans) and scores[best + 1] > 0 and spans[best + 1][1] - start <= max_chars:
        end = spans[best + 1][1]
    if quantity and not _NUMBER.search(text[start:end]):
        # the amount asked for often sits in the next sentence or two: quote through it
        for s, e in spans[best + 1: best + 4]:
            if e - start > max_chars + 80:
                break
            if _NUMBER.search(text[s:e]):
                end = e
                break
    if end - start > 2 * max_chars:
        start, end = best_clauses(text, start, end, keywords, max_chars, quantity)
    while start < end and text[start] in "\n ":
        start += 1
    return start, end


_CLAUSE_END = re.compile(r"[，；：,;:]")


def best_clauses(text: str, start: int, end: int, keywords: Sequence[str], max_chars: int,
                 quantity: bool = False) -> tuple[int, int]:
    """Within one overlong sentence (a report's 360-character opening), the best-matching clause and
    its neighbours up to `max_chars`: the part that answers, not the preamble."""
    cuts = [start] + [m.end() for m in _CLAUSE_END.finditer(text, start, end)] + [end]
    clauses = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    scores = [_sentence_score(text[a:b], keywords, quantity) for a, b in clauses]
    best = max(range(len(clauses)), key=lambda i: (scores[i], -i))
    if scores[best] == 0:
        return start, end
    first = last = best
    while True:
        grow = [i for i in (last + 1, first - 1) if 0 <= i < len(clauses)
                and max(clauses[last][1], clauses[i][1]) - min(clauses[first][0], clauses[i][0]) <= max_chars]
        if not grow:
            break
        i = max(grow, key=lambda j: scores[j])  # the neighbour that matches more, the following one on a tie
        first, last = min(first, i), max(last, i)
    return clauses[first][0], clauses[last][1]


def elided(citation: Citation) -> str:
    """The quote with … where it starts or stops inside a sentence of the passage."""
    at = citation.text.find(citation.quote)
    before = citation.text[:at].rstrip() if at > 0 else ""
    head = "…" if before and before[-1] not in "。！？!?.\n”" else ""
    tail = "…" if citation.quote and citation.quote[-1] in "，；：,;:" else ""
    return f"{head}{citation.quote.rstrip('，；：,;:')}{tail}"


def make_citation(n: int, hit: Hit, meta: DocMeta, keywords: Sequence[str], quantity: bool = False,
                  source: str = "") -> Citation:
    start, end = best_quote(hit, keywords, quantity=quantity)
    chunk = hit.chunk
    paragraph = chunk.paragraphs[0] + chunk.text[:start].count("\n")
    return Citation(
        n=n, chunk_id=chunk.chunk_id, doc_id=chunk.doc_id, title=meta.title, source=meta.url or source or chunk.doc_id,
        city=meta.city, date=meta.date, section=chunk.section, paragraph=paragraph, text=chunk.text,
        quote=chunk.text[start:end].strip(), score=round(hit.score, 5), start=chunk.start, end=chunk.end,
    )


def group_label(citation: Citation, language: str, script: str) -> str:
    city = citation.city if citation.city != "unknown" else phrase("unknown_city", language, script)
    date = f", {citation.date}" if citation.date else ""
    return f"**{city}** · {citation.title[:40]}{date}"


def compose_answer(citations: Sequence[Citation], language: str, script: str) -> str:
    """Quotes grouped by document (in rank order of each group's best citation)."""
    lines = [phrase("intro", language, script), ""]
    groups: dict[str, list[Citation]] = {}
    for citation in citations:
        groups.setdefault(citation.doc_id, []).append(citation)
    for members in groups.values():
        lines.append(group_label(members[0], language, script))
        for citation in members:
            lines.append(f"- “{elided(citation)}” [{citation.n}]")
        lines.append("")
    return "\n".join(lines).rstrip()


def compose_abstention(related: Sequence[Citation], language: str, script: str) -> str:
    lines = [phrase("none", language, script)]
    if related:
        lines += ["", phrase("related", language, script)]
        lines += [f"- {group_label(c, language, script)}: “{c.quote[:80]}” [{c.n}]" for c in related]
    return "\n".join(lines)


def compose_comparison(
    rows: Sequence[tuple[str, Sequence[Citation]]], language: str, script: str
) -> tuple[str, list[ComparisonRow]]:
    """A side-by-side table: entity | what was said | citations; says so plainly when a side has nothing."""
    table = [f"| {phrase('entity', language, script)} | {phrase('said', language, script)} | {phrase('cites', language, script)} |",
             "|---|---|---|"]
    out_rows = []
    for entity, citations in rows:
        if citations:
            said = " ".join(f"“{c.quote}” [{c.n}]" for c in citations)
            cites = ", ".join(f"[{c.n}]" for c in citations)
        else:
            said, cites = phrase("nothing_for", language, script), "—"
        table.append(f"| {entity} | {said.replace('|', '｜')} | {cites} |")
        out_rows.append(ComparisonRow(entity=entity, summary=said if citations else "", citations=tuple(c.n for c in citations)))
    return "\n".join(table), out_rows
