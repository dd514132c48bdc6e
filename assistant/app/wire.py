"""OpenAI's chat-completions wire format for speechqa's answers: requests read into our records,
answers written as completions, stream chunks and error objects. Pure functions; the HTTP lives in
assistant.app.api."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from assistant.answer.compose import quoted
from assistant.answer.pipeline import MAX_QUESTION_CHARS
from assistant.app.render import citation_line, sources_heading
from assistant.records import Answer, Search, citation_fields
from vectorstore.errors import FilterError
from vectorstore.records import Filters

MODEL = "speechqa"
MAX_K = 50


class ApiError(Exception):
    """An error as OpenAI reports it: an HTTP status and {"error": {message, type, param, code}}."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param, self.kind = status, message, code, param, kind

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}}


@dataclass(frozen=True, slots=True)
class ChatRequest:
    question: str
    history: tuple[str, ...]  # the earlier user turns, oldest first
    filters: Filters
    stream: bool


def parse_json(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"the body is not valid JSON ({exc}); send a JSON object") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def _text(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def parse_filters(raw: Any) -> Filters:
    """The optional `filters` object (`Filters.from_wire`: {"cities": [...], "documents": [...],
    "date_from": "2019", "date_to": …}), its faults as the API's 400."""
    try:
        return Filters.from_wire(raw)
    except FilterError as exc:
        raise ApiError(400, str(exc), param=f"filters.{exc.key}" if exc.key else "filters") from exc


def _question_length(question: str) -> None:
    if len(question) > MAX_QUESTION_CHARS:
        raise ApiError(
            400,
            f"the question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}",
            code="context_length_exceeded",
            param="messages",
        )


def parse_chat(body: dict[str, Any]) -> ChatRequest:
    """The question is the last user message; the earlier user messages are the conversation so far."""
    model = body.get("model")
    if model != MODEL:
        raise ApiError(
            404,
            f"The model '{model}' does not exist; this server has one model, '{MODEL}'",
            code="model_not_found",
            param="model",
        )
    messages = body.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise ApiError(400, "messages must be a list of {role, content} objects", param="messages")
    asked = [_text(m.get("content")).strip() for m in messages if m.get("role") == "user"]
    asked = [q for q in asked if q]
    if not asked:
        raise ApiError(400, "messages must include a user message with the question", param="messages")
    if messages[-1].get("role") != "user":
        raise ApiError(400, "the last message must be the user's question", param="messages")
    _question_length(asked[-1])
    return ChatRequest(
        asked[-1], tuple(asked[:-1]), parse_filters(body.get("filters")), bool(body.get("stream"))
    )


def parse_search(body: dict[str, Any]) -> tuple[str, int, Filters]:
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ApiError(400, "query must be a non-empty string", param="query")
    _question_length(query)
    k = body.get("k", 10)
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise ApiError(400, f"k must be a whole number from 1 to {MAX_K}", param="k")
    return query, k, parse_filters(body.get("filters"))


# -- answers -------------------------------------------------------------------------------------------
def sources_block(answer: Answer) -> str:
    """For clients that only show text: each cited passage, where it is and what it says."""
    if not answer.sources:
        return ""
    head = sources_heading(answer)
    lines = [
        f"[{c.n}] {citation_line(c, answer.plan.language, answer.plan.script)[len(f'[{c.n}] ') :]}\n    "
        f"“{quoted(c, answer.plan.language, answer.plan.script)}”"
        for c in answer.sources
    ]
    return f"\n\n**{head}**\n" + "\n".join(lines)


def extra_fields(answer: Answer) -> dict[str, Any]:
    """What an OpenAI response lacks and speechqa adds: structured citations, and how it answered."""
    return {
        "citations": [citation_fields(c) for c in answer.citations],
        "speechqa": {
            "found": answer.found,
            "mode": answer.mode,
            "standalone": answer.plan.standalone,
            "related": [citation_fields(c) for c in answer.related],
            "notes": list(answer.notes),
            "verification": answer.verification.to_dict() if answer.verification else None,
            "scope": answer.scope.to_dict() if answer.scope else None,
            "timeline": answer.timeline.to_dict() if answer.timeline else None,
            "ledger": [r.to_dict() for r in answer.ledger],  # a figure over the years, row by row
        },
    }


def new_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def completion(answer: Answer, completion_id: str) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text + sources_block(answer)},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},  # speechqa counts no tokens
        **extra_fields(answer),
    }


def chunk(completion_id: str, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
    """One server-sent event of a streamed completion, framed as OpenAI frames it."""
    payload = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        **extra,
    }
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n".encode()


DONE = b"data: [DONE]\n\n"


def error_event(error: ApiError) -> bytes:
    return f"data: {json.dumps(error.body(), ensure_ascii=False)}\n\n".encode()


def search_result(search: Search) -> dict[str, Any]:
    query = search.query
    plan = query.plan
    return {
        "object": "list",
        "model": MODEL,
        "found": search.found,
        "unavailable": list(search.unavailable),
        "plan": {
            "standalone": plan.standalone,
            "language": plan.language,
            "script": plan.script,
            "cities": list(plan.cities),
            "years": list(plan.years),
            "terms": [list(t) if isinstance(t, tuple) else t for t in query.terms],
            "translations": [{"english": t.english, "chinese": list(t.chinese)} for t in query.translations],
            "filters": query.filters.to_wire(),
            "weights": dict(query.weights),
        },
        "data": [p.to_dict() for p in search.passages],
    }
