"""Query latency of the same index in embedded Chroma and behind a local `chroma run` server.

Usage: .venv/bin/python scripts/server_vs_embedded.py [CORPUS_DIR] — prints JSON (docs/deploy.md).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer.pipeline import Assistant  # noqa: E402
from evaluation.bench import percentile  # noqa: E402
from evaluation.loadtest import DEFAULT_QUESTIONS  # noqa: E402
from vectorstore.chroma_store import ChromaConfig  # noqa: E402
from vectorstore.index import Index  # noqa: E402
from vectorstore.sync import sync_paths  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(assistant: Assistant, rounds: int = 5) -> dict[str, float]:
    assistant.warm_up()
    latencies = []
    for _ in range(rounds):
        for question in DEFAULT_QUESTIONS:
            began = time.perf_counter()
            assistant.ask(question)
            latencies.append(1000 * (time.perf_counter() - began))
    return {"p50_ms": round(percentile(latencies, 0.5), 1), "p95_ms": round(percentile(latencies, 0.95), 1)}


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "assistant" / "sample_corpus"
    chroma = Path(shutil.which("chroma") or ROOT / ".venv" / "bin" / "chroma")
    with tempfile.TemporaryDirectory() as tmp:
        embedded = Index(Path(tmp) / "embedded")
        began = time.perf_counter()
        sync_paths(embedded, [corpus], progress=False)
        result = {"embedded_ingest_s": round(time.perf_counter() - began, 1)}
        port = free_port()
        server = subprocess.Popen(
            [
                str(chroma),
                "run",
                "--path",
                str(Path(tmp) / "server"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(3)
            remote = Index(Path(tmp) / "remote", chroma=ChromaConfig(host="127.0.0.1", port=port))
            remote.use_embedders(embedded.embedders)
            began = time.perf_counter()
            sync_paths(remote, [corpus], progress=False)
            result["server_ingest_s"] = round(time.perf_counter() - began, 1)
            result["embedded"] = timed(Assistant(embedded))
            result["server"] = timed(Assistant(remote))
        finally:
            server.terminate()
            server.wait()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
