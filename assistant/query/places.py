"""Places named in questions: Chinese city names from the gazetteer, and their romanised forms
(Linyi, Harbin, Shaanxi) from CC-CEDICT, so that an English question names the same city."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from assistant.query.cedict import cedict_entries
from assistant.query.words import PLACES_ADD, PLACES_COMPARE_WITH, PLACES_ONLY, PLACES_REMOVE
from assistant.wording import phrase
from ingest.gazetteer import city_spans, province_name, province_of_city, province_spans, short_name
from ingest.normalize import normalize_text, to_traditional
from ingest.records import NATIONAL
from ingest.romanize import in_pinyin, syllables
from ingest.tables import stored

_DIVISION = "(?:City|Prefecture|League|County|District|Municipality|Province)"  # 市, 地区, 盟, 县, 省…
_NAME = r"[A-Z][a-z]+(?:['’][a-z]+)?"  # a capitalised word of a name (Linyi, Xi’an)
MAX_NAME_WORDS = 3  # Bayan Nur, Hong Kong, Inner Mongolia


def _english_names(level: int, suffix: str) -> dict[str, str]:
    """Romanised name -> Chinese short name for the gazetteer's places of one level, from CC-CEDICT:
    the pinyin (linyi -> 临沂) and, where it differs, the English name the definition starts with
    (Harbin -> 哈尔滨, Shaanxi -> 陕西)."""
    from ingest.gazetteer import places

    wanted = {p.short for p in places().values() if p.level == level and len(p.short) >= 2}  # not 县
    out: dict[str, str] = {}
    for entry in cedict_entries():
        word = entry["simplified"]
        short = word.removesuffix(suffix)
        if short not in wanted:
            continue
        out.setdefault(re.sub(r"[^a-z]", "", entry["pinyin"].lower()), short)
        # the name the sense opens with, whole (Xi’an; Hong Kong; Turpan in "Turpan City in Xinjiang")
        m = re.match(
            rf"{_NAME}(?:\s+{_NAME})*?(?=\s+{_DIVISION}\b|\s*[,;(]|\s+[a-z]|$)", entry["definitions"][0]
        )
        if m:
            out.setdefault(re.sub(r"[^a-z]", "", m.group().lower()), short)
    return out


@stored
def english_place_names() -> dict[str, str]:
    """Romanised city names: linyi -> 临沂, harbin -> 哈尔滨."""
    return _english_names(1, "市")


def english_city_name(city: str) -> str:
    """How English writes a city of the gazetteer: 临沂 -> Linyi (its shortest romanised name)."""
    return _city_names_in_english().get(city, city)


@lru_cache(maxsize=1)
def _city_names_in_english() -> dict[str, str]:
    return {
        chinese: name.capitalize()
        for name, chinese in sorted(english_place_names().items(), key=lambda kv: -len(kv[0]))
    }


def english_place_name(place: str) -> str:
    """How English writes a city or province the documents are from: Linyi, Hebei; a province's
    conventional English name where CC-CEDICT gives one about as long as its pinyin (Shaanxi, not the
    Shanxi 陕西 shares with 山西; Tibet); the name itself if none."""
    if place in _city_names_in_english():
        return english_city_name(place)
    short = short_name(place)
    pinyin = "".join(syllables(short))
    names = [name for name, chinese in english_province_names().items() if chinese == short]
    conventional = [n for n in names if not n.startswith(pinyin) and len(n) >= len(pinyin) - 1]
    chosen = conventional[0] if conventional else pinyin if pinyin in names else ""
    return chosen.capitalize() if chosen else place


@stored
def english_province_names() -> dict[str, str]:
    """Romanised province names: shandong -> 山东, shaanxi -> 陕西."""
    return _english_names(0, "省")


@dataclass(frozen=True, slots=True)
class PlacesNamed:
    """Where a question names places, read once (`read_places`): (place, start, end) of each Chinese
    name in its search form and of each romanised name in the text as typed. What stands between two of
    them (a conjunction, the same words after each) and the edit words of their clauses are read from
    it, not by finding the places again."""

    normalized: str
    typed: str
    chinese: tuple[tuple[str, int, int], ...]
    english: tuple[tuple[str, int, int], ...]

    @property
    def cities(self) -> list[str]:
        """The places in order, Chinese names first: 临沂, 聊城, 山东省."""
        return list(dict.fromkeys(place for place, _, _ in (*self.chinese, *self.english)))

    def texts(self) -> tuple[tuple[str, tuple[tuple[str, int, int], ...]], ...]:
        """(text, the spans of the places it names) for the search form and the text as typed."""
        return ((self.normalized, self.chinese), (self.typed, self.english))


def read_places(question: str, normalized: str = "") -> PlacesNamed:
    """The places a question names. `normalized`: its search form, when the caller has it."""
    chinese = normalized or normalize_text(question)
    return PlacesNamed(chinese, question, tuple(place_spans(chinese)), tuple(english_city_spans(question)))


def english_city_spans(question: str) -> list[tuple[str, int, int]]:
    """(place, start, end) of each capitalised romanised city or province name in an English question
    (Linyi, Shandong -> 山东省); a name a city shares with its province (Jilin) is the city's."""
    cities, provinces = english_place_names(), english_province_names()
    words = list(re.finditer(r"[A-Za-z]+(?:['’][A-Za-z]+)?", question))
    out = []
    i = 0
    while i < len(words):
        found = None
        # the longest run of capitalised words, one space or hyphen apart, that spells a name
        for j in range(min(i + MAX_NAME_WORDS, len(words)), i, -1):
            run = words[i:j]
            if any(not w.group()[0].isupper() for w in run) or any(
                question[a.end() : b.start()] not in (" ", "-") for a, b in zip(run, run[1:], strict=False)
            ):
                continue
            start, last = run[0].start(), run[-1]
            for end in (last.end(), last.start() + len(re.sub(r"['’].*", "", last.group()))):  # Linyi's
                key = re.sub(r"[^a-z]", "", question[start:end].lower())  # Xi’an is xian
                place = cities.get(key) or (province_name(provinces[key]) if key in provinces else "")
                if place:
                    found = (place, start, end, j)
                    break
            if found:
                break
        if found:
            out.append(found[:3])
            i = found[3]
        else:
            i += 1
    return out


