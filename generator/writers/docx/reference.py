"""Read an office's reference .docx once, and merge its styles with the shipped default.

Kept apart from writing the body: what a reference may contain (and what it must not
smuggle into outputs) is this module's business; the body writer only asks for a
Reference and uses its pre-compressed parts.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from generator.document.model import (
    BODY,
    CENTER,
    NOTE,
    SALUTATION,
    SIGNATURE,
    SPEAKER,
)
from generator import limits
from generator.errors import ReferenceDocError
from generator.resources import REFERENCE_DOCX as REFERENCE_PATH
from generator.writers.docx.ooxml import (
    CT_MAIN,
    PKG_REL_NS,
    R_NS,
    REL_CORE,
    REL_CUSTOM,
    XML_DECL,
    W,
    ZipMember,
    deflate,
    escape,
)

DOCUMENT_PART = "word/document.xml"
STYLES_PART = "word/styles.xml"
DOCUMENT_RELS_PART = "word/_rels/document.xml.rels"
CONTENT_TYPES_PART = "[Content_Types].xml"
PACKAGE_RELS_PART = "_rels/.rels"
CORE_PART = "docProps/core.xml"
CUSTOM_PART = "docProps/custom.xml"

ROLE_STYLES = {
    BODY: "Normal",
    SPEAKER: "Speaker",
    SALUTATION: "Salutation",
    CENTER: "Center",
    SIGNATURE: "Signature",
    NOTE: "Note",
}
# Every style the writer names; a reference lacking one gets it from the default reference.
WRITER_STYLES = (
    "Normal", "Title", "Heading1", "Heading2", "Heading3", "Heading4", "Speaker", "Salutation",
    "Center", "Signature", "Note", "TableText", "TableHeading", "Caption", "DocMark", "DocNumber",
    "Imprint", "OfficialTable", "Footer",
)


@dataclass(frozen=True, eq=False)
class Reference:
    """A reference .docx read once: fixed parts pre-compressed, styles resolved."""

    source: str
    fixed: tuple[ZipMember, ...]  # every part the writer passes through unchanged
    content_types: str
    package_rels: str
    document_rels: str
    rel_ids: frozenset[str]  # ids already used in document.xml.rels
    package_rel_ids: frozenset[str]
    has_png: bool
    sect_pr: str
    styles: Mapping[str, str]  # writer's style id → the id in this reference
    text_width: int  # twips
    text_height: int
    _members: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Reference:
        """Read a reference .docx; None gives the shipped GB/T 9704 default (cached).

        An office's own reference is cached too, keyed by its path, size and
        modification time: a batch writes hundreds of documents from one.
        """
        if path is None:
            return _default_reference()
        path = Path(path)
        try:
            stat = path.stat()
        except OSError:
            return _read_reference(path, _default_styles())  # which says what is wrong
        return _office_reference(path, path.resolve(), stat.st_size, stat.st_mtime_ns)

    def member(self, name: str, xml: str) -> ZipMember:
        """Compressed small part, memoised: content types and rels repeat across documents."""
        key = (name, xml)
        m = self._members.get(key)
        if m is None:
            if len(self._members) > 64:
                self._members.clear()
            m = self._members[key] = deflate(name, xml.encode("utf-8"))
        return m


@functools.cache
def _default_reference() -> Reference:
    return _read_reference(REFERENCE_PATH, None)


@functools.lru_cache(maxsize=8)
def _office_reference(path: Path, resolved: Path, size: int, mtime_ns: int) -> Reference:
    """Messages name the file as the user gave it; the other arguments are the cache key."""
    return _read_reference(path, _default_styles())


@functools.cache
def _default_styles() -> bytes:
    with zipfile.ZipFile(REFERENCE_PATH) as z:
        return z.read(STYLES_PART)


def _ref_error(path: Path, en: str, zh: str) -> ReferenceDocError:
    return ReferenceDocError(en, zh, file=str(path))


# Parts of a reference that never reach an output: macros (a .docm or .dotm saved as
# .docx), ActiveX controls and embedded objects (the reference's body is not used, so
# nothing of it needs them), names that would leave the package (.., /abs, C:), and
# Word 2010's copy of the styles (stylesWithEffects), which goes stale once the
# styles are merged and makes Word repair the file.
_DROPPED_PARTS = re.compile(r"(?:^|/)(?:vbaProject\.bin|vbaData\.xml)(?:\.rels)?$"
                            r"|^word/(?:activeX|embeddings)/|^customUI/|^userCustomization/"
                            r"|^word/stylesWithEffects\.xml$",
                            re.IGNORECASE)
_DROPPED_RELS = ("/vbaProject", "/wordVbaData", "/attachedTemplate", "/control", "/oleObject",
                 "/package", "/activeXControlBinary", "/ui/extensibility", "/keyMapCustomizations",
                 "/stylesWithEffects")


def _kept(name: str) -> bool:
    return limits.safe_member(name) and not _DROPPED_PARTS.search(name)


def _read_parts(path: Path) -> dict[str, bytes]:
    special = limits.not_a_file(path)
    if special is not None:
        raise _ref_error(path, f"not a .docx file: {special[0]}", f"不是.docx文件：{special[1]}")
    try:
        with zipfile.ZipFile(path) as z:
            problem = limits.zip_problem(z)
            if problem:
                raise _ref_error(path, f"the reference document cannot be used: {problem[0]}",
                                 f"参考样式文档无法使用：{problem[1]}")
            return {info.filename: z.read(info) for info in z.infolist()
                    if not info.is_dir() and _kept(info.filename)}
    except FileNotFoundError:
        raise _ref_error(path, "reference document not found",
                         "找不到参考样式文档") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise _ref_error(path, f"not a .docx file (expected a Word document saved as .docx): {e}",
                         "不是.docx文件（应为另存为.docx格式的Word文档）") from None


# No entity of a reference's XML is resolved and nothing is fetched: a DOCTYPE naming
# file:///etc/passwd must not bring that file into every document written.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _parse(path: Path, name: str, data: bytes) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as e:
        raise _ref_error(path, f"part {name} is not well-formed XML: {e}",
                         f"文档部件{name}不是有效的XML") from None


def _xml(root: etree._Element) -> str:
    return XML_DECL + etree.tostring(root, encoding="unicode")


def _read_reference(path: Path, default_styles: bytes | None) -> Reference:
    parts = _read_parts(path)
    for required, zh in ((DOCUMENT_PART, "正文部件"), (STYLES_PART, "样式部件"),
                         (CONTENT_TYPES_PART, "内容类型清单"), (PACKAGE_RELS_PART, "包关系")):
        if required not in parts:
            raise _ref_error(path, f"not a Word document: it has no {required} "
                                   "(expected a .docx saved by Word or WPS)",
                             f"不是Word文档：缺少{zh}（{required}），应为Word或WPS保存的.docx文件")

    if default_styles is not None:
        # An office's reference: what it leaves to Word's defaults comes from GB/T.
        parts[DOCUMENT_PART] = _with_default_section(path, parts)
    sect_pr, text_width, text_height = _section(path, parts[DOCUMENT_PART])
    styles_root = _parse(path, STYLES_PART, parts[STYLES_PART])
    if default_styles is None:
        style_map = {sid: sid for sid in WRITER_STYLES}
        _check_styles(path, styles_root)
    else:
        style_map = _merge_styles(styles_root, etree.fromstring(default_styles))
        parts[STYLES_PART] = etree.tostring(styles_root, xml_declaration=True, encoding="UTF-8",
                                            standalone=True)
        footer_style = style_map.get("Footer", "Footer")
        for name in [n for n in parts if n.startswith(_ADDED_FOOTER)]:
            parts[name] = parts[name].replace(b'w:val="Footer"', f'w:val="{footer_style}"'.encode())

    # Core and custom properties are written per document, so drop the reference's own.
    package_rels = _parse(path, PACKAGE_RELS_PART, parts[PACKAGE_RELS_PART])
    dropped = set()
    for rel in list(package_rels):
        if rel.get("Type") in (REL_CORE, REL_CUSTOM):
            dropped.add(rel.get("Target", "").lstrip("/"))
            package_rels.remove(rel)
    content_types = _parse(path, CONTENT_TYPES_PART, parts[CONTENT_TYPES_PART])
    has_png = False
    extensions = {name.rsplit(".", 1)[-1].lower() for name in parts if "." in name}
    for entry in list(content_types):
        part_name = entry.get("PartName", "").lstrip("/")
        if part_name in dropped or part_name in (CORE_PART, CUSTOM_PART) \
                or (part_name and part_name not in parts) \
                or (entry.get("Extension") and entry.get("Extension").lower() not in extensions):
            content_types.remove(entry)  # a part not carried over (a macro, one left out)
        elif part_name == DOCUMENT_PART:
            entry.set("ContentType", CT_MAIN)  # a .dotx or .docm reference still gives a .docx
        elif entry.get("Extension", "").lower() == "png":
            has_png = True

    document_rels_xml = parts.get(DOCUMENT_RELS_PART, XML_DECL.encode() + (
        f'<Relationships xmlns="{PKG_REL_NS}"></Relationships>').encode())
    document_rels = _parse(path, DOCUMENT_RELS_PART, document_rels_xml)
    _drop_rels(document_rels, "word", parts)
    for name in [n for n in parts if n.endswith(".rels") and n not in (DOCUMENT_RELS_PART, PACKAGE_RELS_PART)]:
        rels = _parse(path, name, parts[name])
        if _drop_rels(rels, posixpath.dirname(posixpath.dirname(name)), parts):
            parts[name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)

    variable = {DOCUMENT_PART, DOCUMENT_RELS_PART, CONTENT_TYPES_PART, PACKAGE_RELS_PART,
                CORE_PART, CUSTOM_PART} | dropped
    fixed = tuple(deflate(name, parts[name], 9)
                  for name in sorted(parts) if name not in variable)
    return Reference(
        source=str(path),
        fixed=fixed,
        content_types=_xml(content_types),
        package_rels=_xml(package_rels),
        document_rels=_xml(document_rels),
        rel_ids=frozenset(r.get("Id") for r in document_rels),
        package_rel_ids=frozenset(r.get("Id") for r in package_rels),
        has_png=has_png,
        sect_pr=sect_pr,
        styles=style_map,
        text_width=text_width,
        text_height=text_height,
    )


def _drop_rels(rels: etree._Element, base: str, parts: dict[str, bytes]) -> bool:
    """Remove relationships to macros, attached templates, controls and parts not carried over."""
    changed = False
    for rel in list(rels):
        target = rel.get("Target", "")
        internal = rel.get("TargetMode", "Internal") != "External"
        resolved = posixpath.normpath(posixpath.join(base, target)).lstrip("/") if internal else ""
        if target.startswith("/"):
            resolved = target.lstrip("/")
        if rel.get("Type", "").endswith(_DROPPED_RELS) or (internal and resolved not in parts):
            rels.remove(rel)
            changed = True
    return changed


# A measure in a page set-up: twips (1/20 pt), or a number with a unit (ISO 29500).
_TWIPS = re.compile(r"-?[0-9]{1,40}\Z")
_UNIVERSAL = re.compile(r"(-?[0-9]{1,9}(?:\.[0-9]{1,6})?)(mm|cm|in|pt|pc|pi)\Z")
_PER_UNIT = {"mm": 1440 / 25.4, "cm": 1440 / 2.54, "in": 1440, "pt": 20, "pc": 240, "pi": 240}
MAX_PAGE_TWIPS = 31680  # 22 in (55.88 cm), the largest page Word allows
MIN_TEXT_TWIPS = 567  # 1 cm of text, at the least, between the margins


def _measure(path: Path, element: etree._Element, attr: str, signed: bool = False,
             required: bool = False) -> int:
    """One page set-up attribute in twips, or a message naming it (not a number, inf, negative)."""
    value = element.get(W + attr)
    where = f"{etree.QName(element).localname} w:{attr}"
    if value is None:
        if required:
            raise _ref_error(path, f"the page set-up has no w:{etree.QName(element).localname} w:{attr}",
                             f"页面设置缺少w:{etree.QName(element).localname}的w:{attr}")
        return 0
    text = value.strip()
    if _TWIPS.match(text):
        twips = int(text)
    elif match := _UNIVERSAL.match(text):
        twips = round(float(match.group(1)) * _PER_UNIT[match.group(2)])
    else:
        twips = None
    if twips is None or (twips < 0 and not signed) or (required and twips == 0):
        raise _ref_error(path, f'the page set-up cannot be used: w:{where} is "{value}", not a measure '
                               "of a page (a positive number of twips, or a number with mm, cm, in, pt)",
                         f"页面设置无法使用：w:{where}为“{value}”，不是有效的尺寸")
    if abs(twips) > MAX_PAGE_TWIPS:
        raise _ref_error(path, f"the page set-up cannot be used: w:{where} is {value} twips, larger "
                               f"than any page Word allows ({MAX_PAGE_TWIPS} twips, 55.9 cm)",
                         f"页面设置无法使用：w:{where}为{value}缇，超出Word允许的最大纸张（55.9厘米）")
    return abs(twips)


def _section(path: Path, data: bytes) -> tuple[str, int, int]:
    """The body's last sectPr as XML text, with the text block's width and height."""
    root = _parse(path, DOCUMENT_PART, data)
    body = root.find(W + "body")
    sect_pr = body[-1] if body is not None and len(body) else None
    if sect_pr is None or sect_pr.tag != W + "sectPr":
        raise _ref_error(path, "the document has no page set-up (w:sectPr at the end of the body)",
                         "文档缺少页面设置（正文末尾的w:sectPr）")
    size = sect_pr.find(W + "pgSz")
    margins = sect_pr.find(W + "pgMar")
    if size is None or margins is None:
        raise _ref_error(path, "the page set-up has no page size or margins (w:pgSz, w:pgMar)",
                         "页面设置缺少纸张大小或页边距（w:pgSz、w:pgMar）")
    page_w, page_h = _measure(path, size, "w", required=True), _measure(path, size, "h", required=True)
    left, right, gutter = (_measure(path, margins, a) for a in ("left", "right", "gutter"))
    top, bottom = (_measure(path, margins, a, signed=True) for a in ("top", "bottom"))
    for attr in ("header", "footer"):
        _measure(path, margins, attr)
    width = page_w - left - right - gutter
    height = page_h - top - bottom
    if width < MIN_TEXT_TWIPS or height < MIN_TEXT_TWIPS:
        raise _ref_error(path, f"the margins leave no room for text (the page is {page_w} × {page_h} "
                               f"twips; left {left} + right {right} + gutter {gutter}, top {top} + "
                               f"bottom {bottom}); make the margins smaller than the page",
                         f"页边距过大，没有留出正文区域（纸张{page_w}×{page_h}缇；左{left}+右{right}+"
                         f"装订线{gutter}，上{top}+下{bottom}），请把页边距改小")
    # Serialised on its own the element carries its namespace declarations; drop unused ones.
    sect_pr = deepcopy(sect_pr)
    etree.cleanup_namespaces(sect_pr)
    return etree.tostring(sect_pr, encoding="unicode"), width, height


def _styles_by_id(root: etree._Element) -> dict[str, etree._Element]:
    return {s.get(W + "styleId"): s for s in root.iter(W + "style")}


def _style_name(style: etree._Element) -> str:
    name = style.find(W + "name")
    return (name.get(W + "val") or "").lower() if name is not None else ""


def _check_styles(path: Path, root: etree._Element) -> None:
    missing = [sid for sid in WRITER_STYLES if sid not in _styles_by_id(root)]
    if missing:
        raise _ref_error(path, f"the default reference lacks styles {', '.join(missing)}; "
                               "rebuild it with python -m generator.writers.docx.build_reference",
                         f"默认参考样式缺少样式{'、'.join(missing)}，请重新生成")


def _merge_styles(root: etree._Element, default_root: etree._Element) -> dict[str, str]:
    """Map each writer style to a style of the office's reference, copying missing ones in.

    Word saves styles under localised ids (a Chinese Word calls heading 1 "1" and Normal
    "a") but keeps the English built-in names, so a style is matched by id, then by name.
    """
    by_id = _styles_by_id(root)
    by_name = {_style_name(s): sid for sid, s in by_id.items()}
    defaults = _styles_by_id(default_root)
    resolved: dict[str, str] = {}

    def resolve(sid: str) -> str:
        if sid in resolved:
            return resolved[sid]
        if sid in by_id:
            resolved[sid] = sid
            if defaults[sid].get(W + "type") == "paragraph":
                _fill_layout(by_id[sid], defaults[sid])
            return sid
        source = defaults[sid]
        name = _style_name(source)
        if name in by_name:
            resolved[sid] = by_name[name]
            if source.get(W + "type") == "paragraph":
                _fill_layout(by_id[by_name[name]], source)
            return by_name[name]
        resolved[sid] = sid
        style = deepcopy(source)
        for link in style.findall(W + "link"):
            style.remove(link)
        for tag in ("basedOn", "next"):
            ref = style.find(W + tag)
            if ref is not None:
                ref.set(W + "val", resolve(ref.get(W + "val")))
        root.append(style)
        by_id[sid] = style
        by_name[name] = sid
        return sid

    # Ids go into the body as attribute values; an office's id could hold any character.
    return {sid: escape(resolve(sid)) for sid in WRITER_STYLES}


# ------------------------------------------------------- what an office's reference defines
#
# An office's reference gives its styles. The page set-up, the footers with the page
# numbers and the layout of each paragraph role (alignment, indents, line pitch) stay
# GB/T 9704 unless the reference defines them itself: a page size and margins other
# than Word's own defaults, a header or footer of its own, an alignment or indent
# written in the style. An ordinary .docx saved from a blank document (US Letter or A4
# with Word's margins, no footer, Normal with nothing set) so keeps A4, the margins,
# the page numbers, a centred title and indented paragraphs.

# Word's, WPS's, LibreOffice's and python-docx's blank documents: US Letter or A4, with
# 2.54 cm (1440), 2.5 cm (1417), 2 cm (1134) or, left and right, 3.17 cm (1800) margins.
_STOCK_SIZES = {(12240, 15840), (11906, 16838), (11905, 16837), (11907, 16839), (11900, 16840)}
_STOCK_MARGINS = {1134, 1417, 1440, 1800}
_SECTION_LAYOUT = ("pgSz", "pgMar", "cols", "docGrid")
_HEADER_FOOTER = ("headerReference", "footerReference")
_ADDED_FOOTER = "word/speechgen-footer"
_REL_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
_CT_FOOTER = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
_SECT_ORDER = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz",
               "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt",
               "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid",
               "printerSettings", "sectPrChange")
# What a paragraph role's layout is made of, in the order the schema puts pPr's children.
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
              "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
              "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
              "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
              "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
              "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")
_LAYOUT = ("keepNext", "widowControl", "snapToGrid", "spacing", "ind", "jc", "outlineLvl")
_STYLE_AFTER_PPR = ("rPr", "tblPr", "trPr", "tcPr", "tblStylePr")
_SETTINGS_PART = "word/settings.xml"


def _twips_or_none(element: etree._Element | None, attr: str) -> int | None:
    value = element.get(W + attr) if element is not None else None
    return int(value) if value is not None and _TWIPS.match(value.strip()) else None


def _stock_page(sect_pr: etree._Element) -> bool:
    """A page set-up nobody chose: a blank document's size and margins."""
    size, margins = sect_pr.find(W + "pgSz"), sect_pr.find(W + "pgMar")
    dims = (_twips_or_none(size, "w"), _twips_or_none(size, "h"))
    if size is not None and size.get(W + "orient") == "landscape":
        return False
    sides = [_twips_or_none(margins, a) for a in ("top", "bottom", "left", "right")]
    return dims in _STOCK_SIZES and all(m in _STOCK_MARGINS for m in sides)


