"""A digest for a topic: every paragraph that mentions it within a set of cities or years, grouped
by city and then by date, each with its document, source and section; as Markdown and as .docx."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from assistant.answer.mentions import cite_mentions, find_mentions, topic_forms
from assistant.answer.pipeline import Assistant
from assistant.query import plan_query
from assistant.query.places import where_label
from assistant.records import Citation
from vectorstore.records import Filters

MAX_PARAGRAPHS = 300  # a digest is read by a person; more than this is a search, not a report


@dataclass(frozen=True, slots=True)
class Digest:
    topic: str
    forms: tuple[str, ...]
    filters: Filters
    groups: tuple[tuple[str, tuple[Citation, ...]], ...]  # (city, citations in date order)
    left_out: int  # mentions beyond MAX_PARAGRAPHS

    @property
    def paragraphs(self) -> int:
        return sum(len(cs) for _, cs in self.groups)


def digest(assistant: Assistant, topic: str, filters: Filters = Filters()) -> Digest:
    view = assistant.index.view()
    query = assistant.query(plan_query(topic.strip()), view, filters)
    mentions = find_mentions(query, view)
    kept = mentions[:MAX_PARAGRAPHS]
    citations = cite_mentions(kept, query.highlight, view, query.quantity)
    by_city: dict[str, list[Citation]] = defaultdict(list)
    for c in citations:
        by_city[c.where].append(c)
    # grouped under the place as the documents write it (临沂, 河北省), the unknown last
    groups = tuple(
        (
            where_label(city, "zh", "simplified"),
            tuple(sorted(cs, key=lambda c: (not c.date, c.date, c.doc_id, c.paragraph))),
        )
        for city, cs in sorted(by_city.items(), key=lambda kv: (not kv[0], kv[0]))
    )
    return Digest(
        topic.strip(),
        tuple(f[0] for f in topic_forms(query, view)),
        filters,
        groups,
        len(mentions) - len(kept),
    )


def _scope_line(d: Digest) -> str:
    f = d.filters
    parts = [
        f"cities: {', '.join(f.cities)}" if f.cities else "all cities",
        f"dates: {f.date_from or '…'} – {f.date_to or '…'}" if (f.date_from or f.date_to) else "all dates",
    ]
    forms = " + ".join(d.forms) or "—"
    return f"Topic “{d.topic}” (passages holding {forms}); {'; '.join(parts)}; {d.paragraphs} paragraphs"


def to_markdown(d: Digest) -> str:
    lines = [f"# Digest: {d.topic}", "", _scope_line(d) + ".", ""]
    if d.left_out:
        lines += [f"_{d.left_out} more paragraphs mention it; narrow the cities or years to see them._", ""]
    for city, citations in d.groups:
        lines += [f"## {city}", ""]
        for c in citations:
            lines += [
                f"### {c.date or 'undated'} · {c.title}",
                "",
                f"{c.section or '—'} · ¶{c.paragraph} · `{c.doc_id}` · {c.source}",
                "",
                f"> {c.text.replace(chr(10), ' ')}",
                "",
            ]
    if not d.groups:
        lines.append("No paragraph in the index mentions this topic within these limits.")
    return "\n".join(lines).rstrip() + "\n"


def to_docx(d: Digest, target: Path) -> Path:
    from docx import Document as Docx

    doc = Docx()
    doc.add_heading(f"Digest: {d.topic}", level=0)
    doc.add_paragraph(_scope_line(d) + ".")
    if d.left_out:
        doc.add_paragraph(f"{d.left_out} more paragraphs mention it; narrow the cities or years to see them.")
    for city, citations in d.groups:
        doc.add_heading(city, level=1)
        for c in citations:
            doc.add_heading(f"{c.date or 'undated'} · {c.title}", level=2)
            doc.add_paragraph().add_run(
                f"{c.section or '—'} · ¶{c.paragraph} · {c.doc_id} · {c.source}"
            ).italic = True
            doc.add_paragraph(c.text, style="Quote")
    if not d.groups:
        doc.add_paragraph("No paragraph in the index mentions this topic within these limits.")
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target
