"""Cleaning steps for scraped speeches. Each step is a small pure function of text.

`clean_text` runs them in order and returns the cleaned text with a QualityReport. The order matters:
pinyin is stripped before mojibake is looked for (annotations hide inside mojibake), and mojibake is
found before ASCII punctuation is widened (the stray `?` is its strongest sign).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.grammar import FULL_WIDTH_STOP, LINE_ENDS, PROSE_MARK, SENTENCE_PUNCTUATION, YEAR
from ingest.headings import HEADING_START, INLINE_HEADING, looks_like_heading
from ingest.normalize import CJK, fold_width, is_common_char, strip_invisible, to_simplified
from ingest.records import MojibakeSpan, QualityReport

UNREADABLE = "\ufffd"  # what a mojibake span becomes in the cleaned text

# Lines that are the scraping site talking, not the speaker. Matched anywhere in a line.
SITE_LINE = re.compile(
    "|".join(
        [
            r"版权所有",
            r"版權所有",
            r"相关热词搜索",
            r"相關熱詞搜索",
            r"VIP免费下载",
            r"折扣价",
            r"客服请联系",
            r"在线客服",
            r"由会员分享",
            r"由會員分享",
            r"装配图网",
            r"裝配圖網",
            r"如遇卡顿",
            r"扫码下载",
            r"下载文档",
            r"本文档由网友提供",
            r"^微信[:：]",
            r"擅长领域",
            r"在线观看",
            r"在线播放",
            r"^收藏《",
            r"^摘要[:：]",
            r"格式[:：]\s*DOC",
            r"^\s*点击[:：]?\s*$",
            r"^(上一篇|下一篇)[:：]",
            r"^当前位置[:：]",
            r"【(打印本页|关闭窗口)】",
            r"^责任编辑",
            r"^扫一扫",
            r"^分享到",
            r"^打印本页",
            r"^关闭窗口",
            r"^本作品是中华人民共和国的",
            r"公有领域",
            r"^Public domain$",
            r"^(true|false)$",
            r"^注：中文维基文库",
            r"((来源|发布时间|发布日期|浏览次数|阅读次数|点击|作者|编辑|字号)\s*[:：].*){2}",
            r"维基文库",
            r"^目录/提纲",
            r"^目錄/提綱",
            r"微笑上岗",
        ]
    )
)
# A line after which everything is the site's footer (related links, ads, other news).
TAIL_MARKER = re.compile(
    r"^(新闻推荐|相关推荐|相关热词搜索|相關熱詞搜索|相关阅读|猜你喜欢|折扣价|相关文章|本作品是|本作品来自|本"
    r"作品在|Public domain"
    r"|相关报道|相关文档|相关链接|相关新闻|》》)"
)
# Paywall and truncation notices inside the text: (新文秘网…省略553字，正式会员可完整阅读)
INLINE_NOTICE = re.compile(r"[…\.]*[（(][^（()）]{0,40}省略\d+字[^（()）]{0,30}[)）][…\.]*")
TRUNCATION = re.compile(r"[…\.]*\s*[（(]未完[,，]?\s*全文共\d+字.*", re.S)
SITE_PREFIX = re.compile(r"^\s*【(Word文档|PDF文档|文档)】\s*")
FOOTNOTE = re.compile(r"\[\s*\d{1,3}\s*\]")

TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
PINYIN = re.compile(
    rf"(?<=[{CJK}])[(（]\s?([a-z{TONE_VOWELS}]{{1,7}})\s?[)）]"
)  # ASCII or full-width brackets
PAGE_MARKER = re.compile(r"^(\d{1,3})、")


# Government portal pages around the text (ingest.clean's page-chrome steps act only on the lines
# before the first and after the last line of prose): a navigation trail's separators, the fields a
# page prints about itself, a photo's credit.
_TRAIL_SEPARATOR = re.compile(r"^[>＞›»/]$")
_TRAIL_LEAD = re.compile(r"^(您的位置|你的位置|当前位置|您现在的位置|所在位置)[:：]?$")
_PAGE_FIELD = re.compile(
    r"^(来源|时间|发布时间|发表时间|发布日期|更新时间|日期|阅读量|阅读次数|浏览次数|浏览量|点击数|点击量|作者|编辑|"
    r"责任编辑|分享|分享到|字号|字体|打印)\s*[:：]\s*(.*)$"
)
_NAME_FIELDS = ("来源", "作者", "编辑", "责任编辑")  # a label alone on its line, its value on the next
_TIME_FIELDS = ("时间", "发布时间", "发表时间", "发布日期", "更新时间", "日期")
_COUNT_FIELDS = ("阅读量", "阅读次数", "浏览次数", "浏览量", "点击数", "点击量")
_TIMESTAMP = re.compile(rf"^{YEAR}[-/.年]\d{{1,2}}[-/.月]\d{{1,2}}日?(\s+\d{{1,2}}:\d{{2}}(:\d{{2}})?)?$")
_PHOTO_CREDIT = re.compile(r"(记者|攝|摄影)\s*[\u4e00-\u9fff]{2,4}\s*摄$|记者[\u4e00-\u9fff·\s]{2,12}摄$")
_TOOLBAR_MAX = 5  # characters of a toolbar's item (下载 打印 全屏 【字号： 加大 还原 减小 】)
_TOOLBAR_RUN = 4  # items of the shortest toolbar (【字体： 大 中 小 】 has five)
_PROSE = PROSE_MARK


@dataclass(frozen=True, slots=True)
class Cleaned:
    text: str
    report: QualityReport


def drop_site_lines(text: str) -> tuple[str, int]:
    """Remove site/spam lines and everything after a footer marker; returns (text, lines dropped)."""
    lines = text.split("\n")
    kept: list[str] = []
    dropped = 0
    cut_from = int(len(text) * 0.3)
    position = 0
    for index, line in enumerate(lines):
        stripped = SITE_PREFIX.sub("", line.strip())
        folded = to_simplified(stripped)
        if position > cut_from and TAIL_MARKER.search(folded):
            dropped += len(lines) - index
            break
        position += len(line) + 1
        if SITE_LINE.search(folded) or _is_spam_line(stripped):
            dropped += 1
            continue
        kept.append(stripped)
    return "\n".join(kept), dropped


def _prose_bounds(lines: list[str]) -> tuple[int, int]:
    """Indexes of the first and last line of prose (30 characters or more, with sentence punctuation):
    page chrome lives before and after them."""
    prose = [k for k, line in enumerate(lines) if len(line.strip()) >= 30 and _PROSE.search(line)]
    return (prose[0], prose[-1]) if prose else (len(lines), -1)


def _around_prose(text: str, drop: Callable[[list[str], int], set[int]]) -> tuple[str, int]:
    """Remove the lines `drop(lines, end)` picks among lines[:end], run over the lines before the first
    line of prose and over those after the last."""
    lines = text.split("\n")
    first, last = _prose_bounds(lines)
    head = drop(lines[:first], first)
    tail = {last + 1 + k for k in drop(lines[last + 1 :], len(lines) - last - 1)} if last >= 0 else set()
    gone = head | tail
    return "\n".join(line for k, line in enumerate(lines) if k not in gone), len(gone)


def drop_navigation_trails(text: str) -> tuple[str, int]:
    """A portal's trail (您的位置: 首页 > 云南要闻 > …), written a step a line with the separators on
    lines of their own: the separators, the steps on either side of them, a leading "您的位置:", and
    the last step repeated below it."""

    def drop(lines: list[str], end: int) -> set[int]:
        gone: set[int] = set()
        separators = [k for k in range(end) if _TRAIL_SEPARATOR.match(lines[k].strip())]
        for k in separators:
            gone |= {k - 1, k, k + 1} & set(range(end))
        if separators:
            first, last = separators[0], separators[-1]
            if first >= 2 and _TRAIL_LEAD.match(lines[first - 2].strip()):
                gone.add(first - 2)
            step = lines[last + 1].strip() if last + 1 < end else ""
            k = last + 2
            while step and k < end and lines[k].strip() == step:
                gone.add(k)
                k += 1
        gone |= {k for k in range(end) if _TRAIL_LEAD.match(lines[k].strip())}
        return gone

    return _around_prose(text, drop)


def _field_value(label: str, value: str) -> bool:
    """The line under a lone label (发表时间：) is its value: a time, a count, or a source's name."""
    if label in _TIME_FIELDS:
        return bool(_TIMESTAMP.match(value))
    if label in _COUNT_FIELDS:
        return value.isdigit()
    return (
        label in _NAME_FIELDS
        and 0 < len(value) <= 20
        and not _PROSE.search(value)
        and not re.search("报告|讲话|報告|講話", value)
        and not SIGNATURE.match(to_simplified(value))
    )


