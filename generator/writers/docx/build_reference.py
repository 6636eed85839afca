"""Build the default reference document (styles and page set-up) to GB/T 9704-2012.

Like pandoc's --reference-doc: the writer takes page set-up, footers and styles from a
reference .docx and only writes the body. `python -m generator.writers.docx.build_reference` rewrites
generator/resources/reference.docx, which is committed and shipped; a test checks that
the shipped file equals a fresh build.

python-docx gives the package, the section, the footers and the settings flag; styles
are written with lxml from the table below, because python-docx cannot express East
Asian fonts, indents in characters, outline levels or table borders, and because
reading one table is the easiest way for an office to see what the standard asks for.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from generator import resources
from generator.writers.docx.ooxml import W, build_zip, deflate, mm_to_twips, part_order

if TYPE_CHECKING:  # python-docx is imported only when the reference is built
    import docx

REFERENCE_PATH = resources.REFERENCE_DOCX

# Page set-up, GB/T 9704-2012 §5.2: A4, 版心 156 mm × 225 mm.
PAGE_WIDTH = 11906
PAGE_HEIGHT = 16838
MARGIN_TOP = mm_to_twips(37)
MARGIN_BOTTOM = mm_to_twips(35)
MARGIN_LEFT = mm_to_twips(28)
MARGIN_RIGHT = mm_to_twips(26)
BODY_SIZE_PT = 16
LINE_PITCH = 579  # 22 lines in the 225 mm text block
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
CHARS_PER_LINE = 28
# 28 characters of 3号 are 158 mm, the line is 156 mm (§5.2.3): condense each character a
# little (twips). Word's other way, a character grid with negative charSpace, makes
# LibreOffice give every character two grid cells, and our PDFs come from LibreOffice.
CHAR_SPACING = math.floor(TEXT_WIDTH / CHARS_PER_LINE - BODY_SIZE_PT * 20)
HEADER_DISTANCE = mm_to_twips(15)
# The red header (§7.2), measured on LibreOffice's PDF (tests/test_print.py): an exact
# line a little taller than the mark, its top 35 mm below the top of the text block.
DOCMARK_PT = 26
DOCMARK_LINE = 560
DOCMARK_BEFORE = mm_to_twips(35)
# Two blank body lines between the mark's foot and the number's head.
DOCNUMBER_BEFORE = 2 * LINE_PITCH - 232
TITLE_LINE = 700  # 35 pt: 2号 with a little less than half a character between lines
FOOTER_SIZE_PT = 14
# The page number's top edge sits 7 mm below the text block (§7.5): the footer distance is
# measured to the bottom of the footer line, so take one 14 pt line off.
FOOTER_DISTANCE = mm_to_twips(35 - 7) - FOOTER_SIZE_PT * 20

LATIN_FONT = "Times New Roman"
FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
XIAOBIAOSONG = "方正小标宋简体"

# altName lets Word fall back to the font every Chinese Windows has when the GB2312 or
# Founder font is not installed.
FONT_TABLE = (
    (FANGSONG, "仿宋", "modern", "fixed"),
    (KAITI, "楷体", "modern", "fixed"),
    (HEITI, "SimHei", "modern", "fixed"),
    (SONGTI, "SimSun", "auto", "variable"),
    (XIAOBIAOSONG, "宋体", "auto", "variable"),
)


@dataclass(frozen=True)
class StyleSpec:
    """One paragraph style. Indents are in hundredths of a character, as Word stores them."""

    style_id: str
    name: str
    based_on: str | None = "Normal"
    east_asia: str | None = None
    size_pt: float | None = None
    bold: bool | None = None
    color: str | None = None
    char_spacing: int | None = None  # twips added to each character's advance
    jc: str | None = None
    first_line_chars: int | None = None
    left_chars: int | None = None
    right_chars: int | None = None
    line: int | None = None  # twips; exact unless line_rule says otherwise
    line_rule: str = "exact"
    before: int | None = None
    after: int | None = None
    keep_next: bool = False
    widow_control: bool | None = None  # None: inherited
    snap_to_grid: bool | None = None
    outline_level: int | None = None
    custom: bool = True


def _heading(level: int, font: str, bold: bool) -> StyleSpec:
    return StyleSpec(f"Heading{level}", f"heading {level}", east_asia=font, size_pt=BODY_SIZE_PT,
                     bold=bold, keep_next=True, outline_level=level - 1, custom=False)


# Built-in styles keep Word's English names ("heading 1", "caption"): Word matches built-in
# styles by name whatever its UI language, so the navigation pane and TOC still work.
STYLES: tuple[StyleSpec, ...] = (
    StyleSpec("Normal", "Normal", based_on=None, east_asia=FANGSONG, size_pt=BODY_SIZE_PT,
              char_spacing=CHAR_SPACING, jc="both", first_line_chars=200, line=LINE_PITCH,
              before=0, after=0, widow_control=False, custom=False),
    # Off the grid: an exact 35 pt line would snap to two grid lines (20.4 mm apart).
    StyleSpec("Title", "Title", east_asia=XIAOBIAOSONG, size_pt=22, bold=False, jc="center",
              first_line_chars=0, line=TITLE_LINE, after=LINE_PITCH, keep_next=True,
              snap_to_grid=False, custom=False),
    _heading(1, HEITI, False),
    _heading(2, KAITI, False),
    _heading(3, FANGSONG, True),
    _heading(4, FANGSONG, False),
    StyleSpec("Speaker", "Speaker", east_asia=KAITI, size_pt=BODY_SIZE_PT, jc="center",
              first_line_chars=0),
    StyleSpec("Salutation", "Salutation", jc="left", first_line_chars=0),
    StyleSpec("Center", "Center", jc="center", first_line_chars=0),
    # §7.3.5.2: 右空二字 (the writer sets the date's step under the name).
    StyleSpec("Signature", "Signature", jc="right", first_line_chars=0, right_chars=200,
              custom=False),
    StyleSpec("Note", "Note", east_asia=FANGSONG, size_pt=14, first_line_chars=0),
    # 小四: a 7-column table of figures fits the 156 mm line without wrapping numbers
    StyleSpec("TableText", "TableText", east_asia=FANGSONG, size_pt=12, jc="left",
              first_line_chars=0, line=240, line_rule="auto", snap_to_grid=False),
    StyleSpec("TableHeading", "TableHeading", based_on="TableText", bold=True, jc="center"),
    StyleSpec("Caption", "caption", east_asia=HEITI, size_pt=14, bold=False, jc="center",
              first_line_chars=0, custom=False),
    # §7.2.1: the mark's top edge 35 mm below the top of the text block.
    StyleSpec("DocMark", "DocMark", east_asia=XIAOBIAOSONG, size_pt=DOCMARK_PT, color="FF0000",
              jc="center", first_line_chars=0, line=DOCMARK_LINE, before=DOCMARK_BEFORE,
              snap_to_grid=False, keep_next=True),
    # §7.2.2: two blank lines under the mark.
    StyleSpec("DocNumber", "DocNumber", east_asia=FANGSONG, size_pt=BODY_SIZE_PT, jc="center",
              first_line_chars=0, before=DOCNUMBER_BEFORE, snap_to_grid=False, keep_next=True),
    StyleSpec("Imprint", "Imprint", east_asia=FANGSONG, size_pt=14, jc="left",
              first_line_chars=0, left_chars=100, right_chars=100),
    StyleSpec("Footer", "footer", east_asia=SONGTI, size_pt=FOOTER_SIZE_PT, first_line_chars=0,
              line=240, line_rule="auto", snap_to_grid=False, custom=False),
)

TABLE_STYLE_ID = "OfficialTable"
# Styles Word itself relies on; everything else in python-docx's template is dropped so an
# office opening the reference sees only what matters.
_KEPT_STYLES = {"DefaultParagraphFont", "TableNormal", "NoList"}

# Sample body: an office restyling the reference in Word sees every style in use.
_SAMPLES = (
    ("DocMark", "发文机关标志（DocMark）"),
    ("DocNumber", "发文字号（DocNumber）"),
    ("Title", "标题（Title）"),
    ("Speaker", "讲话人和日期（Speaker）"),
    ("Salutation", "主送机关或称呼（Salutation）："),
    ("Heading1", "一、一级标题（heading 1）"),
    ("Normal", "正文（Normal）：3号仿宋，首行缩进2字符，固定行距28.95磅，每页22行，每行28字。"),
    ("Heading2", "（一）二级标题（heading 2）"),
    ("Heading3", "1.三级标题（heading 3）"),
    ("Heading4", "（1）四级标题（heading 4）"),
    ("Caption", "表题或图题（caption）"),
    ("Note", "注：表下附注（Note）"),
    ("Center", "居中段落（Center）"),
    ("Signature", "落款和成文日期（Signature）"),
    ("Imprint", "抄送：版记（Imprint）。"),
)


def _el(tag: str, **attrs: str | int) -> etree._Element:
    e = etree.Element(W + tag)
    for k, v in attrs.items():
        e.set(W + k, str(v))
    return e


def _sub(parent: etree._Element, tag: str, **attrs: str | int) -> etree._Element:
    e = _el(tag, **attrs)
    parent.append(e)
    return e


def _fonts(parent: etree._Element, east_asia: str) -> None:
    _sub(parent, "rFonts", ascii=LATIN_FONT, hAnsi=LATIN_FONT, cs=LATIN_FONT, eastAsia=east_asia)


def _ppr(spec: StyleSpec) -> etree._Element | None:
    """Children in the order the schema requires (Word rejects some misorderings)."""
    p = _el("pPr")
    if spec.keep_next:
        _sub(p, "keepNext")
    if spec.widow_control is not None:
        _sub(p, "widowControl", val=int(spec.widow_control))
    if spec.snap_to_grid is not None:
        _sub(p, "snapToGrid", val=int(spec.snap_to_grid))
    spacing = {}
    if spec.before is not None:
        spacing["before"] = spec.before
    if spec.after is not None:
        spacing["after"] = spec.after
    if spec.line is not None:
        spacing["line"] = spec.line
        spacing["lineRule"] = spec.line_rule
    if spacing:
        _sub(p, "spacing", **spacing)
    # Word uses the *Chars value and keeps the twips value for readers that ignore it;
    # one character is the style's own font size.
    char_twips = (spec.size_pt or BODY_SIZE_PT) * 20
    ind = {}
    if spec.left_chars is not None:
        ind.update(leftChars=spec.left_chars, left=round(spec.left_chars * char_twips / 100))
    if spec.right_chars is not None:
        ind.update(rightChars=spec.right_chars, right=round(spec.right_chars * char_twips / 100))
    if spec.first_line_chars is not None:
        ind.update(firstLineChars=spec.first_line_chars,
                   firstLine=round(spec.first_line_chars * char_twips / 100))
    if ind:
        _sub(p, "ind", **ind)
    if spec.jc:
        _sub(p, "jc", val=spec.jc)
    if spec.outline_level is not None:
        _sub(p, "outlineLvl", val=spec.outline_level)
    return p if len(p) else None


def _rpr(spec: StyleSpec) -> etree._Element | None:
    r = _el("rPr")
    if spec.east_asia:
        _fonts(r, spec.east_asia)
    if spec.bold is not None:
        _sub(r, "b", val=int(spec.bold))
        _sub(r, "bCs", val=int(spec.bold))
    if spec.color:
        _sub(r, "color", val=spec.color)
    if spec.char_spacing is not None:
        _sub(r, "spacing", val=spec.char_spacing)
    if spec.size_pt is not None:
        half_points = round(spec.size_pt * 2)
        _sub(r, "sz", val=half_points)
        _sub(r, "szCs", val=half_points)
    return r if len(r) else None


def style_element(spec: StyleSpec) -> etree._Element:
    s = _el("style", type="paragraph", styleId=spec.style_id)
    if spec.style_id == "Normal":
        s.set(W + "default", "1")
    if spec.custom:
        s.set(W + "customStyle", "1")
    _sub(s, "name", val=spec.name)
    if spec.based_on:
        _sub(s, "basedOn", val=spec.based_on)
    if spec.style_id.startswith("Heading") or spec.style_id == "Title":
        _sub(s, "next", val="Normal")
    _sub(s, "qFormat")
    for part in (_ppr(spec), _rpr(spec)):
        if part is not None:
            s.append(part)
    return s


def table_style_element() -> etree._Element:
    s = _el("style", type="table", customStyle=1, styleId=TABLE_STYLE_ID)
    _sub(s, "name", val=TABLE_STYLE_ID)
    _sub(s, "basedOn", val="TableNormal")
    _sub(s, "qFormat")
    tbl = _sub(s, "tblPr")
    _sub(tbl, "jc", val="center")
    borders = _sub(tbl, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _sub(borders, side, val="single", sz=4, space=0, color="000000")  # 0.5 pt
    margins = _sub(tbl, "tblCellMar")
    for side, width in (("top", 28), ("left", 85), ("bottom", 28), ("right", 85)):
        _sub(margins, side, w=width, type="dxa")
    return s


def _doc_defaults() -> etree._Element:
    d = _el("docDefaults")
    rpr = _sub(_sub(d, "rPrDefault"), "rPr")
    _fonts(rpr, FANGSONG)
    _sub(rpr, "kern", val=2)
    _sub(rpr, "sz", val=BODY_SIZE_PT * 2)
    _sub(rpr, "szCs", val=BODY_SIZE_PT * 2)
    _sub(rpr, "lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    ppr = _sub(_sub(d, "pPrDefault"), "pPr")
    _sub(ppr, "spacing", before=0, after=0, line=LINE_PITCH, lineRule="exact")
    return d


def _write_styles(styles: etree._Element) -> None:
    for child in list(styles):
        if child.tag == W + "docDefaults":
            styles.replace(child, _doc_defaults())
        elif child.tag == W + "style" and child.get(W + "styleId") not in _KEPT_STYLES:
            styles.remove(child)
    for spec in STYLES:
        styles.append(style_element(spec))
    styles.append(table_style_element())


def _write_section(document: docx.document.Document) -> None:
    from docx.shared import Twips

    section = document.sections[0]
    section.page_width = Twips(PAGE_WIDTH)
    section.page_height = Twips(PAGE_HEIGHT)
    section.top_margin = Twips(MARGIN_TOP)
    section.bottom_margin = Twips(MARGIN_BOTTOM)
    section.left_margin = Twips(MARGIN_LEFT)
    section.right_margin = Twips(MARGIN_RIGHT)
    section.header_distance = Twips(HEADER_DISTANCE)
    section.footer_distance = Twips(FOOTER_DISTANCE)
    sect_pr = section._sectPr
    for grid in sect_pr.findall(W + "docGrid"):
        sect_pr.remove(grid)
    sect_pr.append(_el("docGrid", type="lines", linePitch=LINE_PITCH))
    for attr in ("rsidR", "rsidRPr", "rsidSect"):
        sect_pr.attrib.pop(W + attr, None)


def _page_number_paragraph(paragraph: etree._Element, side: str) -> None:
    """— PAGE — in the footer, one character in from the outer edge (§7.5)."""
    for child in list(paragraph):
        paragraph.remove(child)
    ppr = _sub(paragraph, "pPr")
    _sub(ppr, "pStyle", val="Footer")
    chars = 100
    twips = FOOTER_SIZE_PT * 20
    if side == "right":
        _sub(ppr, "ind", rightChars=chars, right=twips)
    else:
        _sub(ppr, "ind", leftChars=chars, left=twips)
    _sub(ppr, "jc", val=side)

    def run(text: str | None = None, fld: str | None = None, instr: str | None = None) -> None:
        r = _sub(paragraph, "r")
        if fld:
            _sub(r, "fldChar", fldCharType=fld)
        elif instr:
            t = _sub(r, "instrText")
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            t.text = instr
        else:
            t = _sub(r, "t")
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            t.text = text

    run("\u2014 ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" \u2014")


def _write_footers(document: docx.document.Document) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        _page_number_paragraph(footer.paragraphs[0]._p, side)


def _write_settings(document: docx.document.Document) -> None:
    settings = document.settings.element
    for preview in settings.findall(W + "savePreviewPicture"):  # the thumbnail is dropped
        settings.remove(preview)
    lang = settings.find(W + "themeFontLang")
    if lang is not None:
        lang.set(W + "eastAsia", "zh-CN")


def _write_font_table(font_table: etree._Element) -> None:
    for name, alt, family, pitch in FONT_TABLE:
        font = _sub(font_table, "font", name=name)
        _sub(font, "altName", val=alt)
        _sub(font, "charset", val="86")  # GB2312
        _sub(font, "family", val=family)
        _sub(font, "pitch", val=pitch)


def _drop_template_extras(document: docx.document.Document) -> None:
    """python-docx's template carries a thumbnail, customXml and a Word 2010 styles copy
    that would go stale once styles change."""
    part = document.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "customXml"):
            del part.rels[rid]
    package_rels = part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package_rels[rid]


def _write_core(document: docx.document.Document) -> None:
    core = document.core_properties
    core.title = "公文参考样式（GB/T 9704-2012）"
    core.author = "speechgen"
    core.comments = ""
    core.last_modified_by = ""
    core.revision = 1
    fixed = dt.datetime(2024, 1, 1)
    core.created = fixed
    core.modified = fixed


def _write_samples(document: docx.document.Document) -> None:
    body = document.element.body
    for style_id, text in _SAMPLES:
        p = _el("p")
        if style_id != "Normal":
            _sub(_sub(p, "pPr"), "pStyle", val=style_id)
        r = _sub(p, "r")
        _sub(r, "t").text = text
        body.insert(len(body) - 1, p)  # before the body's sectPr


def _font_table_part(document: docx.document.Document) -> docx.opc.part.Part:
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            return rel.target_part
    raise RuntimeError("python-docx template has no font table")


def build_reference() -> bytes:
    """The reference .docx, byte for byte the same on every build."""
    import docx  # only building the reference needs python-docx, not writing documents

    document = docx.Document()
    _drop_template_extras(document)
    _write_section(document)
    _write_footers(document)
    _write_settings(document)
    _write_styles(document.styles.element)
    _write_core(document)
    _write_samples(document)
    font_part = _font_table_part(document)
    font_table = etree.fromstring(font_part.blob)
    _write_font_table(font_table)
    font_part._blob = etree.tostring(font_table, xml_declaration=True, encoding="UTF-8",
                                     standalone=True)
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    return build_zip(deflate(name, parts[name], 9) for name in sorted(parts, key=part_order))


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0]) if argv else REFERENCE_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build_reference())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
