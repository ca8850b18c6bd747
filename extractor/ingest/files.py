"""Read a saved page or text from a file or stdin, decoded as a fetched page would be."""

from __future__ import annotations

import sys
from pathlib import Path

from extractor.errors import InputError
from extractor.ingest.charset import decode_body, looks_binary

STDIN = "-"


def read_source(source: str, *, page: bool = True) -> str:
    """Read a file, or stdin for '-', as text, tolerating undeclared encodings. As a `page`
    (extract, ingest) an empty or binary input is refused: stored, it would be an article with
    a garbage title; as plain text (`quantities`) it is simply text with no figures."""
    if source == STDIN:
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if path.is_dir():
            raise InputError(f"{source}: is a folder; name the files in it ({source}/*.html)")
        if not path.is_file():
            raise InputError(f"{source}: no such file")
        data = path.read_bytes()
    name = "standard input" if source == STDIN else source
    if not page:
        return decode_bytes(data)
    if not data.strip():
        raise InputError(f"{name}: empty; nothing to read")
    binary = looks_binary(data)
    if binary:
        raise InputError(f"{name}: not a page or text but {binary}")
    return decode_bytes(data)


def decode_bytes(data: bytes) -> str:
    """Decode a file the way a fetched page is decoded (BOM, <meta charset>, UTF-8, a guess
    for GBK/Shift-JIS, cp1252 last), so a saved page reads the same as the page served."""
    return decode_body(data)[0]