def drop_page_fields(text: str) -> tuple[str, int]:
    """What a page prints about itself (来源：云南日报, 发表时间：+ the time on the next line, 阅读量：,
    分享:, a bare timestamp) and a photo's credit (…记者 霍艳恩摄)."""

    def drop(lines: list[str], end: int) -> set[int]:
        gone: set[int] = set()
        for k in range(end):
            line = lines[k].strip()
            field = _PAGE_FIELD.match(line)
            if field:
                gone.add(k)
                if not field.group(2) and k + 1 < end and _field_value(field.group(1), lines[k + 1].strip()):
                    gone.add(k + 1)
            elif _TIMESTAMP.match(line) or (len(line) <= 80 and _PHOTO_CREDIT.search(line)):
                gone.add(k)
        return gone

    return _around_prose(text, drop)


def drop_photo_captions(text: str) -> tuple[str, int]:
    """A photo's caption among the front matter (…开幕。本报记者 张三 摄): the page's, not the speech's."""
    lines = text.split("\n")
    end = front_matter_end(lines)
    gone = {
        k
        for k in range(max(end, 0))
        if len(lines[k].strip()) <= 120 and _PHOTO_CREDIT.search(lines[k].strip())
    }
    return "\n".join(line for k, line in enumerate(lines) if k not in gone), len(gone)


