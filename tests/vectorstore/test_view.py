"""Corpus statistics of one index state: looked up once per state, exact where the question path
relies on them (rarity counts occurrences, not token co-occurrence)."""

from __future__ import annotations

from ingest.records import Chunk, DocMeta
from vectorstore.keyword import tokenize_zh
from vectorstore.records import Filters
from vectorstore.view import ChunkTable, IndexView, TitleIndex


def chunk(doc_id: str, n: int, text: str) -> tuple[Chunk, list[str]]:
    c = Chunk(f"{doc_id}:{n:04d}", doc_id, ("h",), text, text, (1,), 0, len(text), "x")
    return c, tokenize_zh(text)


def view() -> IndexView:
    rows = [
        chunk("a", 0, "重点项目建设要加快推进，项目建设是重点。"),
        chunk("a", 1, "河长制要全面落实。"),
        chunk("b", 0, "十九大报告提出新的目标。"),
        chunk("c", 0, "建设项目的审批要加快。"),
    ]
    metas = {
        "a": DocMeta(title="市委书记在重点项目建设推进会上的讲话", city="惠州", date="2019-05-01"),
        "b": DocMeta(title="决胜全面建成小康社会 (十九大)", date="2017"),
        "c": DocMeta(title="县长讲话", city="临沂"),
    }
    return IndexView.build(1, rows, metas, {"a": "a.txt", "b": "b.jsonl#1", "c": "c.txt"})


def test_titles_containing_a_piece() -> None:
    titles = TitleIndex.build(
        {"a": DocMeta(title="重点项目建设推进会"), "b": DocMeta(title="十九大报告 (十九大)")}
    )
    assert titles.containing("十九大") == ["b"]
    assert (
        titles.containing("项目建设") == ["a"] and titles.containing("项目") == []
    )  # under three characters
    assert titles.containing("建设推进会议") == []


def test_a_title_naming_a_congress_in_full_is_found_by_its_short_name() -> None:
    """Most reports' titles carry 十二大; the 11th's is 在中国共产党第十一次全国代表大会上的政治报告, which
    a question asking for the 十一大 report (or "the 11th Party Congress report") did not find."""
    titles = TitleIndex.build(
        {
            "p11": DocMeta(title="在中国共产党第十一次全国代表大会上的政治报告"),
            "p12": DocMeta(title="全面开创社会主义现代化建设的新局面 (十二大)"),
            "npc": DocMeta(title="第十三届全国人民代表大会第五次会议关于政府工作报告的决议"),
        }
    )
    assert titles.containing("十一大") == ["p11"] and titles.containing("十二大") == ["p12"]
    assert titles.titles["p12"].count("十二大") == 1 and "大)" not in titles.titles["npc"]


def test_occurrences_are_exact_and_stop_past_the_limit() -> None:
    v = view()
    assert v.occurrences("项目建设", 10) == 2  # twice in one chunk; 建设项目 in another chunk does not count
    assert (
        v.occurrences("河长制", 10) == 1 and v.occurrences("火星移民", 10) == 0
    )  # jieba cuts 河长|制要 there
    assert v.occurrences("项目", 1) == 2  # counted up to limit + 1 only
    assert v.occurrences("", 10) == 11  # nothing to look for: counts as common


def test_derived_sets_and_filters() -> None:
    v = view()
    assert v.cities == ("临沂", "惠州") and v.years == frozenset({"2019", "2017"})
    assert v.documents_allowed(Filters(date_from="2018")) == ["a"]
    assert v.documents_allowed(Filters(doc_ids=("b", "nope"))) == ["b"]
    hits = v.keyword_search(tokenize_zh("项目建设"), 5, Filters(cities=("惠州",)))
    assert {h.chunk.doc_id for h in hits} == {"a"}


def test_phrase_texts_are_read_from_the_catalog_once() -> None:
    texts = {"p1": "项目建设", "p2": "河长制", "p3": "十九大", "p4": "招商", "p5": "土地", "p6": "指标"}
    reads: list[list[str]] = []

    def read(ids: list[str]) -> dict[str, str]:
        reads.append(sorted(ids))
        return {i: texts[i] for i in ids}

    table = ChunkTable({i: k for k, i in enumerate(texts)}, lambda ids: {}, cache=2, texts=read)
    assert table.search_texts(["p1", "p2", "nope"]) == ["项目建设", "河长制"]
    assert table.search_texts(["p2", "p3"]) == ["河长制", "十九大"]
    assert reads == [["p1", "p2"], ["p3"]]  # p2 was not read again
    assert len(table.search_texts(list(texts))) == 6  # read in full, but the cache keeps twice the passage
    assert list(table._text_cache) == ["p3", "p4", "p5", "p6"]  # cache's number: the oldest texts went first
