"""Chat models behind one small Protocol: text in, text out (whole or streamed). The adapter moves
bytes; what to ask and what to show is decided in assistant.answer.generate."""

from __future__ import annotations

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

    def _failed(self, exc: Exception) -> ChatModelError:
        return ChatModelError(f"the chat model at {self.settings.base_url} failed: {exc.__class__.__name__}: {exc}")

    def complete(self, system: str, user: str) -> str:
        try:
            reply = self.client.invoke(self._messages(system, user))
        except Exception as exc:  # network, HTTP and protocol errors all mean the same to the user
            raise self._failed(exc) from exc
        return str(reply.content)

    def stream(self, system: str, user: str) -> Iterator[str]:
        try:
            for chunk in self.client.stream(self._messages(system, user)):
                if chunk.content:
                    yield str(chunk.content)
        except Exception as exc:
            raise self._failed(exc) from exc


def make_chat_model(settings: LLMSettings) -> ChatModel | None:
    """The configured chat model, or None when none is configured (answers are then extractive)."""
    return OpenAICompatibleModel(settings) if settings.enabled else None
