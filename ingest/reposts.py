"""The same speech published by several sites: the texts differ in their noise (site lines, pinyin,
page markers, script, a paywall cutting the end) but share almost all of their wording.

Candidates come from MinHash LSH (datasketch) over character shingles of the normalised text, so
finding them costs about the same per document however large the corpus; each candidate pair is then
verified exactly: the shorter text's shingles must lie almost all in the longer's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import numpy as np
from datasketch import MinHash, MinHashLSH

from ingest.normalize import normalize_text

SHINGLE = 5  # characters: long enough that two different speeches share few, short enough to survive noise
NUM_PERM = 128
SCHEME = "affine32"  # datasketch's hashing scheme, fixed so that stored signatures stay comparable
CANDIDATE_JACCARD = 0.3  # LSH threshold: low, so that a copy cut short by a paywall is still a candidate
SAME_SPEECH = 0.8  # share of the shorter text's shingles found in the longer one
MIN_LENGTH_SHARE = 0.25  # a text under a quarter of the other's length is an excerpt, not a repost
_NOT_WORDING = re.compile(r"[^\u4e00-\u9fff0-9a-z]+")


def shingles(text: str) -> set[str]:
    """Character shingles of the wording alone: Simplified, lower case, no punctuation or spaces."""
    letters = _NOT_WORDING.sub("", normalize_text(text).lower())
    return {letters[i : i + SHINGLE] for i in range(max(1, len(letters) - SHINGLE + 1))} if letters else set()


def signature(text: str) -> bytes:
    """The MinHash signature of a text, as bytes to store beside it."""
    sketch = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    sketch.update_batch([s.encode("utf-8") for s in shingles(text)])
    return np.asarray(sketch.hashvalues, dtype=np.uint32).tobytes()


def candidate_pairs(
    signatures: Mapping[str, bytes], among: Iterable[str] | None = None
) -> set[tuple[str, str]]:
    """Pairs of documents (sorted ids) whose signatures suggest shared wording; with `among`, only the
    pairs that involve one of those documents (the others were paired before)."""
    lsh = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM)
    sketches = {
        doc_id: MinHash(num_perm=NUM_PERM, scheme=SCHEME, hashvalues=np.frombuffer(raw, dtype=np.uint32))
        for doc_id, raw in signatures.items()
    }
    for doc_id, sketch in sketches.items():
        lsh.insert(doc_id, sketch)
    asking = sketches if among is None else [d for d in among if d in sketches]
    return {
        tuple(sorted((doc_id, other)))
        for doc_id in asking  # type: ignore[misc]
        for other in lsh.query(sketches[doc_id])
        if other != doc_id
    }


def fingerprint(text: str) -> np.ndarray:
    """A text's shingles as sorted distinct 64-bit hashes: a tenth of the memory of the strings, so the
    documents of a large catalog can be compared pairwise (valid within one process: str hashes are
    salted)."""
    grams = shingles(text)
    return np.unique(np.fromiter((hash(g) for g in grams), dtype=np.int64, count=len(grams)))


def same_speech(a: np.ndarray, b: np.ndarray) -> float:
    """How far two fingerprints are one text: the share of the smaller in the larger, 0 when one is
    too short beside the other to be more than an excerpt."""
    small, large = sorted((a, b), key=len)
    if not len(small) or len(small) < MIN_LENGTH_SHARE * len(large):
        return 0.0
    return len(np.intersect1d(small, large, assume_unique=True)) / len(small)


def verified_pairs(
    pairs: Iterable[tuple[str, str]], text_of: Callable[[str], str]
) -> dict[tuple[str, str], float]:
    """The candidate pairs that are one speech, with the share of wording they have in common."""
    cache: dict[str, np.ndarray] = {}

    def grams(doc_id: str) -> np.ndarray:
        if doc_id not in cache:
            cache[doc_id] = fingerprint(text_of(doc_id))
        return cache[doc_id]

    shares = {(a, b): same_speech(grams(a), grams(b)) for a, b in sorted(pairs)}
    return {pair: score for pair, score in shares.items() if score >= SAME_SPEECH}


def group(
    same: Mapping[tuple[str, str], float], preference: Callable[[str], tuple]
) -> dict[str, tuple[str, float]]:  # type: ignore[type-arg]
    """copy -> (original, share) for verified pairs grouped transitively; in each group the document
    `preference` ranks highest is the original (the most complete metadata, the least noise)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    share: dict[str, float] = {}
    for (a, b), score in sorted(same.items()):
        parent[root(a)] = root(b)
        share[a] = max(share.get(a, 0.0), score)
        share[b] = max(share.get(b, 0.0), score)
    groups: dict[str, list[str]] = {}
    for doc_id in share:
        groups.setdefault(root(doc_id), []).append(doc_id)
    links = {}
    for members in groups.values():
        original = max(sorted(members), key=preference)
        for doc_id in members:
            if doc_id != original:
                links[doc_id] = (original, round(share[doc_id], 3))
    return links


def group_copies(
    pairs: Iterable[tuple[str, str]], text_of: Callable[[str], str], preference: Callable[[str], tuple]
) -> dict[str, tuple[str, float]]:  # type: ignore[type-arg]
    """copy -> (original, share) for every candidate pair verified to be one speech, grouped."""
    return group(verified_pairs(pairs, text_of), preference)
