"""`speechqa eval`: quality on questions with gold snippets, for the full pipeline and its ablations.

A gold group is found when a cited passage contains any of its snippets after folding script,
whitespace and punctuation; a group `{"any": [...], "doc": "2024"}` also needs "2024" in the
citation's title or source. Ranks are those of the answer itself (Answer.ranked: the passages it
quotes first, then the rest of the same retrieval, to depth 10): what is measured is what is cited.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.answer.pipeline import Assistant
from assistant.options import Options
from assistant.records import Citation
from ingest.clean import SITE_LINE
from ingest.normalize import to_simplified
from vectorstore.index import Index

KS = (1, 3, 5, 10)
KINDS = ("fact", "concept", "compare", "crosslingual", "traditional", "followup", "unanswerable")
_BOILERPLATE = re.compile(
    r"(版权|VIP|折扣价|热词|客服|会员|装配图|在线观看|全文共|省略\d+字|公有领域|维基文库|Public domain)"
)


def fold(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff.%]", "", to_simplified(text))


@dataclass
class QuestionResult:
    id: str
    kind: str
    question: str
    standalone: str
    group_ranks: list[int | None]  # rank (1-based) of the first passage holding each gold group
    found: bool
    unanswerable: bool
    fact_ok: bool | None
    boilerplate: int
    cited_chars: float
    seconds: float
    script: str = ""  # of the question: simplified | traditional | latin
    precision: float | None = None  # share of quoted passages that bear on the question (answered questions)
    citations: list[dict[str, Any]] = field(default_factory=list)
    # what the reader is shown: the outcome, and each gold group's rank among the passages shown (quoted,
    # then possibly related, in that order) and among the quotes alone when the outcome is `answer`
    outcome: str = ""
    shown_ranks: list[int | None] = field(default_factory=list)
    quote_ranks: list[int | None] = field(default_factory=list)
    probability: float | None = None  # the decision model's P(the passages answer), when it decided

    @property
    def abstention_ok(self) -> bool:
        return self.found != self.unanswerable


def load_questions(path: Path) -> list[dict[str, Any]]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                item = json.loads(line)
                item["turns"] = list(item["turns"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a question record ({exc})") from exc
            items.append(item)
    return items


def group_matches(group: Any, citation: Citation) -> bool:
    snippets = group["any"] if isinstance(group, dict) else group
    if (
        isinstance(group, dict)
        and group.get("doc")
        and group["doc"] not in f"{citation.title} {citation.source} {citation.doc_id}"
    ):
        return False
    text = fold(citation.text)
    return any(fold(s) in text for s in snippets)


def relevant(item: dict[str, Any], citation: Citation) -> bool:
    """A quoted passage bears on the question when it holds a gold snippet, or when it or the section
    heading it is shown under holds one of the question's `relevant` words (what a reader would call on
    topic: 土地 for a question on land quotas)."""
    text = fold(citation.text + citation.section.replace(citation.title, ""))  # the title heads every path
    return any(group_matches(g, citation) for g in item.get("gold", [])) or any(
        fold(w) in text for w in item.get("relevant", [])
    )


def evaluate_question(assistant: Assistant, item: dict[str, Any], depth: int = 10) -> QuestionResult:
    turns = item["turns"]
    began = time.perf_counter()
    answer = assistant.ask(turns[-1], turns[:-1])
    seconds = time.perf_counter() - began
    ranked = answer.ranked[:depth]
    ranks: list[int | None] = []
    for group in item.get("gold", []):
        ranks.append(next((i for i, c in enumerate(ranked, start=1) if group_matches(group, c)), None))
    shown = answer.sources
    quoted = answer.citations if answer.outcome == "answer" else ()

    def first_rank(group: Any, passages: Sequence[Citation]) -> int | None:
        return next((i for i, c in enumerate(passages, start=1) if group_matches(group, c)), None)

    fact_ok = None
    if item.get("answer_any"):
        fact_ok = any(fold(f) in fold(answer.text) for f in item["answer_any"])
    leaks = sum(
        bool(
            _BOILERPLATE.search(to_simplified(c.text))
            or any(SITE_LINE.search(to_simplified(line)) for line in c.text.split("\n"))
        )
        for c in shown
    )
    return QuestionResult(
        id=item.get("id", ""),
        kind=item.get("kind", "other"),
        question=turns[-1],
        standalone=answer.plan.standalone,
        group_ranks=ranks,
        found=answer.found,
        unanswerable=bool(item.get("unanswerable")),
        fact_ok=fact_ok,
        boilerplate=leaks,
        cited_chars=statistics.mean(len(c.quote) for c in shown) if shown else 0.0,
        seconds=seconds,
        citations=[
            {"n": c.n, "doc_id": c.doc_id, "paragraph": c.paragraph, "quote": c.quote[:80]} for c in shown
        ],
        script=answer.plan.script,
        outcome=answer.outcome,
        shown_ranks=[first_rank(g, shown) for g in item.get("gold", [])],
        quote_ranks=[first_rank(g, quoted) for g in item.get("gold", [])],
        probability=round(answer.decision.probability, 4) if answer.decision else None,
        precision=(
            sum(relevant(item, c) for c in answer.citations) / len(answer.citations)
            if answer.citations and not item.get("unanswerable")
            else None
        ),
    )


def summarize(results: Sequence[QuestionResult]) -> dict[str, Any]:
    answerable = [r for r in results if r.group_ranks]
    groups = [rank for r in answerable for rank in r.group_ranks]
    facts = [r.fact_ok for r in results if r.fact_ok is not None]
    out: dict[str, Any] = {"questions": len(results)}
    for k in KS:
        out[f"recall@{k}"] = (
            round(sum(g is not None and g <= k for g in groups) / len(groups), 3) if groups else None
        )
    out["full_hit@5"] = (
        round(
            sum(all(g is not None and g <= 5 for g in r.group_ranks) for r in answerable) / len(answerable), 3
        )
        if answerable
        else None
    )
    out["mrr"] = round(statistics.mean(1 / g if g else 0 for g in groups), 3) if groups else None
    out["abstention_acc"] = (
        round(sum(r.abstention_ok for r in results) / len(results), 3) if results else None
    )
    out["facts_stated"] = round(sum(facts) / len(facts), 3) if facts else None
    precisions = [r.precision for r in results if r.precision is not None]
    out["citation_precision"] = round(statistics.mean(precisions), 3) if precisions else None
    out.update(shown_summary(results))
    out["boilerplate_leaks"] = sum(r.boilerplate for r in results)
    out["mean_cited_chars"] = round(statistics.mean(r.cited_chars for r in results), 1) if results else None
    out["p50_ms"] = round(1000 * statistics.median(r.seconds for r in results), 1) if results else None
    return out


def shown_summary(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """What the reader is shown. answered: answerable questions not told "not covered"; shown_r@5:
    gold groups among the first five passages shown (quoted, then possibly related); quotes_r@5: among
    the quotes of an `answer` outcome only (a `closest` outcome is no free pass); shown_mrr; handled:
    unanswerable questions not given an `answer`; not_covered: of those, told the topic is not covered."""
    answerable = [r for r in results if r.shown_ranks and not r.unanswerable]
    unanswerable = [r for r in results if r.unanswerable]
    shown = [g for r in answerable for g in r.shown_ranks]
    quotes = [g for r in answerable for g in r.quote_ranks]

    def share(hits: Sequence[bool]) -> float | None:
        return round(sum(hits) / len(hits), 3) if hits else None

    return {
        "answered": share([r.outcome != "not_covered" for r in answerable]),
        "shown_r@5": share([g is not None and g <= 5 for g in shown]),
        "quotes_r@5": share([g is not None and g <= 5 for g in quotes]),
        "shown_mrr": round(statistics.mean(1 / g if g else 0 for g in shown), 3) if shown else None,
        "handled": share([r.outcome != "answer" for r in unanswerable]),
        "not_covered": share([r.outcome == "not_covered" for r in unanswerable]),
    }


def by_kind(results: Sequence[QuestionResult]) -> dict[str, dict[str, Any]]:
    kinds = sorted({r.kind for r in results}, key=lambda k: KINDS.index(k) if k in KINDS else len(KINDS))
    return {kind: summarize([r for r in results if r.kind == kind]) for kind in kinds}


def by_script(results: Sequence[QuestionResult]) -> dict[str, dict[str, Any]]:
    """Simplified, Traditional and English questions apart: English should find what Chinese finds."""
    return {
        script: summarize([r for r in results if r.script == script])
        for script in ("simplified", "traditional", "latin")
        if any(r.script == script for r in results)
    }


# the configurations compared in one run -------------------------------------------------------
def configurations(embedders: Sequence[str]) -> dict[str, Options]:
    base = Options()
    return {
        "full": base,
        "bm25 only": replace(base, retrievers=("bm25",)),
        "dense only": replace(base, retrievers=tuple(embedders)),
        **({f"{e} only": replace(base, retrievers=(e,)) for e in embedders} if len(embedders) > 1 else {}),
        **(
            {
                f"without {e}": replace(base, retrievers=("bm25", *[x for x in embedders if x != e]))
                for e in embedders
            }
            if len(embedders) > 1
            else {}
        ),
        "rrf fusion": replace(base, fusion="rrf"),
        "no translation": replace(base, translate=False),
        "no follow-up rewrite": replace(base, rewrite_followups=False),
        "no entity filters": replace(base, entity_filters=False),
    }


def without_sections(index: Index, folder: Path) -> Index:
    """A copy of the index whose embeddings leave out titles and section paths (same chunks, same
    embedders), for the section-metadata ablation. Re-embeds every chunk."""
    plain = Index(folder, index.specs, with_sections=False)
    plain.use_embedders(index.embedders)
    for row in index.catalog.documents():
        full = index.catalog.document(row.doc_id)
        if full is not None:
            chunks = [c for c, _ in index.catalog.chunks(row.doc_id)]
            plain.put(full, chunks, index.catalog.doc_file(row.doc_id) or "")
    return plain


def run_eval(
    make_assistant: Callable[[Options], Assistant],
    questions: Sequence[dict[str, Any]],
    configs: dict[str, Options],
    *,
    extra: dict[str, Assistant] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Every configuration over every question; returns summaries, by-kind breakdowns and misses."""
    report: dict[str, Any] = {"configs": {}, "by_kind": {}, "by_script": {}, "misses": {}, "results": {}}
    assistants = {name: make_assistant(options) for name, options in configs.items()}
    assistants.update(extra or {})
    for name, assistant in assistants.items():
        results = []
        for i, item in enumerate(questions, start=1):
            results.append(evaluate_question(assistant, item))
            if progress is not None:
                progress(name, i, len(questions))
        report["configs"][name] = summarize(results)
        report["by_kind"][name] = by_kind(results)
        report["by_script"][name] = by_script(results)
        report["results"][name] = [asdict(r) for r in results]
        report["misses"][name] = [
            asdict(r)
            for r in results
            if not r.abstention_ok
            or any(g is None or g > 5 for g in r.group_ranks)
            or r.fact_ok is False
            or (r.unanswerable and r.outcome == "answer")
            or (not r.unanswerable and r.outcome != "answer")
            or (r.precision is not None and r.precision < 0.9)
        ]
    return report


