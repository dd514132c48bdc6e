"""One server, one port: the Gradio UI at / and the OpenAI-compatible API at /v1 (assistant.app.api),
both over the same Assistant. `serve` runs it in the foreground; `start` in the background (tests,
benchmarks) and returns a handle to stop it."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from assistant.answer.pipeline import Assistant
from assistant.app.api import api_router, install_error_handlers
from assistant.app.ui import build_app
from assistant.app.ui_html import CSS, PAGE_JS
from ingest.loaders import MAX_BYTES


def server_app(assistant: Assistant, *, auth: tuple[str, str] | None = None, api_key: str = "") -> Any:
    """The FastAPI application: /v1 first, the UI mounted at the root."""
    import gradio as gr
    from fastapi import FastAPI

    app = FastAPI(title="speechqa", docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)
    app.include_router(api_router(assistant, api_key=api_key))
    return gr.mount_gradio_app(
        app,
        build_app(assistant),
        path="",
        auth=auth,
        max_file_size=MAX_BYTES,  # what ingestion accepts in one file
        css=CSS,
        js=PAGE_JS,
        footer_links=["api"],
        show_error=True,
    )


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def _uvicorn(app: Any, host: str, port: int) -> Any:
    import uvicorn

    return uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)
    )


def serve(
    assistant: Assistant,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    api_key: str = "",
    quiet: bool = False,
    check_model: bool = False,
) -> None:
    """Run the UI and the API until Ctrl-C; warns when listening beyond this machine without a login.
    With `check_model`, the chat model is asked for one token first and a failure is said once, here."""
    if not is_loopback(host) and auth is None:
        print(
            f"WARNING: serving on {host} without a login: anyone who can reach this address can read and "
            f"change "
            "the index. Use --auth USER:PASSWORD or SPEECHQA_AUTH.",
            file=sys.stderr,
        )
    if not is_loopback(host) and not api_key:
        print(
            f"WARNING: the API at http://{host}:{port}/v1 takes no key. Use --api-key or SPEECHQA_API_KEY.",
            file=sys.stderr,
        )
    seconds = assistant.warm_up()
    if not quiet:
        print(
            f"speechqa: models and indexes loaded in {seconds:.1f}s; the OpenAI-compatible API is at "
            f"http://{host}:{port}/v1 (model 'speechqa')",
            file=sys.stderr,
        )
    if check_model:
        problem = assistant.check_model()
        name = assistant.chat_model.name if assistant.chat_model else ""
        print(
            f"speechqa: chat model NOT working, answers show the passages' own words: {problem}"
            if problem
            else f"speechqa: chat model {name} answers",
            file=sys.stderr,
        )
    _uvicorn(server_app(assistant, auth=auth, api_key=api_key), host, port).run()


@dataclass
class Running:
    """A server started in the background."""

    url: str
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start(
    assistant: Assistant,
    *,
    port: int,
    host: str = "127.0.0.1",
    auth: tuple[str, str] | None = None,
    api_key: str = "",
) -> Running:
    """The server on a thread, returned once it accepts connections."""
    server = _uvicorn(server_app(assistant, auth=auth, api_key=api_key), host, port)
    thread = threading.Thread(target=server.run, daemon=True, name="speechqa-server")
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.05)
    return Running(f"http://{host}:{port}", server, thread)
