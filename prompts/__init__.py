"""Prompt templates kept as files (prompts/NAME.md), loaded by name.

Placeholders are written {{name}}. Rendering fails loudly on a missing or an unused variable, so a
template and its caller cannot drift apart silently. This package imports nothing of ours.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


class PromptError(KeyError):
    """A template that does not exist, or variables that do not match its placeholders."""


@cache
def load(name: str) -> str:
    try:
        return resources.files(__name__).joinpath(f"{name}.md").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PromptError(f"no prompt template '{name}' in prompts/") from exc


def placeholders(name: str) -> set[str]:
    return set(_PLACEHOLDER.findall(load(name)))


def render(name: str, **variables: str) -> str:
    """The template with every {{placeholder}} replaced; missing or extra variables raise PromptError."""
    wanted = placeholders(name)
    missing = wanted - set(variables)
    extra = set(variables) - wanted
    if missing or extra:
        raise PromptError(f"prompt '{name}': missing {sorted(missing)}, unexpected {sorted(extra)}")
    return _PLACEHOLDER.sub(lambda m: str(variables[m.group(1)]), load(name))
