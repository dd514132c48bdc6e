"""A local HTTP server that speaks the OpenAI chat-completions protocol, with canned replies that it
streams token by token at a set pace, as a model on a slow machine does.

It records every request it gets (tests check what the assistant sent: prompts, passages) and the
wall-clock time at which it sent each token (tests measure how soon a reader sees it).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = re.compile(r"\[\d{1,3}\]|[A-Za-z]+|\d+(?:\.\d+)?|\s+|.", re.S)


def tokens(text: str) -> list[str]:
    """Roughly as a tokenizer cuts: a marker, a word or a number, a space, else one character."""
    return TOKEN.findall(text)


class FakeOpenAI:
    def __init__(self, *, token_delay: float = 0.0, first_delay: float = 0.0) -> None:
        self.replies: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self.sent_at: list[float] = []  # time.time() of every token of the latest streamed reply
        self.status = 200
        self.token_delay = token_delay  # seconds between two tokens
        self.first_delay = first_delay  # seconds before the first (reading the prompt)
        self.stall_after: int | None = None  # go silent for `stall` seconds after this many tokens
        self.stall = 0.0
        self.endless = False  # repeat the reply for ever, as a looping model does
        self.honour_cap = True  # stop at the request's max_tokens, as real servers do
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server_self.requests.append(body)
                if server_self.status != 200:
                    self.send_response(server_self.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "boom"}}')
                    return
                text = server_self.replies.pop(0) if server_self.replies else "无法回答。"
                if body.get("stream"):
                    self.stream(body, text)
                    return
                time.sleep(server_self.first_delay)
                payload = {
                    "id": "c",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def stream(self, body: dict[str, Any], text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                server_self.sent_at = []
                time.sleep(server_self.first_delay)
                pieces = itertools.cycle(tokens(text)) if server_self.endless else iter(tokens(text))
                cap = body.get("max_tokens") or body.get("max_completion_tokens")
                if cap and server_self.honour_cap:
                    pieces = itertools.islice(pieces, cap)
                try:
                    for n, piece in enumerate(pieces):
                        if n:
                            time.sleep(server_self.token_delay)
                        if n == server_self.stall_after:
                            time.sleep(server_self.stall)
                        chunk = {
                            "id": "c",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "model": body["model"],
                            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                        }
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                        server_self.sent_at.append(time.time())
                    self.wfile.write(b"data: [DONE]\n\n")
                except (BrokenPipeError, ConnectionResetError):  # the reader went away
                    return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
