"""The research commands: `speechqa set` (correct what ingestion inferred), `speechqa trend` (a topic
over the years or across cities) and `speechqa digest` (every cited paragraph on a topic, as a report)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from assistant.answer.compose import shortened
from assistant.app.context import filters_from_args as _filters
from assistant.app.context import make_assistant, open_index
from assistant.app.context import settings_from_args as _settings
from assistant.app.render import edits_lines, where_line
from assistant.errors import UserError
from vectorstore.library import Library

Command = Callable[[argparse.Namespace], int]


def cmd_set(args: argparse.Namespace) -> int:
    values = {
        f: getattr(args, f) for f in ("title", "city", "date", "speaker") if getattr(args, f) is not None
    }
    clear = tuple(args.clear or ())
    if not values and not clear:
        raise UserError("nothing to set: give --city, --date, --speaker or --title (or --clear FIELD)")
    library = Library(open_index(_settings(args)))
    meta = library.edit(args.doc_id, values, clear)
    inferred = library.inferred(args.doc_id)
    print(f"{args.doc_id}: {shortened(meta.title, 60)}")
    print(
        f"    where: {where_line(meta)}  date: {meta.date or 'unknown'}  speaker: {meta.speaker or 'unknown'}"
    )
    for line in edits_lines(meta, inferred):
        print(f"    {line}")
    for field in clear:
        print(f"    {field}: back to the inferred value")
    return 0


def _figure_trend(args: argparse.Namespace) -> int:
    """`speechqa trend TOPIC --figures`: the figure each document states for the topic, by year."""
    from assistant.research.export import ledger_table, write_csv
    from assistant.research.trends import figure_series, figures_png

    series = figure_series(make_assistant(_settings(args)), args.topic, _filters(args))
    if not series.rows:
        print(f"No document states a figure for “{args.topic}”.")
        return 0
    print(f"“{series.topic}” — the figure each document states, by year:")
    for r in series.rows:
        print(f"  {r.year:>6}  {r.where:<10}  {r.indicator} {r.figure}  ({r.kind})  [{r.n}]")
    for c in series.citations:
        print(f"  [{c.n}] {c.title} ¶{c.paragraph}: {c.quote[:80]}")
    if args.csv:
        header, rows = ledger_table(series.rows, series.citations)
        print(f"wrote {write_csv(header, rows, Path(args.csv))}", file=sys.stderr)
    if args.png:
        print(f"wrote {figures_png(series, Path(args.png))}", file=sys.stderr)
    return 0


def cmd_trend(args: argparse.Namespace) -> int:
    from assistant.research.trends import to_csv, to_png, trend

    if args.figures:
        return _figure_trend(args)
    t = trend(make_assistant(_settings(args)), args.topic, args.by, _filters(args))
    if not t.total:
        print(f"No passage mentions “{args.topic}” ({'、'.join(t.forms) or 'no searchable words'}).")
        return 0
    print(f"“{t.topic}” — passages holding {' + '.join(t.forms)}, by {t.by}:")
    width = max(p.passages for p in t.points) or 1
    for p in t.points:
        print(
            f"  {p.key or '?':>10}  {'█' * round(30 * p.passages / width):<30}  {p.passages:>4} passages in "
            f"{p.documents} documents"
        )
    if t.unplaced:
        print(f"  ({t.unplaced} more in documents without a {'date' if t.by == 'year' else 'city'})")
    for label, m in (("first", t.first), ("latest", t.latest)):
        if m is not None:
            print(f"{label}: {m.date} {m.doc_id} ({m.chunk_id})")
    if args.csv:
        Path(args.csv).write_text(to_csv(t), encoding="utf-8")
        print(f"saved {args.csv}")
    if args.png:
        print(f"saved {to_png(t, Path(args.png))}")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from assistant.research.digest import digest, to_docx, to_markdown

    d = digest(make_assistant(_settings(args)), args.topic, _filters(args))
    out = Path(args.out)
    if out.suffix.lower() == ".docx":
        to_docx(d, out)
    else:
        out.write_text(to_markdown(d), encoding="utf-8")
    print(f"{d.paragraphs} paragraphs in {len(d.groups)} groups -> {out}")
    return 0


def register(
    sub: argparse._SubParsersAction,
    common: argparse.ArgumentParser,  # type: ignore[type-arg]
    filters: argparse.ArgumentParser,
) -> dict[str, Command]:
    p = sub.add_parser(
        "set",
        parents=[common],
        help="correct a document's city, date, speaker or title (kept across re-ingestion)",
        description="Set fields of a document's metadata over what ingestion inferred. Filters, comparisons "
        "and trends use the new values at once (the vectors are not re-embedded); the values stay when the "
        "file is ingested again or pruned and comes back. `speechqa docs` shows them as 'set by you' "
        "beside what was inferred.",
        epilog="example: speechqa set 002_f6ee860a1e13cda9 --city 惠州 --date 2019-12-05 --speaker 孙爱军",
    )
    p.add_argument("doc_id", help="the document (speechqa docs lists the ids)")
    p.add_argument("--city", help="a prefecture-level city or municipality, in Chinese (惠州 or 惠州市)")
    p.add_argument("--date", help="YYYY-MM-DD, YYYY-MM or YYYY")
    p.add_argument("--speaker", help="who gave the speech")
    p.add_argument("--title", help="the document's title")
    p.add_argument(
        "--clear",
        action="append",
        choices=("title", "city", "date", "speaker"),
        help="go back to the inferred value of this field (repeatable)",
    )
    p = sub.add_parser(
        "trend",
        parents=[common, filters],
        help="how often a topic is mentioned per year or per city",
        description="Count the passages that mention a topic (its words; an English topic is translated "
        "as questions are) per year or per city, with the first and the latest mention.",
        epilog="example: speechqa trend 乡村振兴 --by year --csv trend.csv --png trend.png",
    )
    p.add_argument("topic")
    p.add_argument("--by", choices=("year", "city"), default="year")
    p.add_argument(
        "--figures",
        action="store_true",
        help="instead of counting mentions, the figure each document states for the topic, by year "
        "(城镇新增就业目标, GDP growth target): each cited to its sentence; --csv and --png write them",
    )
    p.add_argument("--csv", help="also write the counts as CSV")
    p.add_argument("--png", help="also draw the chart as a PNG")

    p = sub.add_parser(
        "digest",
        parents=[common, filters],
        help="every paragraph on a topic, by city and date, as Markdown or .docx",
        epilog="example: speechqa digest 招商引资 --city 临沂 --city 聊城 --out digest.docx",
    )
    p.add_argument("topic")
    p.add_argument("--out", required=True, help="the report: .md or .docx")
    return {"set": cmd_set, "trend": cmd_trend, "digest": cmd_digest}
