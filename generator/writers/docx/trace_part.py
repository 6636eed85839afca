"""The figures' trace inside the .docx: a custom XML part, which Word and WPS keep
and never show.

For each figure it says the paragraph and characters it stands at (counted as
generator/audit/docx_text reads the body, heading numbers and all), where it came
from (the data path), its raw value and the filter and arguments that worded it.
It also keeps the text of every paragraph that holds a digit or a figure, so that
`speechgen check` can tell a figure edited by hand from one that was written, and a
number someone added from one the template wrote. The public version (--redact)
keeps no raw value.
"""

from __future__ import annotations

import functools
import json
import re

from lxml import etree

from generator.audit import docx_text
from generator.writers.docx.ooxml import XML_DECL, deflate, escape, escape_text

NS = "urn:speechgen:trace:1"
REL_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
_DIGIT = re.compile(r"\d")


def _j(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


# One figure in the part: its paragraph and characters, then what it was. Figures are one
# JSON array (a scorecard has a hundred, and a batch hundreds of scorecards: one call of
# the C encoder instead of an element each), in element text, which Word keeps as it is.
FIELDS = ("p", "start", "end", "filter", "kind", "text", "path", "raw", "args", "kwargs",
          "transform", "pending", "section")


def build(doc, document_xml: str) -> bytes | None:
    """The part's bytes for a Document with a trace; None without one."""
    trace = getattr(doc, "trace", None)
    if trace is None:
        return None
    paragraphs = docx_text.own_paragraphs(document_xml)
    where = _locate(trace.units, paragraphs)
    mode = trace.mode
    rows = []
    used: set[int] = set()
    sections: dict[str, int] = {}
    for placed in trace.placed:
        spot = where.get(placed.unit)
        if spot is None:
            continue
        n, offset = spot
        used.add(n)
        name, kind, path, value, args, kwargs, transform, _, pending, hidden = placed.record
        section = trace.units[placed.unit].section
        rows.append((n, offset + placed.start, offset + placed.end, name, kind, placed.text,
                     path, None if hidden else value, args, kwargs or None, transform or None,
                     pending, sections.setdefault(section, len(sections))))
    out = [(f'{XML_DECL}<trace xmlns="{NS}" kind="{escape(trace.kind)}" '
           f'draft="{1 if mode.draft else 0}" redacted="{1 if mode.redact else 0}">')]
    for n, text in enumerate(paragraphs):
        if n in used or _DIGIT.search(text):
            out.append(f'<p n="{n}">{escape(text)}</p>')
    # Element text: JSON's quotes stay as they are (escaping each as &quot; cost a
    # scorecard 0.2 ms and made the part half as large again).
    out.append(f'<fields>{escape_text(_j(FIELDS))}</fields>')
    out.append(f'<sections>{escape_text(_j(list(sections)))}</sections>')
    out.append(f'<figures>{escape_text(_j(rows))}</figures></trace>')
    return "".join(out).encode("utf-8")


def figures_of(root) -> list[dict]:
    """The figures a trace part lists, each as a mapping of FIELDS."""
    ns = root.tag[:root.tag.index("}") + 1]
    fields = json.loads(root.findtext(f"{ns}fields") or "[]")
    sections = json.loads(root.findtext(f"{ns}sections") or "[]")
    out = []
    for row in json.loads(root.findtext(f"{ns}figures") or "[]"):
        item = dict(zip(fields, row))
        s = item.get("section")
        item["section"] = sections[s] if isinstance(s, int) and 0 <= s < len(sections) else ""
        out.append(item)
    return out


def _locate(units, paragraphs: list[str]) -> dict[int, tuple[int, int]]:
    """Each text unit of the Document → (paragraph of the .docx, offset of the unit in it).

    The writer adds to what the Document says (heading numbers, the red 版头, empty
    paragraphs) but keeps its order, so each unit is the next paragraph holding it.
    """
    out: dict[int, tuple[int, int]] = {}
    cursor, count = 0, len(paragraphs)
    for i, unit in enumerate(units):
        text = unit.text
        if not text:
            continue
        for j in range(cursor, count):
            paragraph = paragraphs[j]
            at = 0 if paragraph == text else paragraph.find(text)
            if at >= 0:
                out[i] = (j, at)
                cursor = j + 1
                break
    return out


CT_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
REL_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
# The properties part names the trace's schema: with it, LibreOffice keeps the part when it
# saves the document again, as Word does. A fixed id: the same document gives the same bytes.
_PROPS = (f'{XML_DECL}<ds:datastoreItem ds:itemID="{{6C1D2A4E-5B7F-4E3A-9C2D-1F0A7B8E9D01}}" '
          'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
          f'<ds:schemaRefs><ds:schemaRef ds:uri="{NS}"/></ds:schemaRefs></ds:datastoreItem>')


def attach(doc, document_xml: str, media, ref) -> None:
    """Add the part to a package being written: item, properties, relationships, content type."""
    data = build(doc, document_xml)
    if data is None:
        return
    taken = {m.name for m in ref.fixed}
    n = 1
    while f"customXml/item{n}.xml" in taken or f"customXml/itemProps{n}.xml" in taken:
        n += 1
    rid = "rIdSpeechgenTrace"
    while rid in ref.rel_ids:
        rid += "x"
    item = f"customXml/item{n}.xml"
    media.parts.append(deflate(item, data, 3))
    media.parts.extend(_fixed_parts(n))
    media.rels.append(f'<Relationship Id="{rid}" Type="{REL_CUSTOM_XML}" Target="../{item}"/>')
    media.types.append(f'<Override PartName="/customXml/itemProps{n}.xml" ContentType="{CT_PROPS}"/>')


@functools.lru_cache(maxsize=4)
def _fixed_parts(n: int) -> tuple:
    """The properties part and the item's relationships: the same for every document."""
    rels = (f'{XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_PROPS}" Target="itemProps{n}.xml"/></Relationships>')
    return (deflate(f"customXml/itemProps{n}.xml", _PROPS.encode("utf-8"), 9),
            deflate(f"customXml/_rels/item{n}.xml.rels", rels.encode("utf-8"), 9))


# ---------------------------------------------------------------- reading back

def read(package) -> etree._Element | None:
    """The trace part of an open .docx (zipfile), wherever Word put it; None if it has none."""
    for name in package.namelist():
        if not name.lower().endswith(".xml") or name == docx_text.DOCUMENT_PART:
            continue
        if not name.startswith("customXml/"):
            continue
        try:
            root = docx_text.parse(package.read(name))
        except etree.XMLSyntaxError:
            continue
        if root.tag == f"{{{NS}}}trace":
            return root
    return None
