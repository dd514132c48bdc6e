"""Everything a reader sees in words, in one catalog keyed by language (zh, en) and written in
Simplified; a Traditional reader gets it converted. Answers' framing, notes and silences, the scope
chips, the sources' heading, the reasons a chat model's sentence was removed. A key missing in a
language fails loudly (`MissingWording`), as a missing prompt does; tests/test_one_rule.py checks that
both languages hold the same keys."""

from __future__ import annotations

from ingest.normalize import to_traditional


class MissingWording(KeyError):
    """A key the catalog lacks in a language."""


PHRASES: dict[str, dict[str, str]] = {
    "zh": {
        "intro": "根据所收录的讲话，相关内容如下：",
        "none": "所收录的讲话没有涉及这个问题。",
        "related": "以下段落可能相关：",
        "closest": "以下是与问题最接近的段落，但都没有直接说明：",
        "searched": "检索范围：{docs}篇文件（{cities}；{years}）。",
        "searched_one": "检索范围：1篇文件（{cities}；{years}）。",
        "all_cities": "所有城市",
        "all_years": "所有年份",
        "undated_only": "均无日期",
        "unknown_city": "城市不详",
        "unknown_date": "日期不详",
        "searched_as": "检索词：{terms}。",
        "read_as": "讲话中没有“{word}”一词，按“{readings}”理解。",
        "never_written": "讲话中没有出现：{words}。",
        "spoken_by": "讲话人{name}",
        "unreadable": "（无法辨认）",
        "national": "全国",
        "nothing_for": "所检索的{city}{n}篇讲话（{when}）没有谈到这个话题",
        "none_in_span": "所问的时间内没有{city}的讲话",
        "no_speeches_for": "索引中没有{city}的讲话",
        "inferred_city": "没有讲话标注为{city}；{city}是从讲话中提到的地名推断的：{evidence}。",
        "entity": "对象",
        "said": "讲话内容",
        "cites": "出处",
        "no_city_docs": "没有标注为{city}的讲话，以下为全部讲话中的结果。",
        "no_city_docs_here": "没有标注为{city}的讲话。",
        "widened": "没有符合{scope}的讲话，以下为全部讲话中的结果。",
        "question_scope": "问题所指文件",
        "widened_to_filters": "没有符合{scope}的讲话，以下为所选筛选范围内的结果。",
        "kept": "模型所写的{total}句中有{kept}句得到所引段落支持，其余已删除。",
        "model_cut": "模型的回答写到{tokens}个词元时被截止（SPEECHQA_LLM_MAX_TOKENS）。",
        "unverified": "模型的回答无法用所引段落核实，以下为讲话原文。",
        "model_failed": "模型未能作答（{reason}），以下为讲话原文。",
        "quotes_too": "模型的回答大多无法核实；以下为讲话原文：",
        "keywords_only": "向量检索暂不可用，本回答仅依据关键词检索。",
        "empty_index": "索引中还没有讲话。请先导入讲话（speechqa ingest 或“Documents”页上传）。",
        "building": "索引正在建立，还没有可检索的讲话；请在导入完成后再问。",
        "first_latest": "在所检索的{years}个年份（{start}—{end}年）的文件中，“{topic}”最早见于{first}年 "
        "[{first_n}]，最近一次见于{latest}年 [{latest_n}]；共有{mention_years}个年份的{passages}段提到。",
        "by_date": "按时间顺序：",
        "year_label": "{year}年",
        "undated": "另有{n}段提到它的文件没有日期，未计入时间顺序。",
        "no_dated": "没有找到提到它的有日期的段落，无法按时间回答；以下为一般检索结果。",
        "ledger_intro": "在所检索的{years}个年份（{start}—{end}年）的文件中，有{rows}份写明“{topic}”"
        "的数字，按年份列出（每个数字引自写明它的句子）：",
        "ledger_places": "有{rows}份文件写明“{topic}”的数字，按地区列出（每个数字引自写明它的句子）：",
        "ledger_places_one": "有1份文件写明“{topic}”的数字（引自写明它的句子）：",
        "ledger_without": "所检索的文件中没有以“{topic}”写明这个数字的地区：{places}。",
        "ledger_nearest": "每个这样的地区最接近的段落（可能用别的说法写了这个数字）：",
        "year": "年份",
        "where": "地区",
        "figure": "数字",
        "kind": "性质",
        "target": "目标",
        "result": "实际",
        # what a reader sees around the answer: the sources' heading, the pointer to a comparison's
        # columns, the scope chips
        "sources": "出处",
        "side_by_side": "并排对比见下方 ↓",
        "chip_city": "城市",
        "chip_province": "省份",
        "chip_year": "年份",
        "chip_document": "文件",
        "chip_topic": "话题",
        "chip_language": "检索语言",
        "searched_zh": "中文",
        "searched_en": "English → 中文",
        # why a chat model's sentence was removed (assistant.answer.checking decides)
        "reason_uncited": "没有引用检索到的段落",
        "reason_numbers": "所述数字不见于所引段落",
        "reason_url": "所给链接不见于所引段落",
        "reason_place": "所说城市不是所引段落所讲的城市",
        "reason_unsupported": "所引段落没有这样说",
        "reason_header_only": "只复述了段落的标题、章节或日期",
        "removed_by_check": "核查删除的句子（{n}）",
        "still_writing": "模型仍在写作",
        "model_reading": "模型正在阅读所引段落",
    },
    "en": {
        "intro": "Here is what the speeches say, quoted in the original Chinese (a configured chat model "
        "writes the answer in English):",
        "searched_as": "Searched as: {terms}.",
        "read_as": "The speeches never write {word}; read as {readings}.",
        "never_written": "The speeches never write: {words}.",
        "spoken_by": "speaker {name}",
        "none": "The speeches in the corpus do not cover this question.",
        "related": "Possibly related passages:",
        "closest": "The closest passages; none of them states this directly:",
        "searched": "Searched {docs} documents ({cities}; {years}).",
        "searched_one": "Searched 1 document ({cities}; {years}).",
        "all_cities": "all cities",
        "all_years": "all years",
        "undated_only": "undated",
        "unknown_city": "city unknown",
        "unknown_date": "date unknown",
        "unreadable": "(unreadable)",
        "national": "national",
        "nothing_for": "{city} speeches searched: {n} ({when}); none speaks of this topic",
        "none_in_span": "no {city} speeches in the years asked about",
        "no_speeches_for": "no speeches from {city} are indexed",
        "inferred_city": "No speech is tagged {city}; {city} was inferred from the places the speeches name: "
        "{evidence}.",
        "entity": "Place",
        "said": "What was said",
        "cites": "Sources",
        "no_city_docs": "No speech is tagged {city}; showing results from all speeches.",
        "no_city_docs_here": "No speech is tagged {city}.",
        "widened": "No speech matches {scope}; showing results from all speeches.",
        "question_scope": "the documents the question names",
        "widened_to_filters": "No speech matches {scope}; showing results from the speeches your filters "
        "allow.",
        "kept": "{kept} of the model's {total} sentences are supported by the passages they cite; the rest "
        "were removed.",
        "unverified": "The model's answer could not be verified against the passages; here are the passages' "
        "own words.",
        "model_failed": "The chat model did not answer ({reason}); here are the passages' own words.",
        "model_cut": "The chat model was stopped after {tokens} tokens (SPEECHQA_LLM_MAX_TOKENS).",
        "quotes_too": "Most of the model's answer could not be verified; the passages' own words:",
        "keywords_only": "The vector index cannot be read right now; this answer comes from keyword search "
        "alone.",
        "empty_index": "No speeches are indexed yet. Add some first (speechqa ingest, or upload in the "
        "Documents tab).",
        "building": "The index is being built and holds no speeches yet; ask again when the ingestion has "
        "finished.",
        "first_latest": "Across the documents of the {years} years searched ({start}–{end}), “{topic}” first "
        "appears in {first} [{first_n}] and most recently in {latest} [{latest_n}]; {passages} passages in "
        "{mention_years} years mention it.",
        "by_date": "In date order:",
        "year_label": "{year}",
        "undated": "{n} more passages mentioning it are in undated documents and are not placed in time.",
        "no_dated": "No dated passage mentioning it was found, so this cannot be answered in time order; "
        "general results follow.",
        "ledger_intro": "Across the documents of the {years} years searched ({start}–{end}), {rows} state "
        "a figure for “{topic}”, by year (each cited to the sentence that states it):",
        "ledger_places": "{rows} documents state a figure for “{topic}”, by place (each cited to the "
        "sentence that states it):",
        "ledger_places_one": "1 document states a figure for “{topic}” (cited to the sentence that "
        "states it):",
        "ledger_without": "Places searched whose documents state no figure for “{topic}”: {places}.",
        "ledger_nearest": "The closest passage of each (it may state the figure in other words):",
        "year": "Year",
        "where": "Place",
        "figure": "Figure",
        "kind": "Kind",
        "target": "target",
        "result": "result",
        "sources": "Sources",
        "side_by_side": "Side by side below ↓",
        "chip_city": "city",
        "chip_province": "province",
        "chip_year": "year",
        "chip_document": "document",
        "chip_topic": "topic",
        "chip_language": "searched in",
        "searched_zh": "中文",
        "searched_en": "English → 中文",
        "reason_uncited": "cites no retrieved passage",
        "reason_numbers": "states a number the cited passage does not",
        "reason_url": "gives a link the cited passage does not",
        "reason_place": "names a city the cited passage is not about",
        "reason_unsupported": "the cited passage does not say this",
        "reason_header_only": "repeats only the passage's title, section or date",
        "removed_by_check": "Removed by the check ({n})",
        "still_writing": "still writing",
        "model_reading": "the model is reading the passages",
    },
}


def phrase(key: str, language: str, script: str) -> str:
    """The wording for `key` in the reader's language ("en", else Chinese) and script."""
    lang = "en" if language == "en" else "zh"
    try:
        text = PHRASES[lang][key]
    except KeyError:
        raise MissingWording(f"no {lang} wording for {key!r} in assistant/wording.py") from None
    return to_traditional(text) if script == "traditional" else text
