"""Chat models behind one small Protocol: text in, text out (whole or streamed). The adapter moves
bytes; what to ask and what to show is decided in assistant.answer.generate."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, Protocol

from assistant.errors import ChatModelError
from assistant.settings import LLMSettings


class ChatModel(Protocol):
    """A chat model: a system and a user message in, the reply out."""

    name: str

    def complete(self, system: str, user: str) -> str:
        """The whole reply; ChatModelError when the model cannot be reached or fails."""
        ...

    def stream(self, system: str, user: str) -> Iterator[str]:
        """The reply in pieces as the model writes it; ChatModelError as for complete."""
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
            import httpx
            from langchain_openai import ChatOpenAI
            from pydantic import SecretStr

            # `read` bounds the silence between two pieces (the first one included), not the whole
            # answer: a slow local model that keeps writing is never cut off
            timeout = httpx.Timeout(connect=CONNECT_TIMEOUT, read=self.settings.read_timeout, write=30.0, pool=10.0)
            self._client = ChatOpenAI(
                model=self.settings.model, base_url=self.settings.base_url,
                api_key=SecretStr(self.settings.api_key or "not-needed"),  # local servers take any key
                timeout=timeout, temperature=0, max_retries=0,  # retries are decided below, not blindly
            )
        return self._client

    def _messages(self, system: str, user: str) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [SystemMessage(content=system), HumanMessage(content=user)]

    def _failed(self, exc: Exception) -> ChatModelError:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return ChatModelError(f"the chat model at {self.settings.base_url} sent nothing for "
                                  f"{self.settings.read_timeout:.0f}s (raise SPEECHQA_LLM_TIMEOUT for a slow model)")
        return ChatModelError(f"the chat model at {self.settings.base_url} failed: {exc.__class__.__name__}: {exc}")

    def complete(self, system: str, user: str) -> str:
        return "".join(self.stream(system, user))

    def stream(self, system: str, user: str) -> Iterator[str]:
        """Pieces as the model writes them. A request that failed fast before any piece (refused,
        rate-limited, a 502/503 while the server starts) is tried once more; one that timed out is
        not: a model that is too slow will be as slow again."""
        for attempt in (1, 2):
            sent = False
            try:
                for chunk in self.client.stream(self._messages(system, user)):
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


def worth_retrying(exc: Exception) -> bool:
    """Failures that a second try a second later may not meet: never a timeout."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return False
    if isinstance(exc, openai.APIConnectionError):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code in (429, 502, 503)


def make_chat_model(settings: LLMSettings) -> ChatModel | None:
    """The configured chat model, or None when none is configured (answers are then extractive)."""
    return OpenAICompatibleModel(settings) if settings.enabled else None
