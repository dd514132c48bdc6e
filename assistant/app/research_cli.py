"""The research commands: `speechqa set` (correct what ingestion inferred), `speechqa trend` (a topic
over the years or across cities) and `speechqa digest` (every cited paragraph on a topic, as a report)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from assistant.app.context import open_index
from assistant.app.context import settings_from_args as _settings
from assistant.app.render import edits_lines, where_line
from assistant.errors import UserError

Command = Callable[[argparse.Namespace], int]


def cmd_set(args: argparse.Namespace) -> int:
    values = {f: getattr(args, f) for f in ("title", "city", "date", "speaker") if getattr(args, f) is not None}
    clear = tuple(args.clear or ())
    if not values and not clear:
        raise UserError("nothing to set: give --city, --date, --speaker or --title (or --clear FIELD)")
    index = open_index(_settings(args))
    meta = index.edit(args.doc_id, values, clear)
    inferred = index.catalog.inferred_meta(args.doc_id)
    print(f"{args.doc_id}: {meta.title[:60]}")
    print(f"    where: {where_line(meta)}  date: {meta.date or 'unknown'}  speaker: {meta.speaker or 'unknown'}")
    for line in edits_lines(meta, inferred):
        print(f"    {line}")
    for field in clear:
        print(f"    {field}: back to the inferred value")
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser,  # type: ignore[type-arg]
             filters: argparse.ArgumentParser) -> dict[str, Command]:
    p = sub.add_parser(
        "set", parents=[common], help="correct a document's city, date, speaker or title (kept across re-ingestion)",
        description="Set fields of a document's metadata over what ingestion inferred. Filters, comparisons and "
                    "trends use the new values at once (the vectors are not re-embedded); the values stay when the "
                    "file is ingested again or pruned and comes back. `speechqa docs` shows them as 'set by you' "
                    "beside what was inferred.",
        epilog="example: speechqa set 002_f6ee860a1e13cda9 --city 惠州 --date 2019-12-05 --speaker 孙爱军")
    p.add_argument("doc_id", help="the document (speechqa docs lists the ids)")
    p.add_argument("--city", help="a prefecture-level city or municipality, in Chinese (惠州 or 惠州市)")
    p.add_argument("--date", help="YYYY-MM-DD, YYYY-MM or YYYY")
    p.add_argument("--speaker", help="who gave the speech")
    p.add_argument("--title", help="the document's title")
    p.add_argument("--clear", action="append", choices=("title", "city", "date", "speaker"),
                   help="go back to the inferred value of this field (repeatable)")
    return {"set": cmd_set}
