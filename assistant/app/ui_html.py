"""HTML for the UI's source cards and document viewer. All document text is escaped here: a speech
that contains <script> or HTML shows as text."""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.answer.checking import MARKER, joined
from assistant.answer.compose import shortened
from assistant.query.places import where_label
from assistant.records import (
    Answer,
    AnswerEvent,
    Checked,
    Citation,
    Draft,
    RetrieverScore,
    Search,
    SentenceCheck,
    Sources,
    Waiting,
)
from assistant.wording import phrase
from ingest.normalize import to_simplified, to_traditional
from ingest.records import Document

CSS = """
.sq-for {color: #57606a; font-size: 0.9em; margin: 0 0 4px 0;}
.sq-card {border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px; margin: 6px 0; background:
#fbfcfd;}
.sq-card h4 {margin: 0 0 4px 0; font-size: 0.95em;}
.sq-meta {color: #57606a; font-size: 0.85em; margin-bottom: 4px;}
.sq-text {line-height: 1.6;}
.sq-text mark, .sq-doc mark {background: #fff3b0; padding: 0 2px;}
.sq-doc {max-height: 440px; overflow-y: auto; line-height: 1.7; border: 1px solid #d0d7de; border-radius:
8px; padding: 8px 12px;}
.sq-doc p {margin: 4px 0;}
.sq-doc p.sq-here {background: #eef6ff; border-left: 3px solid #4a78b5; padding-left: 6px;}
.sq-num {color: #8c959f; font-size: 0.8em; margin-right: 6px;}
.sq-draft {color: #57606a;}
.sq-status {color: #8c959f; font-size: 0.85em;}
.sq-unreadable {color: #6e7781; font-size: 0.85em; font-style: italic;}
.sq-compare {display: grid; gap: 10px; margin: 6px 0;}
.sq-compare .sq-col {border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px; background: #fbfcfd;
min-width: 0;}
.sq-compare h3 {margin: 0 0 6px 0; font-size: 1.05em;}
.sq-compare .sq-quote {margin: 0 0 8px 0; line-height: 1.55; font-size: 0.92em;}
.sq-compare .sq-silent {color: #57606a; font-style: italic;}
.sq-chips {display: flex; flex-wrap: wrap; gap: 6px; margin: 2px 0;}
.sq-chip {background: #eef2f7; border: 1px solid #d0d7de; border-radius: 12px; padding: 1px 10px; font-size:
0.85em; color: #24292f;}
.sq-panel-head {display: flex; justify-content: space-between; align-items: baseline; color: #57606a;
font-size: 0.85em;}
a.sq-cite {cursor: pointer;}
#sq-chat .scroll-down-button-container {display: none;}
#sq-chat table {display: block; max-width: 100%; overflow-x: auto;}
#sq-chat th, #sq-chat td {word-break: normal; overflow-wrap: normal;}
"""

# The page's own behaviour, installed once when it loads. A question just asked moves to the top of the
# conversation. Clicking [n] in the chat or in the side-by-side view opens that passage in the panel
# beside the chat: it picks the n-th entry of the "Open a source" list, whose change event fills the panel.
PAGE_JS = """
() => {
  if (window.sqPage) return;
  window.sqPage = true;
  // the question just asked stays at the top of the conversation while its answer comes in, so the
  // answer is read from its first line (autoscroll is off); scrolling by hand lets go of it
  let users = 0;
  let pinned = null;
  const scroller = (row, chat) => {
    let box = row.parentElement;
    const scrolls = (node) => /(auto|scroll)/.test(getComputedStyle(node).overflowY);
    while (box && box !== chat && !scrolls(box)) box = box.parentElement;
    return box && box !== chat ? box : null;
  };
  const toQuestion = () => {
    const chat = document.querySelector('#sq-chat');
    if (!chat) return;
    const asked = chat.querySelectorAll('.user-row');
    if (asked.length !== users) {
      users = asked.length;
      pinned = users ? asked[users - 1] : null;
    }
    if (!pinned || !pinned.isConnected) return;
    const box = scroller(pinned, chat);
    if (!box) return;
    if (!box.sqLetGo) {
      box.sqLetGo = true;
      const letGo = () => { pinned = null; };
      for (const kind of ['wheel', 'touchmove', 'keydown']) box.addEventListener(kind, letGo);
    }
    box.scrollTop += pinned.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  };
  const watched = {subtree: true, childList: true, characterData: true};
  new MutationObserver(toQuestion).observe(document.body, watched);
  document.addEventListener('click', (event) => {
    const link = event.target.closest('#sq-chat a[href^="#src-"], #sq-compare a[href^="#src-"]');
    if (!link) return;
    event.preventDefault();
    const n = link.getAttribute('href').slice(5);
    const label = [...document.querySelectorAll('#sq-open label')].find(l =>
    l.innerText.trim().startsWith(`[${n}]`));
    if (label) { label.click(); document.querySelector('#sq-viewer')?.scrollIntoView({block: 'nearest'}); }
  }, true);
}
"""


