"""The Gradio chat UI. Callbacks are thin: they call the same Assistant the CLI uses and render.
Nothing heavy happens at import time; `build_app` makes the Blocks, `serve` launches them."""

from __future__ import annotations

import html
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.answer.compose import shortened
from assistant.answer.pipeline import Assistant
from assistant.app.render import conversation_markdown, where_line
from assistant.app.ui_html import (
    RANKED_HEADERS,
    SCRIPTS,
    LiveAnswer,
    answer_for_chat,
    chips_html,
    comparison_html,
    document_html,
    plan_markdown,
    ranked_rows,
    script_for,
    source_choices,
    sources_html,
    user_error,
)
from assistant.app.ui_research import build_metadata_editor, build_trends_tab
from assistant.errors import AssistantError
from assistant.records import Answer, Checked, Done, Sources
from ingest.errors import IngestError
from ingest.metadata import SET_BY_YOU
from ingest.pipeline import doc_id_for
from vectorstore.errors import VectorStoreError
from vectorstore.library import Library
from vectorstore.records import Filters

EXAMPLES = [
    "各地对重点项目督查考核有什么要求？",
    "放管服改革要達到什麼目標？",
    "What did the speeches say about land quotas?",
    "compare Linyi and Liaocheng on attracting investment",
]
# errors whose message is for the user (what happened, what to do): shown in a dialog, never a traceback
SHOWN_ERRORS = (AssistantError, IngestError, VectorStoreError)


@dataclass
class Conversation:
    """One browser session's conversation: questions asked and the answers given."""

    turns: list[tuple[str, Answer]] = field(default_factory=list)
    folder: Path | None = None  # where its exports are written, one folder per conversation
    # where each answer stands in the chat's messages, to show it again in another script
    in_chat: list[tuple[int, Answer]] = field(default_factory=list)

    @property
    def history(self) -> list[str]:
        return [q for q, _ in self.turns]

    @property
    def last(self) -> Answer | None:
        return self.turns[-1][1] if self.turns else None

    def export_path(self, name: str) -> Path:
        """A file of this conversation's exports folder (made once), named for when it is written."""
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="speechqa-"))
        return self.folder / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"


def export_last_answer(conv: Conversation, kind: str) -> Path:
    """The last answer's table (a figure over the years, a comparison, or its quotes), every row with
    its citation, as CSV or .docx in the conversation's exports folder."""
    from assistant.research.export import to_csv, to_docx

    if conv.last is None:
        raise user_error("Nothing to export yet: ask a question first.")
    target = conv.export_path("answer").with_suffix(f".{kind}")
    return (to_csv if kind == "csv" else to_docx)(conv.last, target)


def _filters(cities: list[str] | None, docs: list[str] | None, date_from: str, date_to: str) -> Filters:
    return Filters(
        cities=tuple(cities or ()),
        doc_ids=tuple(d.split(" ")[0] for d in docs or ()),
        date_from=(date_from or "").strip(),
        date_to=(date_to or "").strip(),
    )