# what the reader is shown first, then what the pipeline ranked
COLUMNS = (
    "questions",
    "answered",
    "shown_r@5",
    "quotes_r@5",
    "shown_mrr",
    "handled",
    "not_covered",
    "recall@5",
    "mrr",
    "citation_precision",
    "facts_stated",
    "boilerplate_leaks",
    "p50_ms",
)


def table(rows: dict[str, dict[str, Any]], first: str = "config") -> str:
    """A Markdown table: one row per configuration (or kind)."""
    head = f"| {first} | " + " | ".join(COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 1)]
    for name, summary in rows.items():
        cells = ["–" if summary.get(c) is None else str(summary[c]) for c in COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_report(report: dict[str, Any]) -> str:
    out = [
        "## All questions",
        "",
        table(report["configs"]),
        "",
        "## By kind (full pipeline)",
        "",
        table(report["by_kind"]["full"], first="kind"),
        "",
        "## By script of the question (full pipeline)",
        "",
        table(report.get("by_script", {}).get("full", {}), first="script"),
        "",
        "## Misses (full pipeline)",
        "",
    ]
    misses = report["misses"]["full"]
    if not misses:
        out.append("none")
    for miss in misses:
        out.append(
            f"- {miss['id']} ({miss['kind']}): {miss['outcome']}, shown {miss['shown_ranks']}, "
            f"ranks {miss['group_ranks']}, found={miss['found']}, "
            f"fact={miss['fact_ok']}, precision={miss['precision']} — {miss['standalone']}"
        )
        for c in miss["citations"][:3]:
            out.append(f"    [{c['n']}] {c['doc_id']} ¶{c['paragraph']}: {c['quote']}")
    return "\n".join(out)
