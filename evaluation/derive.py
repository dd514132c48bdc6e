"""Distinct documents derived from real ones, for measuring the index at many times the corpus size.

A derived document is a compilation of excerpts, as a digest of leaders' speeches is: six to nine pieces
(runs of passages under one second-level heading, with the headings above them) from three to five real
documents, under one
title that all compilations share, dated by its page, with its scraping noise varied (site lines, page
markers, blank lines). So:

- derived documents are rarely copies in the sense of ingest.reposts: they are drawn from 836 pieces
  of 56 real documents, and on 1,100 compilations the copy detector linked 1 to another (with two or
  three sources and three to six pieces it linked 138);
- its passages are a fixed set (each piece under the shared title and its own two headings), so the
  embedding cache holds their vectors after the first thousand or so compilations, and 64 times the
  corpus does not cost 64 times the embedding.

Everything is decided by a seeded random generator: the same call writes the same files.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import load_file
from ingest.pipeline import prepare

TITLE = "重要讲话摘编"  # one title for every compilation: the embedded passage text starts with it
PIECE_CHARS = 1500
PIECES = (6, 9)  # pieces in one compilation
FROM = (3, 5)  # real documents they come from: with fewer, two compilations often share most pieces
SITES = ("人民网", "新华网", "中国政府网", "央视网", "光明网", "中国新闻网")


@dataclass(frozen=True, slots=True)
class Piece:
    """Consecutive passages of a real document under one second-level heading, at most PIECE_CHARS
    (a longer section gives several pieces), with the headings above them."""

    path: tuple[str, ...]  # top-level heading, then second-level (when there is one)
    text: str  # cleaned text


@dataclass(frozen=True, slots=True)
class Source:
    """A real document as pieces, in its order."""

    title: str
    pieces: tuple[Piece, ...]


def sources(paths: list[Path]) -> list[Source]:
    """The JSON Lines documents of these files, as Sources (those with at least two pieces)."""
    out = []
    for path in paths:
        for raw in load_file(path).documents:
            prepared = prepare(raw)
            text, title = prepared.document.text, prepared.document.meta.title
            spans: list[tuple[tuple[str, ...], int, int]] = []
            for chunk in prepared.chunks:
                head = chunk.heading_path[:2]
                if len(head) < 2:  # only pieces under two levels of headings: see compilation()
                    continue
                if spans and spans[-1][0] == head and chunk.end - spans[-1][1] <= PIECE_CHARS:
                    spans[-1] = (head, spans[-1][1], chunk.end)
                else:
                    spans.append((head, chunk.start, chunk.end))
            if len(spans) >= 2:
                out.append(Source(title, tuple(Piece(head, text[a:b]) for head, a, b in spans)))
    return out


def _noise(rng: random.Random, date: str) -> tuple[str, str]:
    """A header and a footer of the kind scraped pages carry (cleaning removes them)."""
    header = rng.choice(
        [
            f"来源：{rng.choice(SITES)}　发布时间：{date}　作者：本网记者",
            f"发布时间：{date} 来源：{rng.choice(SITES)} 【字体：大 中 小】",
        ]
    )
    footer = rng.choice(["", "【打印本页】【关闭窗口】", "责任编辑：王明\n【打印本页】"])
    return header, footer


def compilation(sources_: list[Source], rng: random.Random) -> list[str]:
    """Pieces of two or three real documents, each document's in its own order, each after both of its
    headings (those it does not begin with). Whatever outline the pieces before it left open
    (ingest.sections nests a heading style it has not seen under the current heading), a piece's
    passages then sit under its own two headings, which is what the embedded passage text names: so
    the passages of all compilations come from one fixed set, and the embedding cache holds them."""
    picked = rng.sample(sources_, rng.randint(*FROM))
    wanted = rng.randint(*PIECES)
    parts: list[str] = []
    for k, source in enumerate(picked):
        share = wanted // len(picked) + (1 if k < wanted % len(picked) else 0)
        for i in sorted(rng.sample(range(len(source.pieces)), min(share, len(source.pieces)))):
            piece = source.pieces[i]
            parts.extend(heading for heading in piece.path if not piece.text.startswith(heading))
            parts.append(piece.text)
    return parts


def derived(
    sources_: list[Source], count: int, *, seed: int = 2026, start: int = 0
) -> Iterator[dict[str, str]]:
    """`count` derived documents (JSON Lines records), numbered from `start`: record k always comes out
    the same, whatever `start` and `count` are, so a bigger scale extends a smaller one."""
    for number in range(start, start + count):
        rng = random.Random(f"{seed}-doc-{number}")
        parts = compilation(sources_, rng)
        date = f"{rng.randint(1995, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        header, footer = _noise(rng, date)
        blank = "\n" * rng.randint(1, 3)
        body = blank.join(part for part in (header, *parts, footer) if part)
        yield {"title": TITLE, "content": body, "url": f"https://example.org/derived/{number}"}


PART_RECORDS = 1000  # records per JSON Lines file: about 14 MB, under ingestion's limit per file


def write_scale(
    sources_: list[Source], folder: Path, factor: int, base_chars: int, *, seed: int = 2026
) -> list[Path]:
    """Folders of derived documents in `folder` so that, with the real corpus, the whole is about
    `factor` times its characters: one folder per step (x4, x16, x64), each extending the last, holding
    JSON Lines files of PART_RECORDS records (a file is written only when its records changed)."""
    folders, written, number = [], 0, 0
    step = 4
    while step <= factor:
        target = (step - 1) * base_chars
        lines = []
        while written < target:
            record = next(derived(sources_, 1, seed=seed, start=number))
            lines.append(json.dumps(record, ensure_ascii=False))
            written += len(record["content"])
            number += 1
        part_folder = folder / f"x{step}"
        part_folder.mkdir(parents=True, exist_ok=True)
        for part, start in enumerate(range(0, len(lines), PART_RECORDS), start=1):
            path = part_folder / f"part-{part:03d}.jsonl"
            text = "\n".join(lines[start : start + PART_RECORDS]) + "\n"
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
        folders.append(part_folder)
        step *= 4
    return folders
