"""Chat models behind one small Protocol: text in, text out (whole or streamed). The adapter moves
bytes and says what kind of failure it met; what to ask and what to show is decided in
assistant.answer.generate."""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from functools import cache
from typing import Any, Protocol

from assistant.errors import ChatModelError
from assistant.settings import LLMSettings


class ChatModel(Protocol):
    """A chat model: a system and a user message in, the reply out."""

    name: str

    def complete(self, system: str, user: str, *, max_tokens: int | None = None) -> str:
        """The whole reply; ChatModelError when the model cannot be reached or fails."""
        ...

    def stream(self, system: str, user: str, *, max_tokens: int | None = None) -> Iterator[str]:
        """The reply in pieces as the model writes it, at most `max_tokens` tokens; ChatModelError as
        for complete."""
        ...


class OpenAICompatibleModel:
    """An OpenAI-compatible endpoint (DeepSeek, Qwen, Ollama, vLLM, a llama.cpp server) through
    langchain-openai's ChatOpenAI."""

    def __init__(self, settings: LLMSettings, client: Any = None) -> None:
        self.settings = settings
        self.name = settings.model
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import openai
            from langchain_openai import ChatOpenAI
            from pydantic import SecretStr

            # `read` bounds the silence between two pieces (the first one included), not the whole
            # answer: a slow local model that keeps writing is never cut off. openai.Timeout is the
            # client's own class (httpx.Timeout in openai 2, its own in openai 3 on httpx2): a timeout
            # built from the transport package directly breaks when the client changes transport.
            timeout = openai.Timeout(
                connect=CONNECT_TIMEOUT, read=self.settings.read_timeout, write=30.0, pool=10.0
            )
            self._client = ChatOpenAI(
                model=self.settings.model,
                base_url=self.settings.base_url,
                api_key=SecretStr(self.settings.api_key or "not-needed"),  # local servers take any key
                timeout=timeout,
                temperature=0,
                max_retries=0,  # retries are decided below, not blindly
            )
        return self._client

    def _messages(self, system: str, user: str) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [SystemMessage(content=system), HumanMessage(content=user)]

    def _failed(self, exc: Exception) -> ChatModelError:
        where = f"the chat model at {self.settings.base_url}"
        if is_timeout(exc):
            return ChatModelError(
                f"{where} sent nothing for {self.settings.read_timeout:.0f}s "
                "(raise SPEECHQA_LLM_TIMEOUT for a slow model)",
                lasting=False,
            )
        return ChatModelError(f"{where} failed: {exc.__class__.__name__}: {exc}", lasting=not passing(exc))

    def complete(self, system: str, user: str, *, max_tokens: int | None = None) -> str:
        return "".join(self.stream(system, user, max_tokens=max_tokens))

    def stream(self, system: str, user: str, *, max_tokens: int | None = None) -> Iterator[str]:
        """Pieces as the model writes them. A request that failed fast before any piece (refused,
        rate-limited, a 502/503 while the server starts) is tried once more; one that timed out is
        not: a model that is too slow will be as slow again."""
        limit: dict[str, Any] = {}
        if max_tokens:
            # ChatOpenAI sends it as max_completion_tokens, OpenAI's current name; servers on one's own
            # machine (llama.cpp, Ollama, vLLM) have long known it as max_tokens: they get both
            limit = {
                "max_tokens": max_tokens,
                **({"extra_body": {"max_tokens": max_tokens}} if self.settings.local else {}),
            }
        for attempt in (1, 2):
            sent = False
            try:
                for chunk in self.client.stream(self._messages(system, user), **limit):
                    if chunk.content:
                        sent = True
                        yield str(chunk.content)
                return
            except Exception as exc:  # network, HTTP and protocol errors all mean the same to the user
                if attempt == 1 and not sent and worth_retrying(exc):
                    time.sleep(RETRY_AFTER)
                    continue
                raise self._failed(exc) from exc


CONNECT_TIMEOUT = 10.0
RETRY_AFTER = 1.0


@cache
def _timeout_types() -> tuple[type[BaseException], ...]:
    """Every class that means "timed out" on the way to the model: the client's own, and the transport's,
    which a stream raises unwrapped when the silence falls between two pieces. openai 2 reads through
    httpx, openai 3 through httpx2; both sit on httpcore or its successor."""
    import openai

    found: list[type[BaseException]] = [openai.APITimeoutError, TimeoutError]
    for module in ("httpx", "httpx2", "httpcore", "httpcore2"):
        try:
            found.append(importlib.import_module(module).TimeoutException)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def is_timeout(exc: BaseException) -> bool:
    """The model (or the network to it) went silent for longer than the read timeout, at any point."""
    return any(isinstance(e, _timeout_types()) for e in _chain(exc))


def passing(exc: BaseException) -> bool:
    """A failure that may not recur on the next call: a timeout, the network, a rate limit, a server
    error or a server still starting. Everything else (a refused key, an unknown model, a malformed
    request, an error in our own code) will fail the same way every time."""
    import openai

    if is_timeout(exc) or isinstance(exc, openai.APIConnectionError):
        return True
    return isinstance(exc, openai.APIStatusError) and (exc.status_code == 429 or exc.status_code >= 500)


def worth_retrying(exc: Exception) -> bool:
    """Failures that a second try a second later may not meet: never a timeout."""
    import openai

    if is_timeout(exc):
        return False
    if isinstance(exc, openai.APIConnectionError):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code in (429, 502, 503)


def make_chat_model(settings: LLMSettings) -> OpenAICompatibleModel | None:
    """The configured chat model, or None when none is configured (answers are then extractive)."""
    return OpenAICompatibleModel(settings) if settings.enabled else None
