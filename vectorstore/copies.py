"""Keep the catalog's copy links true: every document has a signature (ingest.reposts), and after each
ingestion the reposted speeches are grouped again over the whole catalog, so that a copy whose
original was pruned finds its new original, and a document edited into a copy's place is seen."""

from __future__ import annotations

from ingest.records import DocMeta, QualityReport
from ingest.reposts import candidate_pairs, group_copies, signature
from vectorstore.catalog import Catalog


def preference(meta: DocMeta, quality: QualityReport, ingested: float) -> tuple[int, int, float]:
    """Which of several copies stands for the speech: the one a person corrected, then the most
    complete metadata, then the least noise (a copy cut short by a paywall is not the one to cite),
    then the one indexed first (citations stay put when a copy arrives)."""
    complete = sum(bool(x) for x in (meta.date, meta.known_city, meta.speaker))
    noise = len(quality.mojibake) + 3 * int(quality.truncated) + quality.notices_removed
    return len(meta.edited), complete - noise, -ingested


def link_copies(catalog: Catalog) -> dict[str, tuple[str, float]]:
    """Sign the documents that have no signature yet, group reposts, store the links; returns them
    (copy -> (original, share of wording))."""
    signatures = catalog.signatures()
    for row in catalog.documents():
        if row.doc_id not in signatures:
            document = catalog.document(row.doc_id)
            if document is not None:
                signatures[row.doc_id] = signature(document.text)
                catalog.set_signature(row.doc_id, signatures[row.doc_id])
    pairs = candidate_pairs(signatures)
    involved = {d for pair in pairs for d in pair}
    documents = {d: catalog.document(d) for d in involved}
    texts = {d: doc.text for d, doc in documents.items() if doc is not None}
    ingested = catalog.ingested_at()
    ranks = {d: preference(doc.meta, doc.quality, ingested.get(d, 0.0)) for d, doc in documents.items() if doc is not None}
    links = group_copies([p for p in pairs if p[0] in texts and p[1] in texts], texts.__getitem__,
                         lambda d: ranks[d])
    catalog.set_copies(links)
    return links