def without_markers(text: str) -> str:
    return MARKER.sub("", text).strip()


def user_error(message: str) -> Exception:
    """What the page tells a user who asked for something it cannot do (a toast), written to the
    server's log as one line: a user's mistake is no traceback there."""
    import gradio as gr

    print(f"speechqa: told the user: {message}", file=sys.stderr)
    return gr.Error(message, print_exception=False)


# the page's script switch: (label, value); "question" follows the script the question was asked in
SCRIPTS = [
    ("As the question", "question"),
    ("As written", "original"),
    ("Simplified", "simplified"),
    ("Traditional", "traditional"),
]


def script_for(choice: str, answer: Answer | None) -> str:
    """The script a page shows an answer in: the one chosen, or for "question" the question's own
    (a Simplified question reads Simplified quotes; an English one reads them as written)."""
    if choice != "question":
        return choice
    if answer is not None and answer.plan.script in ("simplified", "traditional"):
        return answer.plan.script
    return "original"


def shown(text: str, script: str) -> str:
    """The text in a script: 'original' keeps it as written, 'simplified' and 'traditional' convert."""
    if script == "simplified":
        return to_simplified(text)
    return to_traditional(text) if script == "traditional" else text


def _escape(text: str, language: str = "zh", script: str = "simplified") -> str:
    """HTML-escaped text, a run of characters the source garbled (mojibake) marked in the reader's
    language and script, as the answer marks it (…（无法辨认）…, …(unreadable)…)."""
    marker = html.escape(phrase("unreadable", language, script))
    return re.sub(
        "\ufffd+",
        f'<span class="sq-unreadable" title="unreadable in the source (mojibake)">…{marker}…</span>',
        html.escape(text),
    )


def _highlight(text: str, quote: str, language: str = "zh", script: str = "simplified") -> str:
    """Escaped text with the quoted sentence marked."""
    at = text.find(quote) if quote else -1
    if at < 0:
        return _escape(text, language, script)
    return (
        _escape(text[:at], language, script)
        + "<mark>"
        + _escape(quote, language, script)
        + "</mark>"
        + _escape(text[at + len(quote) :], language, script)
    )


def citation_card(c: Citation, script: str, language: str = "zh") -> str:
    """A source: its title, where and when it is from (the place as a reader of `language` reads it),
    its section, and its text with the quote marked."""
    meta = " · ".join(
        _escape(p) for p in (where_label(c.where, language, script), c.date, f"¶{c.paragraph}", c.doc_id) if p
    )
    return (
        f'<div class="sq-card" id="src-{c.n}"><h4>[{c.n}] {_escape(shown(c.title, script))}</h4>'
        f'<div class="sq-meta">{meta}<br>{_escape(shown(c.section, script))}</div>'
        f'<div class="sq-text">{_highlight(shown(c.text, script), shown(c.quote, script), language, script)}'
        "</div></div>"
    )


def sources_html(answer: Answer | None, script: str, *, searching: str = "") -> str:
    """The sources panel. It names the question its sources belong to, so that a reader (and a test)
    can tell at a glance that text and sources are of one answer; while a question is being answered
    it holds nothing but that question."""
    if searching:
        return f'<p class="sq-for" data-state="searching">Looking for sources of “{_escape(searching)}” …</p>'
    if answer is None:
        return "<p>Sources of the latest answer appear here.</p>"
    head = f'<p class="sq-for" data-state="done">Sources of “{_escape(answer.question)}”</p>'
    language = answer.plan.language
    cards: Sequence[Citation] = answer.sources
    if not cards:
        return head + "<p>No sources.</p>"
    if answer.outcome == "closest":
        closest = "<p><b>Closest passages</b> (ranked; none of them states it directly):</p>"
        return head + closest + "".join(citation_card(c, script, language) for c in cards)
    if not answer.found:
        related = "<p><b>Possibly related</b> (the speeches do not cover this):</p>"
        return head + related + "".join(citation_card(c, script, language) for c in cards)
    aside = (
        (
            "<p><b>Possibly related</b> (found beside the answer, not quoted in it):</p>"
            + "".join(citation_card(c, script, language) for c in answer.related)
        )
        if answer.related
        else ""
    )
    return head + "".join(citation_card(c, script, language) for c in answer.citations) + aside


