"""Turn a fetched body into text when the declared charset is missing or wrong.

Order, after the WHATWG "encoding sniffing" idea: a byte-order mark wins; then the charset the
server declared, but only if the bytes decode cleanly with it; then a <meta charset> or XML
declaration in the first bytes; then UTF-8 if the bytes are valid UTF-8; then a statistical
guess for multi-byte encodings (charset-normalizer tells GBK, Shift-JIS, EUC-KR and Big5 apart
better than a hand-written table would); last, cp1252 with replacement, so a page always
decodes.

One twist: a page labelled Latin-1/cp1252/ASCII whose bytes are valid, non-ASCII UTF-8 is read as
UTF-8. Latin-1 "decodes" any byte string, so the label alone cannot be trusted, and multi-byte
UTF-8 sequences almost never occur by accident in real Latin-1 text.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes
from charset_normalizer.utils import is_multi_byte_encoding

BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
LATIN_LABELS = {"iso-8859-1", "latin-1", "latin1", "cp1252", "windows-1252", "ascii", "us-ascii"}
# On short samples the detector confuses the single-byte code pages (it read a cp1252 page as
# Baltic cp775); the web's de facto default among them is cp1252, so any single-byte guess falls
# through to it. Asking the detector which codecs are multi-byte covers every single-byte code
# page, where a hand-written list of them missed some.
LATIN_NAMES = {codecs.lookup(label).name for label in LATIN_LABELS}
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)
XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I)
SNIFF_BYTES = 4096


def decode_body(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The text of a body and the encoding used to read it."""
    for bom, encoding in BOMS:
        if content.startswith(bom):
            return content.decode(encoding, errors="replace"), encoding
    declared = _label(HEADER_CHARSET.search(content_type or ""))
    head = content[:SNIFF_BYTES]
    in_page = _label(META_CHARSET.search(head)) or _label(XML_ENCODING.search(head))
    for label in (declared, in_page):
        if label is None:
            continue
        encoding = label
        if codecs.lookup(encoding).name in LATIN_NAMES:
            utf8 = _strict(content, "utf-8")
            if utf8 is not None and not content.isascii():
                return utf8, "utf-8"
        text = _strict(content, encoding)
        if text is not None:
            return text, encoding
    text = _strict(content, "utf-8")
    if text is not None:
        return text, "utf-8"
    guess = from_bytes(content[:200_000]).best()
    if guess is not None and guess.encoding and is_multi_byte_encoding(guess.encoding):
        return content.decode(guess.encoding, errors="replace"), guess.encoding
    return content.decode("cp1252", errors="replace"), "cp1252"


def _label(match: re.Match | None) -> str | None:
    if match is None:
        return None
    raw = match.group(1)
    label = raw.decode("ascii", "ignore") if isinstance(raw, bytes) else raw
    label = label.strip().lower()
    if label in {"gb2312", "gbk"}:
        label = "gb18030"  # the superset browsers use for every GB label
    return label if _ok(label) else None


def _ok(label: str) -> bool:
    try:
        codecs.lookup(label)
    except LookupError:
        return False
    return True


def _strict(content: bytes, encoding: str) -> str | None:
    try:
        return content.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


# File signatures of formats servers mislabel as text/html: gzip, PNG, JPEG, GIF, PDF, ZIP,
# RIFF (WebP), 7z, bzip2, xz, zstd.
BINARY_MAGIC = (
    b"\x1f\x8b",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"RIFF",
    b"7z\xbc\xaf",
    b"BZh",
    b"\xfd7zXZ",
    b"\x28\xb5\x2f\xfd",
)
MARKUP = re.compile(rb"<(!doctype|html|head|body|p[ >]|div|article|main|title|meta)", re.I)
CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def looks_binary(content: bytes) -> str | None:
    """Why a body served as a page is really binary (its format), or None when it is text.

    A known file signature decides; otherwise more than 5% control bytes with no sign of
    markup. Control characters inside real HTML (it happens) do not count against it.
    """
    head = content[:8192]
    if any(head.startswith(bom) for bom, _ in BOMS):
        return None
    for magic in BINARY_MAGIC:
        if head.startswith(magic):
            return f"a binary file (starts {magic!r})"
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    if head and controls / len(head) > 0.05 and not MARKUP.search(head):
        return "binary data (control bytes, no markup)"
    return None
