"""People and places a document names, with what shows each (a post: 市委书记孙爱军, 记者曹天伟; a
city: 兰山 of 临沂), and the level of government it speaks for (national, provincial, city, county)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.gazetteer import COMMON_WORD, place_mentions
from ingest.lexicon import jieba_dictionary
from ingest.records import Named
from ingest.tagging import Word

_POSTS = (
    r"(?:总书记|书记|主席|市长|县长|区长|省长|州长|主任|部长|局长|厅长|秘书长|总理|委员|记者|代表|镇长|乡长)"
)
_POST = re.compile(
    r"((?:[市县区省州镇乡]|全国|中央|国务院)?(?:委|政协|人大|政府|人大常委会)?(?:常务)?副?" + _POSTS + r")$"
)
_POST_AFTER = re.compile(r"^(副?" + _POSTS + ")")  # 习近平总书记, 孙爱军书记
_SPEAKS = re.compile(r"^(?:同志|讲话|指出|强调|表示|出席|主持|要求|在讲话|在会上|作了|代表|说)")


def people_named(words: Sequence[Word], text: str) -> list[Named]:
    """Words tagged as personal names (nr, and jieba's nrfg for the names its dictionary holds:
    习近平; 2-4 characters) that a post precedes, or a verb of speaking or a post follows, each once,
    with its post where one is written."""
    found: dict[str, str] = {}
    for word in words:
        if (
            word.tag not in ("nr", "nrfg")
            or not 2 <= len(word.text) <= 4
            or not re.fullmatch(r"[\u4e00-\u9fff]+", word.text)
        ):
            continue
        before = text[max(0, word.start - 12) : word.start]
        after = text[word.start + len(word.text) : word.start + len(word.text) + 4]
        post = _POST.search(before) or _POST_AFTER.match(after)
        if post or _SPEAKS.match(after):
            role = post.group(1) if post else ""
            if not found.get(word.text):
                found[word.text] = role
    return [Named(name, "person", role) for name, role in found.items()]


_PLACE_KIND = re.compile(
    r"^(?:高新区|新区|开发区|经开区|园区|产业园|工业园|宾馆|酒店|饭店|湾|湖|港|镇|村|街道|大学|学院|广场|公园)"
)
RARE_PLACE_WORD = 30  # jieba tags many everyday words as places (滑坡, 并联); a rare one is a name (沂蒙)
MAX_NAMES = 60  # of each kind, in order of first appearance: enough to find a document by its names


def places_named(words: list[Word], text: str) -> list[Named]:
    """Places the text names as whole words: those of the gazetteer, with their city, and names the
    tagger marks as places or that a kind of place follows (仲恺 in 仲恺高新区, 东昌 in 东昌宾馆), which
    no table lists, with no city."""
    found: dict[str, str] = {}
    for mention in place_mentions(words, strict=False):
        found.setdefault(mention.name, "、".join(mention.cities[:2]))
    common = jieba_dictionary()
    for word in words[:-1]:
        if (
            not (2 <= len(word.text) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", word.text))
            or word.text in found
        ):
            continue
        known = common.get(word.text)
        kind_follows = _PLACE_KIND.match(text[word.start + len(word.text) :]) is not None
        if (
            kind_follows
            and (known is None or known[1] == "ns" and known[0] < COMMON_WORD)
            or (word.tag == "ns" and (known is None or known[0] < RARE_PLACE_WORD))
        ):
            found[word.text] = ""
    return [Named(name, "place", city) for name, city in list(found.items())[:MAX_NAMES]]


_LEVEL_WORDS = (
    ("national", r"国务院|全国人民代表大会|全国代表大会|中共中央|党中央|中央委员会|总理"),
    ("provincial", r"省委|省长|省政府|省人大|自治区党委|自治区政府"),
    ("city", r"市委|市长|市政府|市人大|州委|州长|全市"),
    ("county", r"县委|县长|县政府|县人大|旗委|旗长|全县|全旗"),
)
_SCOPE_WORDS = {"national": "全国", "provincial": "全省", "city": "全市", "county": "全县"}
# how a question names a level without naming a place: speaking of it (县里, 省上, 本市), or in English
_SPOKEN_LEVEL = {
    "provincial": r"省里|省上|本省|我省|\bthe province\b|\bprovincial (?:government|party|leaders?)\b"
    r"|\bgovernor\b",
    "city": r"市里|市上|本市|\bcity (?:government|party|leaders?)\b|\bmayor\b|\bmunicipal\b",
    "county": r"县里|县上|本县|我县|\bthe county\b|\bcounty (?:head|government|party|leaders?|magistrate)\b",
}
LEVEL_SPOKEN = re.compile("|".join(_SPOKEN_LEVEL.values()))  # words to read as a level, not a topic


def document_level(title: str, text: str) -> tuple[str, str]:
    """(level, the words that show it): first from the title (国务院政府工作报告, 市委书记在…), then the
    head of the text, then whichever of 全国/全省/全市/全县 the text uses most (at least 3 times)."""
    for part in (title, text[:300]):
        hits = [
            (m.start(), level, m.group())
            for level, pattern in _LEVEL_WORDS
            for m in re.finditer(pattern, part)
        ]
        if hits:
            _, level, word = min(hits)
            return level, word
    counts = {level: text.count(word) for level, word in _SCOPE_WORDS.items()}
    level = max(counts, key=lambda k: counts[k])
    return (level, f"{_SCOPE_WORDS[level]}×{counts[level]}") if counts[level] >= 3 else ("", "")


def levels_named(question: str) -> tuple[str, ...]:
    """The levels of government a question (in its search form: Simplified, lower case) names, in the
    words a document shows its own with (县长, 市委, 国务院) or spoken (县里, 省上, the county, mayor):
    "县里的项目谋划机制" asks about the county's speech."""
    found = [(m.start(), level) for level, pattern in _NAMING_LEVEL for m in pattern.finditer(question)]
    return tuple(dict.fromkeys(level for _, level in sorted(found)))


_NAMING_LEVEL = tuple(
    (level, re.compile(f"{pattern}|{_SPOKEN_LEVEL[level]}" if level in _SPOKEN_LEVEL else pattern))
    for level, pattern in _LEVEL_WORDS
)
