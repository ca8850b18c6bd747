"""Read a saved page or text from a file or stdin, decoded as a fetched page would be."""

from __future__ import annotations

import sys
from pathlib import Path

from extractor.errors import InputError
from extractor.ingest.charset import decode_body

STDIN = "-"


def read_source(source: str) -> str:
    """Read a file, or stdin for '-', as text, tolerating undeclared encodings."""
    if source == STDIN:
        data = sys.stdin.buffer.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{source}: no such file")
        data = path.read_bytes()
    return decode_bytes(data)


def decode_bytes(data: bytes) -> str:
    """Decode a file the way a fetched page is decoded (BOM, <meta charset>, UTF-8, a guess
    for GBK/Shift-JIS, cp1252 last), so a saved page reads the same as the page served."""
    return decode_body(data)[0]
