"""Keep the catalog's copy links true: every document has a signature (ingest.reposts) and its verified
pairs stored beside it; after each ingestion only the new documents' pairs are verified, and all
stored pairs are grouped again, so that a copy whose original was pruned finds its new original, and
a document edited into a copy's place is seen."""

from __future__ import annotations

from ingest.records import DocMeta, QualityReport
from ingest.reposts import candidate_pairs, group, signature, verified_pairs
from vectorstore.catalog import Catalog


def preference(meta: DocMeta, quality: QualityReport, ingested: float) -> tuple[int, int, float]:
    """Which of several copies stands for the speech: the one a person corrected, then the most
    complete metadata, then the least noise (a copy cut short by a paywall is not the one to cite),
    then the one indexed first (citations stay put when a copy arrives)."""
    complete = sum(bool(x) for x in (meta.date, meta.known_city, meta.speaker))
    noise = len(quality.mojibake) + 3 * int(quality.truncated) + quality.notices_removed
    return len(meta.edited), complete - noise, -ingested


def link_copies(catalog: Catalog) -> dict[str, tuple[str, float]]:
    """Sign the documents that have no signature yet, verify only the candidate pairs they take part in
    (the pairs among documents signed before are stored), group all verified pairs and store the links;
    returns them (copy -> (original, share of wording)). Adding a file costs what the file brings,
    not what the catalog holds."""
    signatures = catalog.signatures()
    rows = {row.doc_id: row for row in catalog.documents()}  # metadata (with edits) and quality, no text
    fresh: dict[str, bytes] = {}
    for row in rows.values():
        if row.doc_id not in signatures:
            document = catalog.document(row.doc_id)
            if document is not None:
                fresh[row.doc_id] = signatures[row.doc_id] = signature(document.text)
    kept = catalog.pairs_verified()  # else a catalog from before pairs were stored: verify them all once
    known = catalog.copy_pairs() if kept else {}
    if fresh or not kept:
        pairs = candidate_pairs(signatures, among=fresh if kept else signatures)
        texts = {
            d: doc.text
            for d in {d for pair in pairs for d in pair}
            if (doc := catalog.document(d)) is not None
        }
        new = verified_pairs([p for p in pairs if p[0] in texts and p[1] in texts], texts.__getitem__)
        catalog.add_signed(fresh, new)
        known.update(new)
    ingested = catalog.ingested_at()
    ranks = {
        d: preference(rows[d].meta, rows[d].quality, ingested.get(d, 0.0))
        for d in {d for pair in known for d in pair}
        if d in rows
    }
    links = group(
        {p: share for p, share in known.items() if p[0] in ranks and p[1] in ranks}, ranks.__getitem__
    )
    catalog.set_copies(links)
    return links