def place_spans(text: str) -> list[tuple[str, int, int]]:
    """(place, start, end) of the cities and provinces a (normalised) Chinese text names, in order."""
    return sorted(city_spans(text) + province_spans(text), key=lambda span: span[1])


def place_forms(place: str) -> tuple[str, ...]:
    """How a question may write a place: 山东省, 山东, Shandong; 临沂, Linyi."""
    short = short_name(place)
    roman = [
        r for r, c in {**english_place_names(), **english_province_names()}.items() if c in (place, short)
    ]
    return tuple(dict.fromkeys([place, short, *roman]))


def held_places(
    places: tuple[str, ...],
    held: tuple[str, ...],
    named: Callable[[str], bool] = lambda place: False,
    by_place: bool = False,
) -> tuple[str, ...]:
    """The places a question names, as the index holds them (`held`: the places its documents are
    from). A name a city shares with its province (吉林) is the province when only the province's
    documents are held. Where the collection is of places' documents (`by_place`: cities' speeches,
    provinces' reports), a place no document is from stays, to be answered as missing (惠州 asked of
    other cities, 广东 of nine other provinces' reports: it was dropped, and the question answered
    from the others as if asked of them), and a province stays to be searched through its cities'
    documents (山东 over speeches of 临沂 and 聊城). A place stays too when a document of unknown place
    names places in it (`named`: 董家河, a town of 铜川), to be searched there. Otherwise a province
    says where a city named beside it lies (山东省里对临沂…), and in national documents a place no
    document is from is what they are asked about (西藏的发展, the Shanghai World Expo): left out."""
    out: list[str] = []
    for place in places:
        full = province_name(place)
        if place not in held and full in held:
            place = full
        elif place not in held:
            province = [span[0] for span in province_spans(place)] == [place]
            around = province and any(province_of_city(other) == full for other in places if other != place)
            if not named(full if province else place) and (around or not by_place):
                continue
            place = full if province else place
        if place not in out:
            out.append(place)
    return tuple(out)


