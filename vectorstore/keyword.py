"""A BM25 keyword index over jieba tokens; one tokenizer for chunks and questions."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

from ingest.normalize import normalize_text
from ingest.tagging import tag_words

# Function words and fillers that match everywhere in a speech and rank nothing.
STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 对 要 把 将 也 都 就 而 并 等 这 那 有 为 以 于 中 上 下 个 之 其 或 被 从 到 由 向"
    " "
    "我们 你们 他们 我 你 他 她 它 这个 那个 这些 那些 什么 怎么 如何 哪些 哪个 多少 是否 有没有 "
    "一个 一些 进行 方面 问题 工作 讲话 提出 指出 强调 要求 说 讲 吗 呢 吧 啊 为什么 为何 怎样 怎么样 哪里 "
    "谁 何时 什么样 有何 做法 情况 内容 相关 "
    "the a an of to in on for and or is are was were be what which who how did does do about with".split()
)
_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize_zh(text: str, *, normalized: bool = False) -> list[str]:
    """Normalised (Simplified, half-width, lower-case) jieba search-mode tokens, without stopwords
    or punctuation. Used for indexing and for questions alike. `normalized`: the text is already in
    its search form (`QueryPlan.normalized`)."""
    jieba = _jieba()
    out = []
    for token in jieba.cut_for_search(text if normalized else normalize_text(text)):
        token = token.strip()
        if token and token not in STOPWORDS and _TOKEN_OK.search(token) and "\ufffd" not in token:
            out.append(token)
    return out


def is_known_word(word: str) -> bool:
    """In jieba's dictionary: a real word, not a fragment of an odd segmentation."""
    return bool(_jieba().dt.FREQ.get(word))


# jieba's part-of-speech tags for things a question can be about: nouns (common, proper, of an
# organisation, a name), verbal nouns; a place (ns) says where, not what
_TOPIC_TAGS = frozenset("n nz nt nr nrt vn ng an".split())


@lru_cache(maxsize=8192)
def _tags(word: str) -> tuple[str, ...]:
    """jieba's part-of-speech tag of each part it cuts the word into."""
    import jieba.posseg

    _jieba()
    return tuple(part.flag for part in jieba.posseg.cut(word))


def names_a_thing(word: str) -> bool:
    """jieba tags the word (its last part, for a compound it cuts) as a noun: what a question is about
    rather than how it asks (是不是, 怎么) or what it does (打算, 抱怨)."""
    tags = _tags(word)
    return bool(tags) and tags[-1] in _TOPIC_TAGS


def says_when(word: str) -> bool:
    """jieba tags the word a time word (今年, 目前, 近年来, 上半年): when a question asks about, not
    what."""
    return _tags(word) == ("t",)


def widened_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """The span text[start:end] widened over a character jieba cut off a word at either edge: one
    character standing alone beside the span that it tags a noun or a numeral (比特|币 for 比特币,
    元|宇宙 for 元宇宙), not a particle, pronoun or verb (了, 吗, 的, 有)."""
    tokens = [(w.start, w.start + len(w.text), w.tag) for w in tag_words(text)]

    def loose(token: tuple[int, int, str]) -> bool:
        a, b, flag = token
        return b - a == 1 and (flag[0] == "n" or flag == "m") and "\u4e00" <= text[a] <= "\u9fff"

    before = [t for t in tokens if t[1] == start]
    after = [t for t in tokens if t[0] == end]
    if before and loose(before[0]):
        start = before[0][0]
    if after and loose(after[0]):
        end = after[0][1]
    return start, end


# A word opening with an interrogative (哪, 怎, 几, 多少, 多长, 多久) or holding 谁 asks; jieba's dictionary
# holds many such words whole, tagged as anything but a pronoun (哪些方面 z, 怎么办 l, 几场 m, 由谁来 l)
_ASKS = re.compile(r"^(?:[哪怎几]|多[少长久])|谁")


def points(word: str) -> bool:
    """The word asks or points at what the question is about (which year, these, how) rather than naming
    it: it asks (`_ASKS`), or jieba tags it as a pronoun (哪一年, 这些, 各)."""
    import jieba.posseg

    if _ASKS.search(word):
        return True
    _jieba()
    parts = list(jieba.posseg.cut(word))
    return len(parts) == 1 and parts[0].flag.startswith("r")


def words(text: str, *, normalized: bool = False) -> list[str]:
    """The normalised text cut into whole words (jieba's precise mode), nothing dropped."""
    return [w for w in _jieba().cut(text if normalized else normalize_text(text)) if w.strip()]


def content_words(text: str, *, normalized: bool = False) -> list[str]:
    """Whole words (jieba's precise mode) of two or more characters that are not stopwords."""
    jieba = _jieba()
    words = (w.strip() for w in jieba.cut(text if normalized else normalize_text(text)))
    return list(dict.fromkeys(w for w in words if len(w) >= 2 and w not in STOPWORDS and _TOKEN_OK.search(w)))


