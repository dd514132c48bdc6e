"""One state of the index, in memory, for answering: the chunks, their documents' metadata, the BM25
index, and corpus statistics derived once per state (cities, years, a title n-gram index), so that a
question costs lookups, not scans of the corpus."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingest.normalize import normalize_text
from ingest.records import Chunk, DocMeta
from ingest.romanize import romanised_index
from vectorstore.keyword import BM25, tokenize_zh
from vectorstore.records import Filters, Hit


@dataclass(frozen=True, slots=True)
class NgramIndex:
    """Which texts hold each run of n adjacent characters. A text that contains a needle holds all of
    the needle's n-grams, so their postings give every candidate, whatever jieba makes of the needle
    in context (河长制要 is cut 河长|制要, yet it contains 河长制); callers verify the candidates."""

    n: int
    postings: dict[str, np.ndarray]  # n-gram -> sorted row numbers

    @classmethod
    def build(cls, texts: Sequence[str], n: int) -> NgramIndex:
        rows: dict[str, list[int]] = defaultdict(list)
        for row, text in enumerate(texts):
            for gram in {text[i:i + n] for i in range(len(text) - n + 1)}:
                rows[gram].append(row)
        return cls(n, {g: np.asarray(r, dtype=np.int32) for g, r in rows.items()})

    def candidates(self, needle: str) -> np.ndarray | None:
        """Rows holding every n-gram of `needle` (rarest first); None for a needle shorter than n."""
        grams = {needle[i:i + self.n] for i in range(len(needle) - self.n + 1)}
        if not grams:
            return None
        lists = sorted((self.postings.get(g, np.empty(0, dtype=np.int32)) for g in grams), key=len)
        found = lists[0]
        for more in lists[1:]:
            if not found.size:
                break
            found = np.intersect1d(found, more, assume_unique=True)
        return found


@dataclass(frozen=True, slots=True)
class TitleIndex:
    """Normalised titles, and which documents' titles contain a piece (3 characters or more)."""

    doc_ids: tuple[str, ...]
    titles: dict[str, str]  # doc_id -> normalised title
    grams: NgramIndex  # trigrams; rows as in doc_ids

    @classmethod
    def build(cls, metas: dict[str, DocMeta]) -> TitleIndex:
        titles = {doc_id: normalize_text(meta.title) for doc_id, meta in metas.items()}
        doc_ids = tuple(titles)
        return cls(doc_ids, titles, NgramIndex.build([titles[d] for d in doc_ids], 3))

    def containing(self, piece: str) -> list[str]:
        """Documents whose normalised title contains `piece`, by doc_id; none for a piece under 3 characters."""
        rows = self.grams.candidates(piece)
        return [] if rows is None else sorted(d for d in (self.doc_ids[r] for r in rows) if piece in self.titles[d])


