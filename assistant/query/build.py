"""The Query: everything the later stages need to know about one question, computed once from its
plan and one view of the index. Retrieval, the evidence check, quoting, comparison and evaluation
read it; none of them works out a term, a filter or a weight again."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np

from assistant.options import Options
from assistant.query.english import (
    MIN_PHRASE_USES,
    Translation,
    abbreviated,
    choose_translations,
    family,
    pivot,
    translate_terms,
    verb_words,
)
from assistant.query.meaning import Embed, read_meaning
from assistant.query.places import place_forms
from assistant.query.plan import QueryPlan, shift_of
from assistant.query.words import A_NOT_A, CALENDAR_WORDS, FRAMING_WORDS
from ingest.calendar import congress_of, without_congresses
from ingest.gazetteer import is_place_name
from ingest.grammar import YEAR
from ingest.names import LEVEL_SPOKEN
from vectorstore.calibration import Calibration
from vectorstore.hybrid import SearchQuery
from vectorstore.keyword import (
    bm25_idf,
    content_words,
    is_known_word,
    names_a_thing,
    points,
    says_when,
    tokenize_zh,
    words,
)
from vectorstore.records import Filters
from vectorstore.view import IndexView

Term = str | tuple[str, ...]  # a BM25 term: a token, or a group of interchangeable words
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_YEAR_WORD = re.compile(rf"{YEAR}年?")
_LATIN = re.compile(r"[a-z][a-z&]+")  # words in Latin letters, as a search form writes them
Inferred = tuple[
    tuple[str, str, tuple[str, ...]], ...
]  # (city, document, places it names) for a city no document has
RARE_SHARE = 0.01  # a word used at most once per 100 passages (or never) is specific to what is asked


@dataclass(frozen=True, slots=True)
class Concept:
    """A key term of the question that an answering passage should mention."""

    forms: tuple[str, ...]  # interchangeable forms: a Chinese word, or an English term's translations
    # the IDF of the idea: the lowest among the forms the corpus writes (rarer say more); an English
    # term's, times how much of the question's meaning it carries (`query.meaning`)
    weight: float
    specific: bool  # rare in the corpus (or absent) and a real word: a passage must hold it
    absent: bool = False  # the corpus never writes any of the forms: the idea is missing, not mistranslated
    name: bool = False  # a person or place the documents name (spelled in pinyin, or in characters)
    action: bool = False  # what the question does (hold, write, support), not what it is about
    # words the corpus writes for a term it never writes (底子 -> 基础, incubation's 潜伏期 -> 孵化器;
    # `_readings`): they say whether a passage holds the idea (the decision, the quotes) but do not rank
    # passages, being a guess
    readings: tuple[str, ...] = ()

    @property
    def thing(self) -> bool:
        """The term names a thing (jieba tags it a noun): what a question is about, not how it asks
        (两边, 是不是) or what it does or says of it (着急, 抱怨)."""
        return names_a_thing(self.forms[0])

    @property
    def when(self) -> bool:
        """The term says when (今年, 目前: jieba tags it a time word), not what the question is about."""
        return says_when(self.forms[0])

    @property
    def held_as(self) -> tuple[str, ...]:
        """Every form a passage may hold the term in: the question's own, then the corpus's readings."""
        return self.forms + self.readings


@dataclass(frozen=True, slots=True)
class Query:
    """One question, understood once."""

    plan: QueryPlan
    text: str  # what the embedders see: the question in Simplified, as the passages were embedded
    terms: tuple[Term, ...]  # what BM25 sees (terms naming the filtered documents left out)
    highlight: tuple[str, ...]  # tokens that pick the sentence to quote
    translations: tuple[Translation, ...]  # an English question's terms in the corpus's Chinese
    concepts: tuple[Concept, ...]
    filters: Filters  # the user's, plus cities, years and documents the question names
    fallback: Filters  # the user's own: searched when the inferred filters find nothing
    documents_named: tuple[str, ...]
    missing_cities: tuple[str, ...]  # cities the question names that no document is tagged with
    inferred: Inferred  # documents searched for a missing city because they name it or its places
    weights: Mapping[str, float]  # retriever -> weight in the fusion
    max_per_doc: int
    # the question (plan.simplified) already embedded, by embedder: retrieval reuses it while `text` is
    # the question's own (a comparison's side prefixes its place to it)
    vectors: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def quantity(self) -> bool:
        """The question asks for an amount: quote the sentence that states one (QueryPlan.asks_amount)."""
        return self.plan.asks_amount

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels of government the question names when it names no place (县里 -> county):
        passages of those levels' documents rank first among equals (evidence.specific_first)."""
        return () if self.plan.cities else self.plan.levels

    @property
    def specific(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if c.specific)

    @property
    def topics(self) -> tuple[Concept, ...]:
        """The key terms that say what the question is about, not what it does (hold, support)."""
        return tuple(c for c in self.concepts if not c.action)

    @property
    def search(self) -> SearchQuery:
        vectors = self.vectors if self.text == self.plan.simplified else {}
        return SearchQuery(text=self.text, keywords=self.terms, weights=self.weights, vectors=vectors)


