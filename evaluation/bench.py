"""`speechqa bench`: ingestion throughput beside raw embedder throughput, query latency percentiles,
peak memory of ingestion and of serving, index size; JSON plus a PNG chart.

Ingestion and serving each run in a child process, so that each one's peak memory is its own.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = (len(ordered) - 1) * q
    low, high = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _child(args: list[str], env: dict[str, str] | None = None) -> tuple[dict[str, Any], int]:
    """Run `python -m evaluation.bench <worker> …` (with `env` added to this process's environment);
    returns its JSON and its own peak RSS in KiB."""
    import os

    done = subprocess.run(
        [sys.executable, "-m", "evaluation.bench", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench worker {args[0]} failed: {done.stderr.strip()[-2000:]}")
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    return stats, int(stats.pop("peak_rss_kib"))


def sample_questions(
    data_dir: Path, embedders: list[str], count: int, extra: list[str], seed: int = 7
) -> list[str]:
    """Questions for the latency run: the given ones, then questions made from random chunks' opening
    words and section headings, in Chinese and English forms (deterministic for a seed)."""
    from vectorstore.index import Index

    index = Index(data_dir, embedders)
    chunks = [c for c, _ in index.catalog.chunks()]
    rng = random.Random(seed)
    questions = list(extra)
    english = ["What was said about {}?", "What are the requirements for {}?", "Compare the speeches on {}"]
    while len(questions) < count and chunks:
        chunk = rng.choice(chunks)
        head = chunk.heading_path[-1][:14].strip("，。、：; ")
        words = chunk.search_text[:12]
        form = rng.random()
        if form < 0.5:
            questions.append(f"{head}有什么要求？")
        elif form < 0.8:
            questions.append(f"关于{words}，讲话是怎么说的？")
        else:
            questions.append(rng.choice(english).format(head))
    return questions[:count]


IngestConfig = tuple[int, int]  # (worker processes for prepare, embedder threads; 0: the library's default)


def run_bench(
    data_dir: Path,
    embedders: list[str],
    *,
    ingest_paths: list[Path] | None,
    questions: list[str],
    out_dir: Path,
    eval_report: dict[str, Any] | None = None,
    ingest_configs: Sequence[IngestConfig] = ((1, 0), (2, 0)),
) -> dict[str, Any]:
    result: dict[str, Any] = {"machine": machine(), "embedders": embedders}
    out_dir.mkdir(parents=True, exist_ok=True)
    if ingest_paths:
        result["ingestion"] = [
            compare_ingestion(embedders, ingest_paths, config) for config in ingest_configs
        ]
    qfile = out_dir / "bench_questions.json"
    qfile.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    stats, peak = _child(["_serve", str(data_dir), ",".join(embedders), str(qfile)])
    stats["peak_rss_mib"] = round(peak / 1024, 1)
    result["serving"] = stats
    result["index_bytes"] = folder_size(data_dir)
    (out_dir / "bench.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    drawn = chart(stats["latencies_ms"], eval_report, out_dir / "bench.png")
    result["chart"] = (
        str(out_dir / "bench.png") if drawn else "not drawn: pip install 'speechqa[eval]' for matplotlib"
    )
    return result


def compare_ingestion(embedders: list[str], paths: list[Path], config: IngestConfig) -> dict[str, Any]:
    """Ingest `paths` twice into fresh temporary indexes with one configuration: first with an empty
    embedding cache (every passage embedded; the raw embedder then embeds the same passages again in
    the same process, for the ratio), then with the first run's cache (nothing embedded: what
    re-ingesting or rebuilding costs)."""
    import tempfile

    workers, threads = config
    env = {"OMP_NUM_THREADS": str(threads)} if threads > 0 else {}
    with tempfile.TemporaryDirectory(prefix="speechqa-bench-") as tmp:
        cold, warm = Path(tmp) / "cold", Path(tmp) / "warm"
        first, first_peak = _child(
            ["_ingest", str(cold), ",".join(embedders), str(workers), "-", *map(str, paths)], env
        )
        first["peak_rss_mib"] = round(first_peak / 1024, 1)
        first["index_bytes"] = folder_size(cold)
        again, _ = _child(
            [
                "_ingest",
                str(warm),
                ",".join(embedders),
                str(workers),
                str(cold / "embeddings.sqlite"),
                *map(str, paths),
            ],
            env,
        )
    return {
        "workers": workers,
        "embedder_threads": threads or "default",
        **first,
        "cached_seconds": again["seconds"],
        "cached_chars_per_s": again["chars_per_s"],
        "cached_misses": again["cache_misses"],
    }


def machine() -> dict[str, Any]:
    import os
    import platform

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def chart(latencies: list[float], eval_report: dict[str, Any] | None, target: Path) -> bool:
    """A PNG of the latency histogram (and recall by kind); False when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        return False

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = 2 if eval_report else 1
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 4))
    ax = axes[0] if panels == 2 else axes
    ax.hist(latencies, bins=40, color="#4a78b5")
    for q, style in ((0.5, "-"), (0.95, "--"), (0.99, ":")):
        ax.axvline(
            percentile(latencies, q),
            color="black",
            linestyle=style,
            label=f"p{int(q * 100)} {percentile(latencies, q):.0f} ms",
        )
    ax.set_xlabel("query latency (ms)")
    ax.set_ylabel("questions")
    ax.set_title(f"Query latency, {len(latencies)} questions")
    ax.legend()
    if eval_report:
        kinds = eval_report["by_kind"]["full"]
        names = [k for k in kinds if kinds[k].get("recall@5") is not None]
        axes[1].bar(names, [kinds[k]["recall@5"] for k in names], color="#5aa469")
        axes[1].set_ylim(0, 1.05)
        axes[1].set_title("recall@5 by kind (full pipeline)")
        axes[1].tick_params(axis="x", rotation=30)
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return True


