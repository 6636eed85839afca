"""Bytes an office sends → text: the one place that tells UTF-8 from what else arrives.

Offices on Chinese Windows save GBK (Excel's "CSV (comma delimited)", Notepad's
ANSI), Excel's "Unicode text" is UTF-16, and now and then a workbook or a Word
file is passed where text is expected. The data file, the bureau's CSV and the
templates all need the same answer to "what is this?"; each caller only says it
in its own words, since a CSV may be GBK while a data file or a template may not.
"""

from __future__ import annotations

UTF16 = "utf-16"  # starts with a UTF-16 byte-order mark
NUL = "nul"  # NUL bytes: UTF-16 without a mark, or not text at all
GBK = "gbk"  # not UTF-8, but reads as GBK (GB18030) text
BINARY = "binary"  # mostly control bytes
INVALID = "invalid"  # some other encoding, or damaged UTF-8


class NotUtf8(ValueError):
    def __init__(self, kind: str, offset: int | None = None):
        super().__init__(kind)
        self.kind = kind
        self.offset = offset  # the first byte that is not UTF-8, when there is one


def decode(raw: bytes, *, accept_gbk: bool = False) -> str:
    """UTF-8 text (a BOM is dropped); GBK too when the caller accepts it; NotUtf8 otherwise."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotUtf8(UTF16)
    if b"\x00" in raw:
        raise NotUtf8(NUL)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = exc.start
    gbk = as_gbk(raw)
    if gbk is not None:
        if accept_gbk:
            return gbk
        raise NotUtf8(GBK, bad)
    raise NotUtf8(BINARY if _looks_binary(raw) else INVALID, bad)


def as_gbk(raw: bytes) -> str | None:
    """The text, if the bytes are GBK text; GB18030 is its superset and decodes nearly
    anything, so text with control characters (a binary file) does not count."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        return None
    return text


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:4096]
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r")
    return controls * 20 > len(sample)
