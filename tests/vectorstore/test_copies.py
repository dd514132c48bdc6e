"""Copy links kept up to date at the cost of what an ingestion brings: the pairs among documents
signed before are stored, so adding a repost verifies only the pairs it takes part in, and the links
are those a regrouping of the whole catalog would give."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import vectorstore.copies as copies
from evaluation.reposts import repost
from ingest.pipeline import prepare
from ingest.records import RawDocument
from ingest.reposts import candidate_pairs, group_copies
from vectorstore.catalog import PAIRS_KEPT, Catalog
from vectorstore.copies import preference


def _put(catalog: Catalog, doc_id: str, text: str) -> None:
    prepared = prepare(RawDocument(f"{doc_id}.txt", text, "txt", "utf-8"), doc_id=doc_id)
    catalog.put_document(prepared.document, f"{doc_id}.txt", prepared.chunks, [[] for _ in prepared.chunks])


def _regrouped(catalog: Catalog) -> dict[str, str]:
    """The links of a grouping of every document from scratch, by the catalog's own preference."""
    texts = {r.doc_id: catalog.document(r.doc_id).text for r in catalog.documents()}  # type: ignore[union-attr]
    ingested = catalog.ingested_at()
    docs = {d: catalog.document(d) for d in texts}
    full = group_copies(
        candidate_pairs(catalog.signatures()),
        texts.__getitem__,
        lambda d: preference(docs[d].meta, docs[d].quality, ingested[d]),
    )  # type: ignore[union-attr]
    return {c: o for c, (o, _) in full.items()}


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[set[tuple[str, str]]]:
    """The pairs each call of link_copies verified."""
    seen: list[set[tuple[str, str]]] = []
    real = copies.verified_pairs

    def recording(pairs, text_of):  # type: ignore[no-untyped-def]
        seen.append(set(pairs))
        return real(pairs, text_of)

    monkeypatch.setattr(copies, "verified_pairs", recording)
    return seen


def test_a_new_repost_verifies_only_its_own_pairs(
    tmp_path: Path, seed_text: dict[str, str], verifications: list[set[tuple[str, str]]]
) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite")
    rng = random.Random(5)
    for key, text in seed_text.items():
        _put(catalog, key, text)
    first, second = sorted(seed_text)[:2]
    _put(catalog, "copy1", repost(seed_text[first], rng))
    _put(catalog, "copy2", repost(seed_text[first], rng))
    links = copies.link_copies(catalog)
    assert {c: o for c, (o, _) in links.items()} == _regrouped(catalog)
    assert len(links) == 2 and {o for o, _ in links.values()} == {first}

    _put(catalog, "copy3", repost(seed_text[second], rng))  # a repost of another speech arrives
    links = copies.link_copies(catalog)
    assert verifications[-1] and all("copy3" in pair for pair in verifications[-1])
    assert {c: o for c, (o, _) in links.items()} == _regrouped(catalog)
    assert {second, "copy3"} in ({c, o} for c, (o, _) in links.items())

    verifications.clear()
    assert copies.link_copies(catalog) == links  # nothing new: nothing verified, the same links
    assert verifications == []

    catalog.delete_document(first)  # the original goes: its copies find a new original among themselves
    links = copies.link_copies(catalog)
    assert not any(first in pair for pair in catalog.copy_pairs())
    assert {c: o for c, (o, _) in links.items()} == _regrouped(catalog)
    assert ("copy1" in links) != ("copy2" in links)


def test_a_catalog_from_before_the_pairs_were_kept_verifies_them_all_once(
    tmp_path: Path, seed_text: dict[str, str], verifications: list[set[tuple[str, str]]]
) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite")
    for key, text in seed_text.items():
        _put(catalog, key, text)
    key = sorted(seed_text)[0]
    _put(catalog, "copy", repost(seed_text[key], random.Random(8)))
    links = copies.link_copies(catalog)
    with catalog.connect() as db:  # as an older version left it: signatures, no pairs
        db.execute("DELETE FROM copy_pairs")
        db.execute("DELETE FROM info WHERE key=?", (PAIRS_KEPT,))
    verifications.clear()
    assert copies.link_copies(catalog) == links
    assert (
        tuple(sorted(("copy", key))) in verifications[0]
    )  # no document is new, yet the old pairs are verified
    assert catalog.pairs_verified() and catalog.copy_pairs()
