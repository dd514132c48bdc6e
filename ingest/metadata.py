"""Title, date, speaker and city of a document: from the text, from the file's own fields, and from a
manifest, which overrides everything else."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ingest.calendar import congress_year
from ingest.clean import MEETING, SIGNATURE, front_matter_end
from ingest.errors import ManifestError, MetadataError
from ingest.gazetteer import city_named, guess_city, place_in_title, province_name
from ingest.grammar import FULL_WIDTH_STOP, YEAR
from ingest.names import MAX_NAMES, document_level, people_named, places_named
from ingest.normalize import script_of, to_simplified
from ingest.records import UNKNOWN_CITY, DocMeta, Named
from ingest.tagging import tag_words

_FULL_DATE = re.compile(rf"({YEAR})\s*[-/.年]\s*(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*日?")
_YEAR = re.compile(rf"({YEAR})年")
_TITLE_HINT = re.compile(r"(讲话|講話|报告|報告|会议|會議|致辞|致辭|发言|發言|决议|決議)")
_SPEAKER = re.compile(
    r"(?:市委书记|市长|县委书记|县长|区委书记|区长|省长|省委书记|(?<!总)书记|总理|主任)\s*([\u4e00-\u9fff]{2,3}?)"
    r"(?:同志)?(?:出席会议并讲话|出席并讲话|主持会议并讲话|在会上讲话|讲话)"
)
_BOOK_TITLE = re.compile(r"《([^》]{6,80}?)(?:\.docx?|\.pdf)?》")


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """What a speech's opening lines say about it, not what it says."""

    date: str = ""  # of the meeting, YYYY-MM-DD
    meeting: str = ""  # 吉林省第十四届人民代表大会第五次会议
    speaker: str = ""
    post: str = ""  # 省长, 自治区人民政府主席


def read_front_matter(cleaned: str) -> FrontMatter:
    """The meeting line's date and meeting, and the signature's speaker and post, from the lines before
    the salutation (a signature may close the meeting line: …会议上 陕西省省长 赵刚)."""
    lines = cleaned.split("\n")
    end = front_matter_end(lines)
    date = meeting = speaker = post = ""
    for line in (to_simplified(s.strip()) for s in lines[: max(end, 0)]):
        found = MEETING.match(line)
        if found and not date:
            year, month, day = (int(g) for g in found.groups()[:3])
            if 1 <= month <= 12 and 1 <= day <= 31:
                date, meeting = f"{year:04d}-{month:02d}-{day:02d}", found.group(4)
            line = found.group(5)
        signed = SIGNATURE.match(line.strip())
        if signed and not speaker:
            post, speaker = signed.group(1).strip(), re.sub(r"[\s\u3000]", "", signed.group(2))
    return FrontMatter(date, meeting, speaker, post)


def extract_title(raw: str, cleaned: str) -> str:
    """The first short line of the cleaned text that reads like a title; else a 《…》 name in the raw text."""
    for line in cleaned.split("\n")[:3]:
        if (
            4 <= len(line) <= 120
            and not FULL_WIDTH_STOP.search(line[:-1])
            and (_TITLE_HINT.search(line) or not re.search("[，]", line))
        ):
            return line.split("领导讲话稿")[0].strip()
    m = _BOOK_TITLE.search(raw[:2000])
    if m:
        return m.group(1)
    first = cleaned.split("\n", 1)[0]
    return first[:40] + ("…" if len(first) > 40 else "")


def extract_date(raw: str) -> str:
    """The first full date in the text's head (發布時間:2020-08-25, ——2021年5月13日在…会议上) as
    YYYY-MM-DD. The head ends with the first line that holds a sentence: a date the speech itself
    writes (从2004年7月1日起，全国提高…) is a date it talks about, not the date it was given."""
    head = raw[:3000]
    prose = FULL_WIDTH_STOP.search(head)
    if prose:
        head = head[: head.rfind("\n", 0, prose.start()) + 1]  # the lines before the sentence's line
    m = _FULL_DATE.search(head)
    if m:
        year, month, day = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return ""


def extract_speaker(simplified: str) -> str:
    m = _SPEAKER.search(simplified[:3000])
    return m.group(1) if m else ""


def infer_meta(raw: str, cleaned: str, fields: dict[str, Any]) -> DocMeta:
    """Everything the text and the file's own fields (a JSON Lines record) say about a document."""
    simplified = to_simplified(cleaned)
    words = tag_words(simplified)
    title = str(fields.get("title") or extract_title(raw, cleaned))
    front = read_front_matter(cleaned)
    level, level_evidence = document_level(to_simplified(title), simplified)
    guess = guess_city(words, simplified)
    city, province, confidence, evidence = guess.city, guess.province, guess.confidence, guess.evidence
    # the place the title names (or, failing it, the meeting: 云南省第十四届人民代表大会) settles it
    named = place_in_title(to_simplified(title)) or (place_in_title(front.meeting) if front.meeting else None)
    if named is not None and level != "national":
        level, city, province = named[0], named[1] or UNKNOWN_CITY, named[2]
        confidence, evidence = (1.0, (f"title: {title}",)) if named[1] else (0.0, ())
        level_evidence = title if place_in_title(to_simplified(title)) else front.meeting
    if level in ("national", "provincial"):  # names of places in a national report are not its city
        city, confidence, evidence = UNKNOWN_CITY, 0.0, ()
        province = province if level == "provincial" else ""
    if fields.get("province") and not province:  # a record's own field (JSON Lines from a portal)
        province = province_name(str(fields["province"]))
    date = front.date or extract_date(raw)
    if not date and fields.get("year"):
        date = str(fields["year"])
    if not date:
        m = _YEAR.search(to_simplified(title))
        date = m.group(1) if m else congress_year(title, fields)
    speaker = str(fields.get("speaker") or front.speaker or extract_speaker(simplified))
    people = people_named(words, simplified)
    if speaker and speaker not in {p.name for p in people}:
        people.insert(0, Named(speaker, "person", "speaker"))
    return DocMeta(
        title=title,
        city=city,
        province=province,
        date=date,
        speaker=speaker,
        city_confidence=confidence,
        city_evidence=evidence,
        script=script_of(cleaned),
        url=str(fields.get("url") or ""),
        level=level,
        level_evidence=level_evidence,
        names=(*people[:MAX_NAMES], *places_named(words, simplified)),
    )


