"""`speechqa bench --scale N`: the index at 1x, 4x, 16x … N times the corpora, built and measured.

The 1x index holds the real corpora and the sample speeches; each larger one is a copy of the one before
with more derived documents ingested into it (evaluation/derive.py), so a scale costs only what it adds,
and the embedding cache (keyed by model and passage text) computes each distinct passage once.

Each scale is then served by a fresh child process that reports what an operator sees: start-up time
(models, catalog, keyword index), the keyword index's build time, resident memory, query latency
percentiles over the same questions at every scale, and the size of the catalog and the vector store.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from evaluation.bench import folder_size, percentile, rss_mib
from vectorstore.catalog import CATALOG_FILE

STEPS = (1, 4, 16, 64)


def scales_up_to(factor: int) -> list[int]:
    return [s for s in STEPS if s <= factor]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(
    root: Path,
    factor: int,
    *,
    corpora: list[Path],
    sample: Path,
    embedders: list[str],
    workers: int,
    cache: Path,
) -> dict[int, dict[str, Any]]:
    """The index of every scale up to `factor` under root/x1, root/x4, …; a scale already built is
    kept. Returns what ingesting each step cost."""
    from evaluation.derive import sources, write_scale
    from vectorstore import embed_cache
    from vectorstore.index import Index
    from vectorstore.sync import sync_paths

    embed_cache.SHARED = cache
    root.mkdir(parents=True, exist_ok=True)
    record = root / "build.json"
    done: dict[str, Any] = json.loads(record.read_text()) if record.exists() else {}
    base_chars = sum(
        len(json.loads(line).get("content", ""))
        for path in corpora
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    )
    base_chars += sum(
        len(p.read_text(encoding="utf-8", errors="replace"))
        for p in sample.iterdir()
        if p.suffix in (".txt", ".html", ".md")
    )
    derived: list[Path] = []
    if factor > 1:
        _log(f"scale: deriving documents up to {factor}x ({base_chars:,} characters at 1x) …")
        derived = write_scale(sources(corpora), root / "corpus", factor, base_chars)
    previous: Path | None = None
    for step in scales_up_to(factor):
        target = root / f"x{step}"
        if str(step) not in done:
            copied = root / f".x{step}-copied"  # beside the step, so copying the folder cannot copy it
            if target.exists() and not copied.exists():
                shutil.rmtree(target)  # a copy interrupted half-way is made again from the step before
            if previous is not None and not target.exists():
                shutil.copytree(previous, target)
            copied.touch()  # from here ingestion resumes where it stopped: it skips what is already indexed
            paths = [*corpora, sample] if step == 1 else [derived[STEPS.index(step) - 1]]
            _log(f"scale {step}x: ingesting {', '.join(p.name for p in paths)} with {workers} worker(s) …")
            index = Index(target, embedders)
            before = (index.cache.hits, index.cache.misses)
            report = sync_paths(index, paths, progress=sys.stderr.isatty(), workers=workers)
            if report.errors:  # a scale missing its documents would measure the wrong corpus: stop, say why
                raise RuntimeError(
                    f"scale {step}x: " + "; ".join(f"{f.path}: {f.error}" for f in report.errors)
                )
            done[str(step)] = {
                "seconds": round(report.seconds, 1),
                "embed_seconds": round(report.embed_seconds, 1),
                "chars": report.chars,
                "chunks_added": report.chunks_added,
                "copies_linked": len(report.copies),
                "cache_hits": index.cache.hits - before[0],
                "cache_misses": index.cache.misses - before[1],
                "errors": len(report.errors),
                "workers": workers,
            }
            record.write_text(json.dumps(done, indent=1), encoding="utf-8")
            _log(f"scale {step}x: {report.summary()}")
        previous = target
    return {int(k): v for k, v in done.items()}


def measure(
    data_dir: Path, embedders: list[str], questions: list[str], *, pythonpath: str = ""
) -> dict[str, Any]:
    """Serve one index in a fresh child process and report start-up, memory and latency."""
    import os

    qfile = data_dir.parent / "scale_questions.json"
    qfile.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    done = subprocess.run(
        [sys.executable, "-m", "evaluation.scale", "_serve", str(data_dir), ",".join(embedders), str(qfile)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"serving {data_dir} failed: {done.stderr.strip()[-3000:]}")
    stats: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    stats["catalog_bytes"] = sum(p.stat().st_size for p in data_dir.glob(f"{CATALOG_FILE}*"))
    stats["vectors_bytes"] = folder_size(data_dir / "chroma") if (data_dir / "chroma").exists() else 0
    stats["keyword_bytes"] = folder_size(data_dir / "keyword") if (data_dir / "keyword").exists() else 0
    return stats


TARGETS = {"p95_ms": 300.0, "rss_ready_mib": 4096.0, "startup_s": 30.0}  # at 64x (issue 15)


def markdown(table: dict[int, dict[str, Any]], built: dict[int, dict[str, Any]]) -> str:
    """The scale table as Markdown: one row per scale, serving figures then what ingesting the step cost."""
    mib = 1024 * 1024
    lines = [
        "| scale | passages | documents | start-up | keyword index | RSS ready | p50 | p95 | p99 | catalog | "
        "vectors | keyword files | step ingested in | step from cache |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for step, row in sorted(table.items()):
        cost = built.get(step, {})
        hits, misses = cost.get("cache_hits", 0), cost.get("cache_misses", 0)
        lines.append(
            f"| {step}x | {row['chunks']:,} | {row['documents']:,} | {row['startup_s']:.1f} s | "
            f"{row['keyword_index_s']:.2f} s "
            f"| {row['rss_ready_mib']:,.0f} MiB | {row['p50_ms']:.0f} ms | {row['p95_ms']:.0f} ms | "
            f"{row['p99_ms']:.0f} ms "
            f"| {row['catalog_bytes'] / mib:,.0f} MiB | {row['vectors_bytes'] / mib:,.0f} MiB | "
            f"{row['keyword_bytes'] / mib:,.0f} MiB "
            f"| {cost.get('seconds', 0) / 60:.1f} min | {hits:,} of {hits + misses:,} |"
        )
    return "\n".join(lines)


def chart(table: dict[int, dict[str, Any]], target: Path) -> bool:
    """A PNG: latency percentiles, then resident memory and start-up, against passages (log scale), with
    the 64x targets drawn; False when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        return False

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = sorted(table)
    x = [table[s]["chunks"] for s in steps]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for key, style in (("p50_ms", "o-"), ("p95_ms", "s-"), ("p99_ms", "^-")):
        axes[0].plot(x, [table[s][key] for s in steps], style, label=key.replace("_ms", ""))
    panels = (
        (axes[0], "p95_ms", "query latency (ms)"),
        (axes[1], "rss_ready_mib", "serving RSS (MiB)"),
        (axes[2], "startup_s", "start-up (s)"),
    )
    for ax, key, label in panels:
        if key != "p95_ms":
            ax.plot(x, [table[s][key] for s in steps], "o-")
        ax.axhline(TARGETS[key], color="red", linestyle="--", label=f"64x target {TARGETS[key]:g}")
        ax.set_xscale("log")
        ax.set_xlabel("passages (1x, 4x, 16x, 64x)")
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        for s, xs in zip(steps, x, strict=True):
            ax.annotate(f"{s}x", (xs, table[s][key]), textcoords="offset points", xytext=(0, 6), fontsize=8)
        ax.legend()
    fig.suptitle("speechqa serving at 1x-64x the corpora (one fresh process per scale, same questions)")
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return True


