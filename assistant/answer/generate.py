"""Answers written by a chat model, shown only where the passages support them.

The model gets the question and the numbered passages (prompts/answer_*.md); every sentence it writes
is checked against the passages it cites (assistant.answer.checking). What cannot be verified is
dropped and said so; when nothing verifiable is left, or the model fails, the extractive answer stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

import prompts
from assistant.answer.checking import check_answer
from assistant.answer.compose import phrase
from assistant.chat_model import ChatModel
from assistant.errors import ChatModelError
from assistant.query import QueryPlan
from assistant.records import Answer, Citation

LANGUAGE_NAMES = {("zh", "simplified"): "Simplified Chinese", ("zh", "traditional"): "Traditional Chinese",
                  ("en", "latin"): "English"}


def rewrite_followup(model: ChatModel, question: str, history: Sequence[str]) -> str:
    """A standalone form of a follow-up question ("" when the model fails: the rules then decide)."""
    try:
        text = model.complete("You rewrite follow-up questions.",
                              prompts.render("rewrite", history="\n".join(f"- {h}" for h in history), question=question))
    except ChatModelError:
        return ""
    return text.strip().splitlines()[0].strip() if text.strip() else ""


def answer_prompt(plan: QueryPlan, citations: Sequence[Citation]) -> tuple[str, str]:
    """(system, user) messages: the rules, then the question with the numbered passages."""
    system = prompts.render("answer_system", language=LANGUAGE_NAMES.get((plan.language, plan.script), "Chinese"),
                            max_sentences="8")
    passages = "\n\n".join(
        f"[{c.n}] ({c.known_city} {c.title[:40]} {c.date}; {c.section[:60]})\n<passage>\n{c.text}\n</passage>"
        for c in citations
    )
    return system, prompts.render("answer_user", question=plan.standalone, passages=passages)


def generated_answer(model: ChatModel, extractive: Answer) -> Answer:
    """The model's answer over the extractive answer's citations, checked; on failure, `extractive`
    with a note saying why."""
    system, user = answer_prompt(extractive.plan, extractive.citations)
    try:
        reply = model.complete(system, user)
    except ChatModelError as exc:
        return replace(extractive, notes=(*extractive.notes, str(exc)))
    return checked_answer(reply, extractive)


@lru_cache(maxsize=1)
def _city_names() -> tuple[str, ...]:
    from ingest.gazetteer import places

    return tuple(sorted({p.short for p in places().values() if p.level == 1}))


def checked_answer(reply: str, extractive: Answer) -> Answer:
    """Keep the sentences of `reply` that the passages they cite support; fall back to `extractive`
    when none is left."""
    citations = extractive.citations
    # the passage header (city, title, date) was shown to the model too: it may state those
    passages = {c.n: f"{c.city} {c.title} {c.date}\n{c.text}" for c in citations}
    checked = check_answer(reply, passages, names=_city_names())
    dropped = tuple(f"dropped an unsupported sentence: {s}" for s in checked.dropped)
    used = tuple(c for c in citations if c.n in checked.used)
    if not used:  # nothing the model said could be verified: the passages speak for themselves
        return replace(extractive, notes=(*extractive.notes, *dropped))
    plan = extractive.plan
    text = checked.text if not dropped else f"{checked.text}\n\n_{phrase('dropped', plan.language, plan.script)}_"
    return replace(extractive, text=text, citations=used, notes=(*extractive.notes, *dropped), mode="llm")