def drop_toolbars(text: str) -> tuple[str, int]:
    """A page's toolbar, a control a line (下载 / 打印 / 全屏 / 【字号： / 加大 / 还原 / 减小 / 】, 大 / 中 /
    小, 收藏 / | / 分享到: / ×): `_TOOLBAR_RUN` or more lines in a row of at most `_TOOLBAR_MAX` characters
    and no sentence punctuation. A speech's own short lines (a post, a name set apart, 各位代表：) are
    fewer, and the salutation ends a run."""

    def drop(lines: list[str], end: int) -> set[int]:
        gone: set[int] = set()
        run: list[int] = []
        for k in range(end + 1):
            line = lines[k].strip() if k < end else "x" * (_TOOLBAR_MAX + 1)
            if len(line) <= _TOOLBAR_MAX and not _PROSE.search(line) and not is_salutation(line):
                run.append(k)
                continue
            if len([j for j in run if lines[j].strip()]) >= _TOOLBAR_RUN:
                gone |= set(run)
            run = []
        return gone

    return _around_prose(text, drop)


def drop_repeated_head_lines(text: str) -> tuple[str, int]:
    """A line before the first line of prose that repeats an earlier one (a portal prints the title
    and its date line twice, above and below the navigation trail)."""

    def drop(lines: list[str], end: int) -> set[int]:
        seen: set[str] = set()
        gone: set[int] = set()
        for k in range(end):
            line = lines[k].strip()
            if line and line in seen:
                gone.add(k)
            seen.add(line)
        return gone

    lines = text.split("\n")
    first, _ = _prose_bounds(lines)
    gone = drop(lines[:first], first)
    return "\n".join(line for k, line in enumerate(lines) if k not in gone), len(gone)


def join_letter_spacing(text: str) -> str:
    """A title set with a space between its characters (政 府 工 作 报 告) written as one word."""
    return re.sub(
        rf"(?m)^(?:[{CJK}][ \u3000]){{3,}}[{CJK}]$", lambda m: re.sub(r"[ \u3000]", "", m.group()), text
    )


