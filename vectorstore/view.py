"""One state of the index, for answering: the documents' metadata, the keyword index (BM25 and bigram
postings, memory-mapped: vectorstore.keyword_store), the passages by id (read from the catalog as a
question needs them, not held), and corpus statistics derived once per state (cities, years, a title
n-gram index), so that a question costs lookups, not scans of the corpus."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ingest.calendar import with_congress_name
from ingest.gazetteer import province_of_city
from ingest.grammar import YEAR
from ingest.normalize import normalize_text
from ingest.records import NATIONAL, Chunk, DocMeta
from ingest.romanize import romanised_index
from vectorstore.keyword import BM25, tokenize_zh
from vectorstore.keyword_store import BigramPostings, KeywordIndex, intersect_postings
from vectorstore.records import Filters, Hit

SAMPLE_ROWS = 400  # passages read at most to count a phrase's occurrences; beyond, the count is estimated
READ_BATCH = 100  # passages read from the catalog at a time when counting


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
            for gram in {text[i : i + n] for i in range(len(text) - n + 1)}:
                rows[gram].append(row)
        return cls(n, {g: np.asarray(r, dtype=np.int32) for g, r in rows.items()})

    def candidates(self, needle: str) -> np.ndarray | None:
        """Rows holding every n-gram of `needle` (rarest first); None for a needle shorter than n."""
        grams = {needle[i : i + self.n] for i in range(len(needle) - self.n + 1)}
        if not grams:
            return None
        return intersect_postings(self.postings.get(g, np.empty(0, dtype=np.int32)) for g in grams)


@dataclass(frozen=True, slots=True)
class TitleIndex:
    """Normalised titles, and which documents' titles contain a piece (3 characters or more)."""

    doc_ids: tuple[str, ...]
    titles: dict[str, str]  # doc_id -> normalised title
    grams: NgramIndex  # trigrams; rows as in doc_ids

    @classmethod
    def build(cls, metas: dict[str, DocMeta]) -> TitleIndex:
        titles = {doc_id: normalize_text(with_congress_name(meta.title)) for doc_id, meta in metas.items()}
        doc_ids = tuple(titles)
        return cls(doc_ids, titles, NgramIndex.build([titles[d] for d in doc_ids], 3))

    def containing(self, piece: str) -> list[str]:
        """Documents whose normalised title contains `piece`, by doc_id; none for a piece under 3
        characters."""
        rows = self.grams.candidates(piece)
        return (
            []
            if rows is None
            else sorted(d for d in (self.doc_ids[r] for r in rows) if piece in self.titles[d])
        )


