"""Files to RawDocuments: txt/md in any common Chinese encoding, html, docx, pdf and JSON Lines.

Every failure is a LoadError whose message says what is wrong with which file; the caller records it
and goes on with the batch.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import LoadError
from ingest.records import RawDocument

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | {".docx", ".pdf", ".jsonl"}
MAX_BYTES = 20 * 1024 * 1024  # a speech is a few hundred KB; a 50 MB file is a dump to split first
MAX_JSONL_BYTES = 512 * 1024 * 1024  # a JSON Lines file holds many speeches: a collection's export
# Tried in order when the bytes are not UTF-8; GB18030 is a superset of GBK and GB2312.
_CANDIDATES = ("gb18030", "big5", "utf-16")
_SKIP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
)


def decode_text(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """(text, encoding) for bytes in UTF-8 (with or without BOM), UTF-16, GB18030/GBK or Big5."""
    if not data.strip():
        raise LoadError(path, "empty file")
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name), name
    if _looks_utf16(data):
        for name in ("utf-16-le", "utf-16-be"):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                pass
    if b"\x00" in data[:8192]:
        raise LoadError(path, "binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = _detect(data)
    if best:
        return best
    raise LoadError(path, "unknown text encoding (tried UTF-8, UTF-16, GB18030, Big5)")


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: every other byte is zero for ASCII, or the text decodes to CJK."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return False
    zeros_even = sample[0::2].count(0) / (len(sample) / 2)
    zeros_odd = sample[1::2].count(0) / (len(sample) / 2)
    return max(zeros_even, zeros_odd) > 0.3 and min(zeros_even, zeros_odd) < 0.05


def _detect(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's guess among the encodings Chinese files come in, judged by how Chinese
    the result reads (a wrong guess yields rare characters and mojibake)."""
    from charset_normalizer import from_bytes

    from ingest.normalize import cjk_ratio

    results = from_bytes(data, cp_isolation=list(_CANDIDATES) + ["big5hkscs", "gbk", "gb2312"])
    scored: list[tuple[float, str, str]] = []
    for match in results:
        text = str(match)
        scored.append((cjk_ratio(text) - match.chaos, text, match.encoding))
    for name in _CANDIDATES:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        scored.append((cjk_ratio(text) - _rare_share(text), text, name))
    if not scored:
        return None
    score, text, name = max(scored, key=lambda item: item[0])
    return (text, name) if score > 0 else None


def _rare_share(text: str) -> float:
    """Share of CJK characters outside the common set: high for a wrong decoding."""
    from ingest.normalize import CJK_RE, is_common_char

    chars = CJK_RE.findall(text[:5000])
    return sum(not is_common_char(c) for c in chars) / len(chars) if chars else 1.0


def html_to_text(html: str) -> str:
    """Visible text of a page, one block a line; scripts, styles and navigation dropped."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    for tag in _SKIP_TAGS:
        for node in tree.css(tag):
            node.decompose()
    body = tree.body or tree.root
    if body is None:
        return ""
    for node in body.css("br"):
        node.replace_with("\n")
    blocks = "p, div, li, h1, h2, h3, h4, h5, h6, tr, section, article, blockquote, pre"
    for node in body.css(blocks):
        node.insert_after("\n")
    title = tree.css_first("title")
    text = body.text(separator="", strip=False)
    head = page_title(title.text(strip=True)) if title is not None else ""
    return (head + "\n" + text) if head and head not in text[:200] else text


def page_title(title: str) -> str:
    """A page's <title> without the site's section and name that portals append
    (2026年河南省政府工作报告_河南要闻_河南省人民政府门户网站 -> 2026年河南省政府工作报告)."""
    return re.split(r"\s*[_|｜]\s*|\s+[-–—－]\s+", title, maxsplit=1)[0].strip()


def docx_to_text(data: bytes, path: str | Path) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(path, f"not a readable .docx ({exc.__class__.__name__})") from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and lxml errors
        raise LoadError(path, f"not a readable .docx ({exc})") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def pdf_to_text(data: bytes, path: str | Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise LoadError(path, f"not a readable PDF ({exc})") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise LoadError(path, "PDF has no text layer (a scanned image?); OCR is not supported")
    return text


@dataclass(frozen=True, slots=True)
class Loaded:
    documents: list[RawDocument]
    warnings: list[str]


def load_file(path: Path) -> Loaded:
    """The documents in one file, and warnings about parts skipped. Raises LoadError if none."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(
            path, f"unsupported file type '{suffix or path.name}' (supported: {', '.join(sorted(SUPPORTED))})"
        )
    try:
        size, limit = path.stat().st_size, MAX_JSONL_BYTES if suffix == ".jsonl" else MAX_BYTES
        if size > limit:
            raise LoadError(
                path,
                f"file too large ({size // 2**20} MiB; the limit is {limit // 2**20} MiB per "
                f"{suffix} file: split it into "
                + ("smaller files)" if suffix == ".jsonl" else "separate speeches)"),
            )
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, f"cannot read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise LoadError(path, "empty file")
    source = str(path)
    if suffix == ".jsonl":
        return _jsonl(data, path)
    if suffix == ".docx":
        text, fmt, encoding = docx_to_text(data, path), "docx", ""
    elif suffix == ".pdf":
        text, fmt, encoding = pdf_to_text(data, path), "pdf", ""
    else:
        text, encoding = decode_text(data, path)
        fmt = "html" if suffix in HTML_SUFFIXES else suffix.lstrip(".")
        if fmt == "html":
            text = html_to_text(text)
    if not text.strip():
        raise LoadError(path, "no text in the file")
    return Loaded([RawDocument(source=source, text=text, fmt=fmt, encoding=encoding)], [])


def _jsonl(data: bytes, path: Path) -> Loaded:
    """One document a line: `content` (or `text`) plus metadata fields (title, url, year, …)."""
    text, encoding = decode_text(data, path)
    documents: list[RawDocument] = []
    warnings: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            warnings.append(f"line {number}: invalid JSON ({exc.msg}); skipped")
            continue
        content = (record.get("content") or record.get("text")) if isinstance(record, dict) else None
        if not isinstance(content, str) or not content.strip():
            warnings.append(f"line {number}: no 'content' text; skipped")
            continue
        fields = {k: v for k, v in record.items() if k not in ("content", "text")}
        documents.append(
            RawDocument(
                source=f"{path}#{number}", text=content, fmt="jsonl", encoding=encoding, fields=fields
            )
        )
    if not documents:
        raise LoadError(path, "no line with a 'content' field" + (f" ({warnings[0]})" if warnings else ""))
    return Loaded(documents, warnings)


def discover(paths: list[Path]) -> tuple[list[Path], list[LoadError]]:
    """The supported files under the given files and folders, sorted; missing paths become errors.
    Inside folders, hidden files and folders (a name starting with '.') are passed over and listed
    among the errors as skipped, so that nothing vanishes without a word."""
    files: list[Path] = []
    errors: list[LoadError] = []
    for path in paths:
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED):
                if any(part.startswith(".") for part in found.relative_to(path).parts):
                    errors.append(
                        LoadError(
                            found,
                            "hidden file or folder (name starts with '.'); name the file itself to ingest it",
                        )
                    )
                else:
                    files.append(found)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(LoadError(path, "no such file or folder"))
    return files, errors
