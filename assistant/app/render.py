"""Answers to Markdown and to terminal text; shared by the CLI, the UI and conversation export."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.records import Answer, Citation


def citation_line(c: Citation) -> str:
    where = " · ".join(p for p in (c.known_city, c.date, c.section[:60]) if p)
    return f"[{c.n}] {c.title[:50]} ({c.doc_id}, ¶{c.paragraph}){' — ' + where if where else ''}"


def answer_markdown(answer: Answer, *, with_sources: bool = True) -> str:
    """The answer text, then its sources with the quoted passage of each."""
    parts = [answer.text]
    sources: Sequence[Citation] = answer.sources
    if with_sources and sources:
        parts.append("")
        parts.append("**Sources**" if answer.plan.language == "en" else "**出处**")
        for c in sources:
            parts.append(f"- {citation_line(c)}")
            parts.append(f"  > {c.text.replace(chr(10), ' ')}")
    return "\n".join(parts)


def conversation_markdown(turns: Sequence[tuple[str, Answer]]) -> str:
    """A whole conversation, question by question, each answer with its citations."""
    out = ["# speechqa conversation", ""]
    for question, answer in turns:
        out += [f"## {question}", "", answer_markdown(answer), ""]
    return "\n".join(out)