def _is_spam_line(line: str) -> bool:
    """Link lists: several '|'-separated items with no sentence punctuation."""
    parts = [p for p in line.split("|") if p.strip()]
    return len(parts) >= 3 and not SENTENCE_PUNCTUATION.search(line)


def drop_table_of_contents(text: str) -> str:
    """A site-made outline ("目录/提纲:……" … "……") repeats the headings; drop it."""
    return re.sub(r"(?m)^(目录|目錄)/?(提纲|提綱)?[:：]?…*\n(?:.*\n){0,40}?…+\s*\n", "", text)


def remove_notices(text: str) -> tuple[str, int, bool]:
    """Cut paywall notices; a notice becomes a paragraph break (text on either side is not contiguous)."""
    text, n = INLINE_NOTICE.subn("\n\n", text)
    text, cut = TRUNCATION.subn("", text)
    return text, n + cut, bool(cut)


def strip_pinyin(text: str) -> tuple[str, int]:
    """`點(diǎn)`, `點（diǎn）` -> `點`: pinyin in parentheses right after a Chinese character."""
    return PINYIN.subn("", text)


def remove_footnote_markers(text: str) -> str:
    """`[\\n1\\n]` and `[2]` footnote references."""
    return FOOTNOTE.sub("", text)


_CJK_CHAR = re.compile(f"[{CJK}]")
_LATIN = re.compile(f"[A-Za-z{TONE_VOWELS}]")
_ODD_SYMBOL = set("?!|_@{}()[]")


def _suspicious(ch: str) -> bool:
    if "\ue000" <= ch <= "\uf8ff":  # private-use code points: never real text
        return True
    if _CJK_CHAR.match(ch):
        return not is_common_char(ch)
    return bool(_LATIN.match(ch)) or ch in _ODD_SYMBOL


def _is_anchor(text: str, i: int) -> bool:
    """Where mojibake starts: a stray '?' or a symbol like '_@}|' wedged between Chinese characters."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if not (before and _CJK_CHAR.match(before)):
        return False
    if text[i] == "?":
        return bool(after) and (after in "?!,." or _suspicious(after))
    return text[i] in "_@{}|" and bool(after) and bool(_CJK_CHAR.match(after) or after in "}|(")


def find_mojibake(text: str, max_gap: int = 2) -> list[tuple[int, int]]:
    """Spans of double-encoded text (UTF-8 read as GBK): `確?!保捍_保`, `?v向`, `?偟囊笫恰`."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        if text[i] in "?_@{}|" and _is_anchor(text, i):
            begin = i
            if text[i] != "?":  # a wedged symbol sits inside the span: walk back over rare characters
                k = i - 1
                while k >= 0 and (
                    _suspicious(text[k]) or (k > 0 and _CJK_CHAR.match(text[k]) and _suspicious(text[k - 1]))
                ):
                    k -= 1
                begin = max(k + 1, spans[-1][1] if spans else 0)
            end = i + 1
            if end < len(text) and text[end] in "!,.":  # punctuation only right after the anchor
                end += 1
            j = end
            while j < len(text):
                if _suspicious(text[j]):
                    end = j = j + 1
                    continue
                gap = 0
                while (
                    j < len(text) and gap <= max_gap and _CJK_CHAR.match(text[j]) and not _suspicious(text[j])
                ):
                    j += 1
                    gap += 1
                if gap == 0 or gap > max_gap or j >= len(text) or not _suspicious(text[j]):
                    break
            spans.append((begin, end))
            i = end
        else:
            i += 1
    return spans


def mark_mojibake(text: str) -> tuple[str, list[MojibakeSpan]]:
    """Replace each mojibake span by UNREADABLE; keep what it was in the report."""
    out: list[str] = []
    spans: list[MojibakeSpan] = []
    last = 0
    length = 0
    for start, end in find_mojibake(text):
        out.append(text[last:start])
        length += start - last
        spans.append(MojibakeSpan(start=length, original=text[start:end]))
        out.append(UNREADABLE)
        length += 1
        last = end
    out.append(text[last:])
    return "".join(out), spans