@functools.cache
def _default_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(REFERENCE_PATH) as z:
        return {name: z.read(name) for name in z.namelist()}


def _insert_ordered(parent: etree._Element, child: etree._Element, order: tuple[str, ...]) -> None:
    """Put child where the schema wants it among parent's children."""
    rank = order.index(etree.QName(child).localname)
    for i, existing in enumerate(parent):
        name = etree.QName(existing).localname if isinstance(existing.tag, str) else ""
        if name in order and order.index(name) > rank:
            parent.insert(i, child)
            return
    parent.append(child)


def _with_default_section(path: Path, parts: dict[str, bytes]) -> bytes:
    """The office's document part, its last sectPr completed from the GB/T default."""
    root = _parse(path, DOCUMENT_PART, parts[DOCUMENT_PART])
    body = root.find(W + "body")
    sect_pr = body[-1] if body is not None and len(body) else None
    if sect_pr is None or sect_pr.tag != W + "sectPr":
        return parts[DOCUMENT_PART]  # _section says what is wrong
    defaults = _default_parts()
    default_root = etree.fromstring(defaults[DOCUMENT_PART])
    default_sect = default_root.find(W + "body")[-1]
    if _stock_page(sect_pr):
        for tag in _SECTION_LAYOUT:
            for old in sect_pr.findall(W + tag):
                sect_pr.remove(old)
            for new in default_sect.findall(W + tag):
                _insert_ordered(sect_pr, deepcopy(new), _SECT_ORDER)
    if not any(sect_pr.find(W + tag) is not None for tag in _HEADER_FOOTER):
        _add_default_footers(path, parts, sect_pr, default_sect, defaults)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _add_default_footers(path: Path, parts: dict[str, bytes], sect_pr: etree._Element,
                         default_sect: etree._Element, defaults: dict[str, bytes]) -> None:
    """The page numbers of the default (odd right, even left) in a reference without any."""
    default_rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(
        defaults[DOCUMENT_RELS_PART])}
    rels_xml = parts.get(DOCUMENT_RELS_PART, XML_DECL.encode() + (
        f'<Relationships xmlns="{PKG_REL_NS}"></Relationships>').encode())
    rels = _parse(path, DOCUMENT_RELS_PART, rels_xml)
    taken = {r.get("Id") for r in rels}
    types = _parse(path, CONTENT_TYPES_PART, parts[CONTENT_TYPES_PART])
    ct_ns = etree.QName(types).namespace
    for n, reference in enumerate(default_sect.findall(W + "footerReference"), start=1):
        target = default_rels[reference.get(f"{{{R_NS}}}id")]
        name = f"{_ADDED_FOOTER}{n}.xml"
        parts[name] = defaults[posixpath.join("word", target)]
        rid = f"rIdSpeechgenFooter{n}"
        while rid in taken:
            rid += "x"
        taken.add(rid)
        etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship", Id=rid, Type=_REL_FOOTER,
                         Target=name.removeprefix("word/"))
        etree.SubElement(types, f"{{{ct_ns}}}Override", PartName="/" + name,
                         ContentType=_CT_FOOTER)
        added = deepcopy(reference)
        added.set(f"{{{R_NS}}}id", rid)
        _insert_ordered(sect_pr, added, _SECT_ORDER)
    parts[DOCUMENT_RELS_PART] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                               standalone=True)
    parts[CONTENT_TYPES_PART] = etree.tostring(types, xml_declaration=True, encoding="UTF-8",
                                               standalone=True)
    if _SETTINGS_PART in parts:  # odd and even pages number on their outer sides
        settings = _parse(path, _SETTINGS_PART, parts[_SETTINGS_PART])
        if settings.find(W + "evenAndOddHeaders") is None:
            _insert_ordered(settings, etree.Element(W + "evenAndOddHeaders"), _SETTINGS_ORDER)
        parts[_SETTINGS_PART] = etree.tostring(settings, xml_declaration=True, encoding="UTF-8",
                                               standalone=True)


# w:settings' children up to and around evenAndOddHeaders, in the schema's order.
_SETTINGS_ORDER = (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions",
    "doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
    "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation",
    "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope",
    "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
    "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
    "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
    "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
    "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
    "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def _fill_layout(style: etree._Element, default: etree._Element) -> None:
    """A role's layout the office's style leaves unset, from the GB/T style (§ above)."""
    source = default.find(W + "pPr")
    if source is None:
        return
    ppr = style.find(W + "pPr")
    if ppr is None:
        ppr = etree.Element(W + "pPr")
        after = next((style.find(W + t) for t in _STYLE_AFTER_PPR if style.find(W + t) is not None),
                     None)
        if after is not None:
            after.addprevious(ppr)
        else:
            style.append(ppr)
    for tag in _LAYOUT:
        wanted = source.find(W + tag)
        if wanted is not None and ppr.find(W + tag) is None:
            _insert_ordered(ppr, deepcopy(wanted), _PPR_ORDER)


# ---------------------------------------------------------------------------- body
