"""The .docx writer and the GB/T 9704 reference document, read back with python-docx and lxml."""

from __future__ import annotations

import io
from pathlib import Path
import shutil
import struct
import subprocess
import zipfile
import zlib

import docx
import pytest
from docx.enum.text import WD_LINE_SPACING
from docx.shared import Emu
from lxml import etree

from generator.writers.docx.body import render_docx, render_stream, write_docx
from generator.writers.docx.reference import WRITER_STYLES, Reference
from generator.errors import ReferenceDocError
from generator.document.model import (
    CENTER, NOTE, SALUTATION, SIGNATURE, SPEAKER, DocMeta, Document, Heading, Image, PageBreak,
    Paragraph, Run, Table, Title,
)
from generator.pipeline import one_page_each
from generator.writers.docx.build_reference import REFERENCE_PATH, build_reference

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "cust": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
}
W = "{%s}" % NS["w"]
TEXT_WIDTH = 11906 - 1587 - 1474  # twips: A4 less 28 mm and 26 mm


def para(text: str, role: str = "body") -> Paragraph:
    return Paragraph((Run(text),), role)


def heading(level: int, text: str) -> Heading:
    return Heading(level, (Run(text),))


def speech(*blocks, **meta) -> Document:
    return Document(DocMeta(kind="speech", title="在全县工作例会上的讲话", date="2024-07-15", **meta),
                    blocks)


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def xml(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(parts(data)[name])


def body_paragraph_texts(data: bytes) -> list[str]:
    body = xml(data, "word/document.xml").find("w:body", NS)
    return ["".join(p.itertext()) for p in body.iter(W + "p")]


def style_of(data: bytes, style_id: str) -> etree._Element:
    styles = xml(data, "word/styles.xml")
    (style,) = styles.xpath(f'w:style[@w:styleId="{style_id}"]', namespaces=NS)
    return style


def east_asia_font(data: bytes, style_id: str) -> str:
    return style_of(data, style_id).find("w:rPr/w:rFonts", NS).get(W + "eastAsia")


def pstyle(p: etree._Element) -> str:
    style = p.find("w:pPr/w:pStyle", NS)
    return "" if style is None else style.get(W + "val")


def tiny_png(width: int, height: int) -> bytes:
    """A valid grey PNG built by hand, so the test needs no image library."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload)))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def ref() -> Reference:
    return Reference.load()


@pytest.fixture(scope="module")
def sample(ref) -> bytes:
    return render_docx(speech(Title("在全县工作例会上的讲话"), para("同志们：", SALUTATION),
                              heading(1, "成绩"), para("全县地区生产总值增长4.2%。")), ref)


# ---------------------------------------------------------------- reference document


def test_shipped_reference_equals_a_fresh_build():
    with zipfile.ZipFile(REFERENCE_PATH) as z:
        shipped = {name: z.read(name) for name in z.namelist()}
    assert shipped == parts(build_reference())
    assert build_reference() == REFERENCE_PATH.read_bytes()
    styles = etree.fromstring(shipped["word/styles.xml"])
    ids = set(styles.xpath("w:style/@w:styleId", namespaces=NS))
    assert set(WRITER_STYLES) | {"Footer"} <= ids
    assert Reference.load() is Reference.load()  # read once per process


def test_page_is_a4_with_gbt9704_margins(sample):
    section = docx.Document(io.BytesIO(sample)).sections[0]
    mm = lambda length: Emu(length).mm  # noqa: E731
    assert mm(section.page_width) == pytest.approx(210, abs=0.5)
    assert mm(section.page_height) == pytest.approx(297, abs=0.5)
    assert mm(section.top_margin) == pytest.approx(37, abs=0.5)
    assert mm(section.bottom_margin) == pytest.approx(35, abs=0.5)
    assert mm(section.left_margin) == pytest.approx(28, abs=0.5)
    assert mm(section.right_margin) == pytest.approx(26, abs=0.5)
    # The page number sits about 7 mm under the text block: 35 − 7 − one 14 pt line.
    assert mm(section.footer_distance) == pytest.approx(23.1, abs=0.5)
    grid = xml(sample, "word/document.xml").find(".//w:sectPr/w:docGrid", NS)
    assert (grid.get(W + "type"), grid.get(W + "linePitch")) == ("lines", "579")
    # 28 characters of 16 pt fit the 156 mm line once each is condensed a little.
    condense = style_of(sample, "Normal").find("w:rPr/w:spacing", NS).get(W + "val")
    assert TEXT_WIDTH // (16 * 20 + int(condense)) == 28


def test_style_fonts_sizes_and_spacing(sample):
    assert east_asia_font(sample, "Normal") == "仿宋_GB2312"
    assert east_asia_font(sample, "Heading1") == "黑体"
    assert east_asia_font(sample, "Heading2") == "楷体_GB2312"
    assert east_asia_font(sample, "Heading3") == "仿宋_GB2312"
    assert east_asia_font(sample, "Title") == "方正小标宋简体"
    assert east_asia_font(sample, "Speaker") == "楷体_GB2312"
    assert east_asia_font(sample, "Footer") == "宋体"
    defaults = xml(sample, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert defaults.find("w:rFonts", NS).get(W + "eastAsia") == "仿宋_GB2312"
    assert defaults.find("w:rFonts", NS).get(W + "ascii") == "Times New Roman"

    styles = docx.Document(io.BytesIO(sample)).styles
    assert styles["Normal"].font.size.pt == 16
    assert styles["Title"].font.size.pt == 22
    assert styles["footer"].font.size.pt == 14
    assert styles["TableText"].font.size.pt == 12
    assert styles["heading 3"].font.bold is True
    assert styles["heading 1"].font.bold is False
    assert styles["DocMark"].font.color.rgb == docx.shared.RGBColor(0xFF, 0, 0)
    normal = styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.line_spacing.twips == 579
    assert normal.first_line_indent.twips == 640
    assert normal.space_before == 0 and normal.space_after == 0
    ind = style_of(sample, "Normal").find("w:pPr/w:ind", NS)
    assert ind.get(W + "firstLineChars") == "200"
    assert style_of(sample, "Signature").find("w:pPr/w:ind", NS).get(W + "rightChars") == "200"  # §7.3.5.2: 右空二字
    outline = [style_of(sample, f"Heading{n}").find("w:pPr/w:outlineLvl", NS).get(W + "val")
               for n in (1, 2, 3, 4)]
    assert outline == ["0", "1", "2", "3"]
    assert styles["heading 2"].paragraph_format.keep_with_next is True


def test_page_numbers_in_both_footers_odd_right_even_left(sample):
    p = parts(sample)
    settings = etree.fromstring(p["word/settings.xml"])
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    section = docx.Document(io.BytesIO(sample)).sections[0]
    footers = {"default": section.footer, "even": section.even_page_footer}
    jc = {}
    for kind, footer in footers.items():
        paragraph = footer.paragraphs[0]
        assert paragraph.text == "\u2014 1 \u2014"
        assert [t.text for t in paragraph._p.iter(W + "instrText")] == [" PAGE "]
        jc[kind] = paragraph._p.find("w:pPr/w:jc", NS).get(W + "val")
    assert jc == {"default": "right", "even": "left"}
    ind = footers["default"].paragraphs[0]._p.find("w:pPr/w:ind", NS)
    assert ind.get(W + "rightChars") == "100"


# ---------------------------------------------------------------- body


def test_headings_are_numbered_from_levels(ref):
    data = render_docx(speech(heading(1, "成绩"), heading(2, "经济"), para("正文。"),
                              heading(2, "改革"), heading(1, "问题"), heading(2, "短板")), ref)
    d = docx.Document(io.BytesIO(data))
    got = [(p.style.style_id, p.text) for p in d.paragraphs]
    assert got == [("Heading1", "一、成绩"), ("Heading2", "（一）经济"), ("Normal", "正文。"),
                   ("Heading2", "（二）改革"), ("Heading1", "二、问题"), ("Heading2", "（一）短板")]


def test_an_omitted_section_leaves_no_gap_and_a_title_restarts(ref):
    # The template left out the shortfalls section: the tasks become 二、 not 三、.
    data = render_docx(speech(Title("甲"), heading(1, "成绩"), heading(1, "任务"),
                              Title("乙"), heading(1, "成绩"), heading(3, "细项"),
                              heading(4, "要点")), ref)
    assert body_paragraph_texts(data) == ["甲", "一、成绩", "二、任务", "乙", "一、成绩",
                                          "1.细项", "（1）要点"]


def test_roles_map_to_styles_and_bold_runs_survive(ref):
    data = render_docx(speech(
        para("县委书记　张某某", SPEAKER), para("同志们：", SALUTATION), para("居中", CENTER),
        Paragraph((Run("一是", bold=True), Run("抓项目。")),), para("中共青山县委", SIGNATURE),
        para("数据来源：县统计局。", NOTE), Heading(3, (Run("投资", bold=True), Run("持续向好")))), ref)
    d = docx.Document(io.BytesIO(data))
    assert [p.style.style_id for p in d.paragraphs] == [
        "Speaker", "Salutation", "Center", "Normal", "Signature", "Note", "Heading3"]
    runs = d.paragraphs[3].runs
    assert [(r.text, r.bold) for r in runs] == [("一是", True), ("抓项目。", None)]
    assert runs[0]._r.find("w:rPr/w:bCs", NS) is not None
    # The number goes into the first run of the heading, so it takes that run's format.
    assert [(r.text, r.bold) for r in d.paragraphs[6].runs] == [("1.投资", True), ("持续向好", None)]


def test_text_is_escaped_and_spaces_preserved(ref):
    data = render_docx(speech(para("  A&B <C> \"D\"\x0b")), ref)
    t = xml(data, "word/document.xml").find(".//w:t", NS)
    assert t.text == "  A&B <C> \"D\""
    assert t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"


def test_table_repeats_header_and_aligns_numbers(ref):
    table = Table(header=("乡镇", "完成值（万元）", "位次"),
                  rows=(("东山镇", "5200", "1"), ("西河乡", "4800.5", "2")),
                  align=("left", "right", "center"), caption="表1　完成情况")
    data = render_docx(speech(para("前文。"), table, PageBreak(), table), ref)
    body = xml(data, "word/document.xml").find("w:body", NS)
    tables = body.findall("w:tbl", NS)
    assert len(tables) == 2
    tbl = tables[0]
    caption = tbl.getprevious()
    assert caption.find("w:pPr/w:pStyle", NS).get(W + "val") == "Caption"
    assert "".join(caption.itertext()) == "表1　完成情况"
    assert tbl.find("w:tblPr/w:tblStyle", NS).get(W + "val") == "OfficialTable"
    assert tbl.find("w:tblPr/w:tblW", NS).get(W + "w") == str(TEXT_WIDTH)
    grid = [int(c.get(W + "w")) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
    assert sum(grid) == TEXT_WIDTH and grid[1] > grid[2]
    rows = tbl.findall("w:tr", NS)
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
    header_styles = {p.get(W + "val") for p in rows[0].iter(W + "pStyle")}
    assert header_styles == {"TableHeading"}
    cells = rows[2].findall("w:tc", NS)
    assert ["".join(c.itertext()) for c in cells] == ["西河乡", "4800.5", "2"]
    jcs = [c.find("w:p/w:pPr/w:jc", NS) for c in cells]
    assert jcs[0] is None  # TableText is left-aligned
    assert [j.get(W + "val") for j in jcs[1:]] == ["right", "center"]
    assert cells[1].find("w:p/w:pPr/w:pStyle", NS).get(W + "val") == "TableText"
    # python-docx reads the same table back.
    d = docx.Document(io.BytesIO(data))
    assert d.tables[0].cell(1, 1).text == "5200"
    # A body must end in a paragraph, not a table.
    assert body[-2].tag == W + "p"


def test_adjacent_tables_are_kept_apart(ref):
    t = Table(header=("甲",), rows=(("1",),))
    body = xml(render_docx(speech(t, t), ref), "word/document.xml").find("w:body", NS)
    assert [e.tag.split("}")[1] for e in body] == ["tbl", "p", "tbl", "p", "sectPr"]


def test_image_is_embedded_full_width_keeping_aspect(ref):
    png = tiny_png(40, 20)
    doc = Document(DocMeta(date="2024-07-15"),
                   (Image("chart", "图1　各档指标数"), Image("chart")), assets={"chart": png})
    data = render_docx(doc, ref)
    p = parts(data)
    assert p["word/media/image1.png"] == png
    assert "word/media/image2.png" not in p  # the same asset is stored once
    types = etree.fromstring(p["[Content_Types].xml"])
    png_type = types.xpath('//*[local-name()="Default"][@Extension="png"]/@ContentType')
    assert png_type == ["image/png"]
    document = etree.fromstring(p["word/document.xml"])
    extents = document.findall(".//wp:inline/wp:extent", NS)
    assert len(extents) == 2
    cx, cy = int(extents[0].get("cx")), int(extents[0].get("cy"))
    assert cx == TEXT_WIDTH * 635 and cy == cx // 2
    blip = document.find(".//a:blip", NS).get("{%s}embed" % NS["r"])
    rels = etree.fromstring(p["word/_rels/document.xml.rels"])
    (target,) = rels.xpath(f'//*[@Id="{blip}"]/@Target')
    assert target == "media/image1.png"
    ids = [e.get("id") for e in document.findall(".//wp:docPr", NS)]
    assert ids == ["1", "2"]
    assert body_paragraph_texts(data)[1] == "图1　各档指标数"
    assert len(docx.Document(io.BytesIO(data)).inline_shapes) == 2


def notice(cc: str = "县人大常委会办公室，县政府办公室", print_date: str = "2024年7月16日") -> Document:
    meta = DocMeta(kind="notice", title="关于上半年赛马比拼情况的通报", issuer="中共青山县委办公室",
                   doc_number="青委办〔2024〕12号", cc=cc, printer="中共青山县委办公室",
                   print_date=print_date, date="2024-07-16")
    return Document(meta, (Title("关于上半年赛马比拼情况的通报"), para("各乡镇党委：", SALUTATION),
                           para("现将有关情况通报如下。"), heading(1, "总体情况"),
                           para("中共青山县委办公室", SIGNATURE), para("2024年7月15日", SIGNATURE)))


def test_notice_has_letterhead_then_blocks_then_imprint(ref):
    data = render_docx(notice(), ref)
    body = xml(data, "word/document.xml").find("w:body", NS)
    top = [e for e in body if e.tag == W + "p"]
    assert [(pstyle(p), "".join(p.itertext())) for p in top[:2]] == [
        ("DocMark", "中共青山县委办公室"), ("DocNumber", "青委办〔2024〕12号")]
    rule = top[2].find("w:pPr/w:pBdr/w:bottom", NS)
    assert [rule.get(W + a) for a in ("color", "sz", "val")] == ["FF0000", "12", "single"]
    texts = ["".join(p.itertext()) for p in top]
    assert texts.index("关于上半年赛马比拼情况的通报") > 2
    assert texts.index("一、总体情况") < texts.index("2024年7月15日")
    # 版记: a table in a text box anchored to the bottom of the text block, in the
    # document's last paragraph, after the 成文日期 (tests/test_print.py measures it).
    anchor = top[-1].find(".//wp:anchor", NS)
    assert anchor.find("wp:positionV", NS).get("relativeFrom") == "margin"
    assert anchor.find("wp:positionV/wp:align", NS).text == "bottom"
    assert anchor.find("wp:wrapTopAndBottom", NS) is not None
    imprint = top[-1].find(".//w:txbxContent/w:tbl", NS)
    assert body.index(top[-1]) > body.index(top[texts.index("2024年7月15日")])
    rows = ["".join(tr.itertext()) for tr in imprint.findall("w:tr", NS)]
    assert rows == ["抄送：县人大常委会办公室，县政府办公室。", "中共青山县委办公室2024年7月16日印发"]
    borders = imprint.find("w:tblPr/w:tblBorders", NS)
    assert [(b.tag.split("}")[1], b.get(W + "sz")) for b in borders] == [
        ("top", "8"), ("bottom", "8"), ("insideH", "6")]
    assert {p.get(W + "val") for p in imprint.iter(W + "pStyle")} == {"Imprint"}
    tab = imprint.find(".//w:tabs/w:tab", NS)
    assert (tab.get(W + "val"), tab.get(W + "pos")) == ("right", str(TEXT_WIDTH - 280))
    # python-docx sees the letterhead first, and the body still ends in a paragraph.
    d = docx.Document(io.BytesIO(data))
    assert d.paragraphs[0].style.style_id == "DocMark"
    assert d.paragraphs[0].style.font.color.rgb == docx.shared.RGBColor(0xFF, 0, 0)
    assert body[-2].tag == W + "p"
    # 抄送 continues under the first name, after "抄送：" (§7.4.2)
    ind = imprint.find("w:tr/w:tc/w:p/w:pPr/w:ind", NS)
    assert (ind.get(W + "leftChars"), ind.get(W + "hangingChars")) == ("400", "300")


def test_notice_without_cc_has_only_the_print_line(ref):
    # The template may word the date with or without 印发; it is printed once either way.
    data = render_docx(notice(cc="", print_date="2024年7月16日印发"), ref)
    imprint = xml(data, "word/document.xml").findall(".//w:tbl", NS)[-1]
    assert ["".join(tr.itertext()) for tr in imprint.findall("w:tr", NS)] == [
        "中共青山县委办公室2024年7月16日印发"]


def test_speech_has_no_letterhead(sample):
    assert "DocMark" not in parts(sample)["word/document.xml"].decode()


# ---------------------------------------------------------------- package


def test_same_document_gives_identical_bytes(ref):
    doc = Document(notice().meta, notice().blocks + (Image("c"),), assets={"c": tiny_png(3, 2)})
    first = render_docx(doc, ref, {"data": "abc"})
    assert render_docx(doc, ref, {"data": "abc"}) == first
    assert render_docx(doc, Reference.load(REFERENCE_PATH), {"data": "abc"}) == first


def test_package_layout_is_fixed_and_valid(sample):
    with zipfile.ZipFile(io.BytesIO(sample)) as z:
        assert z.testzip() is None
        names = z.namelist()
        assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
        assert names[2:] == sorted(names[2:])
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "word/document.xml" in names and "docProps/core.xml" in names


def test_core_and_custom_properties(ref):
    data = render_docx(notice(), ref, {"speechgen:data_sha256": "ab12", "模板": "通报 & 排名"})
    core = docx.Document(io.BytesIO(data)).core_properties
    assert core.title == "关于上半年赛马比拼情况的通报"
    assert core.created.isoformat() == "2024-07-16T00:00:00+00:00"
    assert core.modified == core.created
    assert core.last_modified_by == ""
    p = parts(data)
    custom = etree.fromstring(p["docProps/custom.xml"])
    props = {e.get("name"): e.findtext("vt:lpwstr", namespaces=NS)
             for e in custom.findall("cust:property", NS)}
    assert props == {"speechgen:data_sha256": "ab12", "模板": "通报 & 排名"}
    assert sorted(e.get("pid") for e in custom) == ["2", "3"]
    rels = etree.fromstring(p["_rels/.rels"])
    assert rels.xpath('//*[@Target="docProps/custom.xml"]/@Type') == [
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"]
    assert b'PartName="/docProps/custom.xml"' in p["[Content_Types].xml"]
    assert "docProps/custom.xml" not in parts(render_docx(notice(), ref))


def test_write_docx_writes_the_rendered_bytes(tmp_path, ref):
    doc = speech(para("正文。"))
    out = write_docx(doc, tmp_path / "讲话.docx", ref)
    assert out.read_bytes() == render_docx(doc, ref)


# ---------------------------------------------------------------- office reference


def office_reference(path) -> None:
    """An office's own reference: 宋体 body, heading 1 saved under a Chinese Word id, and
    the Speaker and OfficialTable styles missing."""
    d = docx.Document(str(REFERENCE_PATH))
    styles = d.styles.element
    for sid in ("Speaker", "OfficialTable"):
        styles.remove(styles.xpath(f'w:style[@w:styleId="{sid}"]')[0])
    normal = styles.xpath('w:style[@w:styleId="Normal"]')[0]
    normal.find("w:rPr/w:rFonts", NS).set(W + "eastAsia", "宋体")
    styles.xpath('w:style[@w:styleId="Heading1"]')[0].set(W + "styleId", "1")
    d.save(str(path))


def test_office_reference_restyles_and_gets_missing_styles(tmp_path):
    path = tmp_path / "office.docx"
    office_reference(path)
    ref = Reference.load(path)
    doc = speech(para("县委书记　张某某", SPEAKER), heading(1, "成绩"),
                 Table(header=("甲",), rows=(("1",),)))
    data = render_docx(doc, ref)
    assert east_asia_font(data, "Normal") == "宋体"
    assert east_asia_font(data, "Speaker") == "楷体_GB2312"  # merged from the default
    assert style_of(data, "OfficialTable").get(W + "type") == "table"
    d = docx.Document(io.BytesIO(data))
    assert d.paragraphs[0].style.style_id == "Speaker"
    # Matched by name, not duplicated: heading 1 keeps the office's id.
    assert d.paragraphs[1].style.style_id == "1" and d.paragraphs[1].text == "一、成绩"
    names = [s.name for s in d.styles]  # python-docx shows built-in names capitalised
    assert names.count("Heading 1") == 1 and names.count("Speaker") == 1


def test_non_docx_reference_is_a_user_error(tmp_path):
    bad = tmp_path / "样式.docx"
    bad.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ReferenceDocError) as e:
        Reference.load(bad)
    assert e.value.file == str(bad)
    assert "样式.docx" in str(e.value) and ".docx" in e.value.en and "不是.docx文件" in e.value.zh

    no_styles = tmp_path / "bare.docx"
    with zipfile.ZipFile(no_styles, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ReferenceDocError) as e:
        Reference.load(no_styles)
    assert "word/styles.xml" in e.value.en and e.value.file == str(no_styles)

    with pytest.raises(ReferenceDocError, match="not found"):
        Reference.load(tmp_path / "missing.docx")


# ---------------------------------------------------------------- LibreOffice


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_a_rendered_notice_to_pdf(tmp_path, ref):
    source = write_docx(notice(), tmp_path / "notice.docx", ref)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(source)], check=True, capture_output=True, timeout=120)
    pdf = tmp_path / "notice.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_volume_written_as_it_comes_equals_one_document_of_all(ref):
    def card(name: str, rows: int) -> Document:
        table = Table(("指标", "完成"), tuple((f"指标{i}", str(i)) for i in range(rows)), ("left", "right"))
        return Document(DocMeta(kind="scorecard", date="2024-07-15"),
                        (Title(f"{name}成绩单"), heading(1, "综合成绩"), para(f"{name}得分98.50分。"),
                         heading(1, "分项指标"), table, para("注：单位为个百分点。", NOTE)))

    cards = [card("东山镇", 3), card("西河镇", 1), card("南岭镇", 5)]
    meta = DocMeta(kind="scorecard", date="2024-07-15", title="青山县2024-Q2乡镇成绩单汇编")
    together = Document(meta, (*cards[0].blocks, PageBreak(), *cards[1].blocks, PageBreak(),
                               *cards[2].blocks))
    # the documents may come from a generator, one at a time
    assert render_stream(meta, one_page_each(c for c in cards), ref) == render_docx(together, ref)
    body = xml(render_stream(meta, one_page_each(cards), ref), "word/document.xml").find("w:body", NS)
    titles = [p for p in body.findall("w:p", NS) if p.find("w:pPr/w:pStyle", NS) is not None
              and p.find("w:pPr/w:pStyle", NS).get(f"{{{NS['w']}}}val") == ref.styles["Title"]]
    assert len(titles) == 3
    assert [t.find("w:pPr/w:pageBreakBefore", NS) is not None for t in titles] == [False, True, True]
    # heading numbers restart with each scorecard
    labels = [t.text for t in body.iter(f"{{{NS['w']}}}t") if t.text.startswith(("一、", "二、"))]
    assert labels == ["一、综合成绩", "二、分项指标"] * 3


# ---------------------------------------------------------------- Word compatibility


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory):
    """The speech, the notice, a scorecard and the merged volume of the bundled county."""
    from generator import batch, pipeline

    tmp = tmp_path_factory.mktemp("kinds")
    data = Path(__file__).resolve().parent.parent / "indicators.yaml"
    files = {"speech": pipeline.speech(data).data, "notice": pipeline.notice(data).data}
    written = batch.scorecards(data, tmp, merged=True, jobs=1)
    files["scorecard"] = written[0].read_bytes()
    files["volume"] = written[-1].read_bytes()
    paths = {}
    for kind, content in files.items():
        paths[kind] = tmp / f"{kind}.docx"
        paths[kind].write_bytes(content)
    return paths


@pytest.mark.parametrize("kind", ["speech", "notice", "scorecard", "volume"])
def test_every_kind_passes_the_ooxml_validator(every_kind, kind):
    from openxml_audit import OpenXmlValidator
    from openxml_audit.errors import ValidationSeverity
    from openxml_audit.verdict import predict

    result = OpenXmlValidator(max_errors=0).validate(every_kind[kind])
    errors = [f"{e.part_uri} {e.path}: {e.description}" for e in result.errors
              if e.severity == ValidationSeverity.ERROR]
    assert errors == []
    assert "open cleanly" in predict(result).headline


def test_the_validator_catches_a_misordered_paragraph(every_kind, tmp_path):
    """The check above can fail: pStyle after jc is a schema violation Word repairs."""
    from openxml_audit import OpenXmlValidator

    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(every_kind["notice"]) as z, zipfile.ZipFile(bad, "w") as out:
        for item in z.infolist():
            content = z.read(item)
            if item.filename == "word/document.xml":
                content = content.replace(b'<w:pPr><w:pStyle w:val="DocMark"/></w:pPr>',
                                          b'<w:pPr><w:jc w:val="center"/><w:pStyle w:val="DocMark"/></w:pPr>', 1)
            out.writestr(item, content)
    assert OpenXmlValidator(max_errors=0).validate(bad).error_count >= 1


def test_office_letter_reference_keeps_gbt_page_set_up_footers_and_roles(tmp_path):
    """An ordinary Letter .docx (python-docx's blank one) as --reference-doc."""
    plain = tmp_path / "letter.docx"
    docx.Document().save(str(plain))
    ref = Reference.load(plain)
    data = render_docx(speech(para("县委书记　张某某", SPEAKER), heading(1, "成绩"), para("正文。")), ref)
    d = docx.Document(io.BytesIO(data))
    section = d.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)  # A4
    assert section.left_margin.twips == 1587 and section.top_margin.twips == 2098
    assert d.settings.odd_and_even_pages_header_footer
    assert "PAGE" in section.footer._element.xml and "PAGE" in section.even_page_footer._element.xml
    # the roles keep their GB/T layout where the office's styles say nothing
    assert d.styles["Title"].paragraph_format.alignment == 1  # centred
    ind = style_of(data, "Normal").find("w:pPr/w:ind", NS)
    assert ind.get(W + "firstLineChars") == "200"
    # a style the office did define keeps what it says: its Title's own spacing
    assert style_of(data, "Title").find("w:pPr/w:spacing", NS).get(W + "after") == "300"
    # and Word 2010's stale copy of the styles is gone
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "word/stylesWithEffects.xml" not in z.namelist()


def test_office_reference_with_its_own_page_set_up_keeps_it(tmp_path):
    own = tmp_path / "own.docx"
    d = docx.Document()
    d.sections[0].left_margin = docx.shared.Mm(30)  # chosen, not Word's default
    d.save(str(own))
    data = render_docx(speech(para("正文。")), Reference.load(own))
    section = docx.Document(io.BytesIO(data)).sections[0]
    assert (section.page_width.twips, section.left_margin.twips) == (12240, docx.shared.Mm(30).twips)


def test_merged_volume_is_titled_in_chinese(every_kind):
    d = docx.Document(str(every_kind["volume"]))
    assert d.core_properties.title == "青山县2024年上半年乡镇成绩单汇编"  # not 2024-Q2
