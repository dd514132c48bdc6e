"""Traditional to Simplified: the text OpenCC's t2s gives, without its walk over text it would not change."""

from __future__ import annotations

import pytest

from ingest.normalize import _t2s, to_simplified, to_traditional
from tests.conftest import SAMPLE

# characters t2s converts; phrases that convert a character it otherwise keeps (瞭, 沈, 覆), one it
# keeps in a phrase (乾坤), and entries with two written forms (情有獨鍾)
CASES = ["會議", "瞭解情況", "沈默", "答覆", "乾坤", "乾燥", "情有獨鍾", "老態龍鍾", "么麼", "土地指標", "x"]


def lines() -> list[str]:
    simplified = [
        line for path in sorted(SAMPLE.glob("*.txt")) for line in path.read_text("utf-8").split("\n")
    ]
    return CASES + simplified + [to_traditional(line) for line in simplified]


def test_to_simplified_is_opencc_t2s_on_every_line_of_the_sample_in_both_scripts() -> None:
    converter = _t2s()
    for line in lines():
        assert to_simplified(line) == converter.convert(line), line


def test_text_without_a_character_t2s_converts_skips_the_converter(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> str:
        raise AssertionError(f"converted {text!r}")

    monkeypatch.setattr(_t2s(), "convert", refuse)
    simplified = "今年要抓好重点项目建设，确保土地指标优先保障重大项目。Land quotas 2019"
    assert to_simplified(simplified) == simplified
    with pytest.raises(AssertionError):
        to_simplified("瞭解")  # 瞭 is Simplified too, but t2s changes it in this phrase