class ChunkTable(Mapping[str, Chunk]):
    """The passages of one state by id, read through `fetch` (the catalog) when first asked for and
    kept in a bounded cache: a question reads tens of passages, not the corpus."""

    def __init__(
        self,
        row_of: Mapping[str, int],
        fetch: Callable[[list[str]], dict[str, Chunk]],
        cache: int = 20000,
        texts: Callable[[list[str]], dict[str, str]] | None = None,
    ) -> None:
        self._rows = row_of
        self._fetch = fetch
        self._texts = texts or (lambda ids: {i: c.search_text for i, c in fetch(ids).items()})
        self._cache: OrderedDict[str, Chunk] = OrderedDict()
        self._limit = cache
        # texts read for counting phrases, kept apart (first in, first out): an English question counts
        # hundreds of phrases over overlapping passages, and a second read of one costs a catalog query
        self._text_cache: OrderedDict[str, str] = OrderedDict()
        self._text_limit = 2 * cache
        self._text_lock = threading.Lock()

    @classmethod
    def of(cls, chunks: Iterable[Chunk]) -> ChunkTable:
        """Passages held in memory (tests, small indexes)."""
        held = {c.chunk_id: c for c in chunks}
        return cls(
            {i: k for k, i in enumerate(held)}, lambda ids: {i: held[i] for i in ids if i in held}, cache=0
        )

    def many(self, ids: Iterable[str]) -> dict[str, Chunk]:
        """The passages of these ids that this state holds, read in one call for those not cached."""
        wanted = [i for i in dict.fromkeys(ids) if i in self._rows]
        missing = [i for i in wanted if i not in self._cache]
        found = self._fetch(missing) if missing else {}
        out = {}
        for i in wanted:
            chunk = self._cache.get(i) or found.get(i)
            if chunk is None:
                continue
            out[i] = chunk
            if self._limit:
                self._cache[i] = chunk
                self._cache.move_to_end(i)
        while len(self._cache) > self._limit:
            self._cache.popitem(last=False)
        return out

    def search_texts(self, ids: Iterable[str]) -> list[str]:
        """The normalised texts of these passages (for counting phrases): from the cache where it has
        them, else read alone, without building the passages."""
        wanted = [i for i in dict.fromkeys(ids) if i in self._rows]
        with self._text_lock:
            known = {i: t for i in wanted if (t := self._text_cache.get(i)) is not None}
        known.update(
            (i, c.search_text) for i in wanted if i not in known and (c := self._cache.get(i)) is not None
        )
        missing = [i for i in wanted if i not in known]
        if missing:
            read = self._texts(missing)
            known.update(read)
            if self._limit:
                with self._text_lock:
                    self._text_cache.update(read)
                    while len(self._text_cache) > self._text_limit:
                        self._text_cache.popitem(last=False)
        return [known.get(i, "") for i in wanted]

    def __getitem__(self, chunk_id: str) -> Chunk:
        found = self.many([chunk_id])
        if chunk_id not in found:
            raise KeyError(chunk_id)
        return found[chunk_id]

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


_YEARLY = re.compile(rf"{YEAR}\s*年?度?|第[一二三四五六七八九十百]+届|第[一二三四五六七八九十]+次|\s")


def series_key(meta: DocMeta) -> str:
    """What a yearly document is apart from its year: where it is from, its level, its title without
    years and sessions (2019年罗庄区政府工作报告 and 2023年罗庄区政府工作报告 share 罗庄区政府工作报告)."""
    return f"{meta.where}|{meta.level}|{_YEARLY.sub('', normalize_text(meta.title))}"


def yearly_series(metas: Mapping[str, DocMeta]) -> dict[str, tuple[str, ...]]:
    """Each document of a yearly series (one body's documents of one kind, two or more years) -> the
    series' documents in date order."""
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id, meta in metas.items():
        if meta.year is not None and meta.title:
            groups[series_key(meta)].append(doc_id)
    out: dict[str, tuple[str, ...]] = {}
    for docs in groups.values():
        if len({metas[d].year for d in docs}) >= 2:
            ordered = tuple(sorted(docs, key=lambda d: (metas[d].date, d)))
            out.update({d: ordered for d in ordered})
    return out


