"""Answering a Query: retrieval, the evidence check, quotes, composition, and the chat model's answer
with its citation check. `Assistant` (pipeline.py) runs the stages in order and picks the mode: an
ordinary answer, a comparison (comparison.py) or a question about time (mentions.py, timeline.py)."""

from assistant.answer.pipeline import Assistant

__all__ = ["Assistant"]