def bm25_weights(
    tokens: Iterable[Sequence[str]], vocab: dict[str, int], k1: float = 1.2, b: float = 0.75
) -> tuple[sparse.csc_matrix, np.ndarray]:
    """The (chunks x terms) BM25 weight matrix and the terms' IDF, for tokenised chunks; `vocab` (term ->
    column, in order of first appearance) is filled as terms are met. One pass in Python over the
    tokens (read once, as they come: none is held), the rest in numpy, so that a quarter of a million
    chunks take seconds."""
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    sizes: list[int] = []
    for row, doc in enumerate(tokens):
        ids = np.fromiter(
            (vocab[t] if t in vocab else vocab.setdefault(t, len(vocab)) for t in doc),
            dtype=np.int32,
            count=len(doc),
        )
        sizes.append(len(doc))
        if len(ids):
            unique, tf = np.unique(ids, return_counts=True)
            rows.append(np.full(len(unique), row, dtype=np.int32))
            cols.append(unique)
            counts.append(tf.astype(np.int32))
    lengths = np.asarray(sizes, dtype=np.float32)
    n = len(sizes)
    shape = (n, max(1, len(vocab)))
    row_of = np.concatenate(rows) if rows else np.empty(0, dtype=np.int32)
    col_of = np.concatenate(cols) if cols else np.empty(0, dtype=np.int32)
    tf_all = (np.concatenate(counts) if counts else np.empty(0, dtype=np.int32)).astype(np.float32)
    avg = float(lengths.mean()) if n else 1.0
    df = np.bincount(col_of, minlength=shape[1]).astype(np.float32)
    idf = bm25_idf(n, df).astype(np.float32)
    norm = k1 * (1 - b + b * lengths[row_of] / max(avg, 1.0))
    weights = tf_all * (k1 + 1) / (tf_all + norm) * idf[col_of]
    return sparse.csc_matrix((weights, (row_of, col_of)), shape=shape), idf


def bm25_idf(size: int, df: Any) -> Any:
    """Okapi BM25's IDF of a term held by `df` of `size` chunks (a number or an array of them)."""
    return np.log1p((size - df + 0.5) / (df + 0.5))


class BM25:
    """Okapi BM25 over a fixed set of tokenised chunks, as a sparse (chunks x terms) weight matrix."""

    def __init__(
        self, ids: Sequence[str], tokens: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75
    ) -> None:
        vocab: dict[str, int] = {}
        matrix, idf = bm25_weights(tokens, vocab, k1, b)
        self._set(list(ids), vocab, idf, matrix)

    @classmethod
    def from_parts(
        cls, ids: list[str], vocab: dict[str, int], idf: np.ndarray, matrix: sparse.csc_matrix
    ) -> BM25:
        """An index whose weights were computed before (a saved keyword index, vectorstore.keyword_store)."""
        index = cls.__new__(cls)
        index._set(ids, vocab, idf, matrix)
        return index

    def _set(self, ids: list[str], vocab: dict[str, int], idf: np.ndarray, matrix: sparse.csc_matrix) -> None:
        self.ids = ids
        self.vocab = vocab
        self.idf = idf
        self.matrix = matrix
        self.row_of = {chunk_id: row for row, chunk_id in enumerate(self.ids)}

    def idf_of(self, token: str) -> float:
        """IDF of a token; a token no chunk contains gets the highest IDF there is (it is rarest)."""
        col = self.vocab.get(token)
        if col is None:
            return float(self.idf.max()) if len(self.idf) else 1.0
        return float(self.idf[col])

    def rows_with(self, tokens: Sequence[str]) -> np.ndarray:
        """Sorted row numbers of the chunks that hold every one of `tokens` (none for no tokens)."""
        rows: np.ndarray | None = None
        for token in dict.fromkeys(tokens):
            col = self.vocab.get(token)
            if col is None:
                return np.empty(0, dtype=np.int64)
            found = self.matrix.indices[self.matrix.indptr[col] : self.matrix.indptr[col + 1]]
            rows = np.sort(found) if rows is None else np.intersect1d(rows, found, assume_unique=True)
        return np.empty(0, dtype=np.int64) if rows is None else rows

    def scores(self, query_terms: Sequence[str | Sequence[str]]) -> np.ndarray:
        """BM25 score of every chunk. A term is a token, or a group of interchangeable words (the
        translations of one English word), which counts as its best-matching member, so that a word
        with five translations does not weigh five times; each term counts once. A word the index holds
        as a token is that token (青藏铁路: a passage naming only 铁路 does not hold it); one it does not
        (供给侧结构性改革) is read through its pieces, any of which may match."""
        total = np.zeros(len(self.ids), dtype=np.float32)
        singles = sorted({self.vocab[t] for t in query_terms if isinstance(t, str) and t in self.vocab})
        if singles and self.ids:
            total += np.asarray(self.matrix[:, singles].sum(axis=1)).ravel()
        groups = {tuple(sorted(self._columns(g))) for g in query_terms if not isinstance(g, str)}
        for cols in groups:
            if cols and self.ids:
                total += np.asarray(self.matrix[:, list(cols)].max(axis=1).todense()).ravel()
        return total

    def _columns(self, words: Sequence[str]) -> set[int]:
        """The columns a group of words is read through: each word's own, else its pieces'."""
        tokens = [t for word in words for t in ([word] if word in self.vocab else tokenize_zh(word))]
        return {self.vocab[t] for t in tokens if t in self.vocab}

    def search(
        self, query_tokens: Sequence[str | Sequence[str]], k: int, mask: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """Top k (id, score) with score > 0, among the chunks where mask is True."""
        scores = self.scores(query_tokens)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, int((scores > 0).sum()))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top]