@dataclass(frozen=True, slots=True)
class IndexView:
    """The index as one catalog generation saw it. Built by Index.view(); never changes."""

    generation: int
    chunks: dict[str, Chunk]
    metas: dict[str, DocMeta]
    sources: dict[str, str]
    bm25: BM25
    cities: tuple[str, ...]  # known cities, sorted
    years: frozenset[str]  # years of the dated documents
    titles: TitleIndex
    doc_ids: tuple[str, ...]  # every document, in the order doc_of_row numbers them
    doc_of_row: np.ndarray  # for each BM25 row, the number of its document
    by_year: dict[str, tuple[str, ...]]  # year -> dated documents of that year
    bigrams: NgramIndex  # over the chunks' search text, rows as in bm25
    romanised: dict[str, tuple[str, ...]]  # pinyin letters (zhangxuanyu) -> names the documents hold (张旋宇)
    names: frozenset[str]  # every person and place name the documents' metadata holds
    copies: dict[str, str]  # a reposted copy -> the document it repeats; copies are not searched

    @classmethod
    def build(cls, generation: int, rows: Sequence[tuple[Chunk, list[str]]], metas: dict[str, DocMeta],
              sources: dict[str, str], copies: dict[str, str] | None = None) -> IndexView:
        """`copies`: reposted documents, left out of the search so that a speech is found (and cited) once."""
        copies = dict(copies or {})
        rows = [row for row in rows if row[0].doc_id not in copies]
        doc_ids = tuple(sorted(metas))
        number = {d: k for k, d in enumerate(doc_ids)}
        by_year: dict[str, list[str]] = defaultdict(list)
        for doc_id in doc_ids:
            if metas[doc_id].year is not None and doc_id not in copies:
                by_year[metas[doc_id].date[:4]].append(doc_id)
        return cls(
            generation=generation,
            chunks={c.chunk_id: c for c, _ in rows},
            metas=metas,
            sources=sources,
            bm25=BM25([c.chunk_id for c, _ in rows], [t for _, t in rows]),
            cities=tuple(sorted({m.known_city for m in metas.values()} - {""})),
            years=frozenset(by_year),
            titles=TitleIndex.build(metas),
            doc_ids=doc_ids,
            doc_of_row=np.fromiter((number[c.doc_id] for c, _ in rows), dtype=np.int64, count=len(rows)),
            by_year={year: tuple(docs) for year, docs in by_year.items()},
            bigrams=NgramIndex.build([c.search_text for c, _ in rows], 2),
            romanised=romanised_index(n for m in metas.values() for n in m.names),
            names=frozenset(n.name for m in metas.values() for n in m.names),
            copies=copies,
        )

    @property
    def size(self) -> int:
        """How many chunks."""
        return len(self.chunks)

    def meta(self, doc_id: str) -> DocMeta:
        return self.metas[doc_id]

    def copies_of(self, doc_id: str) -> tuple[str, ...]:
        """Where else the same speech was published: the sources of its reposted copies."""
        return tuple(sorted(self.sources[c] for c, original in self.copies.items() if original == doc_id and c in self.sources))

    def documents_allowed(self, filters: Filters) -> list[str]:
        """The documents the filters allow, looked up by document or year rather than scanned when
        the filters name them."""
        if filters.doc_ids:
            candidates: Sequence[str] = [d for d in filters.doc_ids if d in self.metas]
        elif filters.date_from or filters.date_to:
            low, high = filters.date_from[:4] or "0000", filters.date_to[:4] or "9999"
            candidates = [d for year, docs in self.by_year.items() if low <= year <= high for d in docs]
        else:
            candidates = self.doc_ids
        return [d for d in candidates if filters.allows(d, self.metas[d])]

    def documents_naming(self, city: str) -> list[tuple[str, tuple[str, ...]]]:
        """Documents that no city is given for but that name `city` or places in it (its districts,
        counties, towns), with those names, most evidence first; national documents are not any
        city's. For a city no document is tagged with."""
        found = []
        for doc_id, meta in self.metas.items():
            if meta.known_city or meta.level in ("national", "provincial"):
                continue
            evidence = tuple(n.name for n in meta.places if city in n.note.split("、"))
            if evidence:
                found.append((doc_id, evidence))
        return sorted(found, key=lambda f: (-len(f[1]), f[0]))

    def occurrences(self, text: str, limit: int) -> int:
        """How often `text` (normalised) occurs in the passages, counted up to `limit` + 1. Only the
        passages holding all of its character bigrams are read, rarest bigram first, so the cost follows
        how rare its characters are together, not the corpus size."""
        needle = normalize_text(text).strip()
        candidates = self.bigrams.candidates(needle)
        rows: Sequence[int] | np.ndarray = range(len(self.bm25.ids)) if candidates is None else candidates
        found = 0
        for row in rows:
            found += self.chunks[self.bm25.ids[row]].search_text.count(needle)
            if found > limit:
                break
        return found if needle else limit + 1

    def is_rare(self, text: str, share: float) -> bool:
        """At most `share` of the passage count (and at least 2) occurrences in the corpus."""
        limit = max(2, int(self.size * share))
        return self.occurrences(text, limit) <= limit

    def passages_with(self, word: str) -> np.ndarray:
        """Row numbers of the chunks whose tokens hold all of `word`'s (for corpus statistics)."""
        return self.bm25.rows_with(tokenize_zh(word))

    def _mask(self, filters: Filters) -> np.ndarray | None:
        if filters.empty:
            return None
        allowed = np.fromiter((filters.allows(d, self.metas[d]) for d in self.doc_ids), dtype=bool, count=len(self.doc_ids))
        return allowed[self.doc_of_row]

    def keyword_search(self, tokens: Sequence[str | Sequence[str]], k: int, filters: Filters = Filters()) -> list[Hit]:
        """Top k chunks by BM25 among those the filters allow."""
        return [Hit(self.chunks[i], s, "bm25") for i, s in self.bm25.search(tokens, k, self._mask(filters))]

    def keyword_scores(self, tokens: Sequence[str | Sequence[str]], chunk_ids: Sequence[str]) -> dict[str, float]:
        """BM25 score of each of these chunks for the tokens (0 when none occurs)."""
        scores = self.bm25.scores(tokens)
        return {i: float(scores[self.bm25.row_of[i]]) for i in chunk_ids if i in self.bm25.row_of}
