"""The keyword side of the index as arrays: BM25 weights and character-bigram postings over the
passages, built from the catalog in one vectorised pass and kept on disk per state of the passages.

Every serving process on a host maps the same files (numpy memory maps) instead of building its own
copy: start-up reads a few small files, and the pages a question touches are shared between processes.
The ingesting process builds the files for the state it leaves; a process that finds none for the
catalog's state (another host ingested) builds them once, under a lock, for all processes of its host.
Passage texts are not held here: IndexView reads them from the catalog by id (vectorstore.view.ChunkTable).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from vectorstore.keyword import BM25, bm25_weights

FOLDER = "keyword"
_HIGH, _LOW = np.uint64(32), np.uint64(0xFFFFFFFF)  # a bigram code: first code point << 32 | second
_POINT_BITS = np.uint64(21)  # every code point is below 0x110000
_ROW_BITS = 22  # 64 - 2 * 21: rows a packed sort key can hold
KEEP = 2  # states kept on disk: the current one, and the one a process may still be reading


def intersect_postings(lists: Iterable[np.ndarray]) -> np.ndarray:
    """Rows in every one of these sorted postings lists, shortest list first (stops once none are left)."""
    ordered = sorted(lists, key=len)
    found = np.asarray(ordered[0])
    for more in ordered[1:]:
        if not found.size:
            break
        found = np.intersect1d(found, more, assume_unique=True)
    return found


def bigram_codes(text: str) -> np.ndarray:
    """The distinct adjacent character pairs of a text, as sorted 64-bit codes (two code points)."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(points) < 2:
        return np.empty(0, dtype=np.uint64)
    return np.unique((points[:-1] << np.uint64(32)) | points[1:])


@dataclass(frozen=True, slots=True)
class BigramPostings:
    """Which passages hold each pair of adjacent characters. A passage that contains a needle holds all
    of the needle's pairs, so their postings give every candidate, whatever jieba makes of the needle in
    context (河长制要 is cut 河长|制要, yet it contains 河长制); callers verify the candidates."""

    codes: np.ndarray  # sorted distinct pair codes
    offsets: np.ndarray  # postings of codes[i] are rows[offsets[i]:offsets[i + 1]]
    rows: np.ndarray  # passage row numbers, ascending within each pair

    n = 2

    @classmethod
    def build(cls, texts: Iterable[str]) -> BigramPostings:
        return cls.from_codes([bigram_codes(t) for t in texts])

    @classmethod
    def from_codes(cls, per_row: list[np.ndarray]) -> BigramPostings:
        """From each row's bigram codes (emptied as it is read). Code and row are packed into one 64-bit
        key (a code point needs 21 bits) and sorted in place, so the peak is about twice the postings,
        not the five times an argsort and its reordered copies took (7.7 GiB at 250,000 passages)."""
        total = sum(map(len, per_row))
        if not total:
            return cls(np.empty(0, dtype=np.uint64), np.zeros(1, dtype=np.int64), np.empty(0, dtype=np.int32))
        if len(per_row) >= 1 << _ROW_BITS:  # beyond four million passages: sort by an index array instead
            codes = np.concatenate(per_row)
            rows = np.repeat(np.arange(len(per_row), dtype=np.int32), [len(c) for c in per_row])
            per_row.clear()
            order = np.argsort(codes, kind="stable")  # rows stay ascending within a code
            codes, rows = codes[order], rows[order]
            del order
        else:
            keys = np.empty(total, dtype=np.uint64)
            at = 0
            for row, part in enumerate(per_row):
                keys[at : at + len(part)] = (
                    ((part >> _HIGH) << _POINT_BITS) | (part & _LOW)
                ) << _ROW_BITS | np.uint64(row)
                at += len(part)
            per_row.clear()
            keys.sort()  # by code, then row: rows ascend within a code
            rows = (keys & np.uint64((1 << _ROW_BITS) - 1)).astype(np.int32)
            keys >>= _ROW_BITS  # back to bigram codes, in place
            second = keys & np.uint64((1 << int(_POINT_BITS)) - 1)
            keys >>= _POINT_BITS
            keys <<= _HIGH
            keys |= second
            codes = keys
            del second
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        return cls(codes[starts], np.r_[starts, len(codes)].astype(np.int64), rows)

    def postings(self, code: np.uint64) -> np.ndarray:
        at = int(np.searchsorted(self.codes, code))
        if at == len(self.codes) or self.codes[at] != code:
            return np.empty(0, dtype=np.int32)
        return self.rows[self.offsets[at] : self.offsets[at + 1]]

    def candidates(self, needle: str) -> np.ndarray | None:
        """Rows holding every pair of `needle` (rarest first); None for a needle under two characters."""
        codes = bigram_codes(needle)
        return intersect_postings(self.postings(c) for c in codes) if len(codes) else None


