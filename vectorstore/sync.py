"""Bring the index in line with files on disk: add new, replace changed, skip unchanged, prune gone.

A bad file is reported and skipped; what was indexed from it before stays as it was.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import LoadError, ManifestError
from ingest.loaders import discover, load_file
from ingest.metadata import find_manifest, load_manifest
from ingest.pipeline import PIPELINE_VERSION, Prepared, content_hash, doc_id_for, prepare
from ingest.records import RawDocument
from vectorstore.copies import link_copies
from vectorstore.errors import IngestBusy, IngestInterrupted, VectorStoreError
from vectorstore.index import Index
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
        return (f"{len(self.files)} files ({parts or 'none'}); {self.chunks_added} chunks added "
                f"in {self.seconds:.1f}s ({self.embed_seconds:.1f}s embedding){copies}")


@dataclass
class _Pending:
    result: FileResult
    file: str
    file_hash: str
    size: int
    mtime: float
    prepared: list[Prepared]
    gone: list[str]  # doc ids the file no longer holds


def _file_key(path: Path) -> str:
    return str(path.resolve())


def _manifests(paths: list[Path], manifest: Path | None) -> dict[str, dict[str, Any]]:
    """File name -> entry, from the given manifest or the manifests found beside the inputs."""
    found: dict[str, dict[str, Any]] = {}
    folders = {p if p.is_dir() else p.parent for p in paths}
    for folder in sorted(folders):
        beside = find_manifest(folder)
        if beside is not None:
            found.update(load_manifest(beside))
    if manifest is not None:
        found.update(load_manifest(manifest))
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
    holds the index while another ingestion runs (this one waits for it). `workers`: processes that
    clean, describe and chunk documents beside this one (1: all of it here)."""
    entries = _manifests(paths, manifest)
    with index.ingesting(on_wait=on_wait), _preparers(workers) as pool:
        return _sync(index, paths, entries, prune=prune, progress=progress, on_progress=on_progress, pool=pool)


@contextmanager
def _preparers(workers: int) -> Iterator[Executor | None]:
    """A pool of processes for `prepare` (the part of ingestion that is pure Python: cleaning, tagging,
    chunking), or None to prepare in this process."""
    if workers <= 1:
        yield None
        return
    import multiprocessing

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def _prepare_one(job: tuple[RawDocument, str, dict[str, Any] | None]) -> Prepared | str:
    """One document prepared, or why it could not be (a cleaning bug must not stop the batch)."""
    raw, doc_id, entry = job
    try:
        return prepare(raw, doc_id=doc_id, manifest_entry=entry)
    except Exception as exc:
        return f"{exc.__class__.__name__}: {exc}"


def _prepare_all(jobs: Sequence[tuple[RawDocument, str, dict[str, Any] | None]], pool: Executor | None) -> list[Prepared | str]:
    if pool is None or len(jobs) < 2:
        return [_prepare_one(job) for job in jobs]
    return list(pool.map(_prepare_one, jobs, chunksize=max(1, min(16, len(jobs) // 16))))


def _sync(index: Index, paths: list[Path], entries: dict[str, dict[str, Any]], *, prune: bool, progress: bool,
          on_progress: Callable[[int, int], None] | None, pool: Executor | None = None) -> SyncReport:
    started = time.perf_counter()
    embed_before = index.timer.seconds
    index.reconcile()  # vectors a killed run left without a catalog entry
    files, missing = discover(paths)
    report = SyncReport(files=[FileResult(e.path, "skipped" if e.reason.startswith("hidden") else "error", error=e.reason)
                               for e in missing])
    pending: list[_Pending] = []
    for path in files:
        item = _prepare_file(index, path, entries.get(path.name), pool)
        report.files.append(item.result)
        if item.result.status not in ("unchanged", "error"):
            pending.append(item)
            report.chars += sum(len(p.document.text) for p in item.prepared)

    total = sum(len(p.chunks) for item in pending for p in item.prepared)
    bar = _progress_bar(total, progress)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if bar is not None:
            bar.update(n)
        if on_progress is not None:
            on_progress(done, total)

    try:
        for finished, item in enumerate(pending):
            try:
                _write(index, item, advance)
            except VectorStoreError as exc:  # the store stopped, the disk filled: keep what is done, say so
                raise IngestInterrupted(
                    f"ingestion stopped at {item.result.path}: {exc}. {finished} of {len(pending)} changed files were "
                    "written completely and are kept; the next run of the same ingest resumes (finished files are "
                    "skipped, nothing is written twice)") from exc
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


def _write(index: Index, item: _Pending, advance: Callable[[int], None]) -> None:
    """One file's documents into the index; the file is marked done only after all of them."""
    for prepared in item.prepared:
        index.put(prepared.document, prepared.chunks, item.file, on_batch=advance)
        item.result.chunks_added += len(prepared.chunks)
    for doc_id in item.gone:
        item.result.chunks_removed += index.remove(doc_id)
    index.catalog.set_file(item.file, item.file_hash, item.size, item.mtime)


def _prepare_file(index: Index, path: Path, entry: dict[str, Any] | None, pool: Executor | None = None) -> _Pending:
    file = _file_key(path)
    result = FileResult(str(path), "unchanged")
    try:
        data = path.read_bytes()
        stat = path.stat()
    except OSError as exc:
        result.status, result.error = "error", f"cannot read ({exc.strerror or exc})"
        return _Pending(result, file, "", 0, 0.0, [], [])
    file_hash = hashlib.sha256(data + json.dumps([PIPELINE_VERSION, entry or {}], sort_keys=True, default=str).encode()).hexdigest()
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
    jobs = []
    for raw in loaded.documents:
        doc_id = _unique_doc_id(index, doc_id_for(raw.source), file)
        seen.add(doc_id)
        if known.get(doc_id) != content_hash(raw, entry):  # an unchanged record of a changed file is not prepared again
            jobs.append((raw, doc_id, entry))
    for (raw, _, _), prepared in zip(jobs, _prepare_all(jobs, pool), strict=True):
        if isinstance(prepared, str):  # a cleaning bug must not stop the batch: report it with the file
            result.warnings.append(f"{raw.source}: could not be processed ({prepared})")
            continue
        if not prepared.chunks:
            result.warnings.append(f"{raw.source}: no text left after cleaning")
            continue
        result.warnings.extend(f"{prepared.document.doc_id}: {w}" for w in prepared.document.quality.warnings())
        pending.prepared.append(prepared)
    result.documents = len(seen)
    pending.gone = sorted(set(known) - seen)
    if not pending.prepared and not pending.gone and known:
        result.status = "unchanged"
    elif not pending.prepared and not known:
        result.status, result.error = "error", "no usable text in the file"
    else:
        result.status = "updated" if known else "added"
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

    return tqdm(total=total, unit="chunk", desc="embedding", dynamic_ncols=True)


__all__ = ["FileResult", "IngestBusy", "ManifestError", "SyncReport", "ingest_lock", "sync_paths"]
