"""The scope of an answer: what the question was resolved to (cities, years, documents, topic, search
language). The UI shows it as chips above the chat; removing one asks again without it, and the next
follow-up starts from the scope as shown. The API returns it with every answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from assistant.query.build import TITLE_SHARE, documents_named, title_share
from assistant.query.places import where_label
from assistant.query.plan import QueryPlan
from assistant.query.words import ACROSS_EN_PHRASES, EN_STOPWORDS, FRAMING_WORDS, IS_COMPARISON
from assistant.wording import phrase
from ingest.gazetteer import province_spans
from ingest.grammar import YEAR
from ingest.normalize import to_traditional
from vectorstore.keyword import content_words, widened_to_words
from vectorstore.records import Filters
from vectorstore.view import IndexView

KINDS = ("city", "year", "document")  # the chips that can be removed; topic and language are what is asked


@dataclass(frozen=True, slots=True)
class Scope:
    cities: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    documents: tuple[tuple[str, str], ...] = ()  # (doc_id, title)
    topic: str = ""
    language: str = "zh"  # the language retrieval searched in: zh | en (translated)
    asked_in: str = "zh"  # the language of the question: chips are labelled in it
    script: str = "simplified"  # and the question's script: a Traditional question's chips read Traditional

    def _labelled(self) -> list[tuple[str, str, Any]]:
        """(chip label, kind, value) of every removable part: ("城市: 惠州", "city", "惠州")."""
        labelled = (
            [
                (
                    f"{self._name('province' if province_spans(c) else 'city')}: "
                    f"{where_label(c, self.asked_in, self.script)}",
                    "city",
                    c,
                )
                for c in self.cities
            ]
            + [(f"{self._name('year')}: {y}", "year", y) for y in self.years]
            + [(f"{self._name('document')}: {d[0]} {d[1][:24]}", "document", d) for d in self.documents]
        )
        return [(self._scripted(label), kind, value) for label, kind, value in labelled]

    def _name(self, kind: str) -> str:
        return phrase(f"chip_{kind}", self.asked_in, "simplified")

    def _scripted(self, text: str) -> str:
        return to_traditional(text) if self.script == "traditional" else text

    def chips(self) -> list[str]:
        """Labels of the removable chips, "城市: 惠州", in the question's language."""
        return [label for label, _, _ in self._labelled()]

    def fixed(self) -> list[str]:
        """The chips that stay: the topic and the search language."""
        return [
            self._scripted(f"{self._name('topic')}: {self.topic}") if self.topic else "",
            self._scripted(
                f"{self._name('language')}: {phrase(f'searched_{self.language}', 'zh', 'simplified')}"
            ),
        ]

    def keeping(self, chips: list[str]) -> Scope:
        """This scope with only the removable chips still shown."""
        kept = [(kind, value) for label, kind, value in self._labelled() if label in set(chips)]
        return replace(
            self,
            cities=tuple(v for k, v in kept if k == "city"),
            years=tuple(v for k, v in kept if k == "year"),
            documents=tuple(v for k, v in kept if k == "document"),
        )

    def question(self) -> str:
        """The scope as a standalone question: the conversation's last question once chips are removed."""
        if self.asked_in == "en":
            parts = (
                [self.topic]
                + ([f"in {' and '.join(self.cities)}"] if self.cities else [])
                + ([f"in {', '.join(self.years)}"] if self.years else [])
            )
            return " ".join(p for p in parts if p)
        years = "".join(f"{y}年" for y in self.years)
        return " ".join(p for p in ("、".join(self.cities), years, self.topic) if p)

    def filters(self) -> Filters:
        """What the documents chips keep (documents cannot be named in a question's words)."""
        return Filters(doc_ids=tuple(d for d, _ in self.documents))

    def to_dict(self) -> dict[str, Any]:
        return {
            "cities": list(self.cities),
            "years": list(self.years),
            "documents": [{"doc_id": d, "title": t} for d, t in self.documents],
            "topic": self.topic,
            "search_language": self.language,
        }


def make_scope(plan: QueryPlan, view: IndexView, filters: Filters) -> Scope:
    """What a question was resolved to, with the user's filters."""
    cities = tuple(dict.fromkeys((*plan.cities, *filters.cities)))
    years = tuple(dict.fromkeys(plan.years))
    # a comparison or a question about time searches each city, each year: no document is named in them
    doc_ids = filters.doc_ids or (
        documents_named(plan, view) if not (plan.comparison or plan.timeline) else ()
    )
    documents = tuple((d, view.metas[d].title) for d in doc_ids if d in view.metas)
    return Scope(
        cities=cities,
        years=years,
        documents=documents,
        topic=topic_of(plan, view),
        language=plan.search_language,
        asked_in=plan.language,
        script=plan.script,
    )


def topic_of(plan: QueryPlan, view: IndexView) -> str:
    """The topic without years and without the words that only frame a question: in English its
    stopwords ("what did the speeches say about land quotas in" -> "land quotas"), in Chinese what lies
    before its first content word and after its last, framing words and words naming the kind of
    document (讲话里关于土地指标都说了什么 -> 土地指标)."""
    topic = re.sub(rf"(?<!\d){YEAR}年?(?!\d)", " ", plan.topic)
    if plan.language == "en":
        # each word as the person typed it (the plan's topic is lower case): Xi Jinping and NFT are names,
        # and a question asked again from the chips (`Scope.question`) reads them as names again
        topic = ACROSS_EN_PHRASES.sub(" ", topic)  # each province: how the places are asked across
        topic = plan.as_typed(
            " ".join(w for w in re.findall(r"[\w'+-]+", topic) if w.lower() not in EN_STOPWORDS)
        )
    else:
        topic = plan.as_typed(_content_span(topic, view))
    return re.sub(r"\s+", " ", topic).strip(" ?？，,。、和与及")


def _content_span(topic: str, view: IndexView) -> str:
    """The topic (in its search form, as the plan holds it) from its first content word to its last:
    not the words that frame the question, compare or ask across places, or name its documents, unless
    such a word is written against the topic as the corpus writes them together (项目 in 项目建设,
    though 项目 is a word of most of the speeches' titles). Nothing when it holds only such words, as an
    English topic of stopwords is nothing."""
    words = [
        (w, m.start(), m.end())
        for w in content_words(topic, normalized=True)
        if w not in FRAMING_WORDS
        and not IS_COMPARISON.fullmatch(w)  # 分别, 各省: how the places are asked across, not the topic
        for m in [re.search(re.escape(w), topic)]
        if m
    ]
    # words of the titles only when the topic has no other (临沂对重点项目有什么要求: 重点项目)
    spans = [(s, e) for w, s, e in words if title_share((w,), view) < TITLE_SHARE] or [
        (s, e) for _, s, e in words
    ]
    if not spans:
        return ""  # only framing (惠州的讲话讲了什么): the places and years are the whole question
    start, end = widened_to_words(topic, min(s for s, _ in spans), max(e for _, e in spans))
    for _, s, e in words:
        if e == start and view.occurrences(topic[s:end], limit=0):
            start = s
        elif s == end and view.occurrences(topic[start:e], limit=0):
            end = e
    return topic[start:end]