def join_page_markers(text: str) -> tuple[str, int]:
    """Scraped paged documents start every page with `N、` mid-sentence (1、 2、 3、 …); rejoin them.

    Only a run of consecutive numbers counts as page markers, so a real numbered list is left alone
    unless its items also continue the previous line's sentence.
    """
    lines = text.split("\n")
    numbered = [
        (k, int(m.group(1))) for k, line in enumerate(lines) if (m := PAGE_MARKER.match(line.strip()))
    ]
    consecutive = sum(1 for (_, a), (_, b) in zip(numbered, numbered[1:], strict=False) if b == a + 1)
    if consecutive < 2:
        return text, 0
    cut_mid_sentence = sum(
        1 for k, _ in numbered if k > 0 and lines[k - 1].strip() and lines[k - 1].strip()[-1] not in LINE_ENDS
    )
    if cut_mid_sentence < max(2, len(numbered) // 2):
        return text, 0
    joined = 0
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        m = PAGE_MARKER.match(stripped)
        if m:
            rest = stripped[m.end() :]
            if out and out[-1].strip() and out[-1].strip()[-1] not in LINE_ENDS:
                out[-1] = out[-1].rstrip() + rest
            else:
                out.append(rest)
            joined += 1
        else:
            out.append(line)
    return "\n".join(out), joined


def rejoin_broken_lines(text: str) -> tuple[str, int]:
    """Join a line to the one before when a single newline cut a sentence (`政府工作报\\n告`).

    A blank line, a previous line that ends a sentence, or a next line that opens a heading keeps the break;
    so does, in the front matter, a meeting line or a signature (…大会第四次会议上 / 省长 王予波), each
    a line of its own.
    """
    lines = text.split("\n")
    front = front_matter_end(lines)
    out: list[str] = []
    joined = 0
    for k, line in enumerate(lines):
        stripped = line.strip()
        prev = out[-1].strip() if out else ""
        if (
            stripped
            and prev
            and not (k <= front and ends_front_line(prev))
            and not (
                len(out) == 1 and not FULL_WIDTH_STOP.search(prev)
            )  # a first line without a sentence is the title
            and not SALUTATION.match(stripped)
            and prev[-1] not in LINE_ENDS
            and not HEADING_START.match(stripped)
            and not looks_like_heading(prev)
            and (_CJK_CHAR.match(prev[-1]) or prev[-1] in "，、,“《（(")
            and (_CJK_CHAR.match(stripped[0]) or stripped[0] in "，。、；：”》）),:;")
        ):
            out[-1] = out[-1].rstrip() + stripped
            joined += 1
        else:
            out.append(line)
    return "\n".join(out), joined


SALUTATION = re.compile(r"^.{1,12}[:：]$")  # 同志们：
FRONT_MATTER_LINES = 12  # the salutation of a speech comes within its first lines, or not at all

# The front matter's grammar, read here (lines kept apart) and by ingest.metadata (date, speaker):
# ——2026年1月27日在吉林省第十四届人民代表大会第五次会议上 / 河北省人民政府省长 王正谱
MEETING = re.compile(
    rf"^[—－\-\s]*({YEAR})年(\d{{1,2}})月(\d{{1,2}})日在(.{{4,60}}?(?:会议|大会|会|典礼|仪式))上\s*(.*)$"
)
POSTS = "省长|副省长|主席|副主席|市长|副市长|县长|区长|州长|盟长|旗长|书记|副书记|主任|总理|副总理"
SIGNATURE = re.compile(
    rf"^(.{{0,16}}?(?:{POSTS}))[\s\u3000]+([\u4e00-\u9fff·][\u4e00-\u9fff·\s\u3000]{{1,12}})$"
)


def is_salutation(line: str) -> bool:
    """各位代表：, 同志们：, 女士们、先生们： (not a page's 【字体：)."""
    return bool(re.fullmatch(r"[\u4e00-\u9fff、，,]{1,12}[:：]", line.strip()))


def ends_front_line(line: str) -> bool:
    """A meeting line, or a line ending with a signature: the front matter's units, never run on."""
    line = to_simplified(line)
    meeting = MEETING.match(line)
    rest = meeting.group(5) if meeting else line
    return bool(meeting and not rest) or bool(SIGNATURE.match(rest.strip()))


def front_matter_end(lines: list[str]) -> int:
    """Index of the salutation (各位代表：, 同志们：) that ends a speech's front matter, when one stands
    among its first lines; else -1 (no front matter)."""
    written = [k for k, line in enumerate(lines) if line.strip()][:FRONT_MATTER_LINES]
    return next((k for k in written if is_salutation(lines[k])), -1)


_ASCII_TO_WIDE = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_WIDE_PUNCT = re.compile(rf"(?<=[{CJK}“”‘’》」）])([,:;?!])|([,:;?!])(?=[{CJK}“‘《「（])")


def normalize_punctuation(text: str) -> str:
    """Full-width digits and letters to ASCII; ASCII , : ; ? ! next to Chinese to full-width."""
    text = fold_width(strip_invisible(text)).replace("\r\n", "\n").replace("\r", "\n")
    return _WIDE_PUNCT.sub(lambda m: _ASCII_TO_WIDE[m.group(1) or m.group(2)], text)


# The second item of a list, and the first item's marker that must then stand somewhere before it.
_LIST_PAIRS = (("二要", "一要"), ("（二）", "（一）"), ("(二)", "(一)"), ("二、", "一、"), ("第二", "第一"))


def split_inline_headings(text: str) -> str:
    """Put a heading on its own line: after the end of a sentence, and where a list's first item
    is glued to the end of a heading (`…项目建设一要向产业…` followed by a line `二要…`)."""
    lines = INLINE_HEADING.sub("\n", text).split("\n")
    out: list[str] = []
    for k, line in enumerate(lines):
        following = lines[k + 1].lstrip() if k + 1 < len(lines) else ""
        for second, first in _LIST_PAIRS:
            cut = line.rfind(first)
            if following.startswith(second) and cut > 0:
                out.append(line[:cut])
                line = line[cut:]
                break
        out.append(line)
    return "\n".join(out)


def tidy_paragraphs(text: str) -> str:
    """One paragraph a line: strip each line, drop empty ones and a line that repeats the one before."""
    out: list[str] = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t]+", " ", line).strip()
        if line and (not out or line != out[-1]):
            out.append(line)
    return "\n".join(out)


