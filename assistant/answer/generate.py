"""Answers written by a chat model, shown only where the passages support them.

The model gets the question and the numbered passages (prompts/answer_*.md) and streams its reply;
each sentence is checked as it completes (assistant.answer.checking). The final answer is the kept
sentences with how many were kept; when too little survives, the passages' own quotes follow them, and
when nothing does (or the model fails before writing anything verifiable), the extractive answer stands.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import prompts
from assistant.answer.checking import (
    Passage,
    SentenceSplitter,
    Translate,
    check_sentence,
    joined,
)
from assistant.chat_model import ChatModel
from assistant.errors import ChatModelError
from assistant.query import QueryPlan
from assistant.records import (
    Answer,
    AnswerEvent,
    Checked,
    Citation,
    Done,
    Draft,
    SentenceCheck,
    Verification,
    Waiting,
)
from assistant.wording import phrase

LANGUAGE_NAMES = {
    ("zh", "simplified"): "Simplified Chinese",
    ("zh", "traditional"): "Traditional Chinese",
    ("en", "latin"): "English",
}
HEARTBEAT = 1.0  # seconds without a token before the reader is told the model is still at work
RECHECK_AFTER = 300.0  # seconds a model that failed on every call is left alone before it is tried again
# An answer's cap in tokens: half the passages' characters (the model is asked for at most eight
# sentences drawn from them), within these bounds; SPEECHQA_LLM_MAX_TOKENS sets it outright.
CAP_BOUNDS = (256, 1024)
REWRITE_CAP = 96  # a rewritten question is one line


@dataclass
class ModelHealth:
    """What the serving process knows of its chat model: why it fails on every call, when it does.
    While it does, answers say so instead of asking it again (until RECHECK_AFTER has passed)."""

    broken: str = ""
    since: float = 0.0

    def record(self, exc: ChatModelError) -> None:
        if exc.lasting:
            self.broken, self.since = str(exc), time.monotonic()

    def usable(self) -> bool:
        return not self.broken or time.monotonic() - self.since > RECHECK_AFTER

    def healed(self) -> None:
        self.broken = ""


def answer_cap(citations: Sequence[Citation], setting: int | None = None) -> int:
    """The most tokens an answer may take: the setting, else from the passages' length."""
    if setting:
        return setting
    low, high = CAP_BOUNDS
    return max(low, min(high, sum(len(c.text) for c in citations) // 2))


def rewrite_followup(model: ChatModel, question: str, history: Sequence[str], health: ModelHealth) -> str:
    """A standalone form of a follow-up question ("" when the model fails: the rules then decide)."""
    if not health.usable():
        return ""
    try:
        text = model.complete(
            "You rewrite follow-up questions.",
            prompts.render("rewrite", history="\n".join(f"- {h}" for h in history), question=question),
            max_tokens=REWRITE_CAP,
        )
    except ChatModelError as exc:
        health.record(exc)
        return ""
    return text.strip().splitlines()[0].strip() if text.strip() else ""


def header(c: Citation) -> str:
    """Where a passage is from, as the model is shown it: the city, title, date and section."""
    return f"{c.known_city} {c.title} {c.date}; {c.section}"


def answer_prompt(plan: QueryPlan, citations: Sequence[Citation]) -> tuple[str, str]:
    """(system, user) messages: the rules, then the question with the numbered passages."""
    system = prompts.render(
        "answer_system",
        language=LANGUAGE_NAMES.get((plan.language, plan.script), "Chinese"),
        max_sentences="8",
    )
    passages = "\n\n".join(f"[{c.n}] ({header(c)})\n<passage>\n{c.text}\n</passage>" for c in citations)
    return system, prompts.render("answer_user", question=plan.standalone, passages=passages)


def paced(pieces: Iterator[str], every: float = HEARTBEAT) -> Iterator[str | None]:
    """The model's pieces as they come, and None after every `every` seconds without one, so that the
    caller can show that the model is still at work. The model is read on a thread of its own."""
    box: queue.Queue[tuple[str, object]] = queue.Queue()
    stop = threading.Event()

    def read() -> None:
        try:
            for piece in pieces:
                if stop.is_set():
                    return
                box.put(("piece", piece))
            box.put(("end", None))
        except Exception as exc:  # handed over to the reader of the queue, raised there
            box.put(("error", exc))

    threading.Thread(target=read, daemon=True, name="chat-model-stream").start()
    try:
        while True:
            try:
                kind, value = box.get(timeout=every)
            except queue.Empty:
                yield None
                continue
            if kind == "end":
                return
            if kind == "error":
                raise value  # type: ignore[misc]
            yield str(value)
    finally:
        stop.set()  # the reader went away (a closed browser tab): stop reading the model


def generate(
    model: ChatModel,
    extractive: Answer,
    translate: Translate,
    health: ModelHealth,
    max_tokens: int | None = None,
) -> Iterator[AnswerEvent]:
    """The model's answer as it is written: Waiting while it is silent, Draft as a sentence grows,
    Checked as each one completes, then Done with the final answer. The answer is capped at
    `answer_cap` tokens, sent to the model and counted here too (a server may ignore the cap)."""
    plan = extractive.plan
    if not health.usable():  # it failed on every call: say why at once rather than wait for it again
        yield Done(final_answer(extractive, [], failure=health.broken))
        return
    system, user = answer_prompt(plan, extractive.citations)
    passages = {c.n: Passage(c.n, c.text, header(c)) for c in extractive.citations}
    cap = answer_cap(extractive.citations, max_tokens)
    splitter = SentenceSplitter()
    checks: list[SentenceCheck] = []
    began, pieces = time.monotonic(), 0

    def finished(sentences: Sequence[str]) -> Iterator[AnswerEvent]:
        for sentence in sentences:
            checks.append(check_sentence(sentence, passages, translate))
            yield Checked(checks[-1])

    try:
        for piece in paced(model.stream(system, user, max_tokens=cap)):
            if piece is None:
                yield Waiting(time.monotonic() - began, writing=bool(checks or splitter.buffer.strip()))
                continue
            pieces += 1
            if pieces > cap:  # a streamed piece is at most a token: the server did not stop at the cap
                break
            yield from finished(splitter.feed(piece))
            yield Draft(splitter.buffer.strip())
        yield from finished(splitter.flush())
    except ChatModelError as exc:
        health.record(exc)
        yield Done(final_answer(extractive, checks, failure=str(exc)))
        return
    health.healed()
    cut = (phrase("model_cut", plan.language, plan.script).format(tokens=cap),) if pieces > cap else ()
    yield Done(final_answer(extractive, checks, cut=cut))


def final_answer(
    extractive: Answer, checks: Sequence[SentenceCheck], failure: str = "", cut: Sequence[str] = ()
) -> Answer:
    """What the check kept, with how much; the quotes after it when less than half survived or the
    model stopped early; the extractive answer alone when nothing did. A failure is shown with its
    reason, in the answer itself: the terminal, the UI and the API all show it."""
    plan = extractive.plan
    verification = Verification(tuple(checks), failure)
    kept = [c for c in checks if c.kept]
    notes = (
        *extractive.notes,
        *([failure] if failure else []),
        *cut,
        *(f"removed: {c.sentence} — {c.why}" for c in verification.removed),
    )
    if not kept:
        why = phrase("model_failed" if failure else "unverified", plan.language, plan.script).format(
            reason=failure
        )
        return replace(
            extractive, text=f"_{why}_\n\n{extractive.text}", notes=notes, verification=verification
        )
    text = joined([c.shown for c in kept])
    citations: tuple[Citation, ...] = tuple(
        c for c in extractive.citations if any(c.n in k.markers for k in kept)
    )
    if failure or 2 * len(kept) < len(checks):  # too little survived: the passages speak for themselves too
        text += f"\n\n_{phrase('quotes_too', plan.language, plan.script)}_\n\n{extractive.text}"
        citations = extractive.citations
    counted = " ".join(
        (phrase("kept", plan.language, plan.script).format(kept=len(kept), total=len(checks)), *cut)
    )
    return replace(
        extractive,
        text=f"{text}\n\n_{counted}_",
        citations=citations,
        notes=notes,
        mode="llm",
        verification=verification,
    )


def translator(names: Mapping[str, tuple[str, ...]]) -> Translate:
    """English text -> its phrases with their Chinese forms, names in pinyin included (for checking
    English sentences against Chinese passages)."""
    from assistant.query.english import translate_terms

    def translate(text: str) -> list[tuple[str, tuple[str, ...]]]:
        return [(t.english, t.chinese) for t in translate_terms(text, per_term=6, names=names)]

    return translate


def streamed_text(emitted: str, answer: Answer) -> str:
    """What is left to send of `answer.text` after the kept sentences already sent as `emitted`."""
    return answer.text[len(emitted) :] if answer.text.startswith(emitted) else answer.text
