"""What every edge (CLI, UI, evaluation commands) does first: settings from flags and the environment,
the index they name, the sample corpus on first use, the Assistant with its chat model."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from assistant.answer.pipeline import Assistant
from assistant.chat_model import make_chat_model
from assistant.errors import UserError
from assistant.options import Options
from assistant.settings import Settings, sample_corpus_dir
from ingest import tables
from vectorstore import embed_cache
from vectorstore.chroma_store import ChromaConfig
from vectorstore.errors import FilterError
from vectorstore.index import Index
from vectorstore.library import Library
from vectorstore.records import FILTER_FIELDS, Filters

Say = Callable[[str], None]


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from the common flags (--data-dir, --embedder, --chroma-host/port, --catalog) over the
    environment."""
    return Settings.from_env(
        data_dir=Path(args.data_dir).expanduser() if args.data_dir else None,
        embedders=[s for s in args.embedder.split(",") if s] if args.embedder else None,
        chroma_host=args.chroma_host,
        chroma_port=args.chroma_port,
        catalog=getattr(args, "catalog", None),
    )


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The filter flags every asking command shares, one per entry of FILTER_FIELDS (--city, --doc,
    --date-from, --date-to)."""
    for f in FILTER_FIELDS:
        dest = f"filter_{f.name}"
        if f.kind == "any":
            more = f"{f.help} (repeatable)"
            parser.add_argument(f"--{f.flag}", dest=dest, metavar=f.flag.upper(), action="append", help=more)
        else:
            parser.add_argument(f"--{f.flag}", dest=dest, metavar="YYYY[-MM-DD]", help=f.help)


def filters_from_args(args: argparse.Namespace) -> Filters:
    """The filters the flags of `add_filter_arguments` set."""
    try:
        return Filters.from_wire({f.key: getattr(args, f"filter_{f.name}", None) for f in FILTER_FIELDS})
    except FilterError as exc:
        raise UserError(str(exc)) from exc


def open_index(settings: Settings) -> Index:
    embed_cache.SHARED = settings.embed_cache
    tables.TABLES_DIR = settings.tables_cache
    chroma = ChromaConfig(
        path=settings.data_dir / "chroma", host=settings.chroma_host, port=settings.chroma_port
    )
    return Index(settings.data_dir, settings.embedders, chroma=chroma, catalog_url=settings.catalog)


def ensure_sample_corpus(index: Index, *, say: Say | None = None, progress: bool = True) -> None:
    """An empty index gets the bundled sample speeches, so the first question has something to search."""
    library = Library(index)
    if not library.is_empty():
        return
    if say is not None:
        say(f"First run: indexing the sample corpus into {index.data_dir} …")
    report = library.ingest([sample_corpus_dir()], progress=progress, on_wait=say)
    if say is not None:
        say(report.summary())


def make_assistant(settings: Settings, *, say: Say | None = None) -> Assistant:
    """The Assistant over the configured index (the sample corpus on first use), with the chat model
    when one is configured."""
    index = open_index(settings)
    ensure_sample_corpus(index, say=say, progress=say is not None)
    return Assistant(
        index,
        options=Options(answer_tokens=settings.llm.max_tokens),
        chat_model=make_chat_model(settings.llm),
    )
