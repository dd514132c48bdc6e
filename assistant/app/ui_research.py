"""The UI's research parts: the Trends tab (a topic per year or city, the passages behind each point,
CSV, PNG, a digest) and the metadata editor of the Documents tab. Built inside the app's Blocks."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.answer.compose import shortened
from assistant.answer.mentions import cite_mentions
from assistant.answer.pipeline import Assistant
from assistant.app.render import edits_lines, where_line
from assistant.app.ui_html import citation_card, user_error
from assistant.query.places import where_label
from assistant.research.digest import digest, to_docx, to_markdown
from assistant.research.export import ledger_table, write_csv
from assistant.research.trends import Trend, figure_series, figures_png, to_csv, to_png, trend
from ingest.errors import MetadataError
from ingest.metadata import SET_BY_YOU
from vectorstore.errors import VectorStoreError
from vectorstore.library import Library
from vectorstore.records import Filters


def _out_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="speechqa-"))


def _filters(cities: list[str] | None, date_from: str, date_to: str) -> Filters:
    return Filters(
        cities=tuple(cities or ()), date_from=(date_from or "").strip(), date_to=(date_to or "").strip()
    )


def trend_summary(t: Trend, assistant: Assistant) -> str:
    """The first and the latest mention, quoted, with where they are."""
    if not t.total:
        return f"No passage mentions “{t.topic}” ({'、'.join(t.forms) or 'no searchable words'})."
    view = assistant.index.view()
    lines = [f"**{t.total}** passages hold {' + '.join(t.forms)}."]
    for label, m in (("First mention", t.first), ("Latest mention", t.latest)):
        if m is None:
            continue
        c = cite_mentions([m], t.forms, view)[0]
        lines.append(
            f"- **{label}: {m.date[:4]}** · {where_label(c.where, 'en', 'simplified')} · "
            f"{shortened(c.title, 40)} "
            f"¶{c.paragraph} — “{c.quote[:160]}”"
        )
    if t.unplaced:
        lines.append(f"- {t.unplaced} more in documents without a {'date' if t.by == 'year' else 'city'}")
    return "\n".join(lines)


def point_html(t: Trend | None, key: str | None, assistant: Assistant) -> str:
    """The passages behind one point of the chart, as source cards."""
    if t is None or not key:
        return "<p>Pick a point to read the passages behind it.</p>"
    point = t.point(key.split(" ")[0])
    if point is None or not point.mentions:
        return "<p>No passage for this point.</p>"
    view = assistant.index.view()
    cards = cite_mentions(point.mentions[:30], t.forms, view)
    more = f"<p>… and {len(point.mentions) - 30} more.</p>" if len(point.mentions) > 30 else ""
    return "".join(citation_card(c, "original") for c in cards) + more


FIGURES = "figures by year"  # the figure each document states for the topic, not a count of mentions


def build_trends_tab(assistant: Assistant, cities_now: Callable[[], list[str]]) -> Any:
    import gradio as gr

    def show_figures(topic: str, filters: Filters) -> tuple[Any, ...]:
        """The figure each dated document states for the topic, as a chart and a cited table."""
        series = figure_series(assistant, topic, filters)
        folder = _out_dir()
        png = figures_png(series, folder / "figures.png") if series.rows else None
        csv_path = write_csv(*ledger_table(series.rows, series.citations), folder / "figures.csv")
        by_n = {c.n: c for c in series.citations}
        lines = (
            [f"No document states a figure for “{topic}”."]
            if not series.rows
            else [
                "| year | place | figure | kind | source |",
                "|---|---|---|---|---|",
                *(
                    f"| {r.year} | {r.where} | {r.indicator} {r.figure} | {r.kind} | "
                    f"[{r.n}] {shortened(by_n[r.n].title, 30)} ¶{by_n[r.n].paragraph} |"
                    for r in series.rows
                ),
            ]
        )
        return (
            None,
            gr.update(value=str(png) if png else None, visible=png is not None),
            "\n".join(lines),
            gr.update(choices=[], value=None, visible=False),
            "",
            gr.update(value=str(csv_path), visible=bool(series.rows)),
            gr.update(value=str(png) if png else None, visible=png is not None),
        )

    def show(topic: str, by: str, cities: list[str], date_from: str, date_to: str) -> tuple[Any, ...]:
        if not (topic or "").strip():
            raise user_error("Type a topic first (乡村振兴, 招商引资, land quotas).")
        if by == FIGURES:
            return show_figures(topic.strip(), _filters(cities, date_from, date_to))
        try:
            t = trend(assistant, topic, by, _filters(cities, date_from, date_to))
        except VectorStoreError as exc:
            raise user_error(str(exc)) from exc
        folder = _out_dir()
        csv_path = folder / f"trend-{by}.csv"
        csv_path.write_text(to_csv(t), encoding="utf-8")
        png = to_png(t, folder / f"trend-{by}.png") if t.total else None
        choices = [f"{p.key} ({p.passages})" for p in t.points if p.passages]
        return (
            t,
            gr.update(value=str(png) if png else None, visible=png is not None),
            trend_summary(t, assistant),
            gr.update(choices=choices, value=None, visible=bool(choices)),
            point_html(None, None, assistant),
            gr.update(value=str(csv_path), visible=bool(t.total)),
            gr.update(value=str(png) if png else None, visible=png is not None),
        )

    def make_digest(topic: str, cities: list[str], date_from: str, date_to: str) -> tuple[Any, ...]:
        if not (topic or "").strip():
            raise user_error("Type a topic first.")
        d = digest(assistant, topic, _filters(cities, date_from, date_to))
        folder = _out_dir()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        md = folder / f"digest-{stamp}.md"
        md.write_text(to_markdown(d), encoding="utf-8")
        docx = to_docx(d, folder / f"digest-{stamp}.docx")
        note = f"{d.paragraphs} paragraphs in {len(d.groups)} groups" + (
            f" ({d.left_out} more left out)" if d.left_out else ""
        )
        return gr.update(value=[str(md), str(docx)], visible=True), note

    with gr.Tab("Trends"):
        gr.Markdown(
            "How often a topic comes up per year or per city: every passage that mentions it (its words; "
            "English is translated). Pick a point to read the passages behind it."
        )
        with gr.Row():
            topic = gr.Textbox(
                label="Topic",
                placeholder="乡村振兴 / 招商引资 / land quotas",
                scale=4,
                elem_id="sq-trend-topic",
            )
            by = gr.Radio(["year", "city", FIGURES], value="year", label="By", scale=1, elem_id="sq-trend-by")
            go = gr.Button("Show", variant="primary", scale=1, elem_id="sq-trend-run")
        with gr.Accordion("Limit to cities or dates", open=False):
            cities = gr.Dropdown(cities_now(), multiselect=True, label="City", elem_id="sq-trend-city")
            with gr.Row():
                date_from = gr.Textbox(label="From (YYYY or YYYY-MM-DD)")
                date_to = gr.Textbox(label="To")
        state = gr.State(None)
        chart = gr.Image(
            label="Passages mentioning the topic",
            type="filepath",
            visible=False,
            elem_id="sq-trend-chart",
            height=300,
        )
        summary = gr.Markdown(elem_id="sq-trend-summary")
        point = gr.Radio([], label="Passages behind a point", visible=False, elem_id="sq-trend-point")
        passages = gr.HTML(elem_id="sq-trend-passages")
        with gr.Row():
            csv_file = gr.File(label="Counts (CSV)", visible=False, interactive=False)
            png_file = gr.File(label="Chart (PNG)", visible=False, interactive=False)
        with gr.Accordion(
            "Digest: every paragraph on the topic, by city and date (Markdown and .docx)", open=False
        ):
            make = gr.Button("Make the digest (uses the limits above)", elem_id="sq-digest-run")
            made = gr.Markdown(elem_id="sq-digest-note")
            files = gr.File(
                label="Digest",
                file_count="multiple",
                visible=False,
                interactive=False,
                elem_id="sq-digest-files",
            )
        for trigger in (go.click, topic.submit):
            trigger(
                show,
                [topic, by, cities, date_from, date_to],
                [state, chart, summary, point, passages, csv_file, png_file],
                concurrency_limit=2,
            )
        point.change(lambda t, key: point_html(t, key, assistant), [state, point], passages)
        make.click(make_digest, [topic, cities, date_from, date_to], [files, made], concurrency_limit=1)
    return cities


def metadata_form(assistant: Assistant, choice: str | None) -> tuple[Any, ...]:
    """The fields of the chosen document, and what was set by a person beside what was inferred."""
    row = Library(assistant.index).row(choice.split(" ")[0]) if choice else None
    if row is None:
        return "", "", "", "", "Choose a document."
    lines = [f"**{row.doc_id}** · where: {where_line(row.meta)}"] + [
        f"- {line}" for line in edits_lines(row.meta, row.inferred)
    ]
    if not row.meta.edited:
        lines.append("- every field as inferred by ingestion")
    return row.meta.known_city, row.meta.date, row.meta.speaker, row.meta.title, "\n".join(lines)


def build_metadata_editor(
    assistant: Assistant,
    choices: Callable[[], list[str]],
    refresh: Callable[[], tuple[Any, ...]],
    refreshed: Sequence[Any],
) -> Any:
    """Correct a document's city, date, speaker or title: checked, kept across re-ingestion, used by
    filters and comparisons at once. `refresh` updates the `refreshed` components (tables, filters).
    Returns the document picker, for the page to fill on load."""
    import gradio as gr

    library = Library(assistant.index)

    def save(choice: str | None, city: str, date: str, speaker: str, title: str) -> tuple[Any, ...]:
        if not choice:
            raise user_error("Choose a document first.")
        doc_id = choice.split(" ")[0]
        row = library.row(doc_id)
        kept = (gr.skip(),) * 5  # the form as typed: nothing a person wrote is lost to an error
        if row is None:
            return "⚠️ No such document: it may have been removed.", *kept, *refresh()
        values, cleared = library.changes(
            row, {"city": city, "date": date, "speaker": speaker, "title": title}
        )
        if not values and not cleared:
            return "Nothing changed.", *kept, *refresh()
        try:
            library.edit(doc_id, values, cleared)
        except (MetadataError, VectorStoreError) as exc:
            return f"⚠️ {exc}. Nothing was changed.", *kept, *refresh()
        done = ", ".join(f"{f} = {v}" for f, v in values.items()) or ""
        undone = ", ".join(f"{f} back to inferred" for f in cleared)
        return (
            f"Saved for {doc_id}: {'; '.join(p for p in (done, undone) if p)} ({SET_BY_YOU}).",
            *metadata_form(assistant, choice),
            *refresh(),
        )

    with gr.Accordion("Correct a document's city, date, speaker or title", open=True):
        gr.Markdown(
            "What you set is kept when the file is ingested again, shown as “set by you” beside what was "
            "inferred, and used by filters and comparisons at once. Empty a field you set to go back to the "
            "inferred value."
        )
        pick = gr.Dropdown(choices(), label="Document", allow_custom_value=True, elem_id="sq-edit-doc")
        with gr.Row():
            city = gr.Textbox(label="City (惠州 or 惠州市)", elem_id="sq-edit-city")
            date = gr.Textbox(label="Date (YYYY-MM-DD, YYYY-MM or YYYY)", elem_id="sq-edit-date")
            speaker = gr.Textbox(label="Speaker", elem_id="sq-edit-speaker")
        title = gr.Textbox(label="Title", elem_id="sq-edit-title")
        with gr.Row():
            apply = gr.Button("Save", variant="primary", elem_id="sq-edit-save")
        result = gr.Markdown(elem_id="sq-edit-result")
        about = gr.Markdown(elem_id="sq-edit-about")
        pick.change(lambda c: metadata_form(assistant, c), pick, [city, date, speaker, title, about])
        apply.click(
            save,
            [pick, city, date, speaker, title],
            [result, city, date, speaker, title, about, *refreshed],
            concurrency_limit=1,
        )
    return pick
