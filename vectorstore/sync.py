"""Bring the index in line with files on disk: add new, replace changed, skip unchanged, prune gone.

A bad file is reported and skipped; what was indexed from it before stays as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from ingest.errors import LoadError, ManifestError
from ingest.loaders import discover, load_file
from ingest.metadata import find_manifest, load_manifest
from ingest.pipeline import PIPELINE_VERSION, Prepared, content_hash, doc_id_for, prepare
from ingest.records import RawDocument
from vectorstore.copies import link_copies
from vectorstore.errors import IngestBusy, IngestInterrupted, VectorStoreError
from vectorstore.index import Index, keyword_tokens
from vectorstore.lock import ingest_lock


@dataclass
class FileResult:
    path: str
    status: str  # added | updated | unchanged | error | skipped | removed
    documents: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class SyncReport:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    chars: int = 0
    copies: dict[str, tuple[str, float]] = field(default_factory=dict)  # copy -> (original, share): reposts

    @property
    def chunks_added(self) -> int:
        return sum(f.chunks_added for f in self.files)

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "error"]

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for f in self.files:
            counts[f.status] = counts.get(f.status, 0) + 1
        parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        copies = f"; {len(self.copies)} reposted copies linked to their originals" if self.copies else ""
        return (
            f"{len(self.files)} files ({parts or 'none'}); {self.chunks_added} chunks added "
            f"in {self.seconds:.1f}s ({self.embed_seconds:.1f}s embedding){copies}"
        )


Job = tuple[
    RawDocument, str, dict[str, Any] | None, bool
]  # a record, its doc id, manifest entry, with_sections
Ready = tuple[Prepared, list[list[str]]]  # a prepared document and its chunks' keyword tokens
AHEAD = 8  # records being prepared per worker while this process writes the ones before them


@dataclass
class _Pending:
    result: FileResult
    file: str
    file_hash: str
    size: int
    mtime: float
    jobs: list[Job]  # the records to prepare and write (new or changed)
    gone: list[str]  # doc ids the file no longer holds
    known: bool = False  # the file had documents in the index before


def _file_key(path: Path) -> str:
    return str(path.resolve())


def _manifests(paths: list[Path], manifest: Path | None) -> dict[str, dict[str, Any]]:
    """Manifest entries by file name: an explicit manifest, else one found inside each folder given."""
    found: dict[str, dict[str, Any]] = {}
    if manifest is not None:
        return load_manifest(manifest)
    for p in paths:
        if p.is_dir():
            m = find_manifest(p)
            if m is not None:
                found.update(load_manifest(m))
    return found


def sync_paths(
    index: Index,
    paths: list[Path],
    *,
    manifest: Path | None = None,
    prune: bool = False,
    progress: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
    workers: int = 1,
) -> SyncReport:
    """Ingest files and folders into the index. Raises ManifestError for an unreadable manifest
    (before anything changes); any other problem is per file, in the report. `on_wait` hears who
    holds the index while another ingestion runs (this one waits for it). `on_progress(done, total)`
    counts characters of the documents being ingested. `workers`: processes that clean, describe and
    chunk documents while this one embeds and writes those before them (1: all of it here)."""
    entries = _manifests(paths, manifest)
    with index.ingesting(on_wait=on_wait), _preparers(workers) as pool:
        return _sync(
            index,
            paths,
            entries,
            prune=prune,
            progress=progress,
            on_progress=on_progress,
            pool=pool,
            ahead=AHEAD * workers,
        )


@contextmanager
def _preparers(workers: int) -> Iterator[Executor | None]:
    """A pool of processes for `prepare` (the part of ingestion that is pure Python: cleaning, tagging,
    chunking), or None to prepare in this process."""
    if workers <= 1:
        yield None
        return
    import multiprocessing

    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_exit_with,
        initargs=(os.getpid(),),
    )
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def _exit_with(owner: int) -> None:
    """In a worker: end when the ingesting process is gone. Killed (SIGKILL, the OOM killer), it cannot
    shut its pool down, and the workers would otherwise wait for work forever (about 300 MiB each)."""

    def watch() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def _prepare_one(job: Job) -> Ready | str:
    """One document prepared with its keyword tokens (the pure-Python work, done by a worker when there
    are workers), or why it could not be (a cleaning bug must not stop the batch)."""
    raw, doc_id, entry, with_sections = job
    try:
        prepared = prepare(raw, doc_id=doc_id, manifest_entry=entry)
        meta = prepared.document.meta
        return prepared, [keyword_tokens(c, meta, with_sections=with_sections) for c in prepared.chunks]
    except Exception as exc:
        return f"{exc.__class__.__name__}: {exc}"


def _prepared(jobs: Iterable[Job], pool: Executor | None, ahead: int) -> Iterator[Ready | str]:
    """The jobs prepared, in order. With a pool, a bounded window of them is prepared ahead while the
    caller writes the earlier ones, so cleaning and embedding overlap and memory holds only the window."""
    if pool is None:
        yield from map(_prepare_one, jobs)
        return
    todo = iter(jobs)
    window = deque(pool.submit(_prepare_one, job) for job in islice(todo, ahead))
    while window:
        done = window.popleft().result()
        following = next(todo, None)
        if following is not None:
            window.append(pool.submit(_prepare_one, following))
        yield done


def _sync(
    index: Index,
    paths: list[Path],
    entries: dict[str, dict[str, Any]],
    *,
    prune: bool,
    progress: bool,
    on_progress: Callable[[int, int], None] | None,
    pool: Executor | None = None,
    ahead: int = 0,
) -> SyncReport:
    started = time.perf_counter()
    embed_before = index.timer.seconds
    index.reconcile()  # vectors a killed run left without a catalog entry
    files, missing = discover(paths)
    report = SyncReport(
        files=[
            FileResult(e.path, "skipped" if e.reason.startswith("hidden") else "error", error=e.reason)
            for e in missing
        ]
    )
    pending: list[_Pending] = []
    for path in files:
        item = _plan_file(index, path, entries.get(path.name))
        report.files.append(item.result)
        if item.jobs or item.gone:
            pending.append(item)

    total = sum(len(job[0].text) for item in pending for job in item.jobs)
    bar = _progress_bar(total, progress)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if bar is not None:
            bar.update(n)
        if on_progress is not None:
            on_progress(done, total)

    stream = _prepared((job for item in pending for job in item.jobs), pool, ahead)
    try:
        for finished, item in enumerate(pending):
            try:
                report.chars += _write(index, item, islice(stream, len(item.jobs)), advance)
            except VectorStoreError as exc:  # the store stopped, the disk filled: keep what is done, say so
                raise IngestInterrupted(
                    f"ingestion stopped at {item.result.path}: {exc}. {finished} of {len(pending)} changed "
                    f"files were "
                    "written completely and are kept; the next run of the same ingest resumes (finished "
                    "files are "
                    "skipped, nothing is written twice)"
                ) from exc
    finally:
        if bar is not None:
            bar.close()
    if prune:
        report.files.extend(_prune(index))
    if pending or prune or not index.catalog.signatures():
        report.copies = link_copies(index.catalog)
    index.view()  # the keyword index of the new state, on disk for every serving process of this host
    report.seconds = time.perf_counter() - started
    report.embed_seconds = index.timer.seconds - embed_before
    return report


def _write(
    index: Index, item: _Pending, prepared: Iterable[Ready | str], advance: Callable[[int], None]
) -> int:
    """One file's documents into the index, each as soon as it is prepared; the file is marked done
    only after all of them. Returns the characters written."""
    result, chars = item.result, 0
    for (raw, *_), outcome in zip(item.jobs, prepared, strict=True):
        if isinstance(outcome, str):  # a cleaning bug must not stop the batch: report it with the file
            result.warnings.append(f"{raw.source}: could not be processed ({outcome})")
        elif not outcome[0].chunks:
            result.warnings.append(f"{raw.source}: no text left after cleaning")
        else:
            document, chunks = outcome[0].document, outcome[0].chunks
            result.warnings.extend(f"{document.doc_id}: {w}" for w in document.quality.warnings())
            index.put(
                document,
                chunks,
                item.file,
                on_batch=_share_of(len(raw.text), len(chunks), advance),
                tokens=outcome[1],
            )
            result.chunks_added += len(chunks)
            chars += len(document.text)
            continue
        advance(len(raw.text))
    for doc_id in item.gone:
        result.chunks_removed += index.remove(doc_id)
    if not result.chunks_added and not item.gone and item.known:
        result.status = "unchanged"  # its changed records could not be used: what was indexed stays
        return chars
    elif not result.chunks_added and not item.known:
        result.status, result.error = "error", "no usable text in the file"
        return chars  # not marked done: fixed cleaning may read it next time
    else:
        result.status = "updated" if item.known else "added"
    index.catalog.set_file(item.file, item.file_hash, item.size, item.mtime)
    return chars


def _share_of(chars: int, chunks: int, advance: Callable[[int], None]) -> Callable[[int], None]:
    """Progress in characters for a document embedded in batches of chunks: each batch advances its
    share, and the batches together exactly the document's characters."""
    state = {"chunks": 0, "chars": 0}

    def on_batch(n: int) -> None:
        state["chunks"] += n
        reached = chars * min(state["chunks"], chunks) // chunks
        advance(reached - state["chars"])
        state["chars"] = reached

    return on_batch