def document_html(document: Document | None, paragraph: int, quote: str, script: str) -> str:
    """The whole cleaned document, numbered by paragraph, the cited paragraph marked and scrolled to."""
    if document is None:
        return "<p>Click a citation [n] in the answer to read that passage here, in its document.</p>"
    meta = document.meta
    facts = (
        where_label(meta.where, "zh", script),
        meta.province if meta.known_city else "",
        meta.date,
        meta.speaker,
    )
    rows = [
        f"<h4>{_escape(shown(meta.title, script))}</h4>",
        f'<div class="sq-meta">{_escape(" · ".join(p for p in facts if p))}</div>',
    ]
    for number, line in enumerate(document.text.split("\n"), start=1):
        line = shown(line, script)
        here = number == paragraph
        body = _highlight(line, shown(quote, script), "zh", script) if here else _escape(line, "zh", script)
        rows.append(
            f'<p id="para-{number}" class="{"sq-here" if here else ""}"><span '
            f'class="sq-num">{number}</span>{body}</p>'
        )
    return f'<div class="sq-doc" id="sq-doc">{"".join(rows)}</div>'


def chat_text(text: str, script: str) -> str:
    """Text for the chat: in the chosen script, HTML escaped, [n] linking to its source card."""
    return re.sub(r"\[(\d{1,3})\]", r"[[\1]](#src-\1)", html.escape(shown(text, script), quote=False))


def removed_markdown(removed: Sequence[SentenceCheck], language: str, script: str) -> str:
    """The model's sentences the check removed, struck through, each with why (never silently), in
    the reader's language."""
    if not removed:
        return ""
    lines = [
        f"- ~~{chat_text(without_markers(c.sentence), 'original').replace('~', '')}~~ — "
        f"{c.why_in(language, script)}"
        for c in removed
    ]
    summary = phrase("removed_by_check", language, script).format(n=len(removed))
    return f"\n\n<details><summary>{summary}</summary>\n\n" + "\n".join(lines) + "\n\n</details>"


def answer_for_chat(answer: Answer, script: str) -> str:
    """The answer as chat Markdown: quotes in the chosen script, HTML escaped, [n] linking to its card,
    and what the check removed from a chat model's answer. A comparison's table is not squeezed into
    the bubble: it is said to be beside the chat (comparison_html)."""
    removed = answer.verification.removed if answer.verification else ()
    text = answer.text
    if answer.comparison and answer.mode != "llm":
        lines = text.split("\n")
        table = [k for k, line in enumerate(lines) if line.startswith("|") or line.rstrip().endswith("|")]
        if table:  # the whole table, cells that run over several lines included
            lines = lines[: table[0]] + lines[table[-1] + 1 :]
        pointer = phrase("side_by_side", answer.plan.language, answer.plan.script)
        text = (
            "\n".join(lines).rstrip()
            + "\n\n"
            + " · ".join(
                f"**{row.label or row.entity}** {' '.join(f'[{n}]' for n in row.citations) or '—'}"
                for row in answer.comparison
            )
            + f"\n\n{pointer}"
        )
    return chat_text(text, script) + removed_markdown(removed, answer.plan.language, answer.plan.script)


def comparison_html(answer: Answer | None, script: str) -> str:
    """A comparison as columns, one per city, each with its cited quotes ([n] opens the passage)."""
    if answer is None or not answer.comparison:
        return ""
    by_n = {c.n: c for c in answer.citations}
    columns = []
    for row in answer.comparison:
        cited = [by_n[n] for n in row.citations if n in by_n]
        body = (
            "".join(
                f'<p class="sq-quote">“{_escape(shown(c.quote, script))}” <a class="sq-cite" '
                f'href="#src-{c.n}">[{c.n}]</a>'
                f'<br><span class="sq-meta">{_escape(shown(shortened(c.title, 30), script))} · '
                f"{_escape(c.date)} · "
                f"¶{c.paragraph}</span></p>"
                for c in cited
            )
            or f'<p class="sq-silent">{_escape(chat_text(row.summary, script))}</p>'
        )
        columns.append(f'<div class="sq-col"><h3>{_escape(row.label or row.entity)}</h3>{body}</div>')
    return (
        f'<div class="sq-compare" style="grid-template-columns: repeat({len(columns)}, minmax(0, 1fr));">'
        + "".join(columns)
        + "</div>"
    )


def chips_html(labels: Sequence[str]) -> str:
    """The scope's fixed chips (topic, search language)."""
    return (
        '<div class="sq-chips">'
        + "".join(f'<span class="sq-chip">{_escape(x)}</span>' for x in labels if x)
        + "</div>"
    )


