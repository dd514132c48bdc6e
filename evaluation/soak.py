"""`speechqa loadtest --minutes N`: a soak. Several clients use a running app through its Gradio API for
N minutes, as a team would: questions in the three scripts, follow-ups with their history,
comparisons, while another client uploads speeches and removes them again. Reported per interval:
requests, errors, p50 and p95 latency; and the serving process's memory over the run.

Without --url it starts its own `speechqa serve` on a free port and a fresh data directory (the sample
corpus), so that it can watch that process's memory.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.bench import percentile

# (question, earlier questions of its conversation): each kind the app serves
CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    ("各地对重点项目督查考核有什么要求？",),
    ("放管服改革要達到什麼目標？",),
    ("What did the speeches say about land quotas?",),
    ("土地指标有什么要求？", "那惠州呢？"),
    ("What should officials do to speed up project approvals?", "and in Liaocheng?"),
    ("比较临沂和聊城的招商引资",),
    ("compare Huizhou and Linyi on key projects",),
    ("聊城的会议是谁讲话的？", "他对招商有什么要求？"),
    ("河長制有什麼要求？",),
    ("奥体中心建设的目标是什么？",),
)


@dataclass
class Interval:
    """What happened in one stretch of the run."""

    start_min: float
    latencies_ms: list[float] = field(default_factory=list)
    uploads: int = 0
    removals: int = 0
    errors: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        return {
            "from_min": round(self.start_min, 1),
            "answers": len(self.latencies_ms),
            "uploads": self.uploads,
            "removals": self.removals,
            "errors": len(self.errors),
            "p50_ms": round(percentile(self.latencies_ms, 0.5), 1),
            "p95_ms": round(percentile(self.latencies_ms, 0.95), 1),
            "max_ms": round(max(self.latencies_ms), 1) if self.latencies_ms else 0.0,
        }


class Recorder:
    """Thread-safe intervals of fixed length from the start of the run."""

    def __init__(self, interval_s: float) -> None:
        self.began = time.monotonic()
        self.interval_s = interval_s
        self.intervals: list[Interval] = []
        self._lock = threading.Lock()

    def _current(self) -> Interval:
        number = int((time.monotonic() - self.began) // self.interval_s)
        while len(self.intervals) <= number:
            self.intervals.append(Interval(len(self.intervals) * self.interval_s / 60))
        return self.intervals[number]

    def answer(self, ms: float) -> None:
        with self._lock:
            self._current().latencies_ms.append(ms)

    def error(self, what: str) -> None:
        with self._lock:
            self._current().errors.append(what[:200])

    def count(self, kind: str) -> None:
        with self._lock:
            interval = self._current()
            setattr(interval, kind, getattr(interval, kind) + 1)


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def own_server(
    data_dir: Path | None, startup_timeout: float = 900.0, extra: Sequence[str] = ()
) -> Iterator[tuple[str, int]]:
    """`speechqa serve` in a child process on a free loopback port (`extra`: more flags); yields (url,
    pid)."""
    folder = data_dir or Path(tempfile.mkdtemp(prefix="speechqa-soak-"))
    port = free_port()
    log = (folder.parent if data_dir else folder) / "soak-server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "assistant",
                "serve",
                "--data-dir",
                str(folder),
                "--port",
                str(port),
                *extra,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + startup_timeout
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError(f"the server stopped while starting; see {log}")
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.5)
            else:
                raise RuntimeError(f"the server did not start within {startup_timeout:.0f} s; see {log}")
            yield f"http://127.0.0.1:{port}/", process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def upload_texts(seed: int) -> Iterator[tuple[str, str]]:
    """Endless (title, text) speeches made of the sample corpus's paragraphs in a new order: new text
    each time, so each upload is really embedded."""
    from assistant.settings import sample_corpus_dir

    paragraphs = [
        p.strip()
        for path in sorted(sample_corpus_dir().glob("*.txt"))
        for p in path.read_text(encoding="utf-8").split("\n")
        if len(p.strip()) > 40
    ]
    rng = random.Random(seed)
    number = 0
    while True:
        number += 1
        title = f"市长在全市重点项目推进会上的讲话（压力测试稿{seed}-{number}号）"
        yield title, title + "\n" + "\n".join(rng.sample(paragraphs, 8))


def _asker(url: str, auth: tuple[str, str] | None, number: int, stop: float, rec: Recorder) -> None:
    from gradio_client import Client

    client = Client(url, auth=auth, verbose=False)
    turn = number
    while time.monotonic() < stop:
        conversation = CONVERSATIONS[turn % len(CONVERSATIONS)]
        turn += 1
        for i, question in enumerate(conversation):
            began = time.perf_counter()
            try:
                result = client.predict(question, list(conversation[:i]), [], [], "", "", api_name="/ask")
            except Exception as exc:  # every failure is counted, with what it was
                rec.error(f"client {number}: {question[:20]}: {exc.__class__.__name__}: {exc}")
                continue
            if (
                isinstance(result, dict)
                and isinstance(result.get("citations"), list)
                and result.get("answer")
            ):
                rec.answer(1000 * (time.perf_counter() - began))
            else:
                rec.error(f"client {number}: {question[:20]}: malformed answer {str(result)[:80]}")


def _writer(
    url: str, auth: tuple[str, str] | None, stop: float, rec: Recorder, pause_s: float, folder: Path
) -> None:
    """Upload a new speech, wait, remove it again; repeat."""
    from gradio_client import Client, handle_file

    client = Client(url, auth=auth, verbose=False)
    for title, text in upload_texts(seed=7):
        if time.monotonic() + pause_s > stop:
            return
        path = folder / f"{title}.txt"
        path.write_text(text, encoding="utf-8")
        try:
            results, table, *_ = client.predict([handle_file(str(path))], api_name="/upload")
            rows, listed = _rows(results), _rows(table)
            if not rows or rows[0][1] != "added":
                raise RuntimeError(f"upload not added: {rows}")
            rec.count("uploads")
            mark = title[title.index("压力测试稿") : -1]
            doc_id = next(r[0] for r in listed if mark in str(r[1]))
            time.sleep(pause_s)
            message, *_ = client.predict(f"{doc_id} {title[:30]}", api_name="/remove")
            if not str(message).startswith("Removed"):
                raise RuntimeError(f"removal failed: {message}")
            rec.count("removals")
        except Exception as exc:  # counted, and the writer goes on
            rec.error(f"writer: {exc.__class__.__name__}: {exc}")
        time.sleep(pause_s)


def _rows(table: Any) -> list[list[Any]]:
    """A Dataframe output as gradio_client returns it ({"headers", "data"}) or as plain rows."""
    return list(table["data"] if isinstance(table, dict) else table or [])


def run_soak(
    url: str | None,
    *,
    minutes: float,
    clients: int = 4,
    interval_min: float = 5.0,
    auth: tuple[str, str] | None = None,
    pid: int | None = None,
    data_dir: Path | None = None,
    upload_pause_s: float = 20.0,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Soak `url` (or a server of its own) for `minutes`; returns the per-interval table and memory."""
    if url is None:
        with own_server(data_dir) as (own_url, own_pid):
            return run_soak(
                own_url,
                minutes=minutes,
                clients=clients,
                interval_min=interval_min,
                auth=auth,
                pid=own_pid,
                upload_pause_s=upload_pause_s,
                say=say,
            )
    rec = Recorder(interval_min * 60)
    stop = time.monotonic() + minutes * 60
    memory: list[tuple[float, float]] = []
    folder = Path(tempfile.mkdtemp(prefix="speechqa-soak-uploads-"))
    threads = [
        threading.Thread(target=_asker, args=(url, auth, n, stop, rec), daemon=True) for n in range(clients)
    ]
    threads.append(
        threading.Thread(target=_writer, args=(url, auth, stop, rec, upload_pause_s, folder), daemon=True)
    )
    say(f"soak: {clients} asking clients and 1 uploading client for {minutes:g} min against {url}")
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        if pid is not None:
            memory.append((round((time.monotonic() - rec.began) / 60, 2), round(rss_mb(pid), 1)))
        done = sum(len(i.latencies_ms) for i in rec.intervals)
        say(
            f"  {(time.monotonic() - rec.began) / 60:5.1f} min: {done} answers, "
            f"{sum(len(i.errors) for i in rec.intervals)} errors"
            + (f", server {memory[-1][1]:.0f} MiB" if memory else "")
        )
        next(t for t in threads if t.is_alive()).join(timeout=30)
    everything = [ms for i in rec.intervals for ms in i.latencies_ms]
    errors = [e for i in rec.intervals for e in i.errors]
    first_settled = next((m for t, m in memory if t >= 1.0), memory[0][1] if memory else 0.0)
    return {
        "minutes": minutes,
        "clients": clients,
        "url": url,
        "answers": len(everything),
        "errors": len(errors),
        "error_samples": errors[:5],
        "uploads": sum(i.uploads for i in rec.intervals),
        "removals": sum(i.removals for i in rec.intervals),
        "p50_ms": round(percentile(everything, 0.5), 1),
        "p95_ms": round(percentile(everything, 0.95), 1),
        "intervals": [i.row() for i in rec.intervals if i.latencies_ms or i.errors],
        "memory_mb": {
            "start": memory[0][1] if memory else None,
            "after_1_min": first_settled if memory else None,
            "end": memory[-1][1] if memory else None,
            "peak": max((m for _, m in memory), default=None),
            "samples": memory[:: max(1, len(memory) // 60)],
        },
    }


def markdown_table(result: dict[str, Any]) -> str:
    """The per-interval table for docs/deploy.md."""
    lines = [
        "| minutes | answers | uploads | removals | errors | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    step = (
        result["intervals"][1]["from_min"] - result["intervals"][0]["from_min"]
        if len(result["intervals"]) > 1
        else 0
    )
    for row in result["intervals"]:
        end = f"{row['from_min'] + step:g}" if step else "end"
        lines.append(
            f"| {row['from_min']:g}–{end} | {row['answers']} | {row['uploads']} | {row['removals']} | "
            f"{row['errors']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['max_ms']:.0f} |"
        )
    return "\n".join(lines)
