"""Query understanding on literal questions in all three scripts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answer.pipeline import Assistant
from assistant.query.english import Translation, choose_translations, family, pivot, translate_terms
from assistant.query.places import cities_in
from assistant.query.plan import language_of, plan_query
from vectorstore.index import Index
from vectorstore.records import Filters


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("放管服改革要达到什么目标？", ("zh", "simplified")),
        ("放管服改革要達到什麼目標？", ("zh", "traditional")),
        ("What did the speeches say about land quotas?", ("en", "latin")),
    ],
)
def test_language_and_script(question: str, expected: tuple[str, str]) -> None:
    assert language_of(question) == expected


def test_cities_years_and_comparison() -> None:
    plan = plan_query("compare Linyi and Liaocheng on investment")
    assert plan.cities == ("临沂", "聊城") and plan.comparison
    assert "investment" in plan.topic and "linyi" not in plan.topic
    assert plan_query("2022年政府工作报告提出的经济增长目标是多少？").years == ("2022",)
    assert plan_query("比較臨沂和聊城的招商").cities == ("临沂", "聊城")


def test_followups_carry_topic_or_entities() -> None:
    plan = plan_query("And Huizhou?", ["What did the speeches say about land quotas?"])
    assert plan.followup and plan.cities == ("惠州",) and "land quotas" in plan.standalone
    plan = plan_query("那惠州呢？", ["临沂对土地指标有什么要求？"])
    assert plan.cities == ("惠州",) and "土地指标" in plan.standalone
    plan = plan_query("他对招商有什么要求？", ["聊城的会议是谁讲话的？"])
    assert plan.cities == ("聊城",) and "招商" in plan.standalone
    assert not plan_query("河长制有什么要求？", ["聊城的会议是谁讲话的？"]).followup


def test_a_followup_naming_only_another_year_keeps_the_topic() -> None:
    plan = plan_query("那2023年呢？", ["2022年政府工作报告的赤字率是多少？"])
    assert plan.years == ("2023",) and plan.standalone == "2023年政府工作报告的赤字率是多少？"
    plan = plan_query("And 2023?", ["What deficit ratio did the 2024 report plan?"])
    assert plan.years == ("2023",) and "2024" not in plan.standalone and "deficit ratio" in plan.standalone


def test_a_followup_naming_a_year_from_the_conversations_year_asks_about_that_year() -> None:
    plan = plan_query("次年的报告对就业提了什么目标？", ["2019年政府工作报告怎么讲稳就业？"])
    assert plan.followup and plan.years == ("2020",) and "就业" in plan.standalone
    plan = plan_query("那前一年呢？", ["2022年政府工作报告的赤字率是多少？"])
    assert plan.years == ("2021",) and plan.standalone == "2021年政府工作报告的赤字率是多少？"
    plan = plan_query("What about the following year?", ["What deficit ratio did the 2023 report plan?"])
    assert plan.years == ("2024",) and "deficit ratio" in plan.standalone
    # no year to count from: nothing is made up
    assert plan_query("第二年呢？", ["临沂对土地指标有什么要求？"]).years == ()
    assert plan_query("第二年的报告说了什么？").years == ()


def test_a_year_counted_from_the_conversations_is_a_filter_not_a_key_term(hashed_sample_index: Index) -> None:
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    plan = assistant.understand(
        "第二年的讲话对项目谋划有什么要求？", ["2019年的讲话对重点项目有什么要求？"], view
    )
    query = assistant.query(plan, view, Filters())
    assert (query.filters.date_from, query.filters.date_to) == ("2020", "2020")
    assert [c.forms for c in query.concepts if "第二年" in c.forms] == []
    assert any("谋划" in c.forms for c in query.concepts)


def test_a_year_typed_in_full_width_digits_is_the_same_year(hashed_sample_index: Index) -> None:
    """Chinese input methods type ２０２０ in full width: the year filter is the same as for 2020."""
    assert plan_query("２０２０年以后临沂的项目建设有什么进展？").year_span == ("2020", "")
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    for asked in ("２０２０年临沂对项目建设有什么要求？", "2020年临沂对项目建设有什么要求？"):
        plan = assistant.understand(asked, [], view)
        query = assistant.query(plan, view, Filters())
        assert plan.years == ("2020",)
        assert (query.filters.date_from, query.filters.date_to) == ("2020", "2020")


def test_english_terms_map_to_chinese() -> None:
    chinese = {w for t in translate_terms("mask production during the epidemic") for w in t.chinese}
    assert "口罩" in chinese
    assert cities_in("compare Huizhou with Linyi") == ["惠州", "临沂"]


def test_a_romanised_place_is_read_whole_and_a_persons_name_is_no_place() -> None:
    """CC-CEDICT writes Xi’an with a typographic apostrophe and Hong Kong in two words: its "Xi" made
    Xi Jinping a question about 西安 (a comparison with "no speeches from 西安" in its table), and
    "Hong" named 香港 alone. A possessive still names its place."""
    assert cities_in("What did Xi Jinping ask of Huizhou?") == ["惠州"]
    assert cities_in("Xi’an, Xi'an and Hong Kong") == ["西安", "香港特别行政区"]
    assert cities_in("Inner Mongolia's plan, Linyi's plan") == ["内蒙古自治区", "临沂"]
    assert cities_in("Turpan City") == ["吐鲁番"]
    assert cities_in("a Hong Kong-style inner party") == ["香港特别行政区"]


def test_irregular_and_british_forms_find_their_entries() -> None:
    english = {t.english for t in translate_terms("Which meetings were held on the centre's programmes?")}
    assert {"hold", "center"} <= english


def test_the_corpus_chooses_among_dictionary_senses() -> None:
    """'party' beside 'interfere': the sense whose passages also hold the other terms' words wins,
    and a word the corpus never uses is not searched for."""
    import numpy as np

    passages = {"共产党": [1, 2, 3, 9], "干涉": [2, 3], "派对": [], "聚会": [7], "一行": [5, 6, 8]}
    rows = lambda word: np.asarray(passages.get(word, []), dtype=np.int64)  # noqa: E731
    chosen = choose_translations(
        [
            Translation("party", ("一行", "派对", "聚会", "共产党")),
            Translation("interfere", ("干涉", "干扰")),
        ],
        rows,
    )
    assert chosen[0].chinese[0] == "共产党" and "派对" not in chosen[0].chinese
    assert chosen[1].chinese == ("干涉",)
    missing = choose_translations([Translation("world cup", ("世界杯",))], rows)
    assert missing[0].chinese == ("世界杯",)  # kept: the abstention check must see the corpus lacks it


def test_an_english_term_the_corpus_never_writes_is_read_through_its_word_family(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """incubation: CC-CEDICT gives 潜伏期 and 孵化期, which the sample speeches never write; its family
    offers 孵化 and 孵化器 (incubate, incubator), which they write beside 平台."""
    assert {"孵化", "孵化器"} <= set(family(Translation("incubation", ("潜伏期", "孵化期"))).chinese)
    assert family(Translation("Zhang Xuanyu", ("张旋宇",), name=True)).chinese == ()
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    asked = "Which startup and incubation platforms does the Linyi speech list?"
    query = assistant.query(assistant.understand(asked, [], view), view, Filters())
    (incubation,) = [c for c in query.concepts if "潜伏期" in c.forms]
    assert any(w.startswith("孵化") for w in incubation.readings) and not incubation.absent
    assert incubation.forms == ("潜伏期",)  # searched and ranked as before: the reading is a guess


def test_the_words_a_chinese_question_asks_with_are_no_key_terms(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """jieba keeps 哪些方面, 怎么办, 几场, 怎样才能 and 由谁来 whole and tags them as anything but a
    pronoun: they were key terms the speeches never write, as if the question were about them. An
    interrogative in a word marks how the question asks; the words around it stay."""
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    for asked, kept in [
        ("蘭陵縣的農村人居環境整治擂臺賽，主要比哪些方面？", "人居"),
        ("陕西那个市的煤矿停工了，讲话里说要怎么办？", "停工"),
        ("临沂一共设了几场综合擂台赛？", "擂台赛"),
        ("县长说项目投资工作怎样才能进入良性循环？", "良性循环"),
        ("临沂那几个展示擂台的片区，由谁来直接抓？", "片区"),
    ]:
        query = assistant.query(assistant.understand(asked, [], view), view, Filters())
        forms = [w for c in query.concepts for w in c.forms]
        assert kept in forms and not any(w[0] in "哪怎几" or "谁" in w for w in forms), (asked, forms)


def test_a_person_a_speech_names_is_a_name_of_an_english_question(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """Xi Jinping is 习近平, whom the Huizhou speech quotes (习近平总书记…): a name the passages hold, not
    two words no dictionary reads. A misspelt document word (speach) is a document word, as "speech"
    is: no term, where it had become 演说, a word the speeches never write and so a missing idea."""
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    asked = "Which remark by Xi Jinping does the Huizhou speach cite to stress urgency?"
    concepts = assistant.query(assistant.understand(asked, [], view), view, Filters()).concepts
    names = [c for c in concepts if c.name]
    assert [c.forms for c in names] == [("习近平",)] and not names[0].absent
    assert not any("演说" in c.forms or "speach" in c.forms for c in concepts)


def test_a_chinese_word_the_corpus_never_writes_is_read_through_its_senses(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """底子 is not in the sample speeches; 基础 (its sense "foundation") is, beside 产业. The reading says the
    idea is there; it does not rank passages. A word with no reading beside the others stays absent."""
    assert "基础" in pivot("底子").chinese
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    query = assistant.query(
        assistant.understand("临沂的产业底子怎么样，有什么突出问题？", [], view), view, Filters()
    )
    (base,) = [c for c in query.concepts if c.forms == ("底子",)]
    assert "基础" in base.readings and not base.absent and base.held_as[0] == "底子"
    query = assistant.query(
        assistant.understand("陕西那篇讲话是否提到自来水管老化的问题？", [], view), view, Filters()
    )
    assert all(c.absent and not c.readings for c in query.concepts if c.forms == ("自来水管",))


def test_two_terms_searched_as_the_same_words_are_one_concept(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """'development-zone' and 'zones' are both searched as 开发区: one idea, weighed once."""
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    asked = "In Linyi's development-zone contest, what yardsticks decide which zones rank first?"
    query = assistant.query(assistant.understand(asked, [], view), view, Filters())
    assert [t.chinese for t in query.translations].count(("开发区",)) == 2
    assert [c.forms for c in query.concepts].count(("开发区",)) == 1


def test_a_year_is_a_filter_not_a_key_term_and_another_number_is_a_key_term(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """The year pattern is the grammar's (ingest.grammar.YEAR): 2020 says when, 6000 what."""
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    asked = "2020年惠州的产业类项目投资有6000多亿元吗？"
    forms = [
        c.forms for c in assistant.query(assistant.understand(asked, [], view), view, Filters()).concepts
    ]
    assert ("6000",) in forms and not any(f[0].startswith("2020") for f in forms)


