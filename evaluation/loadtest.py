"""`speechqa loadtest`: concurrent clients asking through the app's Gradio API on this machine.

Each client is a gradio_client.Client in its own thread asking its questions one after another; the
run is bounded (clients x questions) and reports latency percentiles and errors.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Sequence
from typing import Any

from evaluation.bench import percentile

DEFAULT_QUESTIONS = (
    "各地对重点项目督查考核有什么要求？",
    "放管服改革要達到什麼目標？",
    "What did the speeches say about land quotas?",
    "聊城对清理拖欠民营企业账款有什么要求？",
    "河长制有什么要求？",
    "奥体中心建设的目标是什么？",
    "Which kinds of companies should the city target when attracting investment?",
    "惠州去年产业类项目投资总额是多少？",
    "县长讲话中要求如何强化组织领导？",
    "比较临沂和聊城的招商引资",
)


def run_load(
    url: str,
    *,
    clients: int = 20,
    per_client: int = 10,
    questions: Sequence[str] = DEFAULT_QUESTIONS,
    auth: tuple[str, str] | None = None,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """Drive `clients` concurrent clients with `per_client` questions each against url's /ask."""
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + timeout

    def worker(number: int) -> None:
        try:
            client = Client(url, auth=auth, verbose=False)
        except Exception as exc:  # a client that cannot connect counts its questions as errors
            with lock:
                errors.extend([f"client {number}: {exc}"] * per_client)
            return
        for i in range(per_client):
            if time.monotonic() > deadline:
                with lock:
                    errors.append(f"client {number}: time limit reached")
                return
            question = questions[(number + i) % len(questions)]
            began = time.perf_counter()
            try:
                result = client.predict(question, [], [], [], "", "", api_name="/ask")
                ok = isinstance(result, dict) and "citations" in result
            except Exception as exc:
                ok = False
                with lock:
                    errors.append(f"client {number}: {exc.__class__.__name__}: {str(exc)[:120]}")
            elapsed = 1000 * (time.perf_counter() - began)
            with lock:
                if ok:
                    latencies.append(elapsed)
                elif not errors or not errors[-1].startswith(f"client {number}"):
                    errors.append(f"client {number}: malformed answer")

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return {
        "clients": clients,
        "requests": clients * per_client,
        "answered": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "wall_s": round(wall, 1),
        "throughput_rps": round(len(latencies) / wall, 2) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1) if latencies else 0.0,
        "mean_ms": round(statistics.mean(latencies), 1) if latencies else 0.0,
    }
