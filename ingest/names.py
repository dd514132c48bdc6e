"""People a document names, with the post that shows each is a person (市委书记孙爱军, 记者曹天伟), and
the level of government it speaks for (national, provincial, city, county)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.records import Named
from ingest.tagging import Word

_POST = re.compile(
    r"((?:[市县区省州镇乡]|全国|中央|国务院)?(?:委|政协|人大|政府|人大常委会)?(?:常务)?副?"
    r"(?:总书记|书记|主席|市长|县长|区长|省长|州长|主任|部长|局长|厅长|秘书长|总理|委员|记者|代表|镇长|乡长))$")
_SPEAKS = re.compile(r"^(?:同志|讲话|指出|强调|表示|出席|主持|要求|在讲话|在会上|作了|代表|说)")


def people_named(words: Sequence[Word], text: str) -> list[Named]:
    """Words tagged as personal names (nr, 2-4 characters) that a post precedes or a verb of speaking
    follows, each once, with its post where one is written."""
    found: dict[str, str] = {}
    for word in words:
        if word.tag != "nr" or not 2 <= len(word.text) <= 4 or not re.fullmatch(r"[\u4e00-\u9fff]+", word.text):
            continue
        before = text[max(0, word.start - 12):word.start]
        after = text[word.start + len(word.text):word.start + len(word.text) + 4]
        post = _POST.search(before)
        if post or _SPEAKS.match(after):
            role = post.group(1) if post else ""
            if not found.get(word.text):
                found[word.text] = role
    return [Named(name, "person", role) for name, role in found.items()]


_LEVEL_WORDS = (
    ("national", r"国务院|全国人民代表大会|全国代表大会|中共中央|党中央|中央委员会|总理"),
    ("provincial", r"省委|省长|省政府|省人大|自治区党委|自治区政府"),
    ("city", r"市委|市长|市政府|市人大|州委|州长|全市"),
    ("county", r"县委|县长|县政府|县人大|旗委|旗长|全县|全旗"),
)
_SCOPE_WORDS = {"national": "全国", "provincial": "全省", "city": "全市", "county": "全县"}


def document_level(title: str, text: str) -> tuple[str, str]:
    """(level, the words that show it): first from the title (国务院政府工作报告, 市委书记在…), then the
    head of the text, then whichever of 全国/全省/全市/全县 the text uses most (at least 3 times)."""
    for part in (title, text[:300]):
        hits = [(m.start(), level, m.group()) for level, pattern in _LEVEL_WORDS for m in re.finditer(pattern, part)]
        if hits:
            _, level, word = min(hits)
            return level, word
    counts = {level: text.count(word) for level, word in _SCOPE_WORDS.items()}
    level = max(counts, key=lambda k: counts[k])
    return (level, f"{_SCOPE_WORDS[level]}×{counts[level]}") if counts[level] >= 3 else ("", "")