_MANIFEST_FIELDS = {"title", "city", "province", "date", "speaker"}


def apply_manifest(meta: DocMeta, entry: dict[str, Any]) -> DocMeta:
    """A manifest entry overrides inferred fields; a city it names is certain (confidence 1)."""
    updates: dict[str, Any] = {
        k: str(v) for k, v in entry.items() if k in _MANIFEST_FIELDS and v not in (None, "")
    }
    if "province" in updates:
        updates["province"] = province_name(updates["province"])
    if "city" in updates:
        updates["city_confidence"] = 1.0
        updates["city_evidence"] = ("manifest",)
    return replace(meta, **updates)


def load_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """file name -> fields, from YAML (`documents: {name: {city: …}}` or a list with `file:`) or CSV
    (a `file` column and any of title, city, province, date, speaker)."""
    try:
        if path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows: list[dict[str, Any]] = list(csv.DictReader(handle))
        else:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            docs = data.get("documents", data) if isinstance(data, dict) else data
            if isinstance(docs, dict):
                rows = [{"file": name, **(fields or {})} for name, fields in docs.items()]
            else:
                rows = list(docs)
    except (OSError, yaml.YAMLError, csv.Error, UnicodeDecodeError, AttributeError) as exc:
        raise ManifestError(f"{path}: cannot read the manifest ({exc})") from exc
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not isinstance(row, dict) or not row.get("file"):
            raise ManifestError(f"{path}: every entry needs a 'file' (got {row!r})")
        unknown = set(row) - _MANIFEST_FIELDS - {"file"}
        if unknown:
            raise ManifestError(
                f"{path}: unknown field(s) {sorted(unknown)} for {row['file']}; "
                f"use {sorted(_MANIFEST_FIELDS)}"
            )
        out[str(row["file"])] = {k: v for k, v in row.items() if k != "file"}
    return out


def find_manifest(folder: Path) -> Path | None:
    for name in ("manifest.yaml", "manifest.yml", "manifest.csv"):
        if (folder / name).is_file():
            return folder / name
    return None


# -- values a person sets (speechqa set, the Documents tab) ---------------------------------------
EDITABLE = ("title", "city", "date", "speaker")  # the fields a person may set; the order shown
SET_BY_YOU = "set by you"  # DocMeta.city_evidence of a city a person set
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def check_edit(field: str, value: str, *, today: dt.date | None = None) -> str:
    """The value to store for `field`, normalised (惠州市 -> 惠州, 2019-1-5 -> 2019-01-05); raises
    MetadataError naming what is wrong. An empty value is refused: clearing is a separate action."""
    value = " ".join(value.split())
    if field not in EDITABLE:
        raise MetadataError(f"'{field}' cannot be set; the fields are {', '.join(EDITABLE)}")
    if not value:
        raise MetadataError(f"an empty {field}: to go back to the inferred {field}, clear it instead")
    if field == "city":
        found = city_named(to_simplified(value))
        if found is None:
            raise MetadataError(
                f"'{value}' is not a prefecture-level city or municipality in the gazetteer "
                "(write it in Chinese, as 惠州 or 惠州市; a county belongs to its city)"
            )
        return found[0]
    if field == "date":
        return _checked_date(value, today or dt.date.today())
    limit = 200 if field == "title" else 40
    if len(value) > limit:
        raise MetadataError(f"the {field} is {len(value)} characters long; at most {limit}")
    return value


def _checked_date(value: str, today: dt.date) -> str:
    m = _ISO_DATE.match(value.replace("/", "-").replace(".", "-"))
    if m is None:
        raise MetadataError(f"'{value}' is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (2019-12-05)")
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        when = dt.date(year, month, day)
    except ValueError as exc:
        raise MetadataError(f"'{value}' is not a date that exists ({exc})") from None
    if when > today or year < 1900:
        raise MetadataError(
            f"'{value}' is {'in the future' if when > today else 'before 1900'}: not the date of a speech"
        )
    parts = [f"{year:04d}"] + [f"{int(p):02d}" for p in (m.group(2), m.group(3)) if p]
    return "-".join(parts)


def apply_edits(meta: DocMeta, edits: dict[str, str]) -> DocMeta:
    """The metadata with the values a person set in place of the inferred ones; a city set is certain
    and brings its province."""
    if not edits:
        return meta
    updates: dict[str, Any] = {k: v for k, v in edits.items() if k in EDITABLE}
    if "city" in updates:
        found = city_named(updates["city"])
        updates.update(
            city_confidence=1.0, city_evidence=(SET_BY_YOU,), province=found[1] if found else meta.province
        )
    return replace(meta, **updates, edited=tuple(k for k in EDITABLE if k in updates))
