"""Answering a Query: retrieval, the evidence check, quotes, composition, comparison, and the chat
model's answer with its citation check. `Assistant` (pipeline.py) runs the stages in order."""

from assistant.answer.pipeline import Assistant

__all__ = ["Assistant"]
