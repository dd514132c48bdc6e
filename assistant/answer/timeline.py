"""Questions about time (最早/首次/最近一次/历年/变化; first, latest, over the years): every dated
passage that mentions the topic is found (research.mentions), the earliest and the latest are cited,
with passages from the years between, all in date order, and the years searched are stated."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from assistant.answer.compose import quoted, shortened
from assistant.answer.mentions import Mention
from assistant.query import Query
from assistant.query.places import where_label
from assistant.records import Citation, Timeline
from assistant.wording import phrase
from ingest.normalize import to_traditional
from vectorstore.view import IndexView


def best_of_each_document(mentions: Sequence[Mention]) -> list[Mention]:
    """One mention per document, its best-scoring passage; in date order."""
    best: dict[str, Mention] = {}
    for m in mentions:
        if m.doc_id not in best or m.score > best[m.doc_id].score:
            best[m.doc_id] = m
    return sorted(best.values(), key=lambda m: (m.date, m.doc_id))


def pick(mentions: Sequence[Mention], limit: int) -> list[Mention]:
    """The passages to cite, in date order: the first mention and the latest, and between them
    documents spread evenly over the years (never two from one document)."""
    documents = best_of_each_document([m for m in mentions if m.year])
    if len(documents) <= limit:
        return documents
    first = [m for m in documents if m.date == documents[0].date]
    chosen = {max(first, key=lambda m: m.score).doc_id, documents[-1].doc_id}
    between = documents[1:-1]
    slots = max(0, limit - len(chosen))
    for k in range(slots):
        chosen.add(between[round((k + 1) * (len(between) - 1) / (slots + 1))].doc_id)
    return [m for m in documents if m.doc_id in chosen]


def make_timeline(
    kind: str,
    topic: Sequence[str],
    mentions: Sequence[Mention],
    view: IndexView,
    searched_docs: Sequence[str],
) -> Timeline:
    dated = [m for m in mentions if m.year]
    per_year = Counter(m.year for m in dated)
    years = sorted({view.metas[d].date[:4] for d in searched_docs if view.metas[d].year is not None})
    return Timeline(
        kind=kind,
        topic=tuple(topic),
        first=dated[0].date if dated else "",
        latest=max(m.date for m in dated) if dated else "",
        per_year=tuple(sorted(per_year.items())),
        searched=tuple(years),
        undated=len(mentions) - len(dated),
    )


def topic_label(query: Query, forms: Sequence[str]) -> str:
    """How the answer names the topic: an English question's terms with the Chinese searched for
    (Belt and Road: 一带一路); Chinese forms as one word when the question wrote them together
    (乡村振兴, not 乡村、振兴)."""
    if query.plan.language == "en":
        english = [
            f"{query.plan.as_typed(t.english)} ({t.chinese[0]})"
            for t in query.translations
            if t.chinese and t.chinese[0] in forms
        ]
        return ", ".join(english) or "、".join(forms)
    joined = "".join(forms)
    label = joined if joined in query.plan.normalized else "、".join(forms)
    return to_traditional(label) if query.plan.script == "traditional" else label


def compose_timeline(
    citations: Sequence[Citation], timeline: Timeline, topic: str, language: str, script: str
) -> str:
    """The first and latest mention with their citations and the years searched, then every cited
    passage in date order."""
    first_n = next(c.n for c in citations if c.date[:4] == timeline.first[:4])
    latest_n = max((c for c in citations if c.date[:4] == timeline.latest[:4]), key=lambda c: c.date).n
    lines = [
        phrase("first_latest", language, script).format(
            years=len(timeline.searched),
            start=timeline.searched[0] if timeline.searched else "?",
            end=timeline.searched[-1] if timeline.searched else "?",
            topic=topic,
            first=timeline.first[:4],
            first_n=first_n,
            latest=timeline.latest[:4],
            latest_n=latest_n,
            mention_years=len(timeline.per_year),
            passages=sum(n for _, n in timeline.per_year),
        )
    ]
    if timeline.undated:
        lines.append(phrase("undated", language, script).format(n=timeline.undated))
    lines += ["", phrase("by_date", language, script)]
    for c in citations:
        year = phrase("year_label", language, script).format(year=c.date[:4])
        colon = ": " if language == "en" else "："
        lines.append(
            f"- **{year}** · {where_label(c.where, language, script)} · "
            f"{shortened(c.title, 40)}{colon}“{quoted(c, language, script)}” [{c.n}]"
        )
    return "\n".join(lines)