def place_edits(places: PlacesNamed) -> dict[str, str]:
    """For each city a follow-up names with an edit word in its clause: add, remove or only
    ("去掉聊城，只看临沂" -> 聊城 remove, 临沂 only; "和聊城比呢" -> 聊城 add; "and Huizhou too" -> 惠州 add).
    The nearest edit word of the clause decides; a city named without one is not in the result."""
    out: dict[str, str] = {}
    for text, spans in places.texts():
        edits = [
            (m.start(), m.end(), kind)
            for kind, pattern in (
                ("add", PLACES_ADD),
                ("remove", PLACES_REMOVE),
                ("only", PLACES_ONLY),
                ("add", PLACES_COMPARE_WITH),
            )
            for m in pattern.finditer(text)
        ]
        for city, start, end in spans:
            clause = (
                max((text.rfind(mark, 0, start) for mark in "，,；;。"), default=-1),
                min((i for i in (text.find(mark, end) for mark in "，,；;。") if i >= 0), default=len(text)),
            )
            near = [
                (0 if s <= start and e >= end else min(abs(start - e), abs(s - end)), kind)
                for s, e, kind in edits
                if clause[0] < s and e <= clause[1] + 1
            ]
            if near and city not in out:
                out[city] = min(near)[1]
    return out


# What may stand between two places that are asked about side by side: a conjunction or a list mark
# (临沂和聊城, 临沂、聊城, Linyi and Liaocheng, "临沂 聊城 招商"), with the places' own suffixes; or the
# same words after each place before the conjunction (陕西那篇和惠州那篇).
_AND = r"(和|与|及|以及|跟|同|或|、|,|，|/|&|and|or|vs\.?|versus)"
_JOINED = re.compile(rf"^\s*(市|city|城市)?\s*{_AND}?\s*(the\s+)?$", re.I)
_CONJUNCTION = re.compile(rf"^(?P<head>.+?)\s*{_AND}\s*(the\s+)?$", re.I)


def places_joined(places: PlacesNamed) -> bool:
    """Two of the cities the question names stand side by side, joined by a conjunction or a list mark,
    alone or each with the same words after it (陕西那篇和惠州那篇, Linyi's speech and Liaocheng's
    speech): they are asked about together. "惠州如何看待深圳的带动作用" names 深圳 as what 惠州 is
    asked about."""
    return any(
        _JOINED.match(between) or _parallel(between, following) for between, following in _neighbours(places)
    )


def parallel_words(places: PlacesNamed) -> str:
    """The words each of two joined places is followed by, in their search form (那篇 in 陕西那篇和惠州那篇,
    's speech in Linyi's speech and Liaocheng's speech), or "": they belong to the places, not to the
    topic."""
    heads = (_parallel(between, following) for between, following in _neighbours(places))
    return normalize_text(next((head for head in heads if head), ""))


def _neighbours(places: PlacesNamed) -> Iterator[tuple[str, str]]:
    """For each two places named one after the other (in Chinese, then romanised): the text between
    them, and as much of the text after the second (its leading spaces dropped)."""
    for text, spans in places.texts():
        ordered = sorted((s, e) for _, s, e in spans)
        for (_, end), (start, after) in zip(ordered, ordered[1:], strict=False):
            yield text[end:start], text[after:].lstrip()[: start - end]


def _parallel(between: str, following: str) -> str:
    """The words between the first place and the conjunction (`between` the two places) when they
    also open what follows the second: two parallel phrases joined (陕西那篇和惠州那篇); else ""."""
    found = _CONJUNCTION.match(between)
    head = found.group("head").strip() if found else ""
    return head if head and following.lower().startswith(head.lower()) else ""


def cities_in(text: str) -> list[str]:
    """Places (cities, and provinces by their full names) a text names, in Chinese or romanised, in
    order: 临沂, 聊城, 山东省."""
    return read_places(text).cities


def where_label(place: str, language: str, script: str) -> str:
    """How a reader is told where a document is from (`place` is DocMeta.where or Citation.where):
    the city or province in the reader's script, 全国 / national, or 城市不详 / city unknown."""
    if place == NATIONAL:
        return phrase("national", language, script)
    if not place:
        return phrase("unknown_city", language, script)
    if language == "en":  # Linyi (临沂), Hebei (河北省): the name as English writes it, and as the text does
        english = english_place_name(place)
        return f"{english} ({place})" if english != place else f"{in_pinyin(short_name(place))} ({place})"
    return to_traditional(place) if script == "traditional" else place
