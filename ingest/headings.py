"""The heading grammar of Chinese speeches, in one place: cleaning uses it to keep headings on their
own lines, sectioning to build the outline. Styles: `第一，` `第一部分：` `一、` `（一）` `一要…`
`首先，` `1.`; their levels are not fixed (ingest.sections nests them by order of appearance).
"""

from __future__ import annotations

import re

from ingest.grammar import BEFORE_INLINE_HEADING

NUMERALS = "一二三四五六七八九十"
_N = f"[{NUMERALS}]"

# (style, pattern without anchors); each matches the opening of a heading.
_COUNT = f"[{NUMERALS}百零〇]"  # 第一百零五条
STYLE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("chapter", rf"第{_COUNT}+章"),  # a regulation's chapter (第二章 市容管理)
    (
        "article",
        rf"第{_COUNT}+条(?![，,、：:])",
    ),  # and its article (第十二条 禁止下列行为：), not a point (第一条，)
    ("di", rf"第{_N}+(?:部分)?[，,、：:\s]"),
    ("cn", rf"{_N}+、"),
    ("paren", rf"[（(]{_N}+[）)]"),
    ("yao", rf"{_N}{{1,3}}要(?![求点])"),  # 一要…, not 一要求 (a request) or 一要点
    ("seq", r"(?:首先|其次|再次|最后)[，,：:]"),
    ("arabic", r"\d{1,2}[.．、](?!\d)"),  # 1. and 2、, not 1.5万亿元
)
STYLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile("^" + p)) for name, p in STYLE_PATTERNS
)
HEADING_START = re.compile("^(?:" + "|".join(p for _, p in STYLE_PATTERNS) + ")")
# Styles that also open a heading glued to the end of the previous sentence ("…几点意见：一、以时不我待…");
# sequence words and Arabic numbers there are ordinary prose.
_INLINE_STYLES = ("di", "cn", "paren", "yao")
INLINE_HEADING = re.compile(
    BEFORE_INLINE_HEADING
    + r"\s*(?=(?:"
    + "|".join(p for n, p in STYLE_PATTERNS if n in _INLINE_STYLES)
    + r")\S)"
)
HEADING_MAX = 40  # a heading line longer than this is a paragraph that opens with its heading


# Inside an article, numbered items ((一) 1.) are the article's own list, not headings of their own.
ITEM_STYLES = ("paren", "arabic")
_ARTICLE = re.compile(rf"^第{_COUNT}+条(?![，,、：:])")


def is_article(heading: str) -> bool:
    """The heading opens a regulation's article (第十二条): a passage of its own, cited by it."""
    return bool(_ARTICLE.match(heading))


def article_number(line: str) -> str:
    """第十二条 of "第十二条 禁止下列行为：" ("" for a line that opens no article)."""
    found = _ARTICLE.match(line)
    return found.group() if found else ""


def heading_style(line: str) -> str | None:
    """The style of the heading that opens `line`, or None."""
    for style, pattern in STYLES:
        if pattern.match(line):
            return style
    return None


def looks_like_heading(line: str) -> bool:
    """A short line that opens with a heading marker: a heading on its own line."""
    return len(line) <= HEADING_MAX and bool(HEADING_START.match(line))
