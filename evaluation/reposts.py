"""Copy detection on reposted speeches: `python -m evaluation.reposts [--seed N] [--copies K]`.

Each sample speech is re-published K times the way scraped copies differ: a site's header and footer
lines, pinyin after characters, page markers that cut lines, the other script, full-width or ASCII
punctuation, an end cut off by a paywall. Different speeches stand beside them: the other sample
speeches and the reports corpus, whose yearly resolutions on the government work report are nearly
the same text year after year. Every text goes through ingestion's cleaning (`prepare`), then the
detector ingestion runs (ingest.reposts). Precision and recall are over pairs of documents: a pair is
a true copy when both come from the same speech.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from collections.abc import Callable
from pathlib import Path

from ingest.pipeline import prepare
from ingest.records import RawDocument
from ingest.reposts import candidate_pairs, group_copies, signature

SITES = (
    "来源：{site}  发布时间：{date}  浏览次数：{n}",
    "当前位置：首页 > 领导讲话 > 正文",
    "版权所有 © {site} 未经授权禁止转载",
    "相关热词搜索：重点项目 讲话",
    "【打印本页】【关闭窗口】",
    "责任编辑：{name}",
    "扫一扫在手机打开当前页",
)
SITE_NAMES = ("市政府门户网站", "文秘网", "新闻中心", "党建网", "第一范文网")


def _with_site_lines(text: str, rng: random.Random) -> str:
    def line() -> str:
        return rng.choice(SITES).format(
            site=rng.choice(SITE_NAMES),
            date=f"20{rng.randint(10, 23)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            n=rng.randint(10, 9999),
            name=rng.choice(("王芳", "李强", "张伟")),
        )

    return "\n".join([line(), line(), text, line(), line()])


def _with_pinyin(text: str, rng: random.Random) -> str:
    from pypinyin import Style, pinyin

    out = []
    for ch in text:
        out.append(ch)
        if "\u4e00" <= ch <= "\u9fff" and rng.random() < 0.03:
            out.append(f"({pinyin(ch, style=Style.TONE)[0][0]})")
    return "".join(out)


def _with_page_markers(text: str, rng: random.Random) -> str:
    lines, out, page = text.split("\n"), [], 1
    for line in lines:
        if len(line) > 60 and rng.random() < 0.4:
            cut = rng.randint(20, len(line) - 20)
            out += [line[:cut], f"- {page} -", line[cut:]]
            page += 1
        else:
            out.append(line)
    return "\n".join(out)


def _other_script(text: str, rng: random.Random) -> str:
    from opencc import OpenCC

    return OpenCC("s2t" if rng.random() < 0.5 else "t2s").convert(text)


def _punctuation(text: str, rng: random.Random) -> str:
    pairs = [("，", ","), ("。", "."), ("：", ":"), ("；", ";"), ("（", "("), ("）", ")")]
    for wide, narrow in pairs:
        text = text.replace(wide, narrow) if rng.random() < 0.5 else text.replace(narrow, wide)
    return text


def _paywall(text: str, rng: random.Random) -> str:
    keep = int(len(text) * rng.uniform(0.6, 0.85))
    return f"{text[:keep]}\n(未完,全文共{len(text)}字,当前仅显示{keep}字,请阅读下面提示信息。)"


NOISE: tuple[Callable[[str, random.Random], str], ...] = (
    _with_site_lines,
    _with_pinyin,
    _with_page_markers,
    _other_script,
    _punctuation,
    _paywall,
)


def repost(text: str, rng: random.Random) -> str:
    """One scraped copy: three to five kinds of noise, chosen at random."""
    for noise in rng.sample(NOISE, rng.randint(3, 5)):
        text = noise(text, rng)
    return text


def build_set(seeds_dir: Path, corpora: list[Path], *, copies: int, seed: int) -> list[tuple[str, str, str]]:
    """(doc_id, speech it is, raw text) for the sample speeches, their copies and the reports."""
    rng = random.Random(seed)
    out = []
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.append((path.stem, path.stem, text))
        out += [(f"{path.stem}~copy{k}", path.stem, repost(text, rng)) for k in range(copies)]
    for corpus in corpora:
        for k, line in enumerate(corpus.read_text(encoding="utf-8").splitlines()):
            record = json.loads(line)
            out.append(
                (
                    f"{corpus.stem}-{k:03d}",
                    f"{corpus.stem}-{k:03d}",
                    f"{record['title']}\n{record['content']}",
                )
            )
    return out


def measure(items: list[tuple[str, str, str]]) -> dict[str, float]:
    cleaned = {
        doc_id: prepare(RawDocument(f"{doc_id}.txt", text, "txt", "utf-8"), doc_id=doc_id).document
        for doc_id, _, text in items
    }
    truth = {doc_id: speech for doc_id, speech, _ in items}
    links = group_copies(
        candidate_pairs({d: signature(doc.text) for d, doc in cleaned.items()}),
        lambda d: cleaned[d].text,
        lambda d: (not d.count("~"), d),
    )
    group = {d: links.get(d, (d, 1.0))[0] for d in cleaned}
    predicted = {p for p in itertools.combinations(sorted(cleaned), 2) if group[p[0]] == group[p[1]]}
    actual = {p for p in itertools.combinations(sorted(cleaned), 2) if truth[p[0]] == truth[p[1]]}
    hits = len(predicted & actual)
    merged = {(truth[a], truth[b]) for a, b in predicted - actual}
    return {
        "documents": len(items),
        "copy pairs": len(actual),
        "found pairs": len(predicted),
        "precision": hits / len(predicted) if predicted else 1.0,
        "recall": hits / len(actual) if actual else 1.0,
        "different speeches merged": len(merged),
        "originals kept": sum(1 for d in cleaned if "~" not in d and d not in links),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--seeds", type=Path, default=root / "assistant" / "sample_corpus")
    parser.add_argument(
        "--corpus", type=Path, action="append", help="JSON Lines of other speeches (repeatable)"
    )
    parser.add_argument("--copies", type=int, default=4, help="copies of each sample speech (default 4)")
    parser.add_argument(
        "--seed", type=int, action="append", help="random seed of the noise (repeatable; default 1 2 3)"
    )
    args = parser.parse_args()
    corpora = args.corpus or sorted((root.parent / "shared" / "corpora").glob("*.jsonl"))
    print(
        "| noise seed | documents | copy pairs | found pairs | precision | recall | different speeches "
        "merged |"
    )
    print("|---|---|---|---|---|---|---|")
    for seed in args.seed or [1, 2, 3]:
        r = measure(build_set(args.seeds, corpora, copies=args.copies, seed=seed))
        print(
            f"| {seed} | {r['documents']:.0f} | {r['copy pairs']:.0f} | {r['found pairs']:.0f} | "
            f"{r['precision']:.3f} | "
            f"{r['recall']:.3f} | {r['different speeches merged']:.0f} |"
        )


if __name__ == "__main__":
    main()