def build_query(
    plan: QueryPlan,
    view: IndexView,
    *,
    filters: Filters = Filters(),
    options: Options = Options(),
    calibrations: Mapping[str, Calibration],
    embed: Embed | None = None,
    embedder: str = "",
) -> Query:
    """The Query for a plan, over one view of the index. `calibrations` has one entry per embedder;
    `embed` embeds questions with `embedder`, the one the answer decision reads, which weighs an
    English question's terms by how much of its meaning each carries (None: by rarity alone); the
    question's vector it gives is the one retrieval searches with."""
    english = plan.search_language == "en"
    translations: tuple[Translation, ...] = ()
    if english and options.translate:
        # composing phrases asks of the same pieces again and again (a prefix, for each length tried)
        occurs = cache(lambda phrase: view.occurrences(phrase, limit=MIN_PHRASE_USES))
        found = translate_terms(plan.standalone, per_term=8, names=view.romanised, occurs=occurs)
        translations = tuple(
            choose_translations(found, view.passages_with, framing=lambda w: not tokenize_zh(w))
        )
    elif options.translate:
        # a Chinese question writes abbreviations in Latin letters (GDP增长目标, AI产业) that the speeches
        # spell out (国内生产总值, 人工智能): read through the dictionary, the corpus choosing among them
        spelled, _ = abbreviated(" ".join(_LATIN.findall(plan.normalized)).upper())
        translations = tuple(choose_translations(spelled, view.passages_with))
    terms = _terms(plan, translations)
    applied, named, missing, inferred = _filters(plan, view, filters, options)
    # what the question is about, not what it does (hold, support): action terms count in no share
    about = [t.english for t in translations if not t.action] if english and embed is not None else []
    reading = read_meaning(plan.simplified, about, embed) if embed is not None and len(about) > 1 else None
    concepts = _concepts(plan, translations, view, reading.shares() if reading else {})
    return Query(
        plan=plan,
        text=plan.simplified,
        terms=_without_document_words(terms, plan, view, applied),
        highlight=tuple(
            token
            for term in terms
            for token in (
                (term,) if isinstance(term, str) else [t for word in term for t in tokenize_zh(word)]
            )
        ),
        translations=translations,
        concepts=concepts,
        filters=applied,
        # a span of years asked for in so many words (2020年以后) is the user's own, not a guess to drop
        fallback=replace(filters, date_from=plan.year_span[0], date_to=plan.year_span[1])
        if any(plan.year_span)
        else filters,
        documents_named=named,
        missing_cities=missing,
        inferred=inferred,
        weights=fusion_weights(
            calibrations, options.retrievers, specific=sum(c.specific and not c.absent for c in concepts)
        ),
        max_per_doc=2 if plan.comparison else options.max_per_doc,
        vectors={embedder: reading.question} if reading and embedder else {},
    )


def fusion_weights(
    calibrations: Mapping[str, Calibration], only: Sequence[str] = (), specific: int = 0
) -> dict[str, float]:
    """How much each retriever counts in the fusion (measured in docs/benchmarks.md). Each embedder
    brings its own calibrated weight; BM25 counts more for questions with specific terms (河长制),
    which keywords answer best. An English question's keywords are dictionary translations, no
    sharper than its embedding: they count as a Chinese question's do (counting them half again
    lost the answering passage from the first five of outside English questions on the reports)."""
    weights = {name: c.fusion_weight for name, c in calibrations.items()}
    weights["bm25"] = 1.0 + 0.5 * min(specific, 2)
    if only:
        weights = {name: (weight if name in only else 0.0) for name, weight in weights.items()}
    return weights


