"""Read the text files people give the bot's commands: roster CSVs and event files."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from bot import texts
from bot.errors import UserError


def require_file(path: Path) -> None:
    """Refuse a path that is not a file, saying what to give instead."""
    if not path.is_file():
        raise UserError(f"There is no file {path}. Give the path of a JSON lines or CSV file.")


# The byte-order marks read, and the codec that reads (and drops) each.
TEXT_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SNIFF_BYTES = 4096
CHECK_BYTES = 1 << 20


@contextmanager
def open_text(path: Path) -> Iterator[TextIO]:
    """Open a file a person gave a command: UTF-8 (with or without a BOM), or UTF-16 by its BOM.

    Anything else is refused, before a line is read, with how to save the file as UTF-8:
    no encoding is guessed, so a name is never stored garbled and an import never stops
    half-way. Line endings are kept as written (for `csv`).
    """
    require_file(path)
    with path.open("rb") as raw:
        head = raw.read(SNIFF_BYTES)
    encoding = next((codec for bom, codec in TEXT_BOMS if head.startswith(bom)), "utf-8")
    if encoding == "utf-8" and b"\x00" in head:  # UTF-16 without its BOM
        raise UserError(texts.not_utf8_text(path, None))
    _check_decodes(path, encoding)
    with path.open(newline="", encoding=encoding) as handle:
        yield handle


def _check_decodes(path: Path, encoding: str) -> None:
    """Decode the whole file once, a chunk at a time; refuse it naming the first bad line."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as raw:
            while chunk := raw.read(CHECK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UserError(texts.not_utf8_text(path, _first_bad_line(path, encoding))) from None


def _first_bad_line(path: Path, encoding: str) -> int | None:
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return data[: error.start].decode(encoding, errors="replace").count("\n") + 1
    return None