# workers (run in child processes) -----------------------------------------------------------------
def _ingest_worker(data_dir: str, embedders: str, workers: str, cache: str, *paths: str) -> dict[str, Any]:
    """Ingest into a fresh index (`cache`: an embedding cache file to use, '-' for the index's own, empty);
    after a run that embedded, embed the same passages again with the bare embedder, in batches of the
    same size, to set the pipeline's throughput beside the embedder's."""
    from vectorstore import embed_cache
    from vectorstore.index import EMBED_BATCH, Index, passage_text
    from vectorstore.sync import sync_paths

    if cache != "-":
        embed_cache.SHARED = Path(cache)
    index = Index(Path(data_dir), embedders.split(","))
    report = sync_paths(index, [Path(p) for p in paths], progress=False, workers=int(workers))
    out: dict[str, Any] = {
        "seconds": round(report.seconds, 2),
        "embed_seconds": round(report.embed_seconds, 2),
        "chunks": report.chunks_added,
        "chars": report.chars,
        "chars_per_s": round(report.chars / report.seconds, 1),
        "non_embedding_seconds": round(report.seconds - report.embed_seconds, 2),
        "errors": len(report.errors),
        "cache_misses": index.cache.misses,
    }
    if index.timer.texts:
        texts = []
        for row in index.catalog.documents():
            document = index.catalog.document(row.doc_id)
            if document is not None:
                texts += [
                    passage_text(chunk, document.meta, with_sections=index.with_sections)
                    for chunk, _ in index.catalog.chunks(row.doc_id)
                ]
        began = time.perf_counter()
        for start in range(0, len(texts), EMBED_BATCH):
            index.embedders[0].embed_documents(texts[start : start + EMBED_BATCH])
        raw = time.perf_counter() - began
        out["raw_embed_seconds"] = round(raw, 2)
        out["raw_embed_chars_per_s"] = round(
            report.chars / raw, 1
        )  # the same characters, so the two rates compare
        out["pipeline_share_of_raw"] = round(raw / report.seconds, 3)
    return out


def _serve_worker(data_dir: str, embedders: str, question_file: str) -> dict[str, Any]:
    from assistant.answer.pipeline import Assistant
    from vectorstore.index import Index

    questions = json.loads(Path(question_file).read_text(encoding="utf-8"))
    began = time.perf_counter()
    assistant = Assistant(Index(Path(data_dir), embedders.split(",")))
    assistant.warm_up()  # loads models, jieba, the dictionaries and the keyword index
    warm = time.perf_counter() - began
    latencies = []
    stages: dict[str, list[float]] = {}
    for question in questions:
        start = time.perf_counter()
        answer = assistant.ask(question)
        latencies.append(1000 * (time.perf_counter() - start))
        for stage, seconds in answer.timings:
            stages.setdefault(stage, []).append(1000 * seconds)
    return {
        "chunks": assistant.index.view().size,
        "stage_p50_ms": {stage: round(percentile(times, 0.5), 2) for stage, times in stages.items()},
        "stage_mean_ms": {stage: round(statistics.mean(times), 2) for stage, times in stages.items()},
        "questions": len(questions),
        "startup_s": round(warm, 2),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "mean_ms": round(statistics.mean(latencies), 1),
        "latencies_ms": [round(x, 2) for x in latencies],
    }


def rss_mib(field: str = "VmRSS") -> float:
    """This process's resident memory now (MiB); field "VmHWM": its peak. (getrusage's ru_maxrss is
    no use here: a child started by exec inherits its parent's peak.)"""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    worker, *rest = sys.argv[1:]
    output = _ingest_worker(*rest) if worker == "_ingest" else _serve_worker(*rest)
    output["peak_rss_kib"] = round(1024 * rss_mib("VmHWM"))
    print(json.dumps(output, ensure_ascii=False))