def _terms(plan: QueryPlan, translations: Sequence[Translation]) -> list[Term]:
    """BM25 terms: the question's tokens; for English, its Chinese tokens plus a group per translated
    term (the term counts once, as its best-matching candidate word, a word as its tokens together)."""
    if plan.search_language != "en":
        tokens: list[Term] = list(tokenize_zh(plan.normalized, normalized=True))
        return tokens + [tuple(dict.fromkeys(t.chinese)) for t in translations]
    terms: list[Term] = [
        t for t in tokenize_zh(plan.normalized, normalized=True) if not t.isascii() or t.isdigit()
    ]
    for translation in translations:
        terms.append(tuple(dict.fromkeys(translation.chinese)))
    return [t for t in terms if t]


TITLE_SHARE = 0.3  # a word in this share of the titles names the kind of document (报告, 讲话), not a topic


def title_share(forms: tuple[str, ...], view: IndexView) -> float:
    """The share of the index's titles holding one of the forms (0 with two titles or fewer)."""
    titles = view.titles.titles
    if len(titles) <= 2:
        return 0.0
    return sum(any(f in t for f in forms) for t in titles.values()) / len(titles)


def _without_document_words(
    terms: Sequence[Term], plan: QueryPlan, view: IndexView, filters: Filters
) -> tuple[Term, ...]:
    """Under a year or document filter, terms of the chosen documents' titles (政府工作报告 in "the
    2024 government work report") and a year named from the conversation's (第二年) say which document,
    not what to find in it: they are left out."""
    if not (filters.date_from or filters.doc_ids):
        return tuple(terms)
    titles = " ".join(view.titles.titles[d] for d in view.documents_allowed(filters))

    def useful(token: str) -> bool:
        return token not in titles and token not in plan.years and not shift_of(token)

    kept: list[Term] = []
    for term in terms:
        if isinstance(term, str):
            if useful(term):
                kept.append(term)
        elif group := tuple(t for t in term if useful(t)):
            kept.append(group)
    return tuple(kept)


def _filters(
    plan: QueryPlan, view: IndexView, filters: Filters, options: Options
) -> tuple[Filters, tuple[str, ...], tuple[str, ...], Inferred]:
    """(the user's filters plus what the question names, documents named, cities no document is
    tagged with, documents searched for those cities because they name them or their places)."""
    if not options.entity_filters:
        return filters, (), (), ()
    missing: tuple[str, ...] = ()
    inferred: Inferred = ()
    if plan.cities and not filters.cities:
        missing = tuple(c for c in plan.cities if not view.holds(c))
        cities = tuple(c for c in plan.cities if view.holds(c))
        inferred = tuple((c, doc_id, names) for c in missing for doc_id, names in view.documents_naming(c))
        if inferred:  # tagged documents of the known cities, or documents inferred for the others
            tagged = [d for d in view.doc_ids if set(view.metas[d].regions) & set(cities)]
            filters = replace(filters, doc_ids=tuple(dict.fromkeys([*tagged, *(d for _, d, _ in inferred)])))
        elif cities:
            filters = replace(filters, cities=cities)
    named: tuple[str, ...] = ()
    if not filters.doc_ids:
        named = documents_named(plan, view)
        if named:
            filters = replace(filters, doc_ids=named)
    if any(plan.year_span) and not (filters.date_from or filters.date_to or filters.doc_ids):
        filters = replace(
            filters, date_from=plan.year_span[0], date_to=plan.year_span[1]
        )  # 2020年以后: from 2020 on
    elif (
        plan.years
        and not (filters.date_from or filters.date_to)
        and (not filters.doc_ids or plan.timeline)
        and view.years & set(plan.years)
    ):
        years = sorted(plan.years)
        if len(years) > 1 and not plan.timeline:
            # "the 2006 and 2019 reports": those years' documents, not every year between them (a
            # question about change over time keeps the range)
            filters = replace(filters, doc_ids=tuple(d for y in years for d in view.by_year.get(y, ())))
        else:
            filters = replace(filters, date_from=years[0], date_to=years[-1])
    return filters, named, missing, inferred


