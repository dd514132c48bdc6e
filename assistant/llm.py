"""An OpenAI-compatible chat model (DeepSeek, Qwen, Ollama, vLLM, llama.cpp server) behind one adapter,
through langchain-openai. The model writes; citations.check_answer decides what may be shown as cited."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import prompts
from assistant.citations import check_answer
from assistant.compose import compose_answer, phrase
from assistant.query import QueryPlan
from assistant.records import Answer, Citation
from assistant.settings import LLMSettings
from vectorstore.records import Hit

LANGUAGE_NAMES = {("zh", "simplified"): "Simplified Chinese", ("zh", "traditional"): "Traditional Chinese",
                  ("en", "latin"): "English"}


class LLMError(RuntimeError):
    """The endpoint failed; the message names it. The assistant falls back to the extractive answer."""


class ChatModel:
    def __init__(self, settings: LLMSettings, client: Any = None) -> None:
        self.settings = settings
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from langchain_openai import ChatOpenAI
            from pydantic import SecretStr

            self._client = ChatOpenAI(
                model=self.settings.model, base_url=self.settings.base_url,
                api_key=SecretStr(self.settings.api_key or "not-needed"),  # local servers take any key
                timeout=self.settings.timeout, temperature=0, max_retries=1,
            )
        return self._client

    def _messages(self, system: str, user: str) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [SystemMessage(content=system), HumanMessage(content=user)]

    def complete(self, system: str, user: str) -> str:
        try:
            reply = self.client.invoke(self._messages(system, user))
        except Exception as exc:  # network, HTTP and protocol errors all mean the same to the user
            raise LLMError(f"the chat model at {self.settings.base_url} failed: {exc.__class__.__name__}: {exc}") from exc
        return str(reply.content)

    def stream(self, system: str, user: str) -> Iterator[str]:
        try:
            for chunk in self.client.stream(self._messages(system, user)):
                if chunk.content:
                    yield str(chunk.content)
        except Exception as exc:
            raise LLMError(f"the chat model at {self.settings.base_url} failed: {exc.__class__.__name__}: {exc}") from exc

    def rewrite(self, question: str, history: list[str]) -> str:
        """A standalone form of a follow-up question ("" when the model fails: rules then decide)."""
        try:
            text = self.complete("You rewrite follow-up questions.",
                                 prompts.render("rewrite", history="\n".join(f"- {h}" for h in history), question=question))
        except LLMError:
            return ""
        return text.strip().splitlines()[0].strip() if text.strip() else ""

    def prompt(self, plan: QueryPlan, citations: Sequence[Citation]) -> tuple[str, str]:
        system = prompts.render("answer_system", language=LANGUAGE_NAMES.get((plan.language, plan.script), "Chinese"),
                                max_sentences="8")
        passages = "\n\n".join(
            f"[{c.n}] ({c.city if c.city != 'unknown' else ''} {c.title[:40]} {c.date}; {c.section[:60]})\n"
            f"<passage>\n{c.text}\n</passage>" for c in citations
        )
        return system, prompts.render("answer_user", question=plan.standalone, passages=passages)

    def answer(self, plan: QueryPlan, citations: Sequence[Citation], *, hits: Sequence[Hit] = (),
               notes: Sequence[str] = ()) -> Answer:
        """Generate, then keep only what the passages support; on failure, the extractive answer."""
        system, user = self.prompt(plan, citations)
        try:
            reply = self.complete(system, user)
        except LLMError as exc:
            return Answer(plan.original, compose_answer(citations, plan.language, plan.script), tuple(citations), True,
                          plan, hits=tuple(hits), notes=(*notes, str(exc)))
        return self.checked(plan, citations, reply, hits=hits, notes=notes)

    def checked(self, plan: QueryPlan, citations: Sequence[Citation], reply: str, *, hits: Sequence[Hit] = (),
                notes: Sequence[str] = ()) -> Answer:
        from ingest.gazetteer import places

        names = tuple({p.short for p in places().values() if p.level == 1})
        # the passage header (city, title, date) was shown to the model too: it may state those
        passages = {c.n: f"{c.city} {c.title} {c.date}\n{c.text}" for c in citations}
        checked = check_answer(reply, passages, names=names)
        used = [c for c in citations if c.n in checked.used]
        extra = [f"dropped an unsupported sentence: {s}" for s in checked.dropped]
        if not used:
            # nothing the model said could be verified: fall back to quoting the passages themselves
            return Answer(plan.original, compose_answer(citations, plan.language, plan.script), tuple(citations), True,
                          plan, hits=tuple(hits), notes=(*notes, *extra), mode="extractive")
        text = checked.text if not checked.dropped else checked.text + "\n\n_" + phrase("dropped", plan.language, plan.script) + "_"
        return Answer(plan.original, text, tuple(used), True, plan, hits=tuple(hits), notes=(*notes, *extra), mode="llm")