def _plan_file(index: Index, path: Path, entry: dict[str, Any] | None) -> _Pending:
    """What ingesting one file takes: nothing when its contents and manifest entry are unchanged, else
    the records that are new or changed (an unchanged record of a changed file is not prepared again)
    and the documents it no longer holds."""
    file = _file_key(path)
    result = FileResult(str(path), "unchanged")
    try:
        data = path.read_bytes()
        stat = path.stat()
    except OSError as exc:
        result.status, result.error = "error", f"cannot read ({exc.strerror or exc})"
        return _Pending(result, file, "", 0, 0.0, [], [])
    file_hash = hashlib.sha256(
        data + json.dumps([PIPELINE_VERSION, entry or {}], sort_keys=True, default=str).encode()
    ).hexdigest()
    pending = _Pending(result, file, file_hash, stat.st_size, stat.st_mtime, [], [])
    if index.catalog.file_hash(file) == file_hash:
        result.documents = len(index.catalog.doc_hashes(file))
        return pending
    try:
        loaded = load_file(path)
    except LoadError as exc:
        result.status, result.error = "error", exc.reason
        return pending
    result.warnings.extend(loaded.warnings)
    known = index.catalog.doc_hashes(file)
    seen: set[str] = set()
    for raw in loaded.documents:
        doc_id = _unique_doc_id(index, doc_id_for(raw.source), file)
        seen.add(doc_id)
        if known.get(doc_id) != content_hash(raw, entry):
            pending.jobs.append((raw, doc_id, entry, index.with_sections))
    result.documents = len(seen)
    pending.gone = sorted(set(known) - seen)
    pending.known = bool(known)
    if not pending.jobs and not pending.gone and known:
        index.catalog.set_file(file, file_hash, stat.st_size, stat.st_mtime)  # same records, the file touched
    elif not pending.jobs and not known:
        result.status, result.error = "error", "no usable text in the file"
    return pending


def _unique_doc_id(index: Index, doc_id: str, file: str) -> str:
    owner = index.catalog.doc_file(doc_id)
    if owner is None or owner == file:
        return doc_id
    return f"{doc_id}-{hashlib.sha1(file.encode()).hexdigest()[:6]}"


def _prune(index: Index) -> list[FileResult]:
    """Forget files that no longer exist, with their documents and chunks."""
    results = []
    for file in index.catalog.files():
        if Path(file).exists():
            continue
        result = FileResult(file, "removed")
        for doc_id in index.catalog.doc_hashes(file):
            result.chunks_removed += index.remove(doc_id)
            result.documents += 1
        index.catalog.forget_file(file)
        results.append(result)
    return results


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="char", unit_scale=True, desc="ingesting", dynamic_ncols=True)


__all__ = ["FileResult", "IngestBusy", "ManifestError", "SyncReport", "ingest_lock", "sync_paths"]