@dataclass(frozen=True, slots=True)
class IndexView:
    """The index as one catalog generation saw it. Built by Index.view(); never changes."""

    generation: int
    chunks: ChunkTable
    metas: dict[str, DocMeta]
    sources: dict[str, str]
    bm25: BM25
    cities: tuple[str, ...]  # places documents are from, sorted: known cities, and the provinces of
    # documents whose city is not told (provincial reports)
    years: frozenset[str]  # years of the dated documents
    titles: TitleIndex
    doc_ids: tuple[str, ...]  # every document, in the order doc_of_row numbers them
    doc_of_row: np.ndarray  # for each BM25 row, the number of its document
    by_year: dict[str, tuple[str, ...]]  # year -> dated documents of that year
    bigrams: BigramPostings  # over the chunks' search text, rows as in bm25
    romanised: dict[str, tuple[str, ...]]  # pinyin letters (zhangxuanyu) -> names the documents hold (张旋宇)
    names: frozenset[str]  # every person and place name the documents' metadata holds
    copies: dict[str, str]  # a reposted copy -> the document it repeats; copies are not searched
    series: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a document -> its yearly series
    levels: frozenset[str] = frozenset()  # the levels documents are of (national, provincial, city, county)
    provinces: frozenset[str] = frozenset()  # the provinces of the cities documents are from

    @classmethod
    def build(
        cls,
        generation: int,
        rows: Sequence[tuple[Chunk, list[str]]],
        metas: dict[str, DocMeta],
        sources: dict[str, str],
        copies: dict[str, str] | None = None,
    ) -> IndexView:
        """A view held in memory, from chunks with their tokens. `copies`: reposted documents, left out
        of the search so that a speech is found (and cited) once."""
        copies = dict(copies or {})
        rows = [row for row in rows if row[0].doc_id not in copies]
        keyword = KeywordIndex.build(
            ((c.chunk_id, c.doc_id, c.search_text, t) for c, t in rows), sorted(metas)
        )
        return cls.assemble(generation, keyword, ChunkTable.of(c for c, _ in rows), metas, sources, copies)

    @classmethod
    def assemble(
        cls,
        generation: int,
        keyword: KeywordIndex,
        chunks: ChunkTable,
        metas: dict[str, DocMeta],
        sources: dict[str, str],
        copies: dict[str, str],
    ) -> IndexView:
        """A view over a keyword index built before (Index.view: mapped from disk), reading passages
        through `chunks`. The keyword index leaves the copies out already."""
        doc_ids = keyword.doc_ids
        by_year: dict[str, list[str]] = defaultdict(list)
        for doc_id in doc_ids:
            if metas[doc_id].year is not None and doc_id not in copies:
                by_year[metas[doc_id].date[:4]].append(doc_id)
        return cls(
            generation=generation,
            chunks=chunks,
            metas=metas,
            sources=sources,
            bm25=keyword.bm25,
            cities=tuple(sorted({m.where for m in metas.values()} - {"", NATIONAL})),
            years=frozenset(by_year),
            titles=TitleIndex.build(metas),
            doc_ids=doc_ids,
            doc_of_row=keyword.doc_of_row,
            by_year={year: tuple(docs) for year, docs in by_year.items()},
            bigrams=keyword.bigrams,
            romanised=romanised_index(n for m in metas.values() for n in m.names),
            names=frozenset(n.name for m in metas.values() for n in m.names),
            copies=copies,
            levels=frozenset(m.level for m in metas.values() if m.level),
            provinces=frozenset(r for m in metas.values() for r in m.regions[1:]),
            series=yearly_series({d: metas[d] for d in doc_ids if d not in copies}),
        )

    def holds(self, place: str) -> bool:
        """Whether documents are from this place: a city, a province's own documents, or, in a
        collection of places' documents, a province whose cities' documents it holds (山东省 for speeches
        of 临沂; not 北京市 for national reports beside a 1921 document from 北京)."""
        return place in self.cities or (self.by_place and place in self.provinces)

    @property
    def by_place(self) -> bool:
        """Whether the collection is of places' documents (no national ones, or provinces' own among
        them): a province a question names is a place to search, not a topic of national reports."""
        return "provincial" in self.levels or "national" not in self.levels

    @property
    def size(self) -> int:
        """How many chunks."""
        return len(self.chunks)

    def series_of(self, doc_ids: Sequence[str]) -> tuple[str, ...]:
        """The yearly series that two or more documents all belong to, or () (none, or several)."""
        found = {self.series.get(d, ()) for d in doc_ids}
        return found.pop() if len(doc_ids) > 1 and len(found) == 1 else ()

    def meta(self, doc_id: str) -> DocMeta:
        return self.metas[doc_id]

    def copies_of(self, doc_id: str) -> tuple[str, ...]:
        """Where else the same speech was published: the sources of its reposted copies."""
        return tuple(
            sorted(
                self.sources[c]
                for c, original in self.copies.items()
                if original == doc_id and c in self.sources
            )
        )

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

    def documents_naming(self, place: str) -> list[tuple[str, tuple[str, ...]]]:
        """Documents that no city is given for but that name `place` or places in it (a city's
        districts, counties, towns; for a province, those of its cities), with those names, most
        evidence first; national documents are not any place's. For a place no document is tagged with."""
        found = []
        for doc_id, meta in self.metas.items():
            if meta.known_city or meta.level in ("national", "provincial"):
                continue
            evidence = tuple(n.name for n in meta.places if _lies_in(n.note, place))
            if evidence:
                found.append((doc_id, evidence))
        return sorted(found, key=lambda f: (-len(f[1]), f[0]))

    def occurrences(self, text: str, limit: int) -> int:
        """How often `text` (normalised) occurs in the passages, counted up to `limit` + 1. Only the
        passages holding all of its character bigrams are read, rarest bigram first, so the cost follows
        how rare its characters are together; when more than SAMPLE_ROWS passages hold them, an evenly
        spread sample of them is read and the count scaled up, so the cost does not grow with the corpus."""
        needle = normalize_text(text).strip()
        if not needle:
            return limit + 1
        candidates = self.bigrams.candidates(needle)
        rows = np.arange(len(self.bm25.ids)) if candidates is None else candidates
        if len(rows) > SAMPLE_ROWS:
            # the sample read in interleaved parts, each spread over all candidates, until the estimate
            # so far passes the limit (a phrase asked about only to see that it occurs stops early)
            sample = rows[np.linspace(0, len(rows) - 1, SAMPLE_ROWS).astype(np.int64)]
            step = -(-SAMPLE_ROWS // READ_BATCH)
            found = read = 0
            for offset in range(step):
                part = sample[offset::step]
                found += sum(text.count(needle) for text in self._texts(part))
                read += len(part)
                if found * len(rows) / read > limit:
                    return limit + 1
            return min(limit + 1, round(found * len(rows) / read))
        found = 0
        for start in range(0, len(rows), READ_BATCH):
            found += sum(text.count(needle) for text in self._texts(rows[start : start + READ_BATCH]))
            if found > limit:
                break
        return min(found, limit + 1)

    def _texts(self, rows: np.ndarray) -> list[str]:
        return self.chunks.search_texts(self.bm25.ids[int(r)] for r in rows)

    def is_rare(self, text: str, share: float) -> bool:
        """At most `share` of the passage count (and at least 2) occurrences in the corpus."""
        limit = max(2, int(self.size * share))
        return self.occurrences(text, limit) <= limit

    def passages_with(self, word: str) -> np.ndarray:
        """Row numbers of the chunks whose tokens hold all of `word`'s (for corpus statistics)."""
        return self.bm25.rows_with(tokenize_zh(word))

    def allowed_rows(self, filters: Filters) -> np.ndarray | None:
        """For each passage row, whether the filters allow its document (None: no filters)."""
        if filters.empty:
            return None
        allowed = np.fromiter(
            (filters.allows(d, self.metas[d]) for d in self.doc_ids), dtype=bool, count=len(self.doc_ids)
        )
        return allowed[self.doc_of_row]

    def keyword_search(
        self, tokens: Sequence[str | Sequence[str]], k: int, filters: Filters = Filters()
    ) -> list[Hit]:
        """Top k chunks by BM25 among those the filters allow."""
        ranked = self.bm25.search(tokens, k, self.allowed_rows(filters))
        chunks = self.chunks.many(i for i, _ in ranked)
        return [Hit(chunks[i], s, "bm25") for i, s in ranked if i in chunks]

    def keyword_scores(
        self, tokens: Sequence[str | Sequence[str]], chunk_ids: Sequence[str]
    ) -> dict[str, float]:
        """BM25 score of each of these chunks for the tokens (0 when none occurs)."""
        scores = self.bm25.scores(tokens)
        return {i: float(scores[self.bm25.row_of[i]]) for i in chunk_ids if i in self.bm25.row_of}


def _lies_in(cities: str, place: str) -> bool:
    """Whether one of the cities a named place may be in (a note: "信阳、铜川") is `place` or lies in it."""
    return any(c == place or province_of_city(c) == place for c in cities.split("、") if c)
