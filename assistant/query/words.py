"""Every word list the question path uses, in one place. Each list is about the *form* of a question
(how people ask, compare, follow up), never about a particular question or answer. The tokenizer's
own stopwords live with the tokenizer (vectorstore.keyword), since documents and questions share it.

Chinese lists are Simplified: they are matched against normalize_text output, which folds
Traditional questions to Simplified.
"""

from __future__ import annotations

import calendar
import re

from ingest.grammar import YEAR


def _alternation(words: tuple[str, ...] | frozenset[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


# -- comparison -------------------------------------------------------------------------------
COMPARE_ZH = ("比较", "对比", "相比", "异同", "区别", "不同", "分别", "两地")  # asking for a comparison
ACROSS_ZH = ("各地", "各市", "各省", "哪些城市", "哪些省")  # asking across places
COMPARE_EN = (
    "compare",
    "compares",
    "compared",
    "comparing",
    "comparison",
    "versus",
    "vs",
    "differ",
    "differs",
    "difference",
    "differences",
    "different",
)
ACROSS_EN = (
    "both",
    "each city",
    "each province",
    "every city",
    "every province",
    "which cities",
    "which provinces",
)
# Words that join the compared places to each other and to the topic ("比较临沂和聊城在用地方面…").
LINKS_ZH = ("在", "和", "与", "及")
LINKS_EN = ("between", "on", "and", "with")

IS_COMPARISON = re.compile(
    rf"({_alternation(COMPARE_ZH + ACROSS_ZH)})|\b({_alternation(COMPARE_EN + ACROSS_EN)})\b", re.I
)
COMPARISON_FRAME = re.compile(
    rf"({_alternation(COMPARE_ZH + LINKS_ZH)})|\b({_alternation(COMPARE_EN + LINKS_EN)})\b", re.I
)

# -- follow-ups -------------------------------------------------------------------------------
FOLLOWUP_ZH = re.compile(r"^(那|那么|还有|另外|再|而|又)|呢[？?]?$|^(他|她|他们|该|这|此|其)")
FOLLOWUP_EN = re.compile(
    r"^(and|what about|how about|also|then|so)\b|\b(he|she|they|him|her|them|his|their|it|that|this|there)\b",
    re.I,
)
# How a follow-up edits the places of the conversation: adds one ("再加上惠州", "和聊城比呢", "and Huizhou
# too"), removes one ("去掉聊城", "without Liaocheng"), or keeps only those it names ("只看临沂"). Each
# place named is edited by the nearest such word before it (or, in English, after it: "Huizhou too").
PLACES_ADD = re.compile(
    r"加上|再加|加入|添上|也看|也加|\b(add|adding|include|including|also|too|plus|as well)\b", re.I
)
PLACES_COMPARE_WITH = re.compile(
    r"(和|跟|与|同)[^，,；;。？?]{2,12}?(相?比|对比|比较)|\bcompared? (with|to)\b|\bversus\b|\bvs\b", re.I
)
PLACES_REMOVE = re.compile(
    r"去掉|去除|除去|删掉|删去|拿掉|不看|不要|排除|\b(without|remove|drop|exclude|except|minus)\b", re.I
)
PLACES_ONLY = re.compile(r"只看|只要|仅看|只比较|只留|\b(only|just)\b", re.I)
# A year named as one end of a span: "2020年以后", "since 2020" (from), "2020年以前", "before 2020" (to)
YEAR_FROM = re.compile(
    rf"({YEAR})年?\s*(以后|之后|以来|起|开始)|\b(since|after|from)\s+({YEAR})\b|"
    rf"\b({YEAR})\s+(onwards?|and later)\b",
    re.I,
)
YEAR_TO = re.compile(rf"({YEAR})年?\s*(以前|之前|为止)|\b(before|until|up to)\s+({YEAR})\b", re.I)
# A year named from the conversation's year: the one after it ("第二年的报告", "the following year") or
# the one before it ("前一年", "the previous year")
YEAR_SHIFTS = (
    (1, re.compile(r"第二年|次年|翌年|下一年|\b(next|following) year\b|\byear after\b", re.I)),
    (-1, re.compile(r"前一年|上一年|\b(previous|preceding|prior) year\b|\byear before\b", re.I)),
)
_EDITS = (
    r"以后|之后|以来|以前|之前|为止|\bsince\b|\bafter\b|\bbefore\b|\buntil\b|\bonwards?\b|"
    r"加上|再加|加入|添上|也看|也加|去掉|去除|除去|删掉|删去|拿掉|不看|不要|排除|只看|只要|仅看|只比较|只留|"
    r"相比|对比|比较|比(?=呢|吗|一比|[？?]|$)|"
)

# Words that carry no topic: what is left of a question after removing them and the entities tells
# whether the question brings a topic of its own ("那惠州呢？" does not; nor does "再加上惠州"). Among
# them the words that point back to what the conversation named (两地, 它们, that, them, both) and the
# verb endings that ask nothing more ("比较一下", "对比看看"): "比较一下" after two places compares them
# on the conversation's topic.
_POINTING_BACK = (
    r"一下|看看|看一看|两地|两者|二者|双方|两个|它们|它|这个|那个|这些|那些|省|"
    r"\bthat\b|\bthis\b|\bit\b|\bthem\b|\bthese\b|\bthose\b|\bboth\b|\bon\b|\btwo\b|\bplaces\b|\bcities\b|"
    r"\bprovinces\b|"
)
FILLER = re.compile(
    r"(" + _EDITS + _POINTING_BACK + r"那么|那|呢|还有|另外|的|吗|怎么样|怎么说|如何|"
    r"市|县|区|和|与|及|跟|同|再|也|"
    r"\badd\b|\badding\b|\binclude\b|\balso\b|\btoo\b|\bplus\b|\bas well\b|\bwithout\b|\bremove\b|\bdrop\b|"
    r"\bexclude\b|\bexcept\b|\bonly\b|\bjust\b|\bcompared?\b|\bwith\b|\bto\b|\bversus\b|\bvs\b|"
    r"\band\b|\bwhat about\b|\bhow about\b|\bthe\b|\bcity\b|\bof\b|\bin\b|\babout\b|\bwhat\b|\bsay\b|"
    r"\bsaid\b|"
    r"\bdid\b|\bdo\b|\bdoes\b|[\s?？!！,，.。、:：]+)",
    re.I,
)

# -- what a passage need not repeat ----------------------------------------------------------
# Words that frame a question about what speeches say ("如何表述", "有什么规定") rather than name
# its subject: a passage need not repeat them to answer it.
FRAMING_WORDS = frozenset(
    "表述 论述 阐述 描述 提到 提及 谈到 谈及 说到 讲到 讲了 认为 表示 规定 安排 部署 说明 介绍 主要 具体"
    " 哪几 几个 哪几个 有关 关于 报告 会议".split()
)
# A yes-no question asked as "A not A" (是不是, 有没有, 能不能, 同不同意): the form of the question, no topic
A_NOT_A = re.compile(r"^(\w)[不没]\1")

# -- English ----------------------------------------------------------------------------------
EN_STOPWORDS = frozenset(
    """a an the of to in on at for and or but is are was were be been being do does did what which who
    whom whose how why when where this that these those it its they them their he she his her we our you
    your i me my
    about with from by as than then so such should would could can may might must shall will there here
    speech speeches speaker say said says talk talked mention mentioned mentions tell told any some all each
    other more most very much many also into over under between during through up down out off only just
    make made kind kinds way ways thing things city cities one two three four five six seven eight nine ten
    first second third new according accord now from onwards since per please describe described state
    stated express expressed put forward emphasis""".split()
)
# Words a written answer uses to report speech rather than to state what was said ("he stressed that
# …"): a generated sentence need not find them in the passage it cites.
ANSWER_FRAMING_EN = frozenset(
    """stress emphasize emphasise urge call note point highlight underline underscore ask require need must
    also noted pointed called urged asked required stressed emphasized emphasised highlighted outline outlined
    set forth mention mentioned include including includes included note notes""".split()
)
# An English word that only says "compare" (or "across places": both) is no search term; a phrase that
# asks across places (each province) is none either, though its words may be ("the province has …").
EN_NOT_TERMS = frozenset(COMPARE_EN) | {phrase for phrase in ACROSS_EN if " " not in phrase} | {"between"}
ACROSS_EN_PHRASES = re.compile(
    rf"\b({_alternation(tuple(p for p in ACROSS_EN if ' ' in p))})\b(['’]s)?", re.I
)
# English's adverbial particles: after a verb they make a phrasal verb (carry out), whose meaning is not
# its verb's
PARTICLES = frozenset("up down out off over away back through forward around along".split())
# A month or a weekday says when, as a year does (English names: Python keeps the C locale's for
# dates unless a program sets LC_TIME, which speechqa never does)
CALENDAR_WORDS = frozenset(n.lower() for n in (*calendar.month_name, *calendar.day_name) if n)

# -- amounts ----------------------------------------------------------------------------------
ASKS_QUANTITY = re.compile(
    r"(多少|几|多大|规模|数量|比例|比率|目标|增长|达到|how (much|many)|what (share|percentage|rate|ratio|"
    r"target|amount)|\bnumber\b|\btargets?\b)",
    re.I,
)

# -- time: when a topic first came up, when last, how it changed ------------------------------
# Each pattern finds a way of asking; what it matches is framing and is left out of the search.
TIME_FIRST = re.compile(
    r"(最早|首次|最先|最初|首提|起初|第一次(?=提|出现|使用|写入)|\bearliest\b|\bfirst\b(?=.*\b(appear|mention|rais|introduc|"
    r"talk|propos|put forward|use|came up|come up|time)))",
    re.I,
)
TIME_LATEST = re.compile(
    r"(最近一次|最后一次|最近|最新|最晚|\blatest\b|\bmost recent(ly)?\b|\blast (time|mention(ed)?)\b)", re.I
)
# 发展 says how a topic developed only without an object (如何发展的, 有什么发展); with one it asks how
# to develop it (如何发展冰雪旅游)
TIME_TREND = re.compile(
    r"((有何|有什么|如何|怎样|怎么|发生了?什么样?的?)(变化|演变|变迁|发展(?=[的了过起]|[^\u4e00-\u9fff]|$))|"
    r"(历年|历次|历届|逐年|多年来|这些年|各年)(来)?|"
    r"(变化|演变|演进|变迁)(过程|趋势|脉络|情况)?(?=[？?]?$)|\bover the years\b|\bover time\b|\bthrough the "
    r"years\b|"
    r"\byear (by|after) year\b|\b(evolution|evolved|evolve|trend)\b)",
    re.I,
)
TIME_TREND_ASKED = re.compile(
    r"\bhow (has|have|did)\b.*\b(change|changed|evolve|evolved)\b", re.I
)  # found, not cut out
# Words that ask "when" once a question is known to be about time; framing too.
ASK_WHEN = re.compile(
    r"(什么时候|何时|哪一年|哪年|哪些年份?|是在|提出的?|出现的?|提到的?|提及的?|开始|写入|被|了|\bwhen\b|"
    r"\bwhat years?\b|"
    r"\bwhich years?\b|\bin\b(?= what)|\b(was|were|is|did|does|has|have)\b|\bappear(ed|s)?\b|\bmention(ed|"
    r"s)?\b|"
    r"\bcame up\b|\bcome up\b|\b(raised|introduced|proposed|put forward|talked about)\b|\bfor the\b|\btime\b|"
    r"\bhow\b|"
    r"\bchange[ds]?\b)",
    re.I,
)