def documents_named(plan: QueryPlan, view: IndexView) -> tuple[str, ...]:
    """The documents the question names by a distinctive part of their titles (十九大, 20th party
    congress), in the order the question names them: each the longest run of whole words of the
    question (3 to 12 Chinese characters) that exactly one title contains and that the passages seldom
    use (a topic word in a title, like 重点项目, names nothing), runs not overlapping. "十四大报告怎么评价
    十三大" names two documents; which of them holds the answer is retrieval's to find. A run that every
    title of one yearly series holds (罗庄区政府工作报告) names the series: its documents of the years the
    question names, or all of them, so that "that year's report" and a question over time stay in it.
    A Party congress named as a congress (党的九大, 九大报告, the 9th Party Congress) names the reports
    whose titles name it, however short its name."""
    by_congress = [
        d for n in plan.congresses for d, meta in view.metas.items() if congress_of(meta.title) == n
    ]
    if plan.search_language == "en":
        return tuple(by_congress)
    cut = words(without_congresses(plan.normalized), normalized=True)  # the plan read the congresses
    starts = [sum(len(w) for w in cut[:i]) for i in range(len(cut) + 1)]
    spans = [
        (starts[i], starts[j], "".join(cut[i:j])) for i in range(len(cut)) for j in range(i + 1, len(cut) + 1)
    ]
    taken: list[tuple[int, int, str]] = []  # (start, end, doc_id)
    for start, end, piece in sorted(
        (s for s in spans if 3 <= len(s[2]) <= 12 and _CJK_RUN.fullmatch(s[2])),
        key=lambda s: (-len(s[2]), s[0]),
    ):
        if any(start < e and s < end for s, e, _ in taken):
            continue
        owners = view.titles.containing(piece)
        if len(owners) == 1 and view.is_rare(piece, RARE_SHARE) and owners[0] not in {d for _, _, d in taken}:
            taken.append((start, end, owners[0]))
        elif (
            owners
            and set(view.series_of(owners)) == set(owners)
            and _seldom_beyond_titles(piece, owners, view)
        ):
            # the years asked about; a question over time, every year between them
            years = set(plan.years)
            span = (min(years), max(years)) if plan.timeline and years else None
            taken += [
                (start, end, d)
                for d in view.series[owners[0]]
                if not years
                or (span[0] <= view.metas[d].date[:4] <= span[1] if span else view.metas[d].date[:4] in years)
            ]
    return tuple(dict.fromkeys([*by_congress, *(d for _, _, d in sorted(taken))]))


def _seldom_beyond_titles(piece: str, owners: Sequence[str], view: IndexView) -> bool:
    """The passages seldom use the run, beyond the title line each of its documents may open with."""
    limit = max(2, int(view.size * RARE_SHARE)) + len(owners)
    return view.occurrences(piece, limit) <= limit


def _readings(
    forms: Sequence[tuple[str, ...]], offered: Sequence[Translation], view: IndexView
) -> list[tuple[str, ...]]:
    """For each term the corpus never writes, the words the corpus uses instead, from those `offered`
    (a Chinese word's: its CC-CEDICT senses read back into Chinese, 底子 -> 基础, `english.pivot`; an
    English term's: its word family, incubation -> 孵化器, `english.family`), chosen by the corpus
    (`choose_translations`); () for every other term. A reading stands in the term's role (both name a
    thing, or neither: 比特 "bit" is not 一点 "a bit") and keeps company with another of the question's
    terms more often than chance (more passages hold both than their frequencies give). A term with no
    reading stays absent: the corpus lacks the idea."""
    rows = view.passages_with
    held = [np.unique(np.concatenate([rows(w) for w in f])) if f else np.empty(0, np.int64) for f in forms]
    size = max(view.size, 1)
    out: list[tuple[str, ...]] = [()] * len(forms)
    for i, (f, offer) in enumerate(zip(forms, offered, strict=True)):
        if held[i].size or not f or not offer.chinese:
            continue
        chosen = choose_translations([offer], rows, framing=lambda w: not tokenize_zh(w))
        others = [h for j, h in enumerate(held) if j != i and h.size]
        out[i] = tuple(
            w
            for t in chosen
            for w in t.chinese
            if w not in f
            and names_a_thing(w) == names_a_thing(f[0])
            and any(_associated(rows(w), h, size) for h in others)
        )
    return out


def _associated(a: np.ndarray, b: np.ndarray, size: int) -> bool:
    """More passages hold both than if they were independent (lift above 1)."""
    both = np.intersect1d(a, b, assume_unique=True).size
    return both * size > a.size * b.size


def _weight(word: str, view: IndexView) -> float:
    """A word's IDF; a one-character word's as passages are read for it (`evidence.mentions`: inside
    other words, 党 in 党员 and 党委): jieba seldom cuts it alone, so as a token it is rare (党: 3.9, the
    highest) while the character is everywhere (as read, 2.6)."""
    if len(word) > 1:
        return view.bm25.idf_of(word)
    size = max(view.size, 1)
    return float(bm25_idf(size, min(view.occurrences(word, size), size)))


