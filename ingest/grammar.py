"""Where sentences and clauses end, in one place: the punctuation classes, and each stage's reading
of them (a stage that reads text differently says why beside its pattern here).

Chinese text ends a sentence at 。！？ (and their ASCII forms), a list item at ；, a lead-in at ：, a
clause at ，、; closing quotes and brackets that follow an end belong to the sentence they close.
"""

from __future__ import annotations

import re

YEAR = r"(?:19|20)\d{2}"  # a year as documents and questions write it: 1954 .. 2099
FULL_STOPS = "。！？!?"
SEMICOLONS = "；;"
COLONS = "：:"
COMMAS = "，,"
ENUMERATION_COMMA = "、"
OPEN_BRACKETS = "（("
CLOSERS = "”’」』）)"
ELLIPSIS = "…"

# chunking and quoting: a sentence ends at a full stop or a semicolon (a list's items are quoted one
# by one), with the closing quotes after it
SENTENCE_END = re.compile(f"[{FULL_STOPS}{SEMICOLONS}][{CLOSERS}]*")
# quoting: as chunking, and a paragraph's end ends a sentence too (a headline or a byline holds no full
# stop, and a quote cites one paragraph)
QUOTE_SENTENCE_END = re.compile(f"[{FULL_STOPS}{SEMICOLONS}][{CLOSERS}]*|\n")
# a whole sentence: "主要预期目标是：……；城镇新增就业1100万人以上；……" is one (the ledger reads its targets)
FULL_STOP = re.compile(f"[{FULL_STOPS}][{CLOSERS}]*")
# mentions: a topic's words held together in one sentence, or one line (a heading)
SENTENCE_OR_LINE_END = re.compile(f"[{FULL_STOPS}{SEMICOLONS}\n]")
# a chat model's sentences: it writes English too, so a period followed by a space ends one as well
WRITTEN_SENTENCE_END = re.compile(f"[{FULL_STOPS}]+" + r"|\.(?=\s)|\n")
# quoting: where a long sentence may be cut
CLAUSE_END = re.compile(f"[{COMMAS}{SEMICOLONS}{COLONS}]")
# a heading's own words: up to the first end of any kind; a short heading holds no full-width end
# before its last character, and its trailing marks are not part of it
FIRST_SENTENCE = re.compile(f"^(.+?)[{FULL_STOPS}{SEMICOLONS}{COLONS}]")
END_WITHIN_HEADING = re.compile("[。！？；]")
HEADING_TRAILING = "。；：:;"
# a figure's indicator: the words since the last mark of any kind (or the line's start)
FIGURE_CLAUSE_END = re.compile(
    f"[{COMMAS}{SEMICOLONS}{FULL_STOPS}{COLONS}{ENUMERATION_COMMA}{OPEN_BRACKETS}\n]"
)
# cleaning: a line ending in one of these ends its paragraph; one ending otherwise was broken by the page
LINE_ENDS = FULL_STOPS + SEMICOLONS + COLONS + ELLIPSIS + "”」』）)"
# an elided quote: the text before it ends a sentence (no … needed) when its last character is one of these
QUOTE_FOLLOWS = FULL_STOPS + ".\n”"
# a line of prose, not of a page's chrome: it holds a comma or an end of the full-width kind
PROSE_MARK = re.compile("[，。；！？]")
# a sentence written in full-width: a title or a first line holds none (before its last character);
# a line of links holds no sentence punctuation, comma included
FULL_WIDTH_STOP = re.compile("[。！？]")
SENTENCE_PUNCTUATION = re.compile("[。，！？]")
# any mark that ends a place's name in running text (落户临沂，), an ASCII period included
MARK = f"[{COMMAS}{FULL_STOPS}{SEMICOLONS}{ENUMERATION_COMMA}.]"
# an inline heading (二、… 第三条 …) may follow any end of a sentence or lead-in
BEFORE_INLINE_HEADING = f"(?<=[{FULL_STOPS}{SEMICOLONS}{COLONS}])"