def build_app(assistant: Assistant, *, title: str = "speechqa") -> Any:
    import gradio as gr

    index = assistant.index
    library = Library(index)

    def doc_rows() -> list[list[Any]]:
        def mark(field: str, value: str) -> str:
            return f"{value} ({SET_BY_YOU})" if field in d.meta.edited else value

        rows = []
        for d in library.documents():
            people = "、".join(n.name for n in d.meta.people[:6])
            notes = [
                f"copy of {d.copy_of}" if d.copy_of else "",
                f"copies: {', '.join(d.copies)}" if d.copies else "",
                *d.quality.warnings(),
            ]
            rows.append(
                [
                    d.doc_id,
                    mark("title", shortened(d.meta.title, 60)),
                    where_line(d.meta),
                    mark("date", d.meta.date),
                    mark("speaker", d.meta.speaker) + (f" · {people}" if people else ""),
                    d.chunks,
                    "; ".join(n for n in notes if n),
                ]
            )
        return rows

    def doc_table() -> tuple[list[list[Any]], str]:
        """The Documents table's rows and, above it, how many documents and chunks it holds, so that a
        row below the fold is known to be there (the table has a search box)."""
        rows = doc_rows()
        return rows, f"**{len(rows)} documents, {sum(row[5] for row in rows):,} chunks**"

    def doc_choices() -> list[str]:
        return [f"{d.doc_id} {shortened(d.meta.title, 30)}" for d in library.documents()]

    # callbacks -----------------------------------------------------------------------------------
    def answer_into_chat(
        question: str,
        shown_question: str,
        history: list[str],
        filters: Filters,
        chat: list[dict[str, str]],
        conv: Conversation,
        script: str,
    ) -> Iterator[tuple[Any, ...]]:
        """Ask and stream into the chat: the sources, the scope chips and a comparison's columns as soon
        as retrieval is done, then the text. Yields the outputs of `respond`."""
        chat = [*chat, {"role": "user", "content": shown_question}, {"role": "assistant", "content": "…"}]
        # the previous answer's sources go at once: text and sources never belong to two answers
        yield (
            chat,
            conv,
            sources_html(None, script, searching=shown_question),
            gr.update(choices=[], value=None),
            "",
            *scope_outputs(None),
            gr.update(value="", visible=False),
        )
        try:
            events = assistant.stream(question, history, filters=filters)
        except SHOWN_ERRORS as exc:  # said in the conversation; the question goes back into the box
            chat[-1] = {"role": "assistant", "content": f"⚠️ {html.escape(str(exc), quote=False)}"}
            yield (
                chat,
                conv,
                sources_html(None, script),
                gr.update(choices=[], value=None),
                shown_question,
                *scope_outputs(conv.last),
                gr.skip(),
            )
            return
        live = LiveAnswer()
        head: tuple[Any, ...] = (gr.skip(),) * 5
        shown_in = script_for(script, None)
        for event in events:
            if isinstance(event, Sources):  # the cards as soon as retrieval is done, before any text
                shown_in = script_for(script, event.answer)
                live.take(event)
                head = (
                    sources_html(event.answer, shown_in),
                    gr.update(choices=source_choices(event.answer), value=None),
                    *scope_outputs(event.answer),
                    compare_update(event.answer, shown_in),
                )
                chat[-1] = {"role": "assistant", "content": "▍"}
            elif isinstance(event, Done):
                answer = event.answer
                conv.turns.append((question, answer))
                conv.in_chat.append((len(chat) - 1, answer))
                chat[-1] = {"role": "assistant", "content": answer_for_chat(answer, shown_in)}
                yield (
                    chat,
                    conv,
                    sources_html(answer, shown_in),
                    gr.update(choices=source_choices(answer), value=None),
                    "",
                    *scope_outputs(answer),
                    compare_update(answer, shown_in),
                )
                return
            else:
                live.take(event)
                chat[-1] = {"role": "assistant", "content": live.markdown(shown_in)}
            yield chat, conv, head[0], head[1], "", *head[2:]
            head = (gr.skip(),) * 5  # sent once; the text alone changes from here on

    def respond(
        question: str,
        chat: list[dict[str, str]],
        conv: Conversation,
        cities: list[str],
        docs: list[str],
        date_from: str,
        date_to: str,
        script: str,
    ) -> Iterator[tuple[Any, ...]]:
        question = (question or "").strip()
        if not question:
            raise user_error("Type a question first.")
        yield from answer_into_chat(
            question, question, conv.history, _filters(cities, docs, date_from, date_to), chat, conv, script
        )

    def rescope(
        chips: list[str] | None,
        chat: list[dict[str, str]],
        conv: Conversation,
        cities: list[str],
        docs: list[str],
        date_from: str,
        date_to: str,
        script: str,
    ) -> Iterator[tuple[Any, ...]]:
        """A chip removed: the last question asked again within the scope still shown; the conversation
        goes on from that scope (its question takes the last one's place in the history)."""
        answer = conv.last
        if answer is None or answer.scope is None:
            return
        scope = answer.scope.keeping(list(chips or []))
        if scope == answer.scope:
            return
        question = scope.question() or answer.question
        conv.turns = conv.turns[:-1]  # the scope's question takes the last one's place
        filters = _filters(cities, docs, date_from, date_to)
        if scope.documents:
            filters = replace(filters, doc_ids=scope.filters().doc_ids)
        # the scope's question is whole (places, years, topic): asked alone, not as a follow-up
        yield from answer_into_chat(question, f"↻ {question}", [], filters, chat, conv, script)

    def scope_outputs(answer: Answer | None) -> tuple[Any, Any]:
        """The removable chips (a multiselect whose values show as chips) and the fixed ones."""
        if answer is None or answer.scope is None:
            return gr.update(choices=[], value=[], visible=False), gr.update(value="", visible=False)
        chips = answer.scope.chips()
        return (
            gr.update(choices=chips, value=chips, visible=bool(chips)),  # nothing to remove: no box
            gr.update(value=chips_html(answer.scope.fixed()), visible=True),
        )

    def compare_update(answer: Answer, script: str) -> Any:
        view = comparison_html(answer, script)
        return gr.update(value=view, visible=bool(view))

    def open_source(choice: str | None, conv: Conversation, script: str) -> str:
        script = script_for(script, conv.last)
        answer = conv.last
        if not choice or answer is None:
            return document_html(None, 0, "", script)
        cards = {str(c.n): c for c in answer.sources}
        citation = cards.get(str(choice))
        if citation is None:
            return document_html(None, 0, "", script)
        return document_html(library.document(citation.doc_id), citation.paragraph, citation.quote, script)

    def rescript(
        script: str, chat: list[dict[str, Any]], conv: Conversation, choice: str | None
    ) -> tuple[Any, ...]:
        """Everything shown again in the script chosen: the answers in the chat, the source cards,
        the passage open and a comparison's columns."""
        chat = list(chat)
        for position, answer in conv.in_chat:
            if position < len(chat) and chat[position].get("role") == "assistant":
                chat[position] = {
                    "role": "assistant",
                    "content": answer_for_chat(answer, script_for(script, answer)),
                }
        last = script_for(script, conv.last)
        view = comparison_html(conv.last, last)
        return (
            chat,
            sources_html(conv.last, last),
            open_source(choice, conv, script),
            gr.update(value=view, visible=bool(view)),
        )

    def new_chat() -> tuple[Any, ...]:
        return (
            [],
            Conversation(),
            sources_html(None, "original"),
            gr.update(choices=[], value=None),
            document_html(None, 0, "", "original"),
            *scope_outputs(None),
            gr.update(value="", visible=False),
            *exports(Conversation()),
        )

    def exports(conv: Conversation) -> tuple[Any, Any, Any]:
        """The three download buttons' files for the conversation as it stands: the whole
        conversation as Markdown, the last answer's table as CSV and as .docx (none before an answer)."""
        if not conv.turns:
            return (gr.update(value=None, interactive=False),) * 3
        target = conv.export_path("conversation").with_suffix(".md")
        target.write_text(conversation_markdown(conv.turns), encoding="utf-8")
        return (
            gr.update(value=str(target), interactive=True),
            gr.update(value=str(export_last_answer(conv, "csv")), interactive=True),
            gr.update(value=str(export_last_answer(conv, "docx")), interactive=True),
        )

    def upload(files: list[Any] | None, progress: Any = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008 (Gradio idiom)
        if not files:
            raise user_error("Choose one or more files first.")
        stored, refused = library.store_uploads([Path(getattr(item, "name", item)) for item in files])
        rows: list[list[Any]] = [[name, "error", 0, why] for name, why in refused]
        if stored:
            try:
                report = library.ingest(
                    stored,
                    progress=False,
                    on_progress=lambda done, total: progress(
                        done / max(total, 1), desc=f"ingesting {done:,}/{total:,} characters"
                    ),
                )
            except SHOWN_ERRORS as exc:
                raise user_error(str(exc)) from exc
            for f in report.files:
                own = doc_id_for(f.path)
                copied = [
                    f"copy of {original}, cited as that one"
                    for doc, (original, _) in report.copies.items()
                    if doc == own or doc.startswith(f"{own}-")
                ]
                notes = [*copied, *([f.error] if f.error else f.warnings)]
                rows.append([Path(f.path).name, f.status, f.chunks_added, "; ".join(notes)])
        return rows, *documents_changed()

    def remove(choice: str | None) -> tuple[Any, ...]:
        if not choice:
            raise user_error("Choose a document to remove.")
        doc_id = choice.split(" ")[0]
        if not library.holds(doc_id):
            raise user_error(f"No document {doc_id}: it may have been removed already.")
        try:
            removed = library.remove(doc_id)
        except SHOWN_ERRORS as exc:
            raise user_error(str(exc)) from exc
        return f"Removed {doc_id} ({removed} chunks).", *documents_changed()

    def documents_changed() -> tuple[Any, ...]:
        """Everything that lists documents, after an upload or a removal: the table, the city and
        document filters, the removal list."""
        choices = doc_choices()
        return (
            *doc_table(),
            gr.update(choices=library.cities()),
            gr.update(choices=choices),
            gr.update(choices=choices, value=None),
        )

    def page_opened() -> tuple[Any, ...]:
        """The lists as the index holds them now: the Documents table, the city and document filters,
        the removal list, the Trends tab's cities, the editor's documents."""
        choices = doc_choices()
        return (*documents_changed(), gr.update(choices=library.cities()), gr.update(choices=choices))

    def documents_edited() -> tuple[Any, ...]:
        """After a metadata edit: the table and the filters (the edited document stays chosen)."""
        return *doc_table(), gr.update(choices=library.cities()), gr.update(choices=doc_choices())

    def ask_api(
        question: str,
        history: list[str] | None = None,
        cities: list[str] | None = None,
        docs: list[str] | None = None,
        date_from: str = "",
        date_to: str = "",
    ) -> dict[str, Any]:
        """Ask one question (with the earlier questions of the conversation) and get the cited answer."""
        try:
            answer = assistant.ask(
                question or "", list(history or []), filters=_filters(cities, docs, date_from, date_to)
            )
        except SHOWN_ERRORS as exc:
            raise user_error(str(exc)) from exc
        return answer.to_dict()

    def ask_stream_api(
        question: str,
        history: list[str] | None = None,
        cities: list[str] | None = None,
        docs: list[str] | None = None,
        date_from: str = "",
        date_to: str = "",
    ) -> Iterator[dict[str, Any]]:
        """The answer as it is made: {"event": "sources", "citations"} once retrieval is done; with a chat
        model {"event": "sentence", "text", "kept", "why"} as each sentence is checked; then {"event":
        "done", "answer"} with the same dict as /ask."""
        try:
            events = assistant.stream(
                question or "", list(history or []), filters=_filters(cities, docs, date_from, date_to)
            )
            for event in events:
                if isinstance(event, Sources):
                    yield {"event": "sources", "citations": [c.to_dict() for c in event.answer.sources]}
                elif isinstance(event, Checked):
                    yield {
                        "event": "sentence",
                        "text": event.check.shown,
                        "kept": event.check.kept,
                        "why": event.check.why,
                    }
                elif isinstance(event, Done):
                    yield {"event": "done", "answer": event.answer.to_dict()}
        except SHOWN_ERRORS as exc:
            raise user_error(str(exc)) from exc

    def test_retrieval(
        query: str, k: float, cities: list[str], docs: list[str], date_from: str, date_to: str
    ) -> tuple[str, list[list[Any]]]:
        """The Retrieval test tab: how a question is read, and every passage found with each
        retriever's own rank and score."""
        try:
            found = assistant.search(query or "", int(k), filters=_filters(cities, docs, date_from, date_to))
        except SHOWN_ERRORS as exc:
            raise user_error(str(exc)) from exc
        return plan_markdown(found), ranked_rows(found)

    # layout --------------------------------------------------------------------------------------
    with gr.Blocks(title=title) as app:
        conv = gr.State(Conversation())
        gr.Markdown(
            "## speechqa — ask the speeches\nQuestions in Simplified or Traditional Chinese or English; "
            "every statement cites the paragraph it came from."
        )
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    with gr.Row(equal_height=True):
                        scope = gr.Dropdown(
                            [],
                            value=[],
                            multiselect=True,
                            visible=False,
                            scale=3,
                            elem_id="sq-scope",
                            label="Scope of the last answer: remove a chip to ask again without it",
                        )
                        fixed = gr.HTML(visible=False, elem_id="sq-scope-fixed")
                    # as tall as the window allows with the question box still on screen; the page scrolls a
                    # new question to its top (ui_html.PAGE_JS) instead of following the answer's end
                    chat = gr.Chatbot(
                        label="Conversation",
                        height="max(380px, calc(100vh - 420px))",
                        autoscroll=False,
                        elem_id="sq-chat",
                    )
                    compare = gr.HTML(visible=False, elem_id="sq-compare")
                    with gr.Row():
                        box = gr.Textbox(
                            placeholder="例如：各地对重点项目督查考核有什么要求？",
                            show_label=False,
                            scale=5,
                            elem_id="sq-question",
                        )
                        send = gr.Button("Ask", variant="primary", scale=1, elem_id="sq-ask")
                    with gr.Row():
                        new = gr.Button("New chat", elem_id="sq-new")
                        # each downloads at once: the files are written when an answer is done
                        save = gr.DownloadButton("Export Markdown", interactive=False, elem_id="sq-export")
                        as_csv = gr.DownloadButton("Table as CSV", interactive=False, elem_id="sq-export-csv")
                        as_docx = gr.DownloadButton(
                            "Table as .docx", interactive=False, elem_id="sq-export-docx"
                        )
                    gr.Examples(EXAMPLES, inputs=box, label="Examples")
                    with gr.Accordion("Filters", open=False):
                        cities = gr.Dropdown(
                            library.cities(), multiselect=True, label="City", elem_id="sq-city"
                        )
                        docs = gr.Dropdown(doc_choices(), multiselect=True, label="Document")
                        with gr.Row():
                            date_from = gr.Textbox(label="From (YYYY or YYYY-MM-DD)")
                            date_to = gr.Textbox(label="To")
                with gr.Column(scale=2):
                    viewer = gr.HTML(document_html(None, 0, "", "original"), elem_id="sq-viewer")
                    script = gr.Radio(
                        SCRIPTS,
                        value="question",
                        label="Show answers and quotes in",
                        elem_id="sq-script",
                    )
                    pick = gr.Radio([], label="Open a source", elem_id="sq-open")
                    sources = gr.HTML(sources_html(None, "original"), elem_id="sq-sources")
        with gr.Tab("Retrieval test"):
            gr.Markdown(
                "See how a question is read and what retrieval finds, before any answer is written: "
                "its terms and translations, the filters it implies, and each passage with the rank and "
                "score every retriever gave it (uses the Chat tab's filters). The same as `POST /v1/search`."
            )
            with gr.Row():
                probe = gr.Textbox(
                    label="Query",
                    placeholder="例如：土地指标 / land quotas in Huizhou",
                    scale=5,
                    elem_id="sq-probe",
                )
                depth = gr.Slider(1, 30, value=10, step=1, label="Passages", scale=1)
                run = gr.Button("Search", variant="primary", scale=1, elem_id="sq-probe-run")
            plan = gr.Markdown(elem_id="sq-plan")
            hits = gr.Dataframe(
                headers=RANKED_HEADERS,
                interactive=False,
                wrap=True,
                elem_id="sq-hits",
                column_widths=["5%", "7%", "14%", "14%", "9%", "18%", "33%"],
            )
        with gr.Tab("Documents"):
            count = gr.Markdown(doc_table()[1], elem_id="sq-doc-count")
            table = gr.Dataframe(
                doc_rows(),
                headers=["doc_id", "title", "where (and why)", "date", "people", "chunks", "warnings"],
                show_search="search",
                show_row_numbers=True,
                max_height="70vh",
                interactive=False,
                wrap=True,
                elem_id="sq-documents",
                column_widths=["12%", "22%", "22%", "8%", "12%", "6%", "14%"],
            )
            files = gr.File(
                file_count="multiple", label="Add speeches (txt, md, html, docx, pdf, jsonl; ≤20 MB each)"
            )
            ingest = gr.Button("Ingest files", variant="primary")
            results = gr.Dataframe(
                headers=["file", "status", "chunks added", "warnings / error"], interactive=False, wrap=True
            )
            with gr.Row():
                # any document id is accepted (the list may be older than the index); the callback checks it
                victim = gr.Dropdown(doc_choices(), label="Remove a document", allow_custom_value=True)
                drop = gr.Button("Remove", variant="stop")
            removed = gr.Markdown()
            edit_pick = build_metadata_editor(
                assistant, doc_choices, documents_edited, [table, count, cities, docs]
            )
        trend_cities = build_trends_tab(assistant, library.cities)
        # every list of documents, cities or years is read from the index when a page opens (a reload,
        # a new tab), not kept from when the server started
        app.load(page_opened, None, [table, count, cities, docs, victim, trend_cities, edit_pick])

        outputs = [chat, conv, sources, pick, box, scope, fixed, compare]
        inputs = [box, chat, conv, cities, docs, date_from, date_to, script]
        for asked in (
            send.click(respond, inputs, outputs, concurrency_limit=2),
            box.submit(respond, inputs, outputs, concurrency_limit=2),
            scope.input(rescope, [scope, *inputs[1:]], outputs, concurrency_limit=2),
        ):
            asked.then(exports, conv, [save, as_csv, as_docx])
        pick.change(open_source, [pick, conv, script], viewer).then(
            None,
            js="() => { const p = document.querySelector('#sq-viewer .sq-here'); "
            "if (p) p.scrollIntoView({block: 'center'}); }",
        )
        script.change(rescript, [script, chat, conv, pick], [chat, sources, viewer, compare])
        new.click(
            new_chat, None, [chat, conv, sources, pick, viewer, scope, fixed, compare, save, as_csv, as_docx]
        )
        ingest.click(upload, files, [results, table, count, cities, docs, victim], concurrency_limit=1)
        drop.click(remove, victim, [removed, table, count, cities, docs, victim], concurrency_limit=1)
        gr.api(ask_api, api_name="ask", concurrency_limit=2)
        gr.api(ask_stream_api, api_name="ask_stream", concurrency_limit=2)
        for trigger in (run.click, probe.submit):
            trigger(
                test_retrieval,
                [probe, depth, cities, docs, date_from, date_to],
                [plan, hits],
                concurrency_limit=2,
            )
    app.queue(default_concurrency_limit=2, max_size=64)
    return app
