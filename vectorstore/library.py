"""The documents of one index as the edges (the CLI, the UI, the API and any later one) use them: list,
look up, ingest with progress, correct, remove. The edges go through this facade, not through the
catalog or the sync module, so that a change to how documents are stored touches one place."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.loaders import MAX_BYTES
from ingest.metadata import EDITABLE
from ingest.records import DocMeta, Document
from vectorstore.index import Index
from vectorstore.records import DocumentRow

if TYPE_CHECKING:
    from vectorstore.sync import SyncReport


class Library:
    """One index's documents. Every method reads the index as it is now (no list kept from before)."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def documents(self) -> list[DocumentRow]:
        """Every document, as the listing shows it (no text), in the catalog's order."""
        return self.index.catalog.documents()

    def row(self, doc_id: str) -> DocumentRow | None:
        return next((r for r in self.documents() if r.doc_id == doc_id), None)

    def document(self, doc_id: str) -> Document | None:
        """A document with its cleaned text, or None."""
        return self.index.document(doc_id)

    def holds(self, doc_id: str) -> bool:
        return self.index.catalog.doc_file(doc_id) is not None

    def inferred(self, doc_id: str) -> DocMeta:
        """What ingestion inferred for a document, before a person's corrections."""
        return self.index.catalog.inferred_meta(doc_id)

    def cities(self) -> list[str]:
        """The places documents are from (cities, and provinces for provincial documents)."""
        return self.index.cities()

    def is_empty(self) -> bool:
        return not self.index.catalog.files()

    def ingest(
        self,
        paths: Sequence[Path],
        *,
        manifest: Path | None = None,
        prune: bool = False,
        progress: bool = True,
        on_progress: Callable[[int, int], None] | None = None,
        on_wait: Callable[[str], None] | None = None,
        workers: int = 1,
    ) -> SyncReport:
        """Files and folders into the index (vectorstore.sync.sync_paths): what each file became, in the
        report; `on_progress(done, total)` counts characters, `on_wait` hears who holds the index."""
        from vectorstore.sync import sync_paths

        return sync_paths(
            self.index,
            list(paths),
            manifest=manifest,
            prune=prune,
            progress=progress,
            on_progress=on_progress,
            on_wait=on_wait,
            workers=workers,
        )

    @staticmethod
    def changes(row: DocumentRow, asked: dict[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
        """What a form asks for a document, as `edit` takes it: (fields to set, fields to clear). A field
        typed other than it now reads is set; one emptied that a person had set goes back to what
        ingestion inferred; a field left as it reads is not touched."""
        current = {
            "city": row.meta.known_city,
            "date": row.meta.date,
            "speaker": row.meta.speaker,
            "title": row.meta.title,
        }
        typed = {f: (asked.get(f) or "").strip() for f in EDITABLE}
        differ = {f: v for f, v in typed.items() if v != current[f]}
        cleared = tuple(f for f, v in differ.items() if not v and f in row.meta.edited)
        return {f: v for f, v in differ.items() if v}, cleared

    def store_uploads(self, files: Sequence[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
        """Uploaded files copied under data_dir/uploads, to be ingested: (stored, refused as (name,
        why)). A file over ingestion's size limit, or one that cannot be written, is refused."""
        uploads = self.index.data_dir / "uploads"
        stored: list[Path] = []
        refused: list[tuple[str, str]] = []
        for path in files:
            size = path.stat().st_size
            if size > MAX_BYTES:
                refused.append(
                    (path.name, f"file too large ({size // 2**20} MiB; limit {MAX_BYTES // 2**20} MiB)")
                )
                continue
            try:
                stored.append(store_upload(path, uploads))
            except OSError as exc:  # a full disk, a read-only data directory
                refused.append((path.name, f"could not be stored in {uploads}: {exc.strerror or exc}"))
        return stored, refused

    def edit(self, doc_id: str, values: dict[str, str], clear: Sequence[str] = ()) -> DocMeta:
        """A person's corrections to a document's title, city, date or speaker (Index.edit)."""
        return self.index.edit(doc_id, values, clear)

    def remove(self, doc_id: str) -> int:
        """Delete a document and its chunks; how many chunks went."""
        return self.index.remove(doc_id)


def safe_upload_name(name: str) -> str:
    """A file name that cannot leave the uploads folder: no folders, no leading dots, no odd characters."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- \u4e00-\u9fff]", "_", base).strip(" .") or "upload"
    return base[:120]


def store_upload(source: Path, uploads: Path) -> Path:
    """Copy an uploaded file under data_dir/uploads; a different file of the same name gets a suffix."""
    uploads.mkdir(parents=True, exist_ok=True)
    target = uploads / safe_upload_name(source.name)
    if target.exists() and target.read_bytes() != source.read_bytes():
        digest = hashlib.sha1(source.read_bytes()).hexdigest()[:8]
        target = target.with_name(f"{target.stem}-{digest}{target.suffix}")
    if target.resolve().parent != uploads.resolve():
        raise ValueError(f"refusing to store {source.name!r} outside the uploads folder")
    shutil.copyfile(source, target)
    return target
