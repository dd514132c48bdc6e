"""Which city a speech is about, from the place names in it.

The gazetteer is the administrative-division table (adcode, name) shipped by the `cpca` package:
provinces, 300+ prefecture-level cities and their 2,800+ districts and counties. A district or county
counts for the city it belongs to; a name shared by several places splits its weight between them.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.lexicon import jieba_dictionary
from ingest.records import UNKNOWN_CITY

_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "盟", "省", "市", "区", "县", "旗")
# Short forms that read as ordinary words in a speech, whatever the dictionary says.
_NOT_PLACES = frozenset("城区 新区 市中 市南 市北 郊区 矿区 开发 高新 经济 新城 老城 东区 西区 南区 北区 城关 城中".split())


@lru_cache(maxsize=1)
def _everyday_words() -> frozenset[str]:
    """Words jieba's dictionary knows as something other than a place (比如, 资源, 和平): a district
    with such a short name is only recognised by its full name (比如县, 资源县, 和平区)."""
    everyday = {w for w, (freq, tag) in jieba_dictionary().items() if tag not in ("ns", "nr", "nrt") and freq >= 20}
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
    if place.level == 1 or city is None:  # municipalities' districts have no city row
        return _short(place.name) if place.level == 1 else _short(places()[place.province_code].name)
    return city.short


def find_city(text: str) -> list[str]:
    """Cities (short names) named in a short text such as a question: 临沂, 聊城."""
    pattern, by_name = _name_index()
    found: list[str] = []
    for m in pattern.finditer(text):
        for place in by_name[m.group()]:
            if place.level == 1 and city_name(place) not in found:
                found.append(city_name(place))
    return found


def guess_city(simplified_text: str, *, min_score: float = 2.0, dominance: float = 2.0) -> CityGuess:
    """The prefecture-level city most place names in the text point to, with evidence and confidence.

    A city's own name weighs 2, a district or county 1 (split between namesakes). The answer is
    `unknown` unless the best city scores at least `min_score` and `dominance` times the runner-up:
    one stray word that happens to be a county's name (商都, 红旗) cannot outvote real evidence.
    """
    pattern, by_name = _name_index()
    scores: dict[str, float] = defaultdict(float)
    evidence: dict[str, list[str]] = defaultdict(list)
    province_of: dict[str, str] = {}
    for m in pattern.finditer(simplified_text):
        candidates = [p for p in by_name[m.group()] if p.level >= 1]
        for place in candidates:
            city = city_name(place)
            scores[city] += (2.0 if place.level == 1 else 1.0) / len(candidates)
            if m.group() not in evidence[city]:
                evidence[city].append(m.group())
            province_of[city] = _short(places()[place.province_code].name)
    if not scores:
        return CityGuess(UNKNOWN_CITY, "", 0.0, ())
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])[:2]
    city, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = round(best / (best + runner_up) * min(1.0, best / (2 * min_score)), 2)
    if best < min_score or best < dominance * runner_up:
        summary = tuple(f"{c}:{'、'.join(evidence[c][:4])}" for c, _ in sorted(scores.items(), key=lambda kv: -kv[1])[:3])
        return CityGuess(UNKNOWN_CITY, "", confidence, summary)
    return CityGuess(city, province_of[city], confidence, tuple(evidence[city][:8]))
