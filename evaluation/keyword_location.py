"""Where the keyword index should live, measured on one index: the three places issue 15 names.

- rebuilt in each serving process from the catalog (the design before the seventh session);
- built once per host and memory-mapped (vectorstore/keyword_store.py, today's design);
- PostgreSQL full-text search over the same jieba tokens (a `tsvector` column with a GIN index,
  ranked by `ts_rank`), the choice for hosts that already share a PostgreSQL catalog.

Each is asked the same questions' tokens for its top 50 passages. Run:

    python -m evaluation.keyword_location DATA_DIR postgresql://USER@HOST:PORT/DB [--questions FILE]

(the database is written to: a table `kw_probe` is made and dropped).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evaluation.bench import folder_size, percentile, rss_mib

TOP = 50


def _timed(run: Callable[[], Any]) -> tuple[Any, float]:
    began = time.perf_counter()
    value = run()
    return value, time.perf_counter() - began


def _latencies(search: Callable[[list[str]], object], queries: Sequence[list[str]]) -> dict[str, float]:
    times = []
    for tokens in queries:
        _, seconds = _timed(lambda tokens=tokens: search(tokens))  # type: ignore[misc]
        times.append(1000 * seconds)
    return {
        "p50_ms": round(percentile(times, 0.5), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
    }


def in_process(data_dir: Path, queries: Sequence[list[str]]) -> dict[str, Any]:
    """Built in this process from the catalog, then saved and mapped as every serving process maps it."""
    from vectorstore.catalog import CATALOG_FILE, Catalog
    from vectorstore.keyword_store import KeywordIndex

    catalog = Catalog(data_dir / CATALOG_FILE)
    before = rss_mib()
    built, build_s = _timed(lambda: KeywordIndex.build(catalog.keyword_rows(), catalog.doc_ids()))
    held = rss_mib() - before
    out: dict[str, Any] = {
        "passages": built.size,
        "rebuilt": {
            "build_s": round(build_s, 2),
            "rss_growth_mib": round(held, 1),
            **_latencies(lambda t: built.bm25.search(t, TOP), queries),
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "kw"
        built.save(folder)
        mapped, load_s = _timed(lambda: KeywordIndex.load(folder))
        out["mapped"] = {
            "load_s": round(load_s, 2),
            "files_mib": round(folder_size(folder) / 2**20, 1),
            **_latencies(lambda t: mapped.bm25.search(t, TOP), queries),
        }
    return out


def _tsquery(tokens: list[str]) -> str:
    return " | ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in tokens if t.strip())


def in_postgres(data_dir: Path, url: str, queries: Sequence[list[str]]) -> dict[str, Any]:
    """The same tokens in a PostgreSQL table with a GIN index; top 50 by ts_rank for each query."""
    import psycopg

    from vectorstore.catalog import CATALOG_FILE, Catalog

    catalog = Catalog(data_dir / CATALOG_FILE)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("DROP TABLE IF EXISTS kw_probe")
        db.execute("CREATE TABLE kw_probe (chunk_id TEXT PRIMARY KEY, tsv TSVECTOR NOT NULL)")
        began = time.perf_counter()
        with db.cursor() as cursor, cursor.copy("COPY kw_probe (chunk_id, tsv) FROM STDIN") as copy:
            for chunk_id, _, _, tokens in catalog.keyword_rows():
                # the tokens as a tsvector literal: each quoted, so the parser does not split them again
                copy.write_row(
                    (
                        chunk_id,
                        " ".join(
                            "'" + t.replace("\\", "").replace("'", "''") + "'" for t in tokens if t.strip()
                        ),
                    )
                )
        load_s = time.perf_counter() - began
        began = time.perf_counter()
        db.execute("CREATE INDEX kw_probe_gin ON kw_probe USING GIN (tsv)")
        db.execute("ANALYZE kw_probe")
        index_s = time.perf_counter() - began
        size = db.execute("SELECT pg_total_relation_size('kw_probe')").fetchone()[0]  # type: ignore[index]

        def search(tokens: list[str]) -> object:
            query = _tsquery(tokens)
            if not query:
                return []
            return db.execute(
                "SELECT chunk_id, ts_rank(tsv, q) AS r FROM kw_probe, to_tsquery('simple', %s) q "
                "WHERE tsv @@ q ORDER BY r DESC LIMIT %s",
                (query, TOP),
            ).fetchall()

        result = {
            "load_s": round(load_s, 2),
            "gin_index_s": round(index_s, 2),
            "table_mib": round(size / 2**20, 1),
            **_latencies(search, queries),
        }
        db.execute("DROP TABLE kw_probe")
    return result


def question_tokens(questions: Sequence[str]) -> list[list[str]]:
    """The Chinese questions' content words as the keyword side sees them (jieba, the same dictionary)."""
    import re

    from vectorstore.keyword import content_words

    chinese = [q for q in questions if re.search(r"[\u4e00-\u9fff]", q)]
    return [words for words in (content_words(q) for q in chinese) if words]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.keyword_location",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("data_dir", help="an index's data directory (its catalog.sqlite is read)")
    parser.add_argument("postgres", help="a PostgreSQL address to measure full-text search on")
    parser.add_argument(
        "--questions",
        help="a JSON list of questions (default: bench --scale's scale_questions.json "
        "beside the data directory)",
    )
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir)
    qfile = Path(args.questions) if args.questions else data_dir.parent / "scale_questions.json"
    queries = question_tokens(json.loads(qfile.read_text(encoding="utf-8")))
    print(f"{len(queries)} questions with content words; {data_dir}", file=sys.stderr)
    result = {
        "questions": len(queries),
        **in_process(data_dir, queries),
        "postgres": in_postgres(data_dir, args.postgres, queries),
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
