"""Reposted speeches: the same text from other sites (other noise) is one speech; different
speeches, even the near-identical yearly resolutions of the reports corpus, are not."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from evaluation.reposts import repost
from ingest.pipeline import prepare
from ingest.records import RawDocument
from ingest.reposts import SAME_SPEECH, candidate_pairs, fingerprint, group_copies, same_speech, signature
from tests.conftest import DATA, SAMPLE
from vectorstore.index import Index
from vectorstore.sync import sync_paths


def _cleaned(name: str, text: str) -> str:
    return prepare(RawDocument(f"{name}.txt", text, "txt", "utf-8"), doc_id=name).document.text


def test_copies_with_every_kind_of_noise_are_one_speech(seed_text: dict[str, str]) -> None:
    rng = random.Random(11)
    texts = {}
    for key, text in seed_text.items():
        texts[key] = _cleaned(key, text)
        for k in range(2):
            texts[f"{key}~{k}"] = _cleaned(f"{key}~{k}", repost(text, rng))
    links = group_copies(
        candidate_pairs({d: signature(t) for d, t in texts.items()}),
        texts.__getitem__,
        lambda d: (d.count("~") == 0, d),
    )
    assert links == {f"{key}~{k}": (key, links[f"{key}~{k}"][1]) for key in seed_text for k in range(2)}


def test_the_yearly_resolutions_stay_different_speeches() -> None:
    # six consecutive resolutions on the government work report (2019-2025), from the reports corpus
    records = [
        json.loads(line) for line in (DATA / "resolutions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    resolutions = [_cleaned(f"r{k}", r["content"]) for k, r in enumerate(records)]
    grams = [fingerprint(t) for t in resolutions]
    assert len(grams) >= 2
    assert max(same_speech(a, b) for i, a in enumerate(grams) for b in grams[i + 1 :]) < SAME_SPEECH


def test_ingestion_links_a_repost_and_cites_the_speech_once(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    for path in SAMPLE.glob("*.txt"):
        shutil.copy(path, files / path.name)
    original = "004_2d799a09d0bc18b1"
    (files / "from_another_site.txt").write_text(
        repost((SAMPLE / f"{original}.txt").read_text(encoding="utf-8"), random.Random(3)), encoding="utf-8"
    )
    index = Index(tmp_path / "index", ["hashing"])  # ingestion mechanics: no model needed
    report = sync_paths(index, [files], progress=False)
    assert "1 reposted copies linked" in report.summary()
    rows = {r.doc_id: r for r in index.catalog.documents()}
    copy, kept = (
        ("from_another_site", original)
        if rows["from_another_site"].copy_of
        else (original, "from_another_site")
    )
    assert rows[copy].copy_of == kept and rows[kept].copies == (copy,)
    view = index.view()
    assert not any(c.doc_id == copy for c in view.chunks.values())  # searched once
    dense = index.dense_search("七赛七比", 30)
    assert copy not in {h.chunk.doc_id for hits in dense.values() for h in hits}
    assert view.copies_of(kept) == (rows[copy].source,)
    (files / "from_another_site.txt").unlink()
    sync_paths(index, [files], prune=True, progress=False)
    assert index.catalog.copies() == {}