def _concepts(
    plan: QueryPlan,
    translations: Sequence[Translation],
    view: IndexView,
    meaning: Mapping[str, float] | None = None,
) -> tuple[Concept, ...]:
    """The question's key terms. Years are left out (they are filters, and a passage rarely repeats its
    own year), and so are places (filters too; a speech rarely names its own city), a level spoken of
    (县里: `Query.levels`) and framing words. `meaning`: an English term's share of the question's
    meaning, relative to its terms' mean (`query.meaning.Reading.shares`), which its weight is
    multiplied by."""
    meaning = meaning or {}
    # the places named, as a question may write them (河北 for 河北省): filters, not terms
    places = {form for city in plan.cities for form in place_forms(city)}
    if plan.search_language == "en":
        # a month or a weekday is a date, as a year is ("December" is 十二月, which no report writes: 12月)
        translations = [t for t in translations if t.english not in CALENDAR_WORDS]
        forms = [tuple(t.chinese) or (t.english,) for t in translations]
        carries: dict[tuple[str, ...], float] = {}
        for f, t in zip(forms, translations, strict=True):
            carries.setdefault(f, meaning.get(t.english, 1.0))  # one idea, as its first term carries it
        actions = {tuple(t.chinese) for t in translations if t.action}
        names = {tuple(t.chinese) for t in translations if t.name}
        offered = [family(t) for t in translations]
        written = [
            w
            for w in content_words(plan.normalized, normalized=True)
            if _CJK_RUN.fullmatch(w) and w not in places
        ]
        forms += [(w,) for w in written]
        offered += [pivot(w) for w in written]
    else:
        carries = {}  # a Chinese question's terms are the corpus's own words: rarity alone
        skip = places | FRAMING_WORDS
        forms = [
            (w,)
            for w in content_words(plan.normalized, normalized=True)
            if not _YEAR_WORD.fullmatch(w)
            and not (plan.years and shift_of(w))  # 第二年: a year, counted from the conversation's
            and w not in skip
            and not points(w)
            and not A_NOT_A.match(w)
            and not (LEVEL_SPOKEN.fullmatch(w) and not plan.cities)  # 县里 says where, as a place does
        ]
        # an abbreviation is the words it stands for, as the speeches write them, or as written
        spelled_out = {t.english: t.chinese for t in translations}
        forms = [(*spelled_out[f[0]], f[0]) if f[0] in spelled_out else f for f in forms]
        actions = set()
        names = {f for f in forms if f[0] in view.names}
        offered = [pivot(f[0]) for f in forms]
    # one concept per idea: two English terms may be searched as the same words (development zone and
    # zone as 开发区), and counted twice they would weigh twice in every share of the question's terms
    once: dict[tuple[str, ...], Translation] = {}
    for f, offer in zip(forms, offered, strict=True):
        once.setdefault(f, offer)
    forms, offered = list(once), list(once.values())
    readings = _readings(forms, offered, view)
    concepts = []
    for f, read in zip(forms, readings, strict=True):
        if not f:
            continue
        absent = all(not view.passages_with(w).size for w in (*f, *read))
        if absent and not f[0].isascii() and all(is_place_name(w) or not is_known_word(w) for w in f):
            # a place the corpus never writes (陕西 for a speech that names only its counties) or a piece
            # of an odd cut (那篇, 各是) says where or how the question asks, not what it is about; a
            # word in Latin letters no dictionary reads (bitcoin, ChatGPT) is no cut of Chinese text
            continue
        # a Chinese verb the corpus never writes (形容, 抱怨) is how the question asks, as an English verb
        # term is: its absence is a phrasing the speeches do not use, not an idea they lack
        action = f in actions or (plan.search_language != "en" and absent and f[0] in verb_words())
        # an idea searched as interchangeable forms is as rare as all of them together (as a synonym
        # group scores in BM25): a sense the corpus never writes says nothing of how rare the idea is
        written = [w for w in f if view.passages_with(w).size] or list(f)
        concepts.append(
            Concept(
                forms=f,
                weight=min(_weight(w, view) for w in written) * carries.get(f, 1.0),
                specific=not action
                and all(view.is_rare(w, RARE_SHARE) for w in written)
                and any(is_known_word(w) or w in view.names for w in f),
                absent=not action and absent,
                name=f in names,
                action=action,
                readings=read,
            )
        )
    return tuple(concepts)
