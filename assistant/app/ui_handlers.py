"""The page's callbacks, each taking the state it needs explicitly: the Assistant and its documents
(`Library`) when the handlers are made, the conversation and the controls' values as arguments. They
decide nothing about questions or documents themselves (the Assistant and the Library do) and return
what the page shows, so they can be called and tested without a browser. `ui.build_app` lays out the
page and wires these to its controls."""

from __future__ import annotations

import html
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.answer.compose import shortened
from assistant.answer.pipeline import Assistant
from assistant.app.render import conversation_markdown, where_line
from assistant.app.ui_html import (
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
from assistant.errors import AssistantError
from assistant.records import Answer, Checked, Done, Sources
from ingest.errors import IngestError
from ingest.metadata import SET_BY_YOU
from ingest.pipeline import doc_id_for
from vectorstore.errors import FilterError, VectorStoreError
from vectorstore.library import Library
from vectorstore.records import FILTER_FIELDS, DocumentRow, FilterField, Filters

# errors whose message is for the user (what happened, what to do): shown in a dialog, never a traceback
SHOWN_ERRORS = (AssistantError, IngestError, VectorStoreError)


def update(**changes: Any) -> Any:
    """Gradio's update of a control's properties. Gradio is imported on the first call: tools and tests
    import the handlers without starting a page, and importing Gradio takes 5–7 s."""
    import gradio as gr

    return gr.update(**changes)


def skip() -> Any:
    """Gradio's "leave this output as it is"."""
    import gradio as gr

    return gr.skip()


def _unseen(share: float, desc: str = "") -> None:
    """Progress with no page to show it on."""


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


def filters_of(values: Sequence[Any]) -> Filters:
    """The Chat tab's filter controls, in FILTER_FIELDS order, as Filters."""
    try:
        return Filters.from_wire({f.key: v for f, v in zip(FILTER_FIELDS, values, strict=True)})
    except FilterError as exc:
        raise user_error(str(exc)) from exc


def _api_filters(
    cities: list[str] | None,
    docs: list[str] | None,
    date_from: str,
    date_to: str,
    more: dict[str, Any] | None,
) -> Filters:
    """The API's named filters, with `more` (the `filters` object of /v1: any field, by its key) over
    them."""
    ids = [d.split(" ")[0] for d in docs or ()]  # an id, or a document picker's entry ("id title")
    raw: dict[str, Any] = {"cities": cities, "documents": ids, "date_from": date_from, "date_to": date_to}
    try:
        return Filters.from_wire({**raw, **(more or {})})
    except FilterError as exc:
        raise user_error(str(exc)) from exc


class Handlers:
    """Every callback of the page for one Assistant."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.library = Library(assistant.index)

    # the documents ----------------------------------------------------------------------------
    def doc_rows(self, documents: Sequence[DocumentRow] | None = None) -> list[list[Any]]:
        """The Documents table's rows, of `documents` as already read or of the index now."""

        def mark(field: str, value: str) -> str:
            return f"{value} ({SET_BY_YOU})" if field in d.meta.edited else value

        rows = []
        for d in self.library.documents() if documents is None else documents:
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

    def doc_table(self, documents: Sequence[DocumentRow] | None = None) -> tuple[list[list[Any]], str]:
        """The Documents table's rows and, above it, how many documents and chunks it holds, so that a
        row below the fold is known to be there (the table has a search box)."""
        rows = self.doc_rows(documents)
        return rows, f"**{len(rows)} documents, {sum(row[5] for row in rows):,} chunks**"

    def filter_choices(
        self, field: FilterField, documents: Sequence[DocumentRow] | None = None
    ) -> list[tuple[str, str]]:
        """A list filter's choices: (shown, value) for each value a document has; a document is shown
        with its title."""
        listed = self.library.documents() if documents is None else documents
        titled = field.name == "doc_ids"
        shown: dict[str, str] = {}
        for d in listed:
            for value in field.values(d.doc_id, d.meta):
                if value and value not in shown:
                    shown[value] = f"{value} {shortened(d.meta.title, 30)}" if titled else value
        return sorted((label, value) for value, label in shown.items())

    def filter_updates(self, documents: Sequence[DocumentRow]) -> list[Any]:
        """New choices for every list filter of the Chat tab."""
        return [update(choices=self.filter_choices(f, documents)) for f in FILTER_FIELDS if f.kind == "any"]

    def doc_choices(self, documents: Sequence[DocumentRow] | None = None) -> list[str]:
        """The document pickers' entries: the id, then the title cut short."""
        listed = self.library.documents() if documents is None else documents
        return [f"{d.doc_id} {shortened(d.meta.title, 30)}" for d in listed]

    # the conversation -------------------------------------------------------------------------
    def answer_into_chat(
        self,
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
            update(choices=[], value=None),
            "",
            *self.scope_outputs(None),
            update(value="", visible=False),
        )
        try:
            events = self.assistant.stream(question, history, filters=filters)
        except SHOWN_ERRORS as exc:  # said in the conversation; the question goes back into the box
            chat[-1] = {"role": "assistant", "content": f"⚠️ {html.escape(str(exc), quote=False)}"}
            yield (
                chat,
                conv,
                sources_html(None, script),
                update(choices=[], value=None),
                shown_question,
                *self.scope_outputs(conv.last),
                skip(),
            )
            return
        live = LiveAnswer()
        head: tuple[Any, ...] = (skip(),) * 5
        shown_in = script_for(script, None)
        for event in events:
            if isinstance(event, Sources):  # the cards as soon as retrieval is done, before any text
                shown_in = script_for(script, event.answer)
                live.take(event)
                head = (
                    sources_html(event.answer, shown_in),
                    update(choices=source_choices(event.answer, shown_in), value=None),
                    *self.scope_outputs(event.answer),
                    self.compare_update(event.answer, shown_in),
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
                    update(choices=source_choices(answer, shown_in), value=None),
                    "",
                    *self.scope_outputs(answer),
                    self.compare_update(answer, shown_in),
                )
                return
            else:
                live.take(event)
                chat[-1] = {"role": "assistant", "content": live.markdown(shown_in)}
            yield chat, conv, head[0], head[1], "", *head[2:]
            head = (skip(),) * 5  # sent once; the text alone changes from here on

    def respond(
        self,
        question: str,
        chat: list[dict[str, str]],
        conv: Conversation,
        script: str,
        *filter_values: Any,
    ) -> Iterator[tuple[Any, ...]]:
        """A question asked (filter_values: the filter controls, in FILTER_FIELDS order)."""
        question = (question or "").strip()
        if not question:
            raise user_error("Type a question first.")
        yield from self.answer_into_chat(
            question, question, conv.history, filters_of(filter_values), chat, conv, script
        )

    def rescope(
        self,
        chips: list[str] | None,
        chat: list[dict[str, str]],
        conv: Conversation,
        script: str,
        *filter_values: Any,
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
        filters = filters_of(filter_values)
        if scope.documents:
            filters = replace(filters, doc_ids=scope.filters().doc_ids)
        # the scope's question is whole (places, years, topic): asked alone, not as a follow-up
        yield from self.answer_into_chat(question, f"↻ {question}", [], filters, chat, conv, script)

    def scope_outputs(self, answer: Answer | None) -> tuple[Any, Any]:
        """The removable chips (a multiselect whose values show as chips) and the fixed ones."""
        if answer is None or answer.scope is None:
            return update(choices=[], value=[], visible=False), update(value="", visible=False)
        chips = answer.scope.chips()
        return (
            update(choices=chips, value=chips, visible=bool(chips)),  # nothing to remove: no box
            update(value=chips_html(answer.scope.fixed()), visible=True),
        )

    def compare_update(self, answer: Answer, script: str) -> Any:
        view = comparison_html(answer, script)
        return update(value=view, visible=bool(view))

    def open_source(self, choice: str | None, conv: Conversation, script: str) -> str:
        script = script_for(script, conv.last)
        answer = conv.last
        if not choice or answer is None:
            return document_html(None, 0, "", script)
        cards = {str(c.n): c for c in answer.sources}
        citation = cards.get(str(choice))
        if citation is None:
            return document_html(None, 0, "", script)
        return document_html(
            self.library.document(citation.doc_id), citation.paragraph, citation.quote, script
        )

    def rescript(
        self, script: str, chat: list[dict[str, Any]], conv: Conversation, choice: str | None
    ) -> tuple[Any, ...]:
        """Everything shown again in the script chosen: the answers in the chat, the source cards and
        their list (the passage chosen stays chosen), the passage open and a comparison's columns."""
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
            update(choices=source_choices(conv.last, last), value=choice),
            self.open_source(choice, conv, script),
            update(value=view, visible=bool(view)),
        )

    def new_chat(self) -> tuple[Any, ...]:
        return (
            [],
            Conversation(),
            sources_html(None, "original"),
            update(choices=[], value=None),
            document_html(None, 0, "", "original"),
            *self.scope_outputs(None),
            update(value="", visible=False),
            *self.exports(Conversation()),
        )

    def exports(self, conv: Conversation) -> tuple[Any, Any, Any]:
        """The three download buttons' files for the conversation as it stands: the whole
        conversation as Markdown, the last answer's table as CSV and as .docx (none before an answer)."""
        if not conv.turns:
            return (update(value=None, interactive=False),) * 3
        target = conv.export_path("conversation").with_suffix(".md")
        target.write_text(conversation_markdown(conv.turns), encoding="utf-8")
        return (
            update(value=str(target), interactive=True),
            update(value=str(export_last_answer(conv, "csv")), interactive=True),
            update(value=str(export_last_answer(conv, "docx")), interactive=True),
        )

    def upload(self, files: list[Any] | None, progress: Callable[..., Any] = _unseen) -> tuple[Any, ...]:
        """Store and ingest the chosen files; `progress(share, desc=…)` is told how far ingestion is
        (the page passes Gradio's progress bar)."""
        if not files:
            raise user_error("Choose one or more files first.")
        stored, refused = self.library.store_uploads([Path(getattr(item, "name", item)) for item in files])
        rows: list[list[Any]] = [[name, "error", 0, why] for name, why in refused]
        if stored:
            try:
                report = self.library.ingest(
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
        return rows, *self.documents_changed()

    def remove(self, choice: str | None) -> tuple[Any, ...]:
        if not choice:
            raise user_error("Choose a document to remove.")
        doc_id = choice.split(" ")[0]
        if not self.library.holds(doc_id):
            raise user_error(f"No document {doc_id}: it may have been removed already.")
        try:
            removed = self.library.remove(doc_id)
        except SHOWN_ERRORS as exc:
            raise user_error(str(exc)) from exc
        return f"Removed {doc_id} ({removed} chunks).", *self.documents_changed()

    def documents_changed(self) -> tuple[Any, ...]:
        """Everything that lists documents, after an upload or a removal: the table, the list filters,
        the removal list (the catalog read once)."""
        documents = self.library.documents()
        return (
            *self.doc_table(documents),
            *self.filter_updates(documents),
            update(choices=self.doc_choices(documents), value=None),
        )

    def page_opened(self) -> tuple[Any, ...]:
        """The lists as the index holds them now: the Documents table, the list filters, the removal
        list, the Trends tab's cities, the editor's documents (the catalog read once)."""
        documents = self.library.documents()
        choices = self.doc_choices(documents)
        return (
            *self.doc_table(documents),
            *self.filter_updates(documents),
            update(choices=choices, value=None),
            update(choices=self.library.cities()),
            update(choices=choices),
        )

    def documents_edited(self) -> tuple[Any, ...]:
        """After a metadata edit: the table and the list filters (the edited document stays chosen)."""
        documents = self.library.documents()
        return (*self.doc_table(documents), *self.filter_updates(documents))

    def ask_api(
        self,
        question: str,
        history: list[str] | None = None,
        cities: list[str] | None = None,
        docs: list[str] | None = None,
        date_from: str = "",
        date_to: str = "",
        filters: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Ask one question (with the earlier questions of the conversation) and get the cited answer.
        `filters`: the /v1 API's filters object, for any filter by its key, over the named ones."""
        limits = _api_filters(cities, docs, date_from, date_to, filters)
        try:
            answer = self.assistant.ask(question or "", list(history or []), filters=limits)
        except SHOWN_ERRORS as exc:
            raise user_error(str(exc)) from exc
        return answer.to_dict()

    def ask_stream_api(
        self,
        question: str,
        history: list[str] | None = None,
        cities: list[str] | None = None,
        docs: list[str] | None = None,
        date_from: str = "",
        date_to: str = "",
        filters: dict[str, Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The answer as it is made: {"event": "sources", "citations"} once retrieval is done; with a chat
        model {"event": "sentence", "text", "kept", "why"} as each sentence is checked; then {"event":
        "done", "answer"} with the same dict as /ask."""
        limits = _api_filters(cities, docs, date_from, date_to, filters)
        try:
            events = self.assistant.stream(question or "", list(history or []), filters=limits)
            for event in events:
                if isinstance(event, Sources | Checked | Done):  # the model's drafts and pauses are not sent
                    yield event.to_dict()
        except SHOWN_ERRORS as exc:
            raise user_error(str(exc)) from exc

    def test_retrieval(self, query: str, k: float, *filter_values: Any) -> tuple[str, list[list[Any]]]:
        """The Retrieval test tab: how a question is read, and every passage found with each
        retriever's own rank and score."""
        try:
            found = self.assistant.search(query or "", int(k), filters=filters_of(filter_values))
        except SHOWN_ERRORS as exc:
            raise user_error(str(exc)) from exc
        return plan_markdown(found), ranked_rows(found)