@dataclass(frozen=True, slots=True)
class KeywordIndex:
    """BM25 and bigram postings over the passages in one order, with the document of each row."""

    bm25: BM25
    bigrams: BigramPostings
    doc_ids: tuple[str, ...]  # the documents rows refer to, by number
    doc_of_row: np.ndarray  # for each row, the number of its document

    @property
    def size(self) -> int:
        return len(self.bm25.ids)

    @classmethod
    def build(
        cls, rows: Iterable[tuple[str, str, str, Sequence[str]]], doc_ids: Sequence[str]
    ) -> KeywordIndex:
        """From (chunk id, doc id, search text, tokens) in passage order; `doc_ids`: every document."""
        ids: list[str] = []
        docs: list[str] = []
        bigrams: list[np.ndarray] = []

        def tokens() -> Iterator[Sequence[str]]:  # one pass: no passage's text or tokens are held after it
            for chunk_id, doc_id, text, words in rows:
                ids.append(chunk_id)
                docs.append(doc_id)
                bigrams.append(bigram_codes(text))
                yield words

        vocab: dict[str, int] = {}
        matrix, idf = bm25_weights(tokens(), vocab)
        number = {d: k for k, d in enumerate(doc_ids)}
        return cls(
            BM25.from_parts(ids, vocab, idf, matrix),
            BigramPostings.from_codes(bigrams),
            tuple(doc_ids),
            np.fromiter((number[d] for d in docs), dtype=np.int32, count=len(docs)),
        )

    # on disk -------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write into `folder` (made here; it must not exist): arrays as .npy, names as lines."""
        folder.mkdir(parents=True)
        m = self.bm25.matrix
        arrays = {
            "data": m.data,
            "indices": m.indices,
            "indptr": m.indptr,
            "idf": self.bm25.idf,
            "codes": self.bigrams.codes,
            "offsets": self.bigrams.offsets,
            "rows": self.bigrams.rows,
            "doc_of_row": self.doc_of_row,
            "shape": np.asarray(m.shape, dtype=np.int64),
        }
        for name, array in arrays.items():
            np.save(folder / f"{name}.npy", np.ascontiguousarray(array))
        for name, lines in (
            ("ids", self.bm25.ids),
            ("vocab", list(self.bm25.vocab)),
            ("doc_ids", self.doc_ids),
        ):
            (folder / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """Map a saved index: the big arrays stay on disk, paged in as questions touch them."""

        def array(name: str) -> np.ndarray:
            return np.load(folder / f"{name}.npy", mmap_mode="r")

        def lines(name: str) -> list[str]:
            text = (folder / f"{name}.txt").read_text(encoding="utf-8")
            return text.split("\n") if text else []

        shape = tuple(int(x) for x in array("shape"))
        matrix = sparse.csc_matrix(
            (array("data"), array("indices"), array("indptr")), shape=shape, copy=False
        )
        vocab = {term: col for col, term in enumerate(lines("vocab"))}
        bm25 = BM25.from_parts(lines("ids"), vocab, np.asarray(array("idf")), matrix)
        return cls(
            bm25,
            BigramPostings(array("codes"), array("offsets"), array("rows")),
            tuple(lines("doc_ids")),
            array("doc_of_row"),
        )


def stored(data_dir: Path, key: str, build: Callable[[], KeywordIndex]) -> KeywordIndex:
    """The keyword index for state `key` from data_dir/keyword/<key>, built (by one process of the host
    at a time, the others waiting for it) when it is not there; older states beyond KEEP are removed."""
    root = data_dir / FOLDER
    root.mkdir(parents=True, exist_ok=True)
    target = root / key
    if not (target / "ids.txt").exists():
        with (root / "build.lock").open("a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not (target / "ids.txt").exists():
                    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
                    staging.rmdir()
                    build().save(staging)
                    os.replace(staging, target)
                    _prune(root, keep=target)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    return KeywordIndex.load(target)


def _prune(root: Path, keep: Path) -> None:
    """Remove all but the newest KEEP states (a process still reading an older one keeps its mapped
    pages: the files go only when it lets them go)."""
    states = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in states[KEEP:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in root.glob(".building-*"):  # a build killed half-way
        shutil.rmtree(leftover, ignore_errors=True)