def test_a_month_in_an_english_question_says_when_not_what(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """ "December" is CC-CEDICT's 十二月, which the speeches write as 12月: read as a key term, it was an
    idea the corpus lacks, and weighed against every passage."""
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    query = assistant.query(
        assistant.understand("What did the reporter write about the meeting in December?", [], view),
        view,
        Filters(),
    )
    assert "十二月" in {w for t in query.translations for w in t.chinese}
    assert not any("十二月" in c.forms for c in query.concepts)


def test_a_chinese_verb_the_corpus_never_writes_is_how_the_question_asks(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """形容 ("to describe") and 打算 ("to plan") are the asker's words: their absence from the speeches
    is a phrasing they do not use, as an English verb term's is. A noun they never write (演唱会) is an
    idea they lack."""
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()

    def concepts(question: str) -> dict[str, tuple[bool, bool]]:
        query = assistant.query(assistant.understand(question, [], view), view, Filters())
        return {c.forms[0]: (c.absent, c.action) for c in query.concepts}

    described = concepts("惠州講話怎麼形容產業對一個城市的重要性？")
    assert described["形容"] == (False, True) and described["产业"] == (False, False)
    concert = concepts("临沂的奥体中心建好以后，打不打算办演唱会？")
    assert concert["演唱会"] == (True, False)
    assert concert.get("打算", (False, True)) == (False, True)


def test_a_yes_no_question_asked_as_a_not_a_holds_no_key_term_in_that_form(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """是不是 is how the question asks (as 吗 would): no speech writes it, and read as a key term it was
    an idea every passage lacked."""
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    query = assistant.query(
        assistant.understand("縣長是不是在抱怨只有他跟市長在乾著急？", [], view), view, Filters()
    )
    forms = {c.forms[0] for c in query.concepts}
    assert "是不是" not in forms and {"县长", "市长"} <= forms


def test_a_level_spoken_of_is_where_the_question_asks_not_what_about(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """县里 (in the county) names the county's speech as 临沂 names Linyi's: the passages of a county
    document rank first among those holding as much of the question, and the word is no key term the
    corpus lacks. A place named settles where instead, and the level word is then what it says."""
    from assistant.answer.evidence import specific_first

    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()

    def query(question: str):  # type: ignore[no-untyped-def]
        return assistant.query(assistant.understand(question, [], view), view, Filters())

    county = query("县里的项目谋划机制是怎么建立的？")
    assert county.levels == ("county",)
    assert "县里" not in {c.forms[0] for c in county.concepts}
    assert query("How did the county head describe project planning?").levels == ("county",)
    named = query("临沂讲话引用省里的说法是什么？")  # where is 临沂; 省里 is whose saying, a key term
    assert named.levels == () and "省里" in {c.forms[0] for c in named.concepts}
    hits = assistant.retriever.search(view, county.search, k=20).fused
    assert {h.chunk.doc_id[:3] for h in hits} > {"001"}  # other speeches' passages are ranked too
    ranked = specific_first(county, hits, view)
    assert ranked[0].chunk.doc_id.startswith("001")
    unlevelled = replace(county, plan=replace(county.plan, levels=()))
    assert specific_first(unlevelled, hits, view)[0].chunk.doc_id[:3] != "001"


def test_a_compound_is_mentioned_when_all_its_parts_are() -> None:
    from assistant.answer.evidence import mentions

    assert mentions("从主观上讲，我们自身的原因必须深刻剖析", "主观原因")
    assert not mentions("火星探测取得新进展", "火星移民")
    assert mentions("河长制", "河长制") and not mentions("河长", "河长制")


def test_terms_with_function_words_are_found_after_a_possessive() -> None:
    """A dictionary term holding a function word (rule of law, five-year plan) is taken whole, and the
    words after a possessive are still cut at the right place."""
    found = {
        t.english: t.chinese
        for t in translate_terms("What did the people's congress say about socialist rule of law?")
    }
    assert found["rule of law"][0] == "法治" and "socialist" in found and "law" not in found
    assert found["people congress"] == ("人大",)  # two names standing together in a longer sense
    assert {t.english for t in translate_terms("the first five-year plan")} == {"five year plan"}


def test_a_possessive_reads_the_same_in_a_question_and_in_a_dictionary_sense() -> None:
    """CC-CEDICT writes possessives in its senses (县长: "county's head commissioner") as questions do;
    both drop them alike, so that the question's phrase meets the sense."""
    found = {t.english: t.chinese for t in translate_terms("What did the county's head commissioner say?")}
    assert "县长" in found["county head commissioner"]


def test_a_noun_compound_meets_a_sense_written_with_of() -> None:
    """English names a thing of a thing both ways: CC-CEDICT's 作风 is "style of work", a question says
    "work style". Read word by word it was 操作 ("to work") and 风格, neither of which the speeches
    use for a cadre's conduct."""
    found = {
        t.english: t.chinese for t in translate_terms("What problems did they find with cadres' work style?")
    }
    assert found.get("work style", ())[:1] == ("作风",)
    assert "work" not in found


def test_a_compound_written_closed_meets_the_sense_written_open() -> None:
    """CC-CEDICT writes 一线 "front line"; a question writes "frontline", whose own sense is 排头兵
    ("the soldier at the head of the line"). Both spellings are read."""
    found = {
        t.english: t.chinese for t in translate_terms("What frontline leadership does it ask of cadres?")
    }
    assert "一线" in found["frontline"]


def test_two_names_standing_together_in_a_longer_sense_are_read_together() -> None:
    """CC-CEDICT's 县长 is "county's head commissioner"; a question says "county head". Read word by
    word, head was 头部 (the body part), which no speech writes: an idea the corpus seemed to lack."""
    found = {
        t.english: t.chinese
        for t in translate_terms("How did the county head describe the projects?", per_term=8)
    }
    assert "县长" in found["county head"] and "head" not in found
    verbs = {t.english for t in translate_terms("Gaotang county has several projects under construction.")}
    assert "have several" not in verbs  # a verb and its object are no name (多用: "have several uses")


def test_a_dictionary_verb_is_read_in_the_form_it_is_written() -> None:
    """CC-CEDICT's 创建 is "to found": a base form, which lemmatised would be "find", so that a question
    asking what a speech found (or the Chinese 发现 read through its sense "to find") read 创建."""
    find = {t.english: t.chinese for t in translate_terms("What problems did the speech find?")}
    assert "创建" not in find["find"] and "找到" in find["find"]
    found = {t.english: t.chinese for t in translate_terms("When was the company founded?")}
    assert "创建" in found["found"]


def test_a_term_whose_first_usable_sense_frames_the_question_is_dropped() -> None:
    """'stress' is 应力 first in the dictionary, but the first sense a text can use is 强调, a
    stopword: the term says how the question asks (as 强调 would in Chinese), and its physics sense
    must not count as an idea the corpus lacks."""
    import numpy as np

    passages = {"迫切": [1, 2], "足球": [3]}
    rows = lambda word: np.asarray(passages.get(word, []), dtype=np.int64)  # noqa: E731
    framing = lambda word: word in {"强调", "问题"}  # noqa: E731
    chosen = choose_translations(
        [Translation("stress", ("应力", "讲求", "强调", "重音")), Translation("urgency", ("迫切性", "迫切"))],
        rows,
        framing=framing,
    )
    assert [t.english for t in chosen] == ["urgency"] and chosen[0].chinese == ("迫切",)
    kept = choose_translations([Translation("football", ("足球", "问题"))], rows, framing=framing)
    assert kept[0].chinese == ("足球",)  # a framing sense after one the corpus writes drops nothing


@pytest.mark.parametrize(
    ("question", "term", "chinese"),
    [
        ("What did the 2010 report say about the Shanghai World Expo?", "world expo", "世博会"),
        (
            "How did the report characterise the struggle against the 'Gang of Four'?",
            "gang of four",
            "四人帮",
        ),
        ("When was the Qinghai-Tibet Railway completed?", "qinghai tibet railway", "青藏铁路"),
        # a sense that is one capitalised word is that proper noun (Internet was 全网 and 五毛, a slur)
        ("Which report first announced the 'Internet Plus' action plan?", "internet", "互联网"),
        ("Does Linyi have a cooperation zone with Japan?", "japan", "日本"),
        ("What did the reports say about Marxism?", "marxism", "马克思主义"),
    ],
)
def test_proper_nouns_and_terms_holding_a_place_are_translated_whole(
    question: str, term: str, chinese: str
) -> None:
    """A dictionary sense that opens with a capitalised term (World Expo, Gang of Four: …) is that
    term; a term holding a place name (Qinghai-Tibet railway) is looked up before places are taken
    out of the question as filters."""
    found = {t.english: t.chinese for t in translate_terms(question, per_term=8)}
    assert chinese in found.get(term, ())


@pytest.mark.parametrize(
    ("question", "term", "chinese", "alone"),
    [
        ("And how does he want the development plan carried out?", "carry out", "实施", "carry"),
        ("What is Linyi's plan for opening up?", "open up", "开放", "open"),
    ],
)
def test_a_verb_and_its_particle_are_one_dictionary_word(
    question: str, term: str, chinese: str, alone: str
) -> None:
    """ "carried out" is CC-CEDICT's "carry out" (实施), not "carry" (携带) and a particle no term at all;
    the phrasal verb is what the question does, as its verb would be."""
    found = {t.english: t for t in translate_terms(question, per_term=8)}
    assert chinese in found[term].chinese and found[term].action
    assert alone not in found


def test_pronouns_point_rather_than_name() -> None:
    from vectorstore.keyword import points

    assert points("哪一年") and points("这些")
    assert not points("政策") and not points("单独") and not points("钢铁")


def test_english_stemming_is_safe_across_threads() -> None:
    """The server answers several English questions at once: stemming from many threads gives each
    word the stem one thread alone gives it, and never fails (a shared stemmer raised IndexError)."""
    import sys
    from concurrent.futures import ThreadPoolExecutor

    import snowballstemmer

    from assistant.query import english

    ends = ("e", "es", "ed", "ing", "ation", "ations", "ment", "ments", "er", "ers", "ingly", "ity")
    words = [
        f"{stem}{end}" for stem in ("organiz", "revitaliz", "prosper", "invest", "develop") for end in ends
    ]

    def stem_all(offset: int) -> list[str]:
        stemmer = english._stemmer()  # the stemmer this thread is given
        return [stemmer.stemWord(words[(offset + i) % len(words)]) for i in range(3000)]

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(stem_all, range(8)))
    finally:
        sys.setswitchinterval(interval)
    reference = snowballstemmer.stemmer("english")
    assert results == [
        [reference.stemWord(words[(o + i) % len(words)]) for i in range(3000)] for o in range(8)
    ]


def test_a_phrase_composed_from_words_does_not_span_a_number_or_a_stop() -> None:
    written = ("治政府", "干涉内部事务")  # what this made-up corpus writes

    def occurs(phrase: str) -> int:
        return 5 if any(w.startswith(phrase) for w in written) else 0

    found = {
        t.english: t.chinese
        for t in translate_terms(
            "What rules did the 2024 government report set on interfering in the internal affairs of others?",
            per_term=8,
            occurs=occurs,
        )
    }
    assert not any("rule" in e and "government" in e for e in found), found  # 2024 stands between
    assert found.get("interfere internal affair") == ("干涉内部事务",), found  # function words do not


def test_the_words_each_compared_place_takes_are_not_the_topic() -> None:
    chinese = plan_query("陕西那篇和惠州那篇讲话都谈到信心，两边各是怎么说的？")
    assert chinese.comparison and "那篇" not in chinese.topic and "信心" in chinese.topic
    english = plan_query("What did Linyi's speech and Liaocheng's speech say about investment?")
    assert english.cities == ("临沂", "聊城") and "speech" not in english.topic
    assert "investment" in english.topic


def test_the_documents_searched_are_told_in_the_readers_script_and_language(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """ "Searched …" names the places as the rest of the answer does (臨沂 in a Traditional answer,
    Linyi (临沂) in an English one) and counts one document as one."""
    from assistant.answer.compose import searched

    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()

    def scope(question: str, language: str, script: str) -> str:
        return searched(
            assistant.query(assistant.understand(question, [], view), view, Filters()), view, language, script
        )

    assert scope("臨沂的奧體中心建好以後，打不打算辦演唱會？", "zh", "traditional").startswith(
        "檢索範圍：1篇文件（臨沂；"
    )
    assert scope("Will Linyi's Olympic sports centre host concerts?", "en", "latin").startswith(
        "Searched 1 document (Linyi (临沂); "
    )
    assert scope("What do the speeches say about land?", "en", "latin").startswith("Searched 5 documents (")


def test_a_quote_keeps_to_one_paragraph_and_never_quotes_a_heading() -> None:
    """A news report's headline and a speech's title line hold no full stop: read up to the next one,
    the quote was the headline, the byline and the lead run together, cited as the headline's
    paragraph. A paragraph's end ends a sentence; a heading written in the text is no sentence."""
    from assistant.answer.quotes import best_quote, elided, quoting
    from ingest.records import Chunk, DocMeta
    from vectorstore.records import Hit

    headline = "全市重点项目现场观摩总结会议召开 孙爱军讲话"
    text = (
        f"{headline}\n本报讯(记者曹天伟)12月5日，全市重点项目现场观摩总结会议召开。\n"
        "孙爱军指出，观摩项目呈现“四多四少”的特点。观摩发现大项目少。"
    )
    chunk = Chunk("d:0000", "d", (headline,), text, text, (1, 2, 3), 0, len(text), "h")
    start, end = best_quote(Hit(chunk, 1.0, "bm25"), ["观摩", "项目"])
    assert "\n" not in text[start:end] and headline not in text[start:end]
    citation = quoting(1, chunk, DocMeta(title=headline), start, end, 1.0, "d.txt")
    assert citation.quote.startswith("本报讯") and citation.paragraph == 2
    assert not elided(citation).startswith("…")  # a paragraph's start is a sentence's start
    start, end = best_quote(Hit(chunk, 1.0, "bm25"), ["四多四少", "大项目"])
    assert text[start:end] == "孙爱军指出，观摩项目呈现“四多四少”的特点。观摩发现大项目少。"


def test_a_word_that_marks_a_comparison_is_no_search_term() -> None:
    """'both' makes a question a comparison (words.ACROSS_EN) as 'compare' does, and like 'compare' it
    is not searched for: translated, it was 二者, a noun the speeches never write, which silenced both
    columns of "Huizhou and the Shaanxi city both worried about industrial investment…"."""
    question = (
        "Huizhou and the Shaanxi city both worried about industrial investment. How did each describe it?"
    )
    assert plan_query(question).comparison
    found = {t.english for t in translate_terms(question)}
    assert "both" not in found and {"industrial", "investment"} <= found


def test_a_passage_holding_as_much_as_the_first_quoted_one_is_quoted_too() -> None:
    """The first passage is always quoted; another holding the same terms was listed as only possibly
    related when a third held more than both (惠州講話怎麼形容產業對一個城市的重要性？: the answering passage,
    holding 产业 and 城市 as the first does, sat among the possibly related)."""
    from types import SimpleNamespace

    from assistant.answer.evidence import bearing
    from assistant.query.build import Concept
    from ingest.records import Chunk, DocMeta
    from vectorstore.keyword import tokenize_zh
    from vectorstore.records import Hit
    from vectorstore.view import IndexView

    texts = ["产业兴则城市兴。", "产业是一个城市的命脉。", "认识产业的重要性。", "做好民生工作。"]
    chunks = [Chunk(f"a:{i:04d}", "a", ("h",), t, t, (1,), 0, len(t), "x") for i, t in enumerate(texts)]
    view = IndexView.build(1, [(c, tokenize_zh(c.text)) for c in chunks], {"a": DocMeta(title="讲话")}, {})
    topics = (Concept(("产业",), 1.2, False), Concept(("城市",), 1.6, False), Concept(("重要性",), 3.9, True))
    hits = [Hit(c, 1.0, "fused") for c in chunks]
    assert bearing(SimpleNamespace(topics=topics), hits, view) == [True, True, True, False]  # type: ignore[arg-type]


def test_a_one_character_term_weighs_as_often_as_passages_hold_it(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """ "party" is 党, a token jieba seldom cuts alone (党委, 党员), so its token IDF was the highest of any
    term while nearly every passage holds the character; what a quote must share with the best one was
    then mostly 党. It weighs as the passages hold it, as a passage is read for it."""
    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()
    question = "What did the party secretary say about cadres' work style?"
    query = assistant.query(assistant.understand(question, [], view), view, Filters())
    party = next(c.weight for c in query.concepts if c.forms == ("党",))
    highest = max(view.bm25.idf_of(w) for w in ("党", "作风", "干部"))
    assert party < view.bm25.idf_of("党") == highest


def test_an_idea_searched_in_several_forms_is_as_rare_as_the_forms_the_corpus_writes(
    hashed_sample_index: Index,
) -> None:
    """ "official" is searched as 干部 and 正式: the speeches write 干部 in many passages and 正式 in one.
    Weighed by its rarest form, the idea was as rare as a word written once, and "specific", which put
    first the passages holding 干部 for a question about first-rate and second-rate leadership. An idea
    searched as interchangeable forms weighs as they do together (as a synonym group scores in BM25): by
    the commonest form the corpus writes, and by the highest weight only when it writes none."""
    from assistant.query.build import Concept, _weight

    assistant = Assistant(hashed_sample_index)
    view = hashed_sample_index.view()

    def concepts(question: str) -> tuple[Concept, ...]:
        return assistant.query(assistant.understand(question, [], view), view, Filters()).concepts

    official = next(
        c
        for c in concepts(
            "I'm an official in Luozhuang. What counts as first-rate versus second-rate leadership?"
        )
        if "干部" in c.forms
    )
    assert len(official.forms) > 1
    assert view.passages_with("干部").size > view.passages_with(official.forms[-1]).size
    assert official.weight == _weight("干部", view) < max(_weight(w, view) for w in official.forms)
    assert not official.specific
    # a term none of whose forms the corpus writes is still as rare as a word can be
    absent = [c for c in concepts("What did the speeches say about cryptocurrency?") if c.absent]
    assert absent and all(c.weight == view.bm25.idf_of("不存在的词语") and c.specific for c in absent)


def test_the_question_is_read_into_its_search_form_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan carries the question's search form: making it normalises the question once, a copy with
    other places (as `Assistant.understand` makes) reads nothing again, and a copy asking another text
    (a comparison's side, a rewritten follow-up) reads that text."""
    import assistant.query.plan as plan_module

    calls: list[str] = []
    real = plan_module.normalize_text

    def counting(text: str) -> str:
        calls.append(text)
        return real(text)

    converted: list[str] = []
    real_simplified = plan_module.to_simplified

    def converting(text: str) -> str:
        converted.append(text)
        return real_simplified(text)

    monkeypatch.setattr(plan_module, "normalize_text", counting)
    monkeypatch.setattr(plan_module, "to_simplified", converting)
    plan = plan_query("聊城對招商引資有什麼要求？")
    assert calls == ["聊城對招商引資有什麼要求？"] and converted == calls
    assert plan.normalized == plan.normalized_original == "聊城对招商引资有什么要求？"
    assert plan.simplified == "聊城对招商引资有什么要求？"  # what the embedders read
    held = replace(plan, cities=("聊城市",))
    assert len(calls) == 1 and len(converted) == 1 and held.normalized == plan.normalized
    side = replace(plan, standalone="臨沂對招商引資有什麼要求？", topic="对招商引资有什么要求？")
    assert side.normalized == "临沂对招商引资有什么要求？" and side.normalized_original == plan.normalized
    assert side.simplified == "临沂对招商引资有什么要求？"
    assert replace(plan, standalone="What about Investment?").simplified == "What about Investment?"
    english = replace(plan, standalone="What about investment?", topic="what about investment?")
    assert english.search_language == "en" and plan.search_language == "zh"


def test_the_places_are_read_once_and_what_stands_between_them_from_their_spans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A comparison of two places joined with the same words after each (陕西那篇和惠州那篇) reads its
    places once: their cities, that they are joined and the words each takes come from the spans."""
    import assistant.query.places as places_module

    calls: list[str] = []
    real = places_module.place_spans

    def counting(text: str) -> list[tuple[str, int, int]]:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(places_module, "place_spans", counting)
    plan = plan_query("陕西那篇和惠州那篇讲话对项目建设的要求有什么不同？")
    assert plan.cities == ("陕西省", "惠州") and plan.comparison
    assert "那篇" not in plan.topic and "项目建设" in plan.topic
    assert len(calls) == 1
    followup = plan_query("去掉惠州，加上聊城", ["比较临沂和惠州的招商引资"])
    assert followup.cities == ("临沂", "聊城") and len(calls) == 3  # the follow-up's and the question's


def test_a_misspelt_word_is_read_as_meant_and_a_new_word_or_a_name_as_written() -> None:
    """A slip of the keyboard is not an idea the corpus lacks: the question is translated as if spelt
    right. A word the checker cannot place one letter from a known word (bitcoin), a word of pinyin
    syllables (huiyang, not guiyang) and a capitalised word stay as written."""
    from assistant.query.english import spelled

    right = translate_terms("What did the government report say about companies and bank loans?")
    slipped = translate_terms("What did the goverment report say about compnies and bank lonas?")
    assert slipped == right and all(t.chinese for t in slipped)
    assert spelled("speach") == "speech"
    assert [spelled(w) for w in ("bitcoin", "metaverse", "huiyang")] == ["bitcoin", "metaverse", "huiyang"]
    found = {t.english for t in translate_terms("What did Compnies say?")}
    assert "company" not in found


def test_a_glossary_phrase_holding_a_function_word_is_read_whole() -> None:
    """The glossary's "new area" (新区) lost its "new" with the other function words and became "area":
    every area of a question was 新区 ("Which areas of reform are key?"). It is read whole, as the
    dictionary's terms that hold a function word are; phrases keeping two words stay as they were."""
    found = {t.english: t.chinese for t in translate_terms("Which areas of reform are key?")}
    assert "新区" not in found["area"]
    assert {
        t.english: t.chinese for t in translate_terms("What did the report say about the Xiongan New Area?")
    }["new area"] == ("新区",)
    both = {
        t.english: t.chinese for t in translate_terms("What about the Belt and Road and tax and fee cuts?")
    }
    assert both == {"belt road": ("一带一路",), "tax fee cut": ("减税降费",)}


def test_a_dictionary_term_may_open_with_a_function_word_but_not_an_article() -> None:
    """ "this year" is 今年 and "under construction" 在建, read whole; "year" alone was 年度 and quoted
    年度10件惠民实事 for Yunnan's tourism plans. No term opens with an article or a question word: "the
    year" is CC-CEDICT's 两千年 (two thousand years)."""
    found = {t.english: t.chinese for t in translate_terms("What does Yunnan plan for tourism this year?")}
    assert found["this year"][0] == "今年" and "year" not in found
    built = {t.english: t.chinese for t in translate_terms("Which projects are under construction?")}
    assert built["under construction"] == ("在建",)
    ahead = {
        t.english: t.chinese for t in translate_terms("What did the 1960 report say about the year ahead?")
    }
    assert "the year" not in ahead and "两千年" not in ahead.get("year", ())
    # a term the last word opens with the words after it goes first: "on land use" is 用地, not 陆上
    land = {t.english: t.chinese for t in translate_terms("How do Linyi and Huizhou differ on land use?")}
    assert "on land" not in land and land["land use"] == ("用地",)


def test_a_lower_case_word_no_dictionary_reads_is_kept_without_chinese() -> None:
    asked = "Did the speech mention bitcoin mining in Huiyang?"
    found = {t.english: t.chinese for t in translate_terms(asked)}
    assert found["bitcoin"] == () and found["mining"]  # kept, to count as absent; translated as before
    assert "huiyang" not in found  # capitalised: a name, not an idea
    # simplemma lemmatises in steps (meetings -> meeting -> meet, the dictionary's key): not unread
    assert not any(t.chinese == () for t in translate_terms("What was each of the meetings for?"))


def test_the_topic_chip_keeps_a_word_jieba_cuts_a_character_off(hashed_sample_index) -> None:  # type: ignore[no-untyped-def]
    """jieba cuts 比特币 as 比特|币 and 元宇宙 as 元|宇宙: the chip shows the word the person typed."""
    from assistant.query.scope import make_scope

    view = hashed_sample_index.view()

    def topic(question: str) -> str:
        return make_scope(plan_query(question), view, Filters()).topic

    assert topic("聊城讲话提到比特币了吗？") == "比特币"
    assert topic("元宇宙产业有什么安排？") == "元宇宙产业"
    assert topic("讲话里关于土地指标都说了什么？") == "土地指标"  # no particle or pronoun taken in
    # 项目 heads most of the speeches' titles, but written against the topic as the speeches write them
    # together it is the topic (the chip showed 建设, and asked again from the chips searched for that)
    assert topic("浙江对项目建设有什么要求？") == "项目建设"
    assert topic("临沂对重点项目有什么要求？") == "重点项目"  # only words of titles: they are the topic
    # English words as typed: a name stays a name when the chips ask the question again
    asked = "Which remark by Xi Jinping does the Huizhou speech cite on NFT?"
    scope = make_scope(plan_query(asked), view, Filters())
    assert scope.topic == "remark Xi Jinping cite NFT"
    again = translate_terms(scope.keeping([]).question(), names=view.romanised)
    assert any(t.name and t.chinese == ("习近平",) for t in again)