def clean_text(raw: str) -> Cleaned:
    """Run every cleaning step; the result has one paragraph a line, in the original script."""
    text = strip_invisible(raw).replace("\r\n", "\n").replace("\r", "\n")
    text = drop_table_of_contents(text)
    text, pinyin = strip_pinyin(text)
    text, dropped = drop_site_lines(text)
    text, trail = drop_navigation_trails(text)
    text, toolbar = drop_toolbars(text)
    text, fields = drop_page_fields(text)
    text, repeated = drop_repeated_head_lines(text)
    text, captions = drop_photo_captions(text)
    dropped += trail + toolbar + fields + repeated + captions
    text = join_letter_spacing(text)
    text, notices, truncated = remove_notices(text)
    text = remove_footnote_markers(text)
    text, spans = mark_mojibake(text)
    text, pages = join_page_markers(text)
    text, rejoined = rejoin_broken_lines(text)
    text = normalize_punctuation(text)
    text = split_inline_headings(text)
    text = tidy_paragraphs(text)
    # Offsets of mojibake markers move with the later steps; find them again in the final text.
    positions = [m.start() for m in re.finditer(UNREADABLE, text)]
    mojibake = tuple(
        MojibakeSpan(start=pos, original=span.original) for pos, span in zip(positions, spans, strict=False)
    )
    report = QualityReport(
        dropped_lines=dropped,
        pinyin_removed=pinyin,
        notices_removed=notices,
        page_markers_joined=pages,
        lines_rejoined=rejoined,
        mojibake=mojibake,
        truncated=truncated,
    )
    return Cleaned(text=text, report=report)
