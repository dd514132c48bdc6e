"""Title, date, speaker, city inference and manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clean import clean_text
from ingest.gazetteer import find_city, guess_city
from ingest.metadata import ManifestError, infer_meta, load_manifest
from ingest.normalize import to_simplified
from ingest.tagging import tag_words
from tests.conftest import DATA


def test_meta_of_seed_000_from_text(seed_text: dict[str, str]) -> None:
    raw = seed_text["000"]
    meta = infer_meta(raw, clean_text(raw).text, {})
    assert meta.date == "2020-08-25"
    assert meta.title == "在全市“重點工作攻堅年”“重大項目突破年”推進會議上的講話"
    assert meta.city == "临沂" and meta.province == "山东省"
    assert {"兰山", "罗庄", "莒南"} <= set(meta.city_evidence)
    assert meta.script == "traditional"


@pytest.mark.parametrize(
    ("text", "fields", "date"),
    [
        # a date in the speech's own sentences is one it talks about: the record's year dates it
        (
            "各位代表：\n\n现在，我代表国务院作政府工作报告。\n\n从2004年7月1日起，全国提高企业退休人员基本养老金标准。",
            {"title": "2005年中华人民共和国国务院政府工作报告", "year": 2005},
            "2005",
        ),
        # a dateline before the first sentence dates it
        (
            "2024年政府工作报告\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n\n各位代表：\n\n现在，我代表"
            "国务院作报告。从2023年7月1日起施行。",
            {},
            "2024-03-05",
        ),
        # a licence notice after the speech dates nothing; the congress the title names does
        (
            "同志们，我们的组织成立不久。\n\n这部作品在1931年1月1日以前以匿名或別名發表，確實作者身份不明",
            {"title": "廣州共產黨報告 (一大)"},
            "1921",
        ),
    ],
    ids=["a date in the speech", "a dateline", "a licence notice"],
)
def test_a_date_the_speech_writes_in_its_sentences_does_not_date_it(
    text: str, fields: dict[str, object], date: str
) -> None:
    assert infer_meta(text, clean_text(text).text, fields).date == date


def test_meta_of_news_report_004(seed_text: dict[str, str]) -> None:
    raw = seed_text["004"]
    meta = infer_meta(raw, clean_text(raw).text, {})
    assert meta.city == "聊城" and meta.speaker == "孙爱军"


def _guess(text: str):  # type: ignore[no-untyped-def]
    simplified = to_simplified(text)
    return guess_city(tag_words(simplified), simplified)


def test_cities_from_their_parts_without_a_manifest(seed_text: dict[str, str]) -> None:
    """The seeds as a user's own files: each city from its districts, counties and towns, with the
    evidence; a partner city named in passing (深圳) or an everyday word (惠民, 中原, 顺利通过's 利通) is
    not evidence; 001 and 003 name no city (003 names a town two cities have)."""
    metas = {k: infer_meta(v, clean_text(v).text, {}) for k, v in seed_text.items()}
    assert (metas["000"].city, metas["002"].city, metas["004"].city) == ("临沂", "惠州", "聊城")
    assert {"兰山", "罗庄", "莒南", "兰陵"} <= set(metas["000"].city_evidence)
    assert {"潼湖", "在惠"} <= set(metas["002"].city_evidence) and "深圳" not in metas["002"].city_evidence
    assert metas["001"].city == metas["003"].city == "unknown"
    assert metas["003"].city_confidence < 0.3
    assert all(m.level in ("city", "county") for m in metas.values()) and metas["001"].level == "county"


def test_weak_evidence_is_unknown(seed_text: dict[str, str]) -> None:
    assert _guess(clean_text(seed_text["001"]).text).city == "unknown"
    assert _guess("资源要比如何利用").city == "unknown"  # words that are also county names
    assert (
        _guess("加强党的建设和政治建设，坚持创新和发展，确保顺利通过验收").city == "unknown"
    )  # 和政, 新和, 利通
    assert _guess("我们主动接受深圳的辐射，把深圳的项目引进来").city == "unknown"  # a partner, no parts


def test_people_and_places_named_with_their_evidence(seed_text: dict[str, str]) -> None:
    raw = seed_text["004"]
    meta = infer_meta(raw, clean_text(raw).text, {})
    people = {n.name: n.note for n in meta.people}
    assert (
        people["张旋宇"] == "市政协主席" and people["李春田"] == "市委副书记" and people["曹天伟"] == "记者"
    )
    assert people["孙爱军"] == "市委书记"
    places = {n.name: n.note for n in meta.places}
    assert places["高唐县"] == places["东昌府区"] == "聊城"
    meta2 = infer_meta(seed_text["002"], clean_text(seed_text["002"]).text, {})
    assert {"潼湖", "仲恺", "大亚湾"} <= {n.name for n in meta2.places}


def test_a_person_named_before_the_post_is_a_person_the_document_names() -> None:
    """Chinese writes a post after a name as well as before it (习近平总书记, 李强总理), and jieba
    tags the names its dictionary holds nrfg, not nr: 习近平 was no name of Huizhou's speech, so "Xi
    Jinping" in an English question was no term at all."""
    text = "习近平总书记多次强调，抓实体经济一定要抓好制造业。会议由孙爱军书记主持。总书记的要求很明确。"
    meta = infer_meta(text, clean_text(text).text, {})
    people = {n.name: n.note for n in meta.people}
    assert people == {"习近平": "总书记", "孙爱军": "书记"}


def test_national_reports_have_a_level_and_no_city() -> None:
    """The heads of four real government work reports (tests/data/reports_excerpt.jsonl, from the
    corpora): national, and no city even where the text names one city's districts at length."""
    from ingest.loaders import load_file

    districts = "临沂市兰山区、罗庄区、河东区、莒南县、兰陵县要加快发展。"
    for raw in load_file(DATA / "reports_excerpt.jsonl").documents:
        text = raw.text + "\n" + districts * 3
        assert _guess(clean_text(text).text).city == "临沂"  # the places alone would say 临沂
        meta = infer_meta(text, clean_text(text).text, raw.fields)
        assert meta.level == "national" and meta.city == "unknown" and meta.where == "national", meta.title


def test_find_city_in_questions() -> None:
    assert find_city("比较临沂和聊城的招商") == ["临沂", "聊城"]
    assert find_city("惠州市去年") == ["惠州"]


def test_manifest_yaml_csv_and_errors(tmp_path: Path) -> None:
    yaml_file = tmp_path / "m.yaml"
    yaml_file.write_text("documents:\n  a.txt:\n    city: 惠州\n    date: '2019'\n", encoding="utf-8")
    assert load_manifest(yaml_file) == {"a.txt": {"city": "惠州", "date": "2019"}}
    csv_file = tmp_path / "m.csv"
    csv_file.write_text("file,city\nb.txt,聊城\n", encoding="utf-8")
    assert load_manifest(csv_file) == {"b.txt": {"city": "聊城"}}
    bad = tmp_path / "bad.yaml"
    bad.write_text("documents:\n  a.txt:\n    town: x\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="unknown field"):
        load_manifest(bad)


def test_titles_of_all_seeds(seed_text: dict[str, str]) -> None:
    from ingest.metadata import extract_title

    titles = {k: extract_title(v, clean_text(v).text) for k, v in seed_text.items()}
    assert titles["001"] == "縣長在重點項目謀劃推進機制座談會上的講話"
    assert titles["002"] == "市委書記在全市重點項目建設推進會上的講話"
    assert titles["003"] == "在全市20**年重点工作调度会上的讲话"
    assert titles["004"].startswith("全市新旧动能转换重点项目现场观摩总结会议召开")


def test_one_rule_says_where_a_document_is_from_in_every_view() -> None:
    """DocMeta.where and Citation.where follow ingest.records.place_of; readers see it through one
    label, in their language and script."""
    from assistant.query.places import where_label
    from assistant.records import Citation
    from ingest.records import DocMeta, place_of

    assert place_of("惠州", "广东省", "city") == "惠州"
    assert place_of("unknown", "", "national") == "national"
    assert place_of("unknown", "河北省", "provincial") == "河北省"
    assert place_of("unknown", "陕西省", "city") == "陕西省"  # a city's speech, its city not told
    assert place_of("unknown", "", "") == ""
    meta = DocMeta(province="河北省", level="provincial")
    cited = Citation(
        n=1,
        chunk_id="x:0",
        doc_id="x",
        title="",
        source="",
        city=meta.city,
        date="",
        section="",
        paragraph=1,
        text="",
        quote="",
        score=0.0,
        level=meta.level,
        province=meta.province,
    )
    assert meta.where == cited.where == "河北省"
    assert where_label(meta.where, "zh", "traditional") == "河北省"
    assert (
        where_label("national", "zh", "traditional") == "全國"
        and where_label("national", "en", "latin") == "national"
    )
    assert (
        where_label("", "zh", "simplified") == "城市不详" and where_label("", "en", "latin") == "city unknown"
    )
