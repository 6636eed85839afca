"""A .docx's text as a reader sees it: one string per paragraph, table cells included.

The writer's trace part and `check` read documents the same way, so a paragraph
numbered 12 when the document was written is paragraph 12 when it is read back,
whatever Word or WPS did to its runs.
"""

from __future__ import annotations

import re

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCUMENT_PART = "word/document.xml"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def parse(xml: bytes | str) -> etree._Element:
    return etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml, _SAFE)


def paragraphs(document: etree._Element) -> list[str]:
    """Every paragraph of the body in order (a table cell's paragraphs in their place)."""
    body = document.find(f"{W}body")
    if body is None:
        return []
    out = []
    for p in body.iter(f"{W}p"):
        parts = []
        for node in p.iter(f"{W}t", f"{W}tab"):
            if not _counts(node, p):
                continue
            if node.tag == f"{W}t":
                parts.append(node.text or "")
            elif node.getparent() is not None and node.getparent().tag == f"{W}r":
                parts.append("\t")  # a tab in the text, not a tab stop of the paragraph
        out.append("".join(parts))
    return out


# The writer's own body, read without building a tree: it writes paragraphs one way
# (tests/test_check.py holds this to `paragraphs` on every kind of document).
_PIECE = re.compile(r"<w:p(?=[ >/])|<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:tab/>")
# The writer escapes with generator/writers/docx/ooxml.escape: these five and nothing else.
# (xml.sax.saxutils.unescape would do, but it imports urllib and http: 10 ms a run.)
_ENTITY = re.compile("&(amp|lt|gt|quot|apos);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def unescape(text: str) -> str:
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def own_paragraphs(xml: str) -> list[str]:
    """`paragraphs` of a document part the writer has just made, in one pass."""
    out: list[str] = []
    parts: list[str] | None = None
    for m in _PIECE.finditer(xml, xml.find("<w:body>")):
        text = m.group(1)
        if text is not None:
            if parts is not None:
                parts.append(unescape(text) if "&" in text else text)
        elif m.group() == "<w:tab/>":
            if parts is not None:
                parts.append("\t")
        else:  # a paragraph begins
            if parts is not None:
                out.append("".join(parts))
            parts = []
    if parts is not None:
        out.append("".join(parts))
    return out


def _counts(node: etree._Element, paragraph: etree._Element) -> bool:
    """Text of this paragraph itself, not of a paragraph nested in it (a text box)."""
    parent = node.getparent()
    while parent is not None and parent is not paragraph:
        if parent.tag == f"{W}p":
            return False
        parent = parent.getparent()
    return True