def _serve(data_dir: str, embedders: str, question_file: str) -> dict[str, Any]:
    from assistant.answer.pipeline import Assistant
    from vectorstore.index import Index

    questions = json.loads(Path(question_file).read_text(encoding="utf-8"))
    began = time.perf_counter()
    index = Index(Path(data_dir), embedders.split(","))
    assistant = Assistant(index)
    view_began = time.perf_counter()
    view = index.view()  # the catalog read and the keyword index built (or loaded)
    view_seconds = time.perf_counter() - view_began
    assistant.warm_up()  # models, jieba, dictionaries
    startup = time.perf_counter() - began
    rss_ready = rss_mib()
    latencies = []
    for question in questions:
        start = time.perf_counter()
        assistant.ask(question)
        latencies.append(1000 * (time.perf_counter() - start))
    return {
        "chunks": view.size,
        "documents": len(view.metas),
        "startup_s": round(startup, 2),
        "keyword_index_s": round(view_seconds, 2),
        "rss_ready_mib": round(rss_ready, 1),
        "rss_after_mib": round(rss_mib(), 1),
        "peak_rss_mib": round(rss_mib("VmHWM"), 1),
        "questions": len(questions),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
    }


if __name__ == "__main__":
    worker, *rest = sys.argv[1:]
    if worker != "_serve":
        raise SystemExit(f"unknown worker {worker}")
    print(json.dumps(_serve(*rest), ensure_ascii=False))
