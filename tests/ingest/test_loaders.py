"""Loaders: encodings and formats, and one clear error per bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.loaders import LoadError, decode_text, discover, html_to_text, load_file

SENTENCE = "臨沂市要抓好項目策劃儲備，全力推進重點項目建設。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16", "utf-16-le"])
def test_decodes_common_chinese_encodings(tmp_path: Path, encoding: str) -> None:
    text = (
        SENTENCE * 20
        if encoding not in ("gbk", "gb18030")
        else "临沂市要抓好项目策划储备，全力推进重点项目建设。" * 20
    )
    path = tmp_path / "speech.txt"
    path.write_bytes(text.encode(encoding))
    loaded = load_file(path)
    assert loaded.documents[0].text.lstrip("\ufeff") == text


def test_decode_rejects_binary_and_empty() -> None:
    with pytest.raises(LoadError, match="binary"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    with pytest.raises(LoadError, match="empty"):
        decode_text(b"   \n")


def test_html_drops_scripts_and_navigation() -> None:
    html = (
        "<html><head><title>市长讲话</title><script>alert(1)</script></head><body><nav>首页 | 新闻</nav>"
        "<p>第一段讲话。</p><div>第二段<br>第三行</div><footer>版权</footer></body></html>"
    )
    text = html_to_text(html)
    assert "alert" not in text and "首页" not in text and "版权" not in text
    assert "第一段讲话。" in text and "第三行" in text and "市长讲话" in text


def test_docx_and_bad_docx(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("一、抓项目")
    document.add_paragraph("要抓好项目建设。")
    good = tmp_path / "good.docx"
    document.save(good)
    assert "要抓好项目建设。" in load_file(good).documents[0].text
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"this is not a zip file at all")
    with pytest.raises(LoadError, match="docx"):
        load_file(bad)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(LoadError, match="no text layer"):
        load_file(path)
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(LoadError):
        load_file(corrupt)


def test_jsonl_lines_become_documents_and_bad_lines_warnings(tmp_path: Path) -> None:
    path = tmp_path / "reports.jsonl"
    lines = [
        json.dumps(
            {"title": "2022年报告", "content": "国内生产总值增长5.5%左右。", "year": "2022"},
            ensure_ascii=False,
        ),
        "{not json",
        json.dumps({"title": "空"}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    loaded = load_file(path)
    assert [d.source for d in loaded.documents] == [f"{path}#1"]
    assert loaded.documents[0].fields["year"] == "2022"
    assert len(loaded.warnings) == 2


def test_unsupported_and_missing(tmp_path: Path) -> None:
    odd = tmp_path / "x.exe"
    odd.write_bytes(b"MZ")
    with pytest.raises(LoadError, match="unsupported"):
        load_file(odd)
    files, errors = discover([tmp_path, tmp_path / "nope.txt"])
    assert files == [] and "no such file" in str(errors[0])


def test_a_collection_export_over_a_speechs_limit_loads_and_a_speech_that_size_does_not(
    tmp_path: Path, seed_text
) -> None:  # type: ignore[no-untyped-def]
    from ingest.loaders import MAX_BYTES

    record = json.dumps({"title": "讲话", "content": seed_text["004"]}, ensure_ascii=False)
    copies = MAX_BYTES // len(record.encode("utf-8")) + 2
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join([record] * copies) + "\n", encoding="utf-8")
    assert export.stat().st_size > MAX_BYTES
    assert len(load_file(export).documents) == copies  # many speeches in one file: within its own limit
    speech = tmp_path / "speech.txt"
    speech.write_text(
        seed_text["004"] * (MAX_BYTES // len(seed_text["004"].encode("utf-8")) + 2), encoding="utf-8"
    )
    with pytest.raises(LoadError, match="too large.*separate speeches"):
        load_file(speech)
