"""Title, date, speaker, city inference and manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.clean import clean_text
from ingest.gazetteer import find_city, guess_city
from ingest.metadata import ManifestError, infer_meta, load_manifest
from ingest.normalize import to_simplified


def test_meta_of_seed_000_from_text(seed_text: dict[str, str]) -> None:
    raw = seed_text["000"]
    meta = infer_meta(raw, clean_text(raw).text, {})
    assert meta.date == "2020-08-25"
    assert meta.title == "在全市“重點工作攻堅年”“重大項目突破年”推進會議上的講話"
    assert meta.city == "临沂" and meta.province == "山东"
    assert {"兰山", "罗庄", "莒南"} <= set(meta.city_evidence)
    assert meta.script == "traditional"


def test_meta_of_news_report_004(seed_text: dict[str, str]) -> None:
    raw = seed_text["004"]
    meta = infer_meta(raw, clean_text(raw).text, {})
    assert meta.city == "聊城" and meta.speaker == "孙爱军"


def test_weak_evidence_is_unknown(seed_text: dict[str, str]) -> None:
    assert guess_city(to_simplified(clean_text(seed_text["001"]).text)).city == "unknown"
    assert guess_city("资源要比如何利用").city == "unknown"  # words that are also county names


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
