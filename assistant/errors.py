"""Errors of the question path. Messages say what to do; only the edges (CLI, UI, API) print them or
turn them into exit codes, dialogs and HTTP errors."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of the assistant's errors."""


class EmptyQuestion(AssistantError, ValueError):
    """A question with nothing to search for."""


class QuestionTooLong(AssistantError, ValueError):
    """A question longer than anyone types: probably a pasted document."""


class ChatModelError(AssistantError, RuntimeError):
    """The chat model failed; the message names the endpoint. Answers fall back to quotes. `lasting`:
    the same call will fail the same way (a refused key, an unknown model, a programming error), as
    opposed to a timeout, the network or a busy server."""

    def __init__(self, message: str, *, lasting: bool = False) -> None:
        super().__init__(message)
        self.lasting = lasting


class UserError(AssistantError):
    """A problem the user can fix (a bad flag, a missing file); printed as one line without a traceback."""
