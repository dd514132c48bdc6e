"""Seconds spent in each stage of one answer, read by the answer's timings and the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Stopwatch:
    """Seconds spent in each stage of one answer (a stage run twice, as per city in a comparison, adds up)."""

    laps: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.laps[stage] = self.laps.get(stage, 0.0) + time.perf_counter() - began
