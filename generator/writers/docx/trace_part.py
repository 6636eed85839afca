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

import json
import re

from lxml import etree

from generator.audit import docx_text
from generator.writers.docx.ooxml import XML_DECL, deflate

NS = "urn:speechgen:trace:1"
REL_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
_DIGIT = re.compile(r"\d")


def _j(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def build(doc, document_xml: str) -> bytes | None:
    """The part's bytes for a Document with a trace; None without one."""
    trace = getattr(doc, "trace", None)
    if trace is None:
        return None
    paragraphs = docx_text.paragraphs(docx_text.parse(document_xml))
    where = _locate(trace.units, paragraphs)
    root = etree.Element(f"{{{NS}}}trace", nsmap={None: NS})
    root.set("kind", trace.kind)
    root.set("draft", "1" if trace.mode.draft else "0")
    root.set("redacted", "1" if trace.mode.redact else "0")
    used: dict[int, list] = {}
    for placed in trace.placed:
        spot = where.get(placed.unit)
        if spot is not None:
            used.setdefault(spot[0], []).append((placed, spot[1]))
    for n, text in enumerate(paragraphs):
        if n in used or _DIGIT.search(text):
            etree.SubElement(root, f"{{{NS}}}p", n=str(n)).text = text
    for n in sorted(used):
        for placed, offset in used[n]:
            fig = placed.figure
            el = etree.SubElement(root, f"{{{NS}}}figure", p=str(n), start=str(offset + placed.start),
                                  end=str(offset + placed.end), filter=fig.filter, kind=fig.kind)
            el.set("text", placed.text)
            if fig.path is not None:
                el.set("path", _j(list(fig.path)))
            if not fig.redacted and fig.raw is not None:
                el.set("raw", _j(fig.raw))
            if fig.args:
                el.set("args", _j(list(fig.args)))
            if fig.kwargs:
                el.set("kwargs", _j(fig.kwargs))
            if fig.transform:
                el.set("transform", fig.transform)
            if fig.pending:
                el.set("pending", fig.pending)
            section = trace.units[placed.unit].section
            if section:
                el.set("section", section)
    return XML_DECL.encode("utf-8") + etree.tostring(root, encoding="utf-8")


def _locate(units, paragraphs: list[str]) -> dict[int, tuple[int, int]]:
    """Each text unit of the Document → (paragraph of the .docx, offset of the unit in it).

    The writer adds to what the Document says (heading numbers, the red 版头, empty
    paragraphs) but keeps its order, so each unit is the next paragraph holding it.
    """
    out: dict[int, tuple[int, int]] = {}
    cursor = 0
    for i, unit in enumerate(units):
        if not unit.text:
            continue
        for j in range(cursor, len(paragraphs)):
            at = paragraphs[j].find(unit.text)
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
    item, props = f"customXml/item{n}.xml", f"customXml/itemProps{n}.xml"
    media.parts.append(deflate(item, data, 6))
    media.parts.append(deflate(props, _PROPS.encode("utf-8"), 6))
    media.parts.append(deflate(
        f"customXml/_rels/item{n}.xml.rels",
        (f'{XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         f'<Relationship Id="rId1" Type="{REL_PROPS}" Target="itemProps{n}.xml"/></Relationships>'
         ).encode("utf-8"), 6))
    media.rels.append(f'<Relationship Id="{rid}" Type="{REL_CUSTOM_XML}" Target="../{item}"/>')
    media.types.append(f'<Override PartName="/{props}" ContentType="{CT_PROPS}"/>')


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
