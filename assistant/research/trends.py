"""How often a topic is mentioned per year or per city: every passage that mentions it
(research.mentions), counted; the passages behind each point kept; the first and latest mention; CSV
and PNG for a report."""

from __future__ import annotations

import contextlib
import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer.mentions import Mention, find_mentions, topic_forms
from assistant.answer.pipeline import Assistant
from assistant.query import plan_query
from assistant.records import Citation, LedgerRow
from ingest.records import NATIONAL
from vectorstore.records import Filters

BY = ("year", "city")


@dataclass(frozen=True, slots=True)
class Point:
    key: str  # a year, or a city ("national", "" for unknown)
    passages: int
    documents: int
    mentions: tuple[Mention, ...]  # the passages behind the point, best first


@dataclass(frozen=True, slots=True)
class Trend:
    topic: str  # as asked
    forms: tuple[str, ...]  # what a mention holds (an English topic's in Chinese)
    by: str  # year | city
    points: tuple[Point, ...]  # years in order (every searched year, zeros included), or cities by count
    first: Mention | None
    latest: Mention | None
    unplaced: int  # mentions with no year (by year) or no city (by city)

    @property
    def total(self) -> int:
        return sum(p.passages for p in self.points) + self.unplaced

    def point(self, key: str) -> Point | None:
        return next((p for p in self.points if p.key == key), None)


def trend(assistant: Assistant, topic: str, by: str = "year", filters: Filters = Filters()) -> Trend:
    """Mentions of `topic` (words, or an English phrase translated as questions are) per year or city."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    topic = topic.strip()
    view = assistant.index.view()
    query = assistant.query(plan_query(topic), view, filters)
    mentions = find_mentions(query, view)
    groups: dict[str, list[Mention]] = defaultdict(list)
    unplaced = 0
    for m in mentions:
        key = m.year if by == "year" else m.city
        if key:
            groups[key].append(m)
        else:
            unplaced += 1
    if by == "year":
        searched = {
            view.metas[d].date[:4]
            for d in view.documents_allowed(query.filters)
            if view.metas[d].year is not None
        }
        keys = sorted(searched | set(groups))
        if groups:  # from the first year with a mention to the last searched
            keys = [k for k in keys if min(groups) <= k]
    else:  # every place searched, with none where it has none: a place silent on the topic is a finding
        searched_places = {view.metas[d].where for d in view.documents_allowed(query.filters)} - {
            "",
            NATIONAL,
        }
        keys = sorted(searched_places | set(groups), key=lambda k: (-len(groups.get(k, ())), k))
    points = tuple(
        Point(
            k,
            len(groups.get(k, ())),
            len({m.doc_id for m in groups.get(k, ())}),
            tuple(sorted(groups.get(k, ()), key=lambda m: (-m.score, m.date))),
        )
        for k in keys
    )
    dated = [m for m in mentions if m.year]
    return Trend(
        topic=topic,
        forms=tuple(f[0] for f in topic_forms(query, view)),
        by=by,
        points=points,
        first=dated[0] if dated else None,
        latest=max(dated, key=lambda m: m.date) if dated else None,
        unplaced=unplaced,
    )


def to_csv(t: Trend) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t.by, "passages", "documents", "topic"])
    for p in t.points:
        writer.writerow([p.key, p.passages, p.documents, t.topic])
    return out.getvalue()


CJK_FONTS = ("Noto Sans CJK", "WenQuanYi", "Droid Sans Fallback", "AR PL")  # families that write Chinese


def _pyplot() -> tuple[Any, bool]:
    """matplotlib without a display, with a CJK font when one is installed (and whether it is)."""
    import logging

    import matplotlib

    matplotlib.use("Agg")
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # a CJK font without every weight
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    def cjk_fonts() -> list[str]:
        return [f.name for f in font_manager.fontManager.ttflist if any(k in f.name for k in CJK_FONTS)]

    cjk = cjk_fonts()
    if not cjk:
        # matplotlib keeps the fonts it found on its first run (its cache); one installed since is
        # added from the system's font folders, else the chart's Chinese labels are empty boxes
        known = {f.fname for f in font_manager.fontManager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                with contextlib.suppress(OSError, RuntimeError, ValueError):
                    font_manager.fontManager.addfont(path)
        cjk = cjk_fonts()
    if cjk:
        plt.rcParams["font.family"] = cjk[0]
    return plt, bool(cjk)


def to_png(t: Trend, target: Path) -> Path:
    """A bar chart of the passages per point, written to `target` (matplotlib, no display needed)."""
    from matplotlib.ticker import MaxNLocator

    plt, cjk = _pyplot()
    width, dpi, size = max(6.0, 0.28 * len(t.points) + 2), 110, 7
    labels = [p.key or "?" for p in t.points]
    fig, ax = plt.subplots(figsize=(width, 3.2), dpi=dpi)
    ax.bar(labels, [p.passages for p in t.points], color="#4a78b5")
    ax.set_ylabel("passages mentioning")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # a count has no half passages
    ax.set_title(f"{t.topic} ({'、'.join(t.forms)}) by {t.by}" if cjk else f"mentions by {t.by}")
    # a label wider than its bar's share of the axis (a Chinese character is about one em wide: 新疆维吾尔
    # 自治区 beside 广西壮族自治区) is turned upright, so that no two run into each other
    slot = 0.8 * width * dpi / max(len(labels), 1)
    crowded = bool(labels) and max(map(len, labels)) * size * dpi / 72 > slot
    ax.tick_params(axis="x", labelrotation=90 if crowded else 0, labelsize=size)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target)
    plt.close(fig)
    return target


@dataclass(frozen=True, slots=True)
class FigureSeries:
    """An indicator over the years: the figure each dated document states for the topic (the
    ledger's rows), with their citations."""

    topic: str
    rows: tuple[LedgerRow, ...]
    citations: tuple[Citation, ...]


def figure_series(assistant: Assistant, topic: str, filters: Filters = Filters()) -> FigureSeries:
    """The figures the documents state for `topic` (城镇新增就业目标, GDP growth target), one per
    document, in date order: the ledger of a question asking for it over the years."""
    view = assistant.index.view()
    query = assistant.query(plan_query(topic.strip()), view, filters)
    citations, rows = assistant.ledger(query, view, find_mentions(query, view))
    return FigureSeries(topic.strip(), tuple(rows), tuple(citations))


def figures_png(series: FigureSeries, target: Path) -> Path:
    """The stated values by year as a line with points (a range drawn from its low to its high end;
    a redacted figure left out and counted in the title), written to `target`."""
    plt, cjk = _pyplot()
    shown = [r for r in series.rows if r.value is not None]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(shown) + 2), 3.2), dpi=110)
    ax.plot([r.year for r in shown], [r.value for r in shown], marker="o", color="#4a78b5")
    for r in shown:
        if r.high is not None:
            ax.vlines(r.year, r.value, r.high, color="#4a78b5")
    units = sorted({r.unit for r in shown})
    ax.set_ylabel("、".join(units) if cjk else "value")
    redacted = len(series.rows) - len(shown)
    title = f"{series.topic}" + (f" ({redacted} redacted)" if redacted else "")
    ax.set_title(title if cjk else "stated figure by year")
    ax.tick_params(axis="x", labelrotation=90 if len(shown) > 12 else 0, labelsize=7)
    fig.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target)
    plt.close(fig)
    return target
