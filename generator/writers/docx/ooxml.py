"""Small OOXML helpers: namespaces, unit conversion, XML escaping and a deterministic zip writer.

Python's zipfile always compresses what it is given and stamps the clock, so it can
neither reuse pre-compressed parts (the fixed parts of a reference document are the
same for every document) nor give byte-identical packages. This writer does both.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC_NS = "http://schemas.openxmlformats.org/drawingml/2006/picture"
WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
W = "{%s}" % W_NS

REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
REL_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
REL_IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
CT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

EMU_PER_TWIP = 635


def mm_to_twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


# Characters XML 1.0 forbids; one stray control character would make Word refuse the file.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    """Escape text for element content or a double-quoted attribute (fast path: nothing to do)."""
    if not _SPECIAL.search(text):
        return text
    text = _ILLEGAL.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def escape_text(text: str) -> str:
    """Escape text for element content only: quotes may stay (a long JSON text has many)."""
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def insert_before_close(xml: str, addition: str) -> str:
    """Insert elements just before the root's closing tag."""
    if not addition:
        return xml
    i = xml.rindex("</")
    return xml[:i] + addition + xml[i:]


@dataclass(frozen=True)
class ZipMember:
    """One part, already raw-deflated, ready to be laid into a package."""

    name: str
    crc: int
    size: int
    data: bytes


def deflate(name: str, content: bytes, level: int = 6) -> ZipMember:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return ZipMember(name, zlib.crc32(content), len(content), c.compress(content) + c.flush())


def deflate_pieces(name: str, pieces: Iterable[str], level: int = 6) -> ZipMember:
    """A part given as text in pieces, encoded and compressed as they come.

    A volume of thousands of scorecards is never held whole: only its
    compressed bytes, a tenth of its size, are.
    """
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    crc = size = 0
    out = []
    for piece in pieces:
        data = piece.encode("utf-8")
        crc = zlib.crc32(data, crc)
        size += len(data)
        out.append(c.compress(data))
    out.append(c.flush())
    return ZipMember(name, crc, size, b"".join(out))


def part_order(name: str) -> tuple[int, str]:
    """[Content_Types].xml first, then _rels/.rels, then the rest by name (what Word writes)."""
    if name == "[Content_Types].xml":
        return (0, name)
    if name == "_rels/.rels":
        return (1, name)
    return (2, name)


_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest date a zip can hold
_DOS_TIME = 0
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


def build_zip(members: Iterable[ZipMember]) -> bytes:
    """A zip archive of deflated members in the given order, with fixed timestamps."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    count = 0
    for m in members:
        name = m.name.encode("utf-8")
        flags = 0x800 if not name.isascii() else 0
        header = _LOCAL.pack(0x04034B50, 20, flags, 8, _DOS_TIME, _DOS_DATE,
                             m.crc, len(m.data), m.size, len(name), 0)
        out += (header, name, m.data)
        central.append(_CENTRAL.pack(0x02014B50, 20, 20, flags, 8, _DOS_TIME, _DOS_DATE,
                                     m.crc, len(m.data), m.size, len(name), 0, 0, 0, 0, 0,
                                     offset) + name)
        offset += len(header) + len(name) + len(m.data)
        count += 1
    directory = b"".join(central)
    out += (directory, _END.pack(0x06054B50, 0, 0, count, count, len(directory), offset, 0))
    return b"".join(out)
