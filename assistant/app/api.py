"""speechqa's OpenAI-compatible HTTP API, on the same server and port as the UI:

- GET  /v1/models               the corpus as one model, `speechqa`
- POST /v1/chat/completions     a cited answer (stream false, or true as server-sent events)
- POST /v1/search               ranked passages with each retriever's rank and score

Any OpenAI client (the `openai` package, LangChain's ChatOpenAI, Open WebUI, Cherry Studio) can talk
to it; docs/api.md says how. Routes are thin: they read the request (assistant.app.wire), ask the same
Assistant the UI and CLI use, and write the answer back in OpenAI's shapes. (FastAPI is imported at
the top because it reads the routes' annotations; this module is imported only when serving.)
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from assistant.answer.checking import separator
from assistant.answer.generate import streamed_text
from assistant.answer.pipeline import Assistant
from assistant.app import wire
from assistant.app.wire import ApiError
from assistant.errors import AssistantError
from assistant.records import Checked, Done, Draft, Waiting
from vectorstore.errors import VectorStoreError

MAX_BODY = 1 << 20  # a chat request is a few kilobytes; a megabyte is a pasted book
KEEPALIVE = 2.0  # seconds of silence on a stream before a comment line says the model is still at work


def _failure(exc: Exception) -> ApiError:
    """Our errors in OpenAI's terms: a bad question is the client's (400), a store that cannot be read
    is the server's for now (503: try again)."""
    if isinstance(exc, VectorStoreError):
        return ApiError(503, str(exc), kind="server_error", code="unavailable")
    return ApiError(400, str(exc))


def answer_events(assistant: Assistant, request: wire.ChatRequest, completion_id: str) -> Iterator[bytes]:
    """The stream of a chat completion: the role, then each sentence the check keeps as it completes,
    then the rest of the final answer and its Sources block, then the citations, then [DONE]. While the
    model is silent a comment line keeps the connection alive (clients ignore it)."""
    yield wire.chunk(completion_id, {"role": "assistant", "content": ""})
    sent, previous = "", ""
    last = time.monotonic()
    try:
        for event in assistant.stream(request.question, request.history, request.filters):
            if isinstance(event, Waiting):
                doing = "writing" if event.writing else "reading"
                yield f": the model is {doing} ({event.seconds:.0f} s)\n\n".encode()
                last = time.monotonic()
            elif isinstance(event, Draft) and time.monotonic() - last >= KEEPALIVE:
                # a long sentence is checked only once it ends: show that the model is writing meanwhile
                yield f": the model is writing ({len(event.text)} characters of a sentence)\n\n".encode()
                last = time.monotonic()
            elif isinstance(event, Checked) and event.check.kept:
                piece = separator(previous, event.check.shown) + event.check.shown
                sent, previous = sent + piece, event.check.shown
                yield wire.chunk(completion_id, {"content": piece})
                last = time.monotonic()
            elif isinstance(event, Done):
                rest = streamed_text(sent, event.answer) + wire.sources_block(event.answer)
                yield wire.chunk(completion_id, {"content": rest})
                yield wire.chunk(completion_id, {}, "stop", **wire.extra_fields(event.answer))
    except (AssistantError, VectorStoreError) as exc:
        yield wire.error_event(_failure(exc))
    yield wire.DONE


def api_router(assistant: Assistant, *, api_key: str = "") -> APIRouter:
    """The /v1 routes; with `api_key`, every request must carry it as `Authorization: Bearer …`."""

    def authorised(request: Request) -> None:
        if not api_key:
            return
        given = request.headers.get("authorization", "")
        token = given[7:] if given.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(token.encode(), api_key.encode()):
            raise ApiError(
                401,
                "Incorrect or missing API key: send it as 'Authorization: Bearer <key>' "
                "(the key speechqa serve was given with --api-key or SPEECHQA_API_KEY)",
                code="invalid_api_key",
            )

    async def body_of(request: Request) -> dict[str, Any]:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise ApiError(413, f"the request is {len(raw):,} bytes; the limit is {MAX_BODY:,}")
        return wire.parse_json(raw)

    router = APIRouter(prefix="/v1", dependencies=[Depends(authorised)])

    @router.get("/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [model_card()]}

    @router.get("/models/{model}")
    def model(model: str) -> dict[str, Any]:
        if model != wire.MODEL:
            raise ApiError(404, f"The model '{model}' does not exist", code="model_not_found", param="model")
        return model_card()

    @router.post("/chat/completions")
    async def chat(request: Request) -> Any:
        asked = wire.parse_chat(await body_of(request))
        completion_id = wire.new_id()
        if asked.stream:
            return StreamingResponse(
                answer_events(assistant, asked, completion_id),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        try:
            answer = await run_in_threadpool(assistant.ask, asked.question, asked.history, asked.filters)
        except (AssistantError, VectorStoreError) as exc:
            raise _failure(exc) from exc
        return JSONResponse(wire.completion(answer, completion_id))

    @router.post("/search")
    async def search(request: Request) -> Any:
        query, k, filters = wire.parse_search(await body_of(request))
        try:
            found = await run_in_threadpool(assistant.search, query, k, filters)
        except (AssistantError, VectorStoreError) as exc:
            raise _failure(exc) from exc
        return JSONResponse(wire.search_result(found))

    @router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def unknown(path: str, request: Request) -> None:
        if f"/v1/{path}" in {"/v1/models", "/v1/chat/completions", "/v1/search"}:
            raise ApiError(405, f"{request.method} is not allowed on /v1/{path}")
        raise ApiError(
            404,
            f"no route /v1/{path}; speechqa serves /v1/models, /v1/chat/completions and /v1/search",
            code="unknown_url",
        )

    return router


def model_card() -> dict[str, Any]:
    return {"id": wire.MODEL, "object": "model", "created": 0, "owned_by": "speechqa"}


def install_error_handlers(app: Any) -> None:
    """ApiError, and FastAPI's own errors on /v1 (405, a wrong path), as OpenAI error objects."""

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return JSONResponse(exc.body(), status_code=exc.status)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return JSONResponse(
            ApiError(exc.status_code, str(exc.detail)).body(),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(HTTPException, http_error)
