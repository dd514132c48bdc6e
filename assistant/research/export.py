"""An answer as a table a researcher keeps: a figure over the years (one row per year), a comparison
(one row per place and passage), or any other answer (one row per quoted passage), every row with its
citation (document, paragraph, date, the sentence quoted); as CSV and as .docx."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.records import Answer, Citation, LedgerRow

CITATION_COLUMNS = ("n", "document", "doc_id", "paragraph", "date", "quote")


def _cited(c: Citation | None) -> list[str]:
    if c is None:
        return [""] * len(CITATION_COLUMNS)
    return [str(c.n), c.title, c.doc_id, str(c.paragraph), c.date, c.quote]


def ledger_table(
    rows: Sequence[LedgerRow], citations: Sequence[Citation]
) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a figure over the years or places, each row with its citation."""
    by_n = {c.n: c for c in citations}
    header = ["year", "place", "indicator", "figure", "value", "high", "unit", "qualifier", "kind"]
    body = [
        [
            r.year,
            r.where,
            r.indicator,
            r.figure,
            "" if r.value is None else f"{r.value:g}",
            "" if r.high is None else f"{r.high:g}",
            r.unit,
            r.qualifier,
            r.kind,
            *_cited(by_n.get(r.n)),
        ]
        for r in rows
    ]
    return header + list(CITATION_COLUMNS), body


def table(answer: Answer) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the answer: the ledger's rows, the comparison's places, or the quotes."""
    if answer.ledger:
        return ledger_table(answer.ledger, answer.citations)
    by_n = {c.n: c for c in answer.citations}
    if answer.comparison:
        header = ["place", "said"]
        rows = []
        for side in answer.comparison:
            for n in side.citations or (0,):
                rows.append([side.entity, side.summary if not side.citations else "", *_cited(by_n.get(n))])
        return header + list(CITATION_COLUMNS), rows
    return list(CITATION_COLUMNS), [_cited(c) for c in answer.citations]


def write_csv(header: Sequence[str], rows: Sequence[Sequence[str]], target: Path) -> Path:
    """UTF-8 CSV with a byte-order mark (spreadsheets then read the Chinese right)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return target


def to_csv(answer: Answer, target: Path) -> Path:
    """The answer's table as CSV."""
    return write_csv(*table(answer), target)


def to_docx(answer: Answer, target: Path) -> Path:
    """The question, the table, then every cited passage in full with where it sits."""
    from docx import Document as Docx

    header, rows = table(answer)
    doc = Docx()
    doc.add_heading(answer.question, level=1)
    shown = [i for i, name in enumerate(header) if name not in ("doc_id", "quote")]
    grid = doc.add_table(rows=1, cols=len(shown))
    grid.style = "Table Grid"
    for cell, i in zip(grid.rows[0].cells, shown, strict=True):
        cell.text = header[i]
    for row in rows:
        for cell, i in zip(grid.add_row().cells, shown, strict=True):
            cell.text = row[i]
    _passages(doc, answer.citations)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


def _passages(doc: Any, citations: Sequence[Citation]) -> None:
    """Every cited passage after the table: [n] title, where it sits, the sentence quoted."""
    for c in citations:
        doc.add_heading(f"[{c.n}] {c.title}", level=2)
        line = f"{c.date or 'undated'} · {c.section or '—'} · ¶{c.paragraph} · {c.doc_id} · {c.source}"
        doc.add_paragraph().add_run(line).italic = True
        doc.add_paragraph(c.quote, style="Quote")