@dataclass
class LiveAnswer:
    """A chat model's answer while it is written: the sentences kept so far, those removed, the one
    being written, and how long the model has been silent."""

    kept: list[SentenceCheck] = field(default_factory=list)
    removed: list[SentenceCheck] = field(default_factory=list)
    draft: str = ""
    waiting: Waiting | None = None
    language: str = "en"  # the question's, once its sources are known: the wording around the text
    script: str = "simplified"

    def take(self, event: AnswerEvent) -> None:
        if isinstance(event, Sources):
            self.language, self.script = event.answer.plan.language, event.answer.plan.script
        elif isinstance(event, Checked):
            (self.kept if event.check.kept else self.removed).append(event.check)
            self.draft, self.waiting = "", None
        elif isinstance(event, Draft):
            self.draft, self.waiting = event.text, None
        elif isinstance(event, Waiting):
            self.waiting = event

    def markdown(self, script: str) -> str:
        text = chat_text(joined([c.shown for c in self.kept]), script)
        if self.draft:
            text += (" " if text else "") + f'<span class="sq-draft">{chat_text(self.draft, script)}</span>'
        text += " ▍"
        if self.waiting is not None:
            doing = phrase(
                "still_writing" if self.waiting.writing else "model_reading", self.language, self.script
            )
            text += f'\n\n<span class="sq-status">{doing} · {self.waiting.seconds:.0f} s</span>'
        return text + removed_markdown(self.removed, self.language, self.script)


def source_choices(answer: Answer | None, script: str = "original") -> list[tuple[str, str]]:
    """The "Open a source" list: each cited passage's number, title and paragraph, in the script the
    answer is shown in (`script_for`), as its cards are."""
    if answer is None:
        return []
    cards = answer.sources
    return [(f"[{c.n}] {shortened(shown(c.title, script), 24)} ¶{c.paragraph}", str(c.n)) for c in cards]


# -- the Retrieval test tab ----------------------------------------------------------------------------
RANKED_HEADERS = [
    "rank",
    "fused",
    "bm25 (rank · score)",
    "dense (rank · score)",
    "where",
    "section",
    "passage (quoted sentence)",
]


def _own(r: RetrieverScore | None) -> str:
    if r is None:
        return "—"
    rank = f"#{r.rank}" if r.rank is not None else "not listed"
    return f"{rank} · {r.score:.3f}" if r.score is not None else rank


def ranked_rows(found: Search) -> list[list[Any]]:
    rows = []
    for p in found.passages:
        own = {r.retriever: r for r in p.retrievers}
        dense = [f"{name}: {_own(r)}" for name, r in own.items() if name != "bm25"]
        c = p.citation
        rows.append(
            [
                p.rank,
                f"{p.score:.3f}",
                _own(own.get("bm25")),
                "; ".join(dense) or "—",
                " · ".join(x for x in (where_label(c.where, "zh", "simplified"), c.date) if x),
                c.section[:80],
                c.quote[:160],
            ]
        )
    return rows


def plan_markdown(found: Search) -> str:
    q = found.query
    plan = q.plan
    terms = ", ".join("/".join(t) if isinstance(t, tuple) else t for t in q.terms) or "—"
    translations = "; ".join(f"{t.english} → {'、'.join(t.chinese)}" for t in q.translations) or "—"
    applied = q.filters
    filters = (
        ", ".join(
            x
            for x in (
                f"cities {'、'.join(applied.cities)}" if applied.cities else "",
                f"documents {', '.join(applied.doc_ids)}" if applied.doc_ids else "",
                f"from {applied.date_from}" if applied.date_from else "",
                f"to {applied.date_to}" if applied.date_to else "",
            )
            if x
        )
        or "none"
    )
    weights = ", ".join(f"{name} {weight:g}" for name, weight in q.weights.items())
    verdicts = {
        "answer": "answers from these passages",
        "closest": "shows these as the closest passages, none stating it",
        "not_covered": "says the speeches do not cover this",
    }
    decision = found.decision
    verdict = (
        f"{verdicts[decision.outcome]} (probability {decision.probability:.2f} that they answer)"
        if decision is not None
        else verdicts["answer" if found.found else "not_covered"]
    )
    return (
        f"**Read as** {plan.language} ({plan.script}): “{plan.standalone}”  \n**Terms (BM25)**: {terms}  \n"
        f"**Translations**: {translations}  \n**Filters applied**: {filters}  \n**Fusion weights**: "
        f"{weights}  \n"
        f"**Evidence**: {verdict}"
        + (f"  \n**Unavailable**: {', '.join(found.unavailable)}" if found.unavailable else "")
    )
