"""The Gradio chat UI: the page's layout and which control calls which handler
(`assistant.app.ui_handlers`). Nothing heavy happens at import time; `build_app` makes the Blocks,
`serve` launches them."""

from __future__ import annotations

from typing import Any

from assistant.answer.pipeline import Assistant
from assistant.app.ui_html import RANKED_HEADERS, SCRIPTS, document_html, sources_html
from assistant.app.ui_research import build_metadata_editor, build_trends_tab
from vectorstore.records import FILTER_FIELDS

EXAMPLES = [
    "各地对重点项目督查考核有什么要求？",
    "放管服改革要達到什麼目標？",
    "What did the speeches say about land quotas?",
    "compare Linyi and Liaocheng on attracting investment",
]


def build_app(assistant: Assistant, *, title: str = "speechqa") -> Any:
    import gradio as gr

    from assistant.app.ui_handlers import Conversation, Handlers

    h = Handlers(assistant)
    documents = h.library.documents()  # read once to build the page; every page load reads it again
    table_rows, table_count = h.doc_table(documents)
    choices = h.doc_choices(documents)

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
                        # one control per filter field: a list to pick from, or the date bounds side by
                        # side; handed to the handlers in FILTER_FIELDS order
                        controls: dict[str, Any] = {
                            f.name: gr.Dropdown(
                                h.filter_choices(f, documents),
                                multiselect=True,
                                label=f.label,
                                info=f.help,
                                elem_id=f"sq-filter-{f.name}",
                            )
                            for f in FILTER_FIELDS
                            if f.kind == "any"
                        }
                        with gr.Row():
                            for f in FILTER_FIELDS:
                                if f.kind != "any":
                                    controls[f.name] = gr.Textbox(
                                        label=f.label, info=f.help, elem_id=f"sq-filter-{f.name}"
                                    )
                        filters = [controls[f.name] for f in FILTER_FIELDS]
                        listed = [controls[f.name] for f in FILTER_FIELDS if f.kind == "any"]
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
            count = gr.Markdown(table_count, elem_id="sq-doc-count")
            table = gr.Dataframe(
                table_rows,
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
                victim = gr.Dropdown(choices, label="Remove a document", allow_custom_value=True)
                drop = gr.Button("Remove", variant="stop")
            removed = gr.Markdown()
            edit_pick = build_metadata_editor(
                assistant, h.doc_choices, h.documents_edited, [table, count, *listed]
            )
        trend_cities = build_trends_tab(assistant, h.library.cities)
        # every list of documents, cities or years is read from the index when a page opens (a reload,
        # a new tab), not kept from when the server started
        app.load(h.page_opened, None, [table, count, *listed, victim, trend_cities, edit_pick])

        outputs = [chat, conv, sources, pick, box, scope, fixed, compare]
        inputs = [box, chat, conv, script, *filters]
        for asked in (
            send.click(h.respond, inputs, outputs, concurrency_limit=2),
            box.submit(h.respond, inputs, outputs, concurrency_limit=2),
            scope.input(h.rescope, [scope, *inputs[1:]], outputs, concurrency_limit=2),
        ):
            asked.then(h.exports, conv, [save, as_csv, as_docx])
        pick.change(h.open_source, [pick, conv, script], viewer).then(
            None,
            js="() => { const p = document.querySelector('#sq-viewer .sq-here'); "
            "if (p) p.scrollIntoView({block: 'center'}); }",
        )
        script.change(h.rescript, [script, chat, conv, pick], [chat, sources, pick, viewer, compare])
        new.click(
            h.new_chat,
            None,
            [chat, conv, sources, pick, viewer, scope, fixed, compare, save, as_csv, as_docx],
        )

        def upload(chosen: list[Any] | None, progress: Any = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
            return h.upload(chosen, progress)  # Gradio shows its progress bar to a callback declaring one

        ingest.click(upload, files, [results, table, count, *listed, victim], concurrency_limit=1)
        drop.click(h.remove, victim, [removed, table, count, *listed, victim], concurrency_limit=1)
        gr.api(h.ask_api, api_name="ask", concurrency_limit=2)
        gr.api(h.ask_stream_api, api_name="ask_stream", concurrency_limit=2)
        for trigger in (run.click, probe.submit):
            trigger(
                h.test_retrieval,
                [probe, depth, *filters],
                [plan, hits],
                concurrency_limit=2,
            )
    app.queue(default_concurrency_limit=2, max_size=64)
    return app
